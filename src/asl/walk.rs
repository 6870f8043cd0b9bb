//! Walks over a definition's JSON before it is typed: the nesting check every reader runs
//! first ([`check_depth`]), and the one walk over every state, nested Parallel branches and
//! Map processors included, with the query language each state runs in ([`states`]). The
//! interpreter's loader (`jsonata::fields::propagate`) and `validate`'s language rules both
//! read states through it. Both walks use an explicit stack, not recursion: they run before
//! the depth is known to be safe.

use serde_json::Value;

/// The deepest JSON nesting a definition may have: serde_json's own limit for definition
/// text, so a `Value` built in memory is held to what a file could say. The deepest real
/// definitions nest a few dozen levels (a Map in a Parallel in a Map is about 15).
pub const MAX_DEFINITION_DEPTH: usize = 128;

/// A definition nested deeper than [`MAX_DEFINITION_DEPTH`]: where it went too deep.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TooDeep {
    /// The innermost state on the way down, if the nesting is inside a state.
    pub state: Option<String>,
    /// The field of that state (or of the machine) the nesting is under.
    pub field: Option<String>,
}

impl TooDeep {
    /// What is wrong and how to fix it, naming the field (the state is the caller's to name).
    pub fn message(&self) -> String {
        let what = match &self.field {
            Some(f) => format!("{f} is"),
            None => "the definition is".to_string(),
        };
        format!(
            "{what} nested more than {MAX_DEFINITION_DEPTH} levels deep; hint: flatten the data (build it in a Task or a JSONata expression) or split nested Parallel/Map states into separate state machines"
        )
    }
}

/// Checks that `def` nests at most [`MAX_DEFINITION_DEPTH`] levels, without recursing.
pub fn check_depth(def: &Value) -> Result<(), TooDeep> {
    // (value, depth, innermost state, its field, is this value a `States` object)
    type Pending<'a> = (&'a Value, usize, Option<&'a str>, Option<&'a str>, bool);
    let mut stack: Vec<Pending<'_>> = vec![(def, 1, None, None, false)];
    while let Some((v, depth, state, field, is_states)) = stack.pop() {
        if depth > MAX_DEFINITION_DEPTH {
            return Err(TooDeep {
                state: state.map(str::to_string),
                field: field.map(str::to_string),
            });
        }
        match v {
            Value::Object(m) => {
                for (k, child) in m {
                    let (s, f, states) = enter_key(state, field, is_states, k);
                    stack.push((child, depth + 1, s, f, states));
                }
            }
            Value::Array(items) => {
                for child in items {
                    stack.push((child, depth + 1, state, field, false));
                }
            }
            _ => {}
        }
    }
    Ok(())
}

/// Going down into the member `key` of an object: the innermost state and its field below
/// it, and whether the member is a `States` object (whose keys name states).
fn enter_key<'a>(
    state: Option<&'a str>,
    field: Option<&'a str>,
    is_states: bool,
    key: &'a str,
) -> (Option<&'a str>, Option<&'a str>, bool) {
    let (s, f) = if is_states {
        (Some(key), None)
    } else if field.is_none() {
        (state, Some(key))
    } else {
        (state, field)
    };
    // A state's `Branches`/`ItemProcessor` hold scopes whose states name themselves: the
    // field restarts below the next `States`.
    let f = if matches!(f, Some("Branches" | "ItemProcessor" | "Iterator")) {
        None
    } else {
        f
    };
    (s, f, key == "States")
}

/// [`check_depth`] on definition text, for text serde_json refused as too deep (its limit is
/// the same): scans brackets outside strings, without recursing or building values, and says
/// which state and field went too deep. `None` when the text is not nested too deep.
pub fn text_too_deep(text: &str) -> Option<TooDeep> {
    // Per open container: is it an object, and the key path state it was entered with.
    struct Open<'a> {
        object: bool,
        state: Option<&'a str>,
        field: Option<&'a str>,
        is_states: bool,
    }
    let bytes = text.as_bytes();
    let mut open: Vec<Open<'_>> = Vec::new();
    // The last string read, and where the next container's key path starts from.
    let mut last_string: Option<&str> = None;
    let mut pending: (Option<&str>, Option<&str>, bool) = (None, None, false);
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'"' => {
                let start = i + 1;
                i += 1;
                while i < bytes.len() && bytes[i] != b'"' {
                    i += if bytes[i] == b'\\' { 2 } else { 1 };
                }
                last_string = text.get(start..i.min(bytes.len()));
            }
            b':' => {
                if let (Some(top), Some(key)) = (open.last(), last_string)
                    && top.object
                {
                    pending = enter_key(top.state, top.field, top.is_states, key);
                }
            }
            b',' => {
                if let Some(top) = open.last()
                    && !top.object
                {
                    pending = (top.state, top.field, false);
                }
            }
            c @ (b'{' | b'[') => {
                let (state, field, is_states) = pending;
                open.push(Open {
                    object: c == b'{',
                    state,
                    field,
                    is_states: is_states && c == b'{',
                });
                if open.len() > MAX_DEFINITION_DEPTH {
                    return Some(TooDeep {
                        state: state.map(str::to_string),
                        field: field.map(str::to_string),
                    });
                }
                pending = (state, field, false);
            }
            b'}' | b']' => {
                open.pop();
            }
            _ => {}
        }
        i += 1;
    }
    None
}

/// One state of a definition, as [`states`] meets it.
#[derive(Debug, Clone)]
pub struct StateAt<'a> {
    /// The state's name.
    pub name: &'a str,
    /// The state's JSON.
    pub state: &'a Value,
    /// Where it is, dotted: `States.M.ItemProcessor.States.I`.
    pub location: String,
    /// Its JSON pointer in the definition: `/States/M/ItemProcessor/States/I`.
    pub pointer: String,
    /// The language it inherits: the machine's, or its enclosing Map's or Parallel's.
    pub inherited_jsonata: bool,
    /// The language it runs in: its own `QueryLanguage`, else the inherited one.
    pub jsonata: bool,
}

impl StateAt<'_> {
    /// Its own `QueryLanguage`, if it sets one.
    pub fn query_language(&self) -> Option<&Value> {
        self.state.get("QueryLanguage")
    }
}

/// Is `def`'s own `QueryLanguage` JSONata?
pub fn machine_is_jsonata(def: &Value) -> bool {
    def.get("QueryLanguage").and_then(Value::as_str) == Some("JSONata")
}

/// Every state of `def`, in document order, each before the states nested in it (Map
/// `ItemProcessor`/`Iterator`, Parallel `Branches`).
pub fn states(def: &Value) -> Vec<StateAt<'_>> {
    let mut out = Vec::new();
    // Scopes still to walk: (scope JSON, dotted location, pointer, inherited language).
    let mut pending: Vec<(&Value, String, String, bool)> =
        vec![(def, String::new(), String::new(), machine_is_jsonata(def))];
    while let Some((scope, location, pointer, inherited)) = pending.pop() {
        let Some(map) = scope.get("States").and_then(Value::as_object) else {
            continue;
        };
        // Nested scopes are walked after this one's states, keeping document order within
        // a scope; they go on the stack in reverse so the first is walked first.
        let mut nested = Vec::new();
        for (name, state) in map {
            let here = if location.is_empty() {
                format!("States.{name}")
            } else {
                format!("{location}.States.{name}")
            };
            let ptr = format!("{pointer}/States/{}", escape_pointer(name));
            let jsonata = match state.get("QueryLanguage").and_then(Value::as_str) {
                Some("JSONata") => true,
                Some("JSONPath") => false,
                _ => inherited,
            };
            for n in nested_scopes(state) {
                nested.push((
                    n.scope,
                    format!("{here}.{}", n.field),
                    format!("{ptr}/{}", n.pointer),
                    jsonata,
                ));
            }
            out.push(StateAt {
                name,
                state,
                location: here,
                pointer: ptr,
                inherited_jsonata: inherited,
                jsonata,
            });
        }
        pending.extend(nested.into_iter().rev());
    }
    out
}

/// A scope nested directly in a state: a Map's processor or one Parallel branch.
#[derive(Debug, Clone)]
pub struct NestedScope<'a> {
    /// The scope's JSON (with its own `StartAt` and `States`).
    pub scope: &'a Value,
    /// The field that holds it, dotted: `ItemProcessor`, `Iterator`, `Branches[0]`.
    pub field: String,
    /// The same as a JSON pointer suffix: `ItemProcessor`, `Branches/0`.
    pub pointer: String,
}

/// The scopes nested directly in `state`: its `ItemProcessor` (or the older `Iterator`) and
/// each of its `Branches`, in that order. Every walk over nested states finds them here.
pub fn nested_scopes(state: &Value) -> Vec<NestedScope<'_>> {
    let mut out = Vec::new();
    for key in ["ItemProcessor", "Iterator"] {
        if let Some(scope) = state.get(key) {
            out.push(NestedScope {
                scope,
                field: key.to_string(),
                pointer: key.to_string(),
            });
        }
    }
    let branches = state.get("Branches").and_then(Value::as_array);
    for (i, scope) in branches.into_iter().flatten().enumerate() {
        out.push(NestedScope {
            scope,
            field: format!("Branches[{i}]"),
            pointer: format!("Branches/{i}"),
        });
    }
    out
}

fn escape_pointer(key: &str) -> String {
    key.replace('~', "~0").replace('/', "~1")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn every_state_with_its_language_and_place() {
        let def = json!({"QueryLanguage": "JSONata", "StartAt": "M", "States": {
            "M": {"Type": "Map", "Next": "P", "ItemProcessor": {"StartAt": "I", "States": {
                "I": {"Type": "Pass", "End": true}}}},
            "P": {"Type": "Parallel", "End": true, "Branches": [
                {"StartAt": "a/b", "States": {"a/b": {"Type": "Succeed"}}}]}}});
        let got: Vec<(String, String, bool)> = states(&def)
            .into_iter()
            .map(|s| (s.location, s.pointer, s.jsonata))
            .collect();
        assert_eq!(
            got,
            [
                ("States.M".into(), "/States/M".into(), true),
                ("States.P".into(), "/States/P".into(), true),
                (
                    "States.M.ItemProcessor.States.I".into(),
                    "/States/M/ItemProcessor/States/I".into(),
                    true
                ),
                (
                    "States.P.Branches[0].States.a/b".into(),
                    "/States/P/Branches/0/States/a~1b".into(),
                    true
                ),
            ]
        );
        for s in states(&def) {
            assert_eq!(def.pointer(&s.pointer), Some(s.state));
        }
        let mixed = json!({"StartAt": "A", "States": {
            "A": {"Type": "Map", "QueryLanguage": "JSONata", "End": true,
                  "ItemProcessor": {"StartAt": "B", "States": {"B": {"Type": "Succeed"}}}}}});
        let s = states(&mixed);
        assert!(!s[0].inherited_jsonata && s[0].jsonata);
        assert!(s[1].inherited_jsonata && s[1].jsonata);
    }

    #[test]
    fn depth_names_the_state_and_field() {
        let mut deep = json!(1);
        for _ in 0..MAX_DEFINITION_DEPTH {
            deep = json!({ "a": deep });
        }
        let def = json!({"StartAt": "A", "States": {"A": {"Type": "Pass", "Parameters": deep}}});
        let e = check_depth(&def).unwrap_err();
        assert_eq!(e.state.as_deref(), Some("A"));
        assert_eq!(e.field.as_deref(), Some("Parameters"));
        assert!(e.message().contains("Parameters is nested more than 128"));
        assert!(e.message().contains("hint:"));
        let ok = json!({"StartAt": "A", "States": {"A": {"Type": "Pass", "Result": [[[1]]]}}});
        assert_eq!(check_depth(&ok), Ok(()));
        // Inside a nested scope, the innermost state is named.
        let def = json!({"StartAt": "P", "States": {"P": {"Type": "Parallel", "Branches": [
            {"StartAt": "Q", "States": {"Q": {"Type": "Pass", "Result": deep_array(130)}}}]}}});
        let e = check_depth(&def).unwrap_err();
        assert_eq!(
            (e.state.as_deref(), e.field.as_deref()),
            (Some("Q"), Some("Result"))
        );
    }

    #[test]
    fn too_deep_text_names_the_state_and_field() {
        let deep = "[".repeat(100_000) + &"]".repeat(100_000);
        let text = format!(
            r#"{{"StartAt":"P","States":{{"P":{{"Type":"Parallel","End":true,"Branches":[{{"StartAt":"Q","States":{{"Q":{{"Type":"Pass","Comment":"a[{{\"","Result":{deep},"End":true}}}}}}]}}}}}}"#
        );
        let e = text_too_deep(&text).unwrap();
        assert_eq!(
            (e.state.as_deref(), e.field.as_deref()),
            (Some("Q"), Some("Result"))
        );
        let ok =
            json!({"StartAt": "A", "States": {"A": {"Type": "Pass", "Result": deep_array(100)}}});
        assert_eq!(text_too_deep(&ok.to_string()), None);
        let e = text_too_deep(&"{\"a\":".repeat(200)).unwrap();
        assert_eq!((e.state, e.field.as_deref()), (None, Some("a")));
    }

    fn deep_array(n: usize) -> Value {
        let mut v = json!([]);
        for _ in 0..n {
            v = json!([v]);
        }
        v
    }
}
