//! The journal: what makes an execution resumable after `kill -9`.
//!
//! Every Task invocation has a deterministic [`StepKey`]: the execution id, the path of state
//! names from the top of the machine down to the Task (with Map item indices and Parallel
//! branch indices, and a visit number when a loop enters the same state again), and the
//! attempt number. Before invoking, the executor asks the journal for that key; if an outcome
//! is recorded it is reused instead of invoking again, and after invoking it records the
//! outcome. Re-running an execution with the same id, input and journal therefore replays
//! completed work and only invokes what never finished.
//!
//! Failed attempts are recorded too: a resumed execution then makes the same retry and catch
//! decisions as the original one.
//!
//! A durable implementation (SQLite) maps naturally onto this: one table keyed by
//! `(execution_id, path, attempt)` holding the outcome as JSON (`StepOutcome` is
//! serde-serializable); `record` must be durable before it returns.

use std::collections::HashMap;
use std::fmt;
use std::sync::Mutex;

use serde_json::Value;

use super::error::TaskError;

/// Identifies one attempt of one Task invocation within one execution.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct StepKey {
    execution_id: String,
    path: String,
    attempt: u32,
}

impl StepKey {
    /// Builds a key. `path` is a [`StepPath`] rendered with `to_string`.
    pub fn new(execution_id: impl Into<String>, path: impl Into<String>, attempt: u32) -> Self {
        Self {
            execution_id: execution_id.into(),
            path: path.into(),
            attempt,
        }
    }

    /// The execution this step belongs to.
    pub fn execution_id(&self) -> &str {
        &self.execution_id
    }

    /// The position of the Task in the machine, e.g. `/Split/PerPage[3]/Ocr`.
    pub fn path(&self) -> &str {
        &self.path
    }

    /// 0 for the first attempt, 1 for the first retry, ...
    pub fn attempt(&self) -> u32 {
        self.attempt
    }
}

impl fmt::Display for StepKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}{}#{}", self.execution_id, self.path, self.attempt)
    }
}

/// The position of a state inside an execution, rendered like `/Outer/PerPage[3]/Branchy{1}/Ocr@2`:
/// `/Name` per state, `[i]` after a Map state for its item `i`, `{b}` after a Parallel state for
/// its branch `b`, `@n` when the state is entered for the n-th time (n ≥ 1) in its scope.
/// Characters with a meaning here are percent-encoded in names.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct StepPath(String);

impl StepPath {
    /// The root of an execution.
    pub fn root() -> Self {
        Self(String::new())
    }

    /// The path of state `name` entered for the `visit`-th time (0-based) under `self`.
    pub fn state(&self, name: &str, visit: u32) -> Self {
        let mut s = self.0.clone();
        s.push('/');
        for c in name.chars() {
            match c {
                '%' | '/' | '@' | '[' | ']' | '{' | '}' | '#' => {
                    s.push_str(&format!("%{:02X}", c as u32));
                }
                c => s.push(c),
            }
        }
        if visit > 0 {
            s.push_str(&format!("@{visit}"));
        }
        Self(s)
    }

    /// Item `index` of the Map state at `self`.
    pub fn map_item(&self, index: usize) -> Self {
        Self(format!("{}[{index}]", self.0))
    }

    /// Branch `index` of the Parallel state at `self`.
    pub fn branch(&self, index: usize) -> Self {
        Self(format!("{}{{{index}}}", self.0))
    }
}

impl fmt::Display for StepPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The recorded outcome of one attempt.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub enum StepOutcome {
    /// The invoker returned this result.
    Succeeded(Value),
    /// The invoker failed with this error.
    Failed(TaskError),
}

/// A journal failure (I/O, corruption). The executor fails the execution with
/// `States.Runtime` rather than risk running a step twice.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("journal: {0}")]
pub struct JournalError(pub String);

/// Storage of step outcomes. Must be safe to call from several threads at once (Map and
/// Parallel run steps concurrently).
pub trait Journal: Send + Sync {
    /// The recorded outcome of `key`, if any.
    fn lookup(&self, key: &StepKey) -> Result<Option<StepOutcome>, JournalError>;
    /// Records the outcome of `key`; it must be durable when this returns.
    fn record(&self, key: &StepKey, outcome: &StepOutcome) -> Result<(), JournalError>;
}

/// A journal that remembers nothing (the default: no resumption).
#[derive(Debug, Default, Clone, Copy)]
pub struct NullJournal;

impl Journal for NullJournal {
    fn lookup(&self, _key: &StepKey) -> Result<Option<StepOutcome>, JournalError> {
        Ok(None)
    }
    fn record(&self, _key: &StepKey, _outcome: &StepOutcome) -> Result<(), JournalError> {
        Ok(())
    }
}

/// An in-memory journal: resumption within one process (and the reference for tests of
/// durable journals).
#[derive(Debug, Default)]
pub struct MemoryJournal {
    steps: Mutex<HashMap<StepKey, StepOutcome>>,
}

impl MemoryJournal {
    /// An empty journal.
    pub fn new() -> Self {
        Self::default()
    }

    /// All recorded steps, sorted by key.
    pub fn entries(&self) -> Vec<(StepKey, StepOutcome)> {
        let mut v: Vec<_> = self
            .lock()
            .iter()
            .map(|(k, o)| (k.clone(), o.clone()))
            .collect();
        v.sort_by(|a, b| a.0.cmp(&b.0));
        v
    }

    /// Forgets one step (tests use it to simulate a crash before `record`).
    pub fn remove(&self, key: &StepKey) -> Option<StepOutcome> {
        self.lock().remove(key)
    }

    /// Number of recorded steps.
    pub fn len(&self) -> usize {
        self.lock().len()
    }

    /// True when nothing is recorded.
    pub fn is_empty(&self) -> bool {
        self.lock().is_empty()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<StepKey, StepOutcome>> {
        self.steps.lock().unwrap_or_else(|e| e.into_inner())
    }
}

impl Journal for MemoryJournal {
    fn lookup(&self, key: &StepKey) -> Result<Option<StepOutcome>, JournalError> {
        Ok(self.lock().get(key).cloned())
    }
    fn record(&self, key: &StepKey, outcome: &StepOutcome) -> Result<(), JournalError> {
        self.lock().insert(key.clone(), outcome.clone());
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn paths_render_deterministically() {
        let p = StepPath::root()
            .state("Outer", 0)
            .map_item(3)
            .state("Par", 0)
            .branch(1)
            .state("a/b@c", 2);
        assert_eq!(p.to_string(), "/Outer[3]/Par{1}/a%2Fb%40c@2");
        let k = StepKey::new("exec", p.to_string(), 1);
        assert_eq!(k.to_string(), "exec/Outer[3]/Par{1}/a%2Fb%40c@2#1");
    }

    #[test]
    fn memory_journal_round_trip() {
        let j = MemoryJournal::new();
        let k = StepKey::new("e", "/A", 0);
        assert_eq!(j.lookup(&k).unwrap(), None);
        j.record(&k, &StepOutcome::Succeeded(json!(1))).unwrap();
        assert_eq!(
            j.lookup(&k).unwrap(),
            Some(StepOutcome::Succeeded(json!(1)))
        );
        assert_eq!(j.len(), 1);
        let s = serde_json::to_string(&StepOutcome::Failed(TaskError::new("E", "c"))).unwrap();
        assert_eq!(s, r#"{"Failed":{"error":"E","cause":"c"}}"#);
    }
}
