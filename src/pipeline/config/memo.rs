//! Classes built once per process. Building a class (its fields' labels and patterns, its
//! evidence through the lexicon) is the costly part of reading a configuration, and one process
//! reads the same classes more than once: `process` checks the user's files, then the local
//! stack's functions load the version stored from them; a warm function reloads when another
//! version is activated, which mostly repeats classes. A class is a pure function of its schema,
//! so the schema's JSON text is the key.

use std::collections::HashMap;
use std::sync::{Arc, LazyLock, Mutex};

use serde_json::Value;

/// Classes kept; past this the memo starts over (a process sees a few configurations at most).
const KEPT: usize = 256;

/// Built values by key, shared by every thread; a failed build is not kept.
pub struct Memo<T> {
    built: Mutex<HashMap<String, Arc<T>>>,
    kept: usize,
}

impl<T> Memo<T> {
    pub fn new(kept: usize) -> Self {
        Memo {
            built: Mutex::new(HashMap::new()),
            kept,
        }
    }

    /// The value built for `key`, building it with `build` the first time. The lock is not held
    /// while building: two threads asking at once may both build, and the value is the same.
    pub fn get_or_build<E>(
        &self,
        key: String,
        build: impl FnOnce() -> Result<T, E>,
    ) -> Result<Arc<T>, E> {
        if let Some(v) = self.lock().get(&key) {
            return Ok(v.clone());
        }
        let v = Arc::new(build()?);
        let mut built = self.lock();
        if built.len() >= self.kept {
            built.clear();
        }
        built.insert(key, v.clone());
        Ok(v)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Arc<T>>> {
        // A panic while holding the lock cannot leave the map half-written (one insert or
        // clear), so a poisoned lock is still a good map.
        self.built.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// The process's classes, keyed by their schema.
pub fn classes() -> &'static Memo<super::ClassDef> {
    static M: LazyLock<Memo<super::ClassDef>> = LazyLock::new(|| Memo::new(KEPT));
    &M
}

/// The key of a schema: its JSON text.
pub fn key(schema: &Value) -> String {
    schema.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    #[test]
    fn builds_once_per_key_and_not_failures() {
        let memo = Memo::new(2);
        let builds = AtomicUsize::new(0);
        let build = |v: u32| {
            builds.fetch_add(1, Ordering::SeqCst);
            Ok::<_, String>(v)
        };
        assert_eq!(*memo.get_or_build("a".into(), || build(1)).unwrap(), 1);
        assert_eq!(*memo.get_or_build("a".into(), || build(9)).unwrap(), 1);
        assert_eq!(builds.load(Ordering::SeqCst), 1);
        assert!(memo.get_or_build("bad".into(), || Err("no")).is_err());
        assert_eq!(*memo.get_or_build("bad".into(), || build(2)).unwrap(), 2);
        // Full: starts over rather than growing.
        assert_eq!(*memo.get_or_build("c".into(), || build(3)).unwrap(), 3);
        assert_eq!(*memo.get_or_build("a".into(), || build(4)).unwrap(), 4);
        assert_eq!(builds.load(Ordering::SeqCst), 4);
    }

    #[test]
    fn a_class_read_twice_is_the_same_class() {
        let schema = serde_json::json!({
            "x-aws-idp-document-type": "Memo-test-receipt",
            "description": "A shop receipt.",
            "properties": {"total": {"type": "number"}, "shop_name": {"type": "string"}}
        });
        let a = super::super::ClassDef::from_schema(&schema).unwrap();
        let b = super::super::ClassDef::from_schema(&schema).unwrap();
        assert_eq!(a.name, b.name);
        assert_eq!(a.evidence.titles, b.evidence.titles);
        assert_eq!(a.evidence.body, b.evidence.body);
        let paths = |c: &super::super::ClassDef| -> Vec<String> {
            c.fields.iter().map(|f| f.dotted()).collect()
        };
        assert_eq!(paths(&a), paths(&b));
        assert!(classes().lock().contains_key(&key(&schema)));
        // Another schema is another class.
        let mut other = schema.clone();
        other["properties"]["tip"] = serde_json::json!({"type": "number"});
        let c = super::super::ClassDef::from_schema(&other).unwrap();
        assert_eq!(paths(&c).len(), paths(&a).len() + 1);
    }
}
