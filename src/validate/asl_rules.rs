//! Language rules of the state machine definition: what the interpreter refuses when it loads
//! the definition (reported with the state's name), variables read but never assigned, and
//! fields that belong to the other query language (JSONPath fields in a JSONata state and
//! JSONata fields in a JSONPath state), as AWS refuses them at `CreateStateMachine`.

use std::collections::BTreeSet;

use serde_json::Value;

use super::finding::{Finding, Severity};
use crate::asl::StateMachine;
use crate::asl::jsonata::Expression;
use crate::asl::jsonata::ast::free_variables;
use crate::asl::jsonata::fields::{JSONATA_ONLY, JSONPATH_ONLY};
use crate::asl::jsonata::template::expression_text;
use crate::asl::path::is_variable_name;
use crate::asl::walk;

const FILE: &str = "statemachine.asl.json";

/// Every finding about the definition's language rules; `load` adds the interpreter's own
/// refusal, if any (the caller leaves it out when it already reported the structural error
/// the interpreter would name again).
pub fn check(def: &Value, load: bool) -> Vec<Finding> {
    let mut out = Vec::new();
    // The walks below recurse over the JSON: a definition nested too deep is one finding.
    if let Err(deep) = walk::check_depth(def) {
        let at = deep
            .state
            .as_ref()
            .map_or(String::new(), |s| format!(" (state `{s}`)"));
        out.push(Finding::error("asl", format!("{FILE}{at}"), deep.message()));
        return out;
    }
    query_language_fields(def, &mut out);
    if load && let Err(e) = StateMachine::from_value(def) {
        out.push(Finding::error("asl", FILE, e.to_string()));
    }
    let mut assigned = BTreeSet::new();
    let mut reads = Vec::new();
    walk(def, "", &mut assigned, &mut reads);
    for (location, name) in reads {
        if !assigned.contains(&name) {
            out.push(Finding::new(
                Severity::Warning,
                "asl-variables",
                format!("{FILE}: {location}"),
                format!("reads the variable `${name}`, which no state assigns"),
            ));
        }
    }
    out
}

/// JSONPath fields in JSONata states and JSONata fields in JSONPath states, by state.
fn query_language_fields(def: &Value, out: &mut Vec<Finding>) {
    for s in walk::states(def) {
        let (name, here) = (s.name, &s.location);
        let lang = s.query_language().and_then(Value::as_str);
        if lang == Some("JSONPath") && s.inherited_jsonata {
            out.push(Finding::error(
                "asl-query-language",
                format!("{FILE}: {here}"),
                format!("state `{name}` uses JSONPath in a JSONata state machine; AWS allows only the reverse (a JSONata state in a JSONPath machine)"),
            ));
        }
        let (forbidden, language) = if s.jsonata {
            (JSONPATH_ONLY, "JSONata")
        } else {
            (JSONATA_ONLY, "JSONPath")
        };
        for field in forbidden {
            if s.state.get(*field).is_some() {
                out.push(Finding::error(
                    "asl-query-language",
                    format!("{FILE}: {here}.{field}"),
                    format!("state `{name}` is a {language} state and cannot use `{field}`"),
                ));
            }
        }
    }
}

/// Collects the names every `Assign` sets and the `$name` reads of JSONPath fields and of
/// JSONata expressions.
fn walk(v: &Value, loc: &str, assigned: &mut BTreeSet<String>, reads: &mut Vec<(String, String)>) {
    match v {
        Value::Object(map) => {
            for (k, child) in map {
                let here = if loc.is_empty() {
                    k.clone()
                } else {
                    format!("{loc}.{k}")
                };
                if k == "Assign"
                    && let Value::Object(a) = child
                {
                    for name in a.keys() {
                        assigned.insert(name.strip_suffix(".$").unwrap_or(name).to_string());
                    }
                }
                let is_expr = k.ends_with(".$") || k == "Variable" || k.ends_with("Path");
                if is_expr && let Value::String(s) = child {
                    for name in variable_reads(s) {
                        reads.push((here.clone(), name));
                    }
                } else {
                    walk(child, &here, assigned, reads);
                }
            }
        }
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                walk(item, &format!("{loc}[{i}]"), assigned, reads);
            }
        }
        // A JSONata field (`"{% ... %}"`): the variables it reads and does not bind itself.
        // A syntax error is the interpreter's finding, reported by `check`.
        Value::String(s) => {
            if let Some(text) = expression_text(s)
                && let Ok(e) = Expression::parse(text)
            {
                for name in free_variables(e.node()) {
                    reads.push((loc.to_string(), name));
                }
            }
        }
        _ => {}
    }
}

/// The variable names a path or intrinsic reads (`$name`, outside quoted literals).
fn variable_reads(expr: &str) -> Vec<String> {
    let chars: Vec<char> = expr.chars().collect();
    let mut out = Vec::new();
    let mut quoted = false;
    let mut i = 0;
    while i < chars.len() {
        match chars[i] {
            '\\' => i += 1,
            '\'' => quoted = !quoted,
            '$' if !quoted => {
                if chars.get(i + 1) == Some(&'$') {
                    i += 2;
                    continue;
                }
                let name: String = chars[i + 1..]
                    .iter()
                    .take_while(|c| c.is_alphanumeric() || **c == '_')
                    .collect();
                if is_variable_name(&name) {
                    i += name.chars().count();
                    out.push(name);
                }
            }
            _ => {}
        }
        i += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn messages(def: Value) -> Vec<String> {
        check(&def, true)
            .into_iter()
            .map(|f| format!("{} {}: {}", f.severity.as_str(), f.location, f.message))
            .collect()
    }

    #[test]
    fn a_valid_definition_has_no_findings() {
        let def = json!({"StartAt": "A", "States": {
            "A": {"Type": "Pass", "Assign": {"x": 1, "y.$": "$.y"}, "Next": "B"},
            "B": {"Type": "Pass", "Parameters": {"x.$": "$x", "f.$": "States.Format('costs $5 {}', $y)"}, "End": true}}});
        assert_eq!(messages(def), Vec::<String>::new());
    }

    #[test]
    fn variables_read_but_never_assigned() {
        let def = json!({"StartAt": "A", "States": {
            "A": {"Type": "Pass", "Assign": {"x": 1}, "Next": "C"},
            "C": {"Type": "Choice", "Choices": [{"Variable": "$missing", "IsPresent": true, "Next": "B"}],
                  "Default": "B"},
            "B": {"Type": "Pass", "Parameters": {"a.$": "States.Array($x, $other, $$.State.Name)"}, "End": true}}});
        assert_eq!(
            messages(def),
            [
                "warning statemachine.asl.json: States.C.Choices[0].Variable: reads the variable `$missing`, which no state assigns",
                "warning statemachine.asl.json: States.B.Parameters.a.$: reads the variable `$other`, which no state assigns",
            ]
        );
    }

    #[test]
    fn fields_of_the_other_query_language_name_the_state() {
        let def = json!({"QueryLanguage": "JSONata", "StartAt": "A", "States": {
            "A": {"Type": "Pass", "InputPath": "$.x", "Next": "M"},
            "M": {"Type": "Map", "End": true, "ItemProcessor": {"StartAt": "I", "States": {
                "I": {"Type": "Pass", "ResultPath": "$.r", "End": true}}}}}});
        let got = messages(def);
        assert!(
            got.contains(&"error statemachine.asl.json: States.A.InputPath: state `A` is a JSONata state and cannot use `InputPath`".to_string()),
            "{got:#?}"
        );
        assert!(
            got.iter().any(|m| m.contains(
                "States.M.ItemProcessor.States.I.ResultPath: state `I` is a JSONata state"
            )),
            "{got:#?}"
        );
        let def = json!({"StartAt": "A", "States": {
            "A": {"Type": "Pass", "Output": {"x": 1}, "End": true}}});
        let got = messages(def);
        assert!(
            got[0]
                .contains("States.A.Output: state `A` is a JSONPath state and cannot use `Output`"),
            "{got:#?}"
        );
    }

    #[test]
    fn result_in_a_jsonata_state_is_reported() {
        // `Result` is JSONPath-only: the interpreter refuses it in a JSONata state, so
        // validate reports it from the same list instead of passing the definition.
        let def = json!({"QueryLanguage": "JSONata", "StartAt": "A", "States": {
            "A": {"Type": "Pass", "Result": {"x": 1}, "End": true}}});
        let findings: Vec<String> = check(&def, false)
            .into_iter()
            .map(|f| format!("{} {}: {}", f.severity.as_str(), f.location, f.message))
            .collect();
        assert_eq!(
            findings,
            [
                "error statemachine.asl.json: States.A.Result: state `A` is a JSONata state and cannot use `Result`"
            ]
        );
        let def = json!({"StartAt": "A", "States": {
            "A": {"Type": "Pass", "Result": {"x": 1}, "End": true}}});
        assert_eq!(messages(def), Vec::<String>::new());
    }

    #[test]
    fn jsonata_reads_and_errors() {
        let def = json!({"QueryLanguage": "JSONata", "StartAt": "A", "States": {
            "A": {"Type": "Pass", "Assign": {"total": "{% $sum($states.input.n) %}"}, "Next": "B"},
            "B": {"Type": "Pass", "End": true, "Output": {
                "ok": "{% $total & $map([1], function($v){ $v }) & ($local := 1; $local) %}",
                "missing": "{% $nowhere + 1 %}",
                "bound": "{% $states.input.a@$v.b#$i.{'v': $v, 'i': $i} %}"}}}});
        assert_eq!(
            messages(def),
            [
                "warning statemachine.asl.json: States.B.Output.missing: reads the variable `$nowhere`, which no state assigns"
            ]
        );
        let def = json!({"QueryLanguage": "JSONata", "StartAt": "A", "States": {
            "A": {"Type": "Pass", "Output": "{% $states.input. %}", "End": true}}});
        let got = messages(def);
        assert!(
            got.iter()
                .any(|m| m.contains("state \"A\": Output: invalid JSONata expression")),
            "{got:#?}"
        );
    }

    #[test]
    fn interpreter_refusals_are_findings() {
        let def = json!({"StartAt": "A", "States": {
            "A": {"Type": "Pass", "Assign": {"states": 1}, "End": true}}});
        let got = messages(def);
        assert!(
            got.iter().any(
                |m| m.contains("state \"A\": Assign: the variable name \"states\" is reserved")
            ),
            "{got:#?}"
        );
    }
}
