//! Reading back JSON the interpreter wrote itself (journal outcomes), which may nest deeper
//! than serde_json's default limit of 128 levels: JSONata builds values down to
//! [`MAX_VALUE_DEPTH`] levels, and a journal that refused its own records would fail every
//! resume of such an execution with `States.Runtime`.
//!
//! The nesting is still bounded, by a scan before parsing, so a damaged or hostile state file
//! cannot overflow a stack; and text deeper than serde's default is parsed on a thread of its
//! own with a large stack, because the parser's frames (large in a debug build) would not fit
//! in a Map iteration's 2 MiB thread.

use serde::de::DeserializeOwned;

use super::jsonata::value::MAX_VALUE_DEPTH;

/// Levels a record may add around a value (the outcome's variant, a Map Run's record).
const WRAPPING: usize = 8;

/// The deepest nesting [`from_str`] reads.
pub const MAX_DEPTH: usize = MAX_VALUE_DEPTH as usize + WRAPPING;

/// serde_json's own default limit: text within it is parsed on the calling thread.
const SERDE_DEFAULT_DEPTH: usize = 128;

/// The stack of the thread that parses deeper text (reserved, touched only as used).
const DEEP_STACK: usize = 64 * 1024 * 1024;

/// Parses `text` as JSON nested at most [`MAX_DEPTH`] levels.
pub fn from_str<T: DeserializeOwned + Send>(text: &str) -> Result<T, String> {
    let depth = nesting(text);
    if depth > MAX_DEPTH {
        return Err(format!(
            "JSON nested {depth} levels deep, more than the {MAX_DEPTH} a stored value may have"
        ));
    }
    if depth <= SERDE_DEFAULT_DEPTH {
        return parse(text);
    }
    std::thread::scope(|scope| {
        std::thread::Builder::new()
            .name("deep-json".into())
            .stack_size(DEEP_STACK)
            .spawn_scoped(scope, || parse(text))
            .map_err(|e| format!("cannot start a thread to read deep JSON: {e}"))?
            .join()
            .unwrap_or_else(|_| Err("reading deep JSON panicked".to_string()))
    })
}

fn parse<T: DeserializeOwned>(text: &str) -> Result<T, String> {
    let mut de = serde_json::Deserializer::from_str(text);
    de.disable_recursion_limit();
    let value = T::deserialize(&mut de).map_err(|e| e.to_string())?;
    de.end().map_err(|e| e.to_string())?;
    Ok(value)
}

/// The deepest nesting of arrays and objects in `text`, brackets inside strings not counted.
/// Unbalanced text is left for the parser to refuse.
fn nesting(text: &str) -> usize {
    let (mut depth, mut deepest) = (0usize, 0usize);
    let (mut in_string, mut escaped) = (false, false);
    for b in text.bytes() {
        if in_string {
            match b {
                _ if escaped => escaped = false,
                b'\\' => escaped = true,
                b'"' => in_string = false,
                _ => {}
            }
            continue;
        }
        match b {
            b'"' => in_string = true,
            b'[' | b'{' => {
                depth += 1;
                deepest = deepest.max(depth);
            }
            b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    deepest
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{Value, json};

    fn nested(levels: usize) -> Value {
        (0..levels).fold(json!(1), |v, _| json!([v]))
    }

    #[test]
    fn brackets_in_strings_do_not_count() {
        assert_eq!(nesting(r#"{"a": "[[[{{", "b": ["\"]]", [2]]}"#), 3);
        assert_eq!(nesting("1"), 0);
    }

    #[test]
    fn values_as_deep_as_jsonata_builds_read_back_on_a_map_thread() {
        // Map iterations run on threads with the default 2 MiB stack.
        let h = std::thread::Builder::new()
            .stack_size(2 * 1024 * 1024)
            .spawn(|| {
                let deep = nested(MAX_VALUE_DEPTH as usize);
                let text = serde_json::to_string(&deep).unwrap();
                assert!(
                    serde_json::from_str::<Value>(&text).is_err(),
                    "serde's own limit"
                );
                let back: Value = from_str(&text).unwrap();
                assert_eq!(back, deep);
            })
            .unwrap();
        h.join().unwrap();
    }

    #[test]
    fn deeper_text_and_trailing_garbage_are_refused() {
        let text = "[".repeat(MAX_DEPTH + 1) + &"]".repeat(MAX_DEPTH + 1);
        let e = from_str::<Value>(&text).unwrap_err();
        assert!(e.contains(&format!("more than the {MAX_DEPTH}")), "{e}");
        assert!(from_str::<Value>("[1] x").is_err());
    }
}
