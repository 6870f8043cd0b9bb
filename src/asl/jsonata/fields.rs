//! How a JSONata state is loaded: its definition is split into the part the JSONPath
//! structures already describe (`Type`, `Next`/`End`, `Resource`, `Retry`, `Catch`,
//! `Branches`, `ItemProcessor`, ...) and the JSONata fields, compiled here into
//! [`JsonataFields`], which the executor evaluates instead of the JSONPath ones.
//!
//! The JSONPath-only fields (`InputPath`, `Parameters`, `ResultSelector`, `ResultPath`,
//! `OutputPath`, `ItemsPath`, the `*Path` variants, `Result`, the Choice rules' `Variable`
//! and comparators) are refused in a JSONata state, as AWS refuses them at
//! `CreateStateMachine`.

use serde_json::{Map, Value, json};

use super::template::{Template, expression_text};
use crate::asl::walk;

/// The compiled JSONata fields of one state.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct JsonataFields {
    /// `Arguments` (Task, Parallel): the effective input (default: the state input).
    pub arguments: Option<Template>,
    /// `Output`: the state output (default: the result, or the input).
    pub output: Option<Template>,
    /// `Assign`: an object of variable name → value.
    pub assign: Option<Template>,
    /// `Items` (Map): the array to iterate (default: the state input).
    pub items: Option<Template>,
    /// `ItemSelector` (Map): each iteration's input.
    pub item_selector: Option<Template>,
    /// `TimeoutSeconds` (Task) given as an expression.
    pub timeout: Option<Template>,
    /// `HeartbeatSeconds` (Task) given as an expression.
    pub heartbeat: Option<Template>,
    /// `Seconds` (Wait) given as an expression.
    pub seconds: Option<Template>,
    /// `Timestamp` (Wait) given as an expression.
    pub timestamp: Option<Template>,
    /// `MaxConcurrency` (Map) given as an expression.
    pub max_concurrency: Option<Template>,
    /// `ToleratedFailureCount` (Map) given as an expression.
    pub tolerated_failure_count: Option<Template>,
    /// `ToleratedFailurePercentage` (Map) given as an expression.
    pub tolerated_failure_percentage: Option<Template>,
    /// `Error` (Fail) given as an expression.
    pub error: Option<Template>,
    /// `Cause` (Fail) given as an expression.
    pub cause: Option<Template>,
    /// A DISTRIBUTED Map's reader, batcher and writer fields.
    pub distributed: Option<Box<DistributedFields>>,
    /// Choice rules, in order (their `Next` and `Assign` names stay with the JSONPath rule).
    pub choices: Vec<RuleFields>,
    /// Catchers, in order.
    pub catch: Vec<CatchFields>,
}

/// The JSONata fields of a DISTRIBUTED Map: `ItemReader.Arguments` and
/// `ResultWriter.Arguments` (in place of their JSONPath `Parameters`), and the counts and
/// `BatchInput` that may be expressions. All are evaluated on the state input when the Map
/// starts.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct DistributedFields {
    /// `ItemReader.Arguments` (`Bucket`, `Key` or `Prefix`).
    pub reader_arguments: Option<Template>,
    /// `ItemReader.ReaderConfig.MaxItems` as an expression.
    pub reader_max_items: Option<Template>,
    /// `ItemBatcher.BatchInput`.
    pub batch_input: Option<Template>,
    /// `ItemBatcher.MaxItemsPerBatch` as an expression.
    pub batch_max_items: Option<Template>,
    /// `ItemBatcher.MaxInputBytesPerBatch` as an expression.
    pub batch_max_bytes: Option<Template>,
    /// `ResultWriter.Arguments` (`Bucket`, `Prefix`).
    pub writer_arguments: Option<Template>,
}

/// Takes a DISTRIBUTED Map's JSONata fields out of its `ItemReader`, `ItemBatcher` and
/// `ResultWriter`, leaving placeholders (`Parameters: {}`) where the JSONPath structures
/// require a field; the JSONPath-only `Parameters` and `*Path` fields are refused.
fn split_distributed(fields: &mut Map<String, Value>) -> Result<DistributedFields, String> {
    let mut d = DistributedFields::default();
    let refuse = |field: &str, instead: &str| -> Result<DistributedFields, String> {
        Err(format!(
            "{field} is a JSONPath field and cannot be used in a JSONata state; use {instead}"
        ))
    };
    let take_expr =
        |m: &mut Map<String, Value>, key: &str, field: &str| -> Result<Option<Template>, String> {
            match m.get(key) {
                Some(v) if is_expr(v) => {
                    let t = compile(v, field)?;
                    m.remove(key);
                    Ok(Some(t))
                }
                _ => Ok(None),
            }
        };
    if let Some(Value::Object(r)) = fields.get_mut("ItemReader") {
        if r.contains_key("Parameters") {
            return refuse("ItemReader.Parameters", "ItemReader.Arguments");
        }
        let args = r
            .remove("Arguments")
            .ok_or("ItemReader.Arguments is required (Bucket and Key, or Bucket and Prefix)")?;
        d.reader_arguments = Some(compile(&args, "ItemReader.Arguments")?);
        r.insert("Parameters".into(), json!({}));
        if let Some(Value::Object(rc)) = r.get_mut("ReaderConfig") {
            if rc.contains_key("MaxItemsPath") {
                return refuse("ItemReader.ReaderConfig.MaxItemsPath", "MaxItems");
            }
            d.reader_max_items = take_expr(rc, "MaxItems", "ItemReader.ReaderConfig.MaxItems")?;
        }
    }
    if let Some(Value::Object(b)) = fields.get_mut("ItemBatcher") {
        for (f, instead) in [
            ("MaxItemsPerBatchPath", "MaxItemsPerBatch"),
            ("MaxInputBytesPerBatchPath", "MaxInputBytesPerBatch"),
        ] {
            if b.contains_key(f) {
                return refuse(&format!("ItemBatcher.{f}"), instead);
            }
        }
        if let Some(v) = b.remove("BatchInput") {
            d.batch_input = Some(compile(&v, "ItemBatcher.BatchInput")?);
        }
        d.batch_max_items = take_expr(b, "MaxItemsPerBatch", "ItemBatcher.MaxItemsPerBatch")?;
        d.batch_max_bytes = take_expr(
            b,
            "MaxInputBytesPerBatch",
            "ItemBatcher.MaxInputBytesPerBatch",
        )?;
        // The batcher needs one of its limits: placeholders the executor never reads (the
        // expressions' values replace them).
        for (key, taken) in [
            ("MaxItemsPerBatch", d.batch_max_items.is_some()),
            ("MaxInputBytesPerBatch", d.batch_max_bytes.is_some()),
        ] {
            if taken {
                b.insert(key.into(), json!(1));
            }
        }
    }
    if let Some(Value::Object(w)) = fields.get_mut("ResultWriter") {
        if w.contains_key("Parameters") {
            return refuse("ResultWriter.Parameters", "ResultWriter.Arguments");
        }
        let args = w
            .remove("Arguments")
            .ok_or("ResultWriter.Arguments is required (Bucket and Prefix)")?;
        d.writer_arguments = Some(compile(&args, "ResultWriter.Arguments")?);
        w.insert("Parameters".into(), json!({}));
    }
    Ok(d)
}

/// A JSONata Choice rule.
#[derive(Debug, Clone, PartialEq)]
pub struct RuleFields {
    /// `Condition`: the rule matches when it is `true`.
    pub condition: Template,
    /// `Output` of the rule, used when it matches.
    pub output: Option<Template>,
    /// `Assign` of the rule.
    pub assign: Option<Template>,
}

/// A JSONata catcher.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct CatchFields {
    /// `Output` (default: the error output).
    pub output: Option<Template>,
    /// `Assign`, reading `$states.errorOutput`.
    pub assign: Option<Template>,
}

/// Fields only JSONPath states may use: refused here when a JSONata state is loaded, and
/// reported by `idpctl validate` from this same list.
pub const JSONPATH_ONLY: &[&str] = &[
    "InputPath",
    "Parameters",
    "ResultSelector",
    "ResultPath",
    "OutputPath",
    "ItemsPath",
    "SecondsPath",
    "TimestampPath",
    "TimeoutSecondsPath",
    "HeartbeatSecondsPath",
    "MaxConcurrencyPath",
    "ToleratedFailureCountPath",
    "ToleratedFailurePercentagePath",
    "ErrorPath",
    "CausePath",
    "Result",
];

/// Fields only JSONata states may use.
pub const JSONATA_ONLY: &[&str] = &["Arguments", "Output", "Items"];

/// Makes every state's query language explicit: `QueryLanguage` of the definition (default
/// JSONPath) applies to states that do not set their own, and a Map's or Parallel's nested
/// states inherit the language of their state. A JSONPath state inside a JSONata machine is
/// refused, as on AWS.
pub fn propagate(def: &Value) -> Result<Value, String> {
    match def.get("QueryLanguage") {
        None => {}
        Some(Value::String(l)) if l == "JSONPath" || l == "JSONata" => {}
        Some(other) => {
            return Err(format!(
                "QueryLanguage {other} is not a query language (JSONPath or JSONata)"
            ));
        }
    }
    let machine_jsonata = walk::machine_is_jsonata(def);
    let mut out = def.clone();
    for s in walk::states(def) {
        if !s.state.is_object() {
            continue;
        }
        match s.query_language() {
            None => {}
            Some(Value::String(l)) if l == "JSONata" => {}
            Some(Value::String(l)) if l == "JSONPath" && machine_jsonata => {
                return Err(format!(
                    "state {:?}: QueryLanguage JSONPath is not allowed in a JSONata state machine (AWS allows only a JSONata state in a JSONPath machine)",
                    s.name
                ));
            }
            Some(Value::String(l)) if l == "JSONPath" => {}
            Some(other) => {
                return Err(format!(
                    "state {:?}: QueryLanguage {other} is not a query language (JSONPath or JSONata)",
                    s.name
                ));
            }
        }
        let lang = if s.jsonata { "JSONata" } else { "JSONPath" };
        if let Some(Value::Object(state)) = out.pointer_mut(&s.pointer) {
            state.insert("QueryLanguage".into(), Value::String(lang.into()));
        }
    }
    Ok(out)
}

fn compile(v: &Value, field: &str) -> Result<Template, String> {
    Template::compile(v).map_err(|e| format!("{field}: {e}"))
}

/// An `Assign` object: names stay checked by the JSONPath `Assign` (which the definition
/// keeps for scope checks); the values compile as JSONata.
fn compile_assign(v: &Value, field: &str) -> Result<Template, String> {
    if let Value::Object(o) = v
        && let Some(k) = o.keys().find(|k| k.ends_with(".$"))
    {
        return Err(format!(
            "{field}: {k:?} ends with .$, a JSONPath form; in a JSONata state write the value as \"{{% expression %}}\""
        ));
    }
    compile(v, field)
}

/// Is `v` an expression string (`"{% ... %}"`)?
fn is_expr(v: &Value) -> bool {
    v.as_str().and_then(expression_text).is_some()
}

/// Takes the JSONata fields out of a JSONata state's fields (`Type` already removed) and
/// leaves what the JSONPath structures parse; placeholders stand in for fields those
/// structures require but that are expressions here (a Wait's `Seconds`), and are never
/// read by the executor for a JSONata state.
pub fn split_state(ty: &str, fields: &mut Map<String, Value>) -> Result<JsonataFields, String> {
    fields.remove("QueryLanguage");
    let distributed = ty == "Map"
        && fields
            .get("ItemProcessor")
            .and_then(|p| p.pointer("/ProcessorConfig/Mode"))
            .and_then(Value::as_str)
            == Some("DISTRIBUTED");
    for f in JSONPATH_ONLY {
        if fields.contains_key(*f) {
            let instead = match *f {
                "InputPath" | "Parameters" => "Arguments",
                "ResultSelector" | "OutputPath" | "Result" => "Output",
                "ResultPath" => "Output (with $states.result) or Assign",
                "ItemsPath" => "Items",
                "SecondsPath" => "Seconds",
                "TimestampPath" => "Timestamp",
                "TimeoutSecondsPath" => "TimeoutSeconds",
                "HeartbeatSecondsPath" => "HeartbeatSeconds",
                "ErrorPath" => "Error",
                "CausePath" => "Cause",
                _ => "a JSONata expression",
            };
            return Err(format!(
                "{f} is a JSONPath field and cannot be used in a JSONata state; use {instead}"
            ));
        }
    }
    let mut j = JsonataFields::default();
    if distributed {
        j.distributed = Some(Box::new(split_distributed(fields)?));
    }
    let allowed = |field: &str, types: &[&str]| -> Result<(), String> {
        if types.contains(&ty) {
            Ok(())
        } else {
            Err(format!("a {ty} state cannot have {field}"))
        }
    };
    if let Some(v) = fields.remove("Arguments") {
        allowed("Arguments", &["Task", "Parallel"])?;
        j.arguments = Some(compile(&v, "Arguments")?);
    }
    if let Some(v) = fields.remove("Output") {
        allowed(
            "Output",
            &[
                "Task", "Parallel", "Map", "Pass", "Wait", "Choice", "Succeed",
            ],
        )?;
        j.output = Some(compile(&v, "Output")?);
    }
    if let Some(v) = fields.get("Assign") {
        j.assign = Some(compile_assign(v, "Assign")?);
    }
    if let Some(v) = fields.remove("Items") {
        allowed("Items", &["Map"])?;
        j.items = Some(compile(&v, "Items")?);
    }
    if ty == "Map"
        && let Some(v) = fields.remove("ItemSelector")
    {
        j.item_selector = Some(compile(&v, "ItemSelector")?);
    }
    let mut expr_field =
        |name: &str, placeholder: Option<Value>| -> Result<Option<Template>, String> {
            match fields.get(name) {
                Some(v) if is_expr(v) => {
                    let t = compile(v, name)?;
                    match placeholder {
                        Some(p) => fields.insert(name.to_string(), p),
                        None => fields.remove(name),
                    };
                    Ok(Some(t))
                }
                _ => Ok(None),
            }
        };
    match ty {
        "Task" => {
            j.timeout = expr_field("TimeoutSeconds", None)?;
            j.heartbeat = expr_field("HeartbeatSeconds", None)?;
        }
        "Wait" => {
            j.seconds = expr_field("Seconds", Some(json!(0)))?;
            j.timestamp = expr_field("Timestamp", Some(json!("1970-01-01T00:00:00Z")))?;
        }
        "Map" => {
            j.max_concurrency = expr_field("MaxConcurrency", None)?;
            j.tolerated_failure_count = expr_field("ToleratedFailureCount", None)?;
            j.tolerated_failure_percentage = expr_field("ToleratedFailurePercentage", None)?;
        }
        "Fail" => {
            j.error = expr_field("Error", None)?;
            j.cause = expr_field("Cause", None)?;
        }
        _ => {}
    }
    if let Some(Value::Array(catchers)) = fields.get_mut("Catch") {
        for (i, c) in catchers.iter_mut().enumerate() {
            let Value::Object(c) = c else { continue };
            let mut cf = CatchFields::default();
            if let Some(v) = c.remove("Output") {
                cf.output = Some(compile(&v, &format!("Catch[{i}].Output"))?);
            }
            if let Some(v) = c.get("Assign") {
                cf.assign = Some(compile_assign(v, &format!("Catch[{i}].Assign"))?);
            }
            if c.contains_key("ResultPath") {
                return Err(format!(
                    "Catch[{i}].ResultPath is a JSONPath field; in a JSONata state use Output with $states.errorOutput"
                ));
            }
            j.catch.push(cf);
        }
    }
    if ty == "Choice"
        && let Some(Value::Array(rules)) = fields.get_mut("Choices")
    {
        for (i, r) in rules.iter_mut().enumerate() {
            let Value::Object(r) = r else {
                return Err(format!("Choices[{i}] must be an object"));
            };
            if let Some(k) = r.keys().find(|k| {
                !matches!(
                    k.as_str(),
                    "Condition" | "Next" | "Assign" | "Output" | "Comment"
                )
            }) {
                return Err(format!(
                    "Choices[{i}].{k} is not a field of a JSONata Choice rule (Condition, Next, Assign, Output)"
                ));
            }
            let condition = r
                .remove("Condition")
                .ok_or_else(|| format!("Choices[{i}] needs a Condition"))?;
            let condition = compile(&condition, &format!("Choices[{i}].Condition"))?;
            let output = r
                .remove("Output")
                .map(|v| compile(&v, &format!("Choices[{i}].Output")))
                .transpose()?;
            let assign = r
                .get("Assign")
                .map(|v| compile_assign(v, &format!("Choices[{i}].Assign")))
                .transpose()?;
            r.remove("Comment");
            // The JSONPath rule keeps Next and Assign (for transitions and variable scope
            // checks); its condition is never evaluated for a JSONata state.
            r.insert("Variable".into(), json!("$"));
            r.insert("IsPresent".into(), json!(true));
            j.choices.push(RuleFields {
                condition,
                output,
                assign,
            });
        }
    }
    Ok(j)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn split(ty: &str, v: Value) -> Result<(JsonataFields, Value), String> {
        let Value::Object(mut m) = v else { panic!() };
        let j = split_state(ty, &mut m)?;
        Ok((j, Value::Object(m)))
    }

    #[test]
    fn jsonpath_fields_are_refused_with_the_jsonata_alternative() {
        let e = split("Pass", json!({"InputPath": "$.a", "End": true})).unwrap_err();
        assert!(
            e.contains("InputPath is a JSONPath field") && e.contains("Arguments"),
            "{e}"
        );
        let e = split(
            "Task",
            json!({"Resource": "r", "End": true,
            "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "X", "ResultPath": "$.e"}]}),
        )
        .unwrap_err();
        assert!(e.contains("Catch[0].ResultPath"), "{e}");
        let e = split("Pass", json!({"Arguments": {}, "End": true})).unwrap_err();
        assert!(e.contains("a Pass state cannot have Arguments"), "{e}");
        let e = split("Pass", json!({"Assign": {"x.$": "$.a"}, "End": true})).unwrap_err();
        assert!(e.contains(".$, a JSONPath form"), "{e}");
        let e = split(
            "Pass",
            json!({"Output": "{% $states.input. %}", "End": true}),
        )
        .unwrap_err();
        assert!(e.contains("Output: invalid JSONata expression"), "{e}");
    }

    #[test]
    fn expressions_leave_placeholders_literals_stay() {
        let (j, rest) = split("Wait", json!({"Seconds": "{% $s %}", "Next": "B"})).unwrap();
        assert!(j.seconds.is_some());
        assert_eq!(rest["Seconds"], json!(0));
        let (j, rest) = split("Wait", json!({"Seconds": 5, "Next": "B"})).unwrap();
        assert!(j.seconds.is_none());
        assert_eq!(rest["Seconds"], json!(5));
        let (j, rest) = split(
            "Choice",
            json!({"Choices": [
            {"Condition": "{% $states.input.n > 1 %}", "Next": "B", "Output": {"x": 1}}]}),
        )
        .unwrap();
        assert_eq!(j.choices.len(), 1);
        assert_eq!(rest["Choices"][0]["Next"], json!("B"));
        assert!(rest["Choices"][0].get("Condition").is_none());
    }

    #[test]
    fn the_language_propagates_and_jsonpath_inside_jsonata_is_refused() {
        let def = json!({"QueryLanguage": "JSONata", "StartAt": "M", "States": {
            "M": {"Type": "Map", "End": true, "ItemProcessor": {"StartAt": "I", "States": {
                "I": {"Type": "Pass", "End": true}}}}}});
        let out = propagate(&def).unwrap();
        assert_eq!(
            out.pointer("/States/M/ItemProcessor/States/I/QueryLanguage"),
            Some(&json!("JSONata"))
        );
        let def = json!({"QueryLanguage": "JSONata", "StartAt": "A", "States": {
            "A": {"Type": "Pass", "QueryLanguage": "JSONPath", "End": true}}});
        assert!(propagate(&def).unwrap_err().contains("state \"A\""));
        let def = json!({"StartAt": "A", "States": {
            "A": {"Type": "Pass", "QueryLanguage": "JSONata", "End": true},
            "B": {"Type": "Pass", "End": true}}});
        let out = propagate(&def).unwrap();
        assert_eq!(
            out.pointer("/States/B/QueryLanguage"),
            Some(&json!("JSONPath"))
        );
    }
}
