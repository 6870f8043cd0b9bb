//! The context object (`$$`): what an execution knows about itself.
//!
//! AWS documents its shape as
//! `{"Execution": {"Id","Input","Name","RoleArn","StartTime","RedriveCount"},
//!   "State": {"EnteredTime","Name","RetryCount"}, "StateMachine": {"Id","Name"},
//!   "Task": {"Token"}}` plus `"Map": {"Item": {"Index","Value"}}` while a Map state builds an
//! iteration's input (<https://docs.aws.amazon.com/step-functions/latest/dg/input-output-contextobject.html>).
//!
//! Building it copies the execution input, so it is built lazily, once per use site, and
//! only when a path or intrinsic actually reads `$$`.

use std::cell::OnceCell;
use std::sync::Arc;
use std::time::SystemTime;

use serde_json::{Value, json};

/// Identity of one execution, fixed for its whole life (and across resumptions).
#[derive(Debug, Clone, PartialEq)]
pub struct ExecutionInfo {
    /// `$$.Execution.Id`: the execution ARN; also the prefix of every journal step key.
    pub id: String,
    /// `$$.Execution.Name`.
    pub name: String,
    /// `$$.Execution.Input`.
    pub input: Arc<Value>,
    /// `$$.Execution.StartTime`, RFC 3339 with milliseconds.
    pub start_time: String,
    /// `$$.Execution.RoleArn`, when known.
    pub role_arn: Option<String>,
    /// `$$.StateMachine.Id`: the state machine ARN.
    pub state_machine_id: String,
    /// `$$.StateMachine.Name`.
    pub state_machine_name: String,
}

impl ExecutionInfo {
    /// An execution of `state_machine_name` called `name`, with local ARNs shaped like AWS's
    /// (`arn:aws:states:local:000000000000:execution:<machine>:<name>`).
    pub fn local(state_machine_name: &str, name: &str, input: Value, start: SystemTime) -> Self {
        Self {
            id: format!("arn:aws:states:local:000000000000:execution:{state_machine_name}:{name}"),
            name: name.to_string(),
            input: Arc::new(input),
            start_time: format_timestamp(start),
            role_arn: None,
            state_machine_id: format!(
                "arn:aws:states:local:000000000000:stateMachine:{state_machine_name}"
            ),
            state_machine_name: state_machine_name.to_string(),
        }
    }
}

/// The context object as seen from one state at one moment.
pub struct ContextObject<'a> {
    exec: &'a ExecutionInfo,
    state_name: &'a str,
    entered_time: &'a str,
    retry_count: Option<u32>,
    map_item: Option<(usize, &'a Value)>,
    task_token: Option<&'a str>,
    variables: Option<&'a serde_json::Map<String, Value>>,
    built: OnceCell<Value>,
}

impl<'a> ContextObject<'a> {
    /// Context for state `state_name`, entered at `entered_time`, after `retry_count` retries.
    pub fn new(
        exec: &'a ExecutionInfo,
        state_name: &'a str,
        entered_time: &'a str,
        retry_count: u32,
    ) -> Self {
        Self {
            exec,
            state_name,
            entered_time,
            retry_count: Some(retry_count),
            map_item: None,
            task_token: None,
            variables: None,
            built: OnceCell::new(),
        }
    }

    /// Leaves `$$.State.RetryCount` out: AWS gives it only to the states that can retry
    /// (Task, Parallel, Map), not to Pass, Choice, Wait, Succeed or Fail.
    pub fn without_retry_count(mut self) -> Self {
        self.retry_count = None;
        self
    }

    /// Adds `$$.Map.Item` (only while a Map state evaluates ItemSelector/Parameters).
    pub fn with_map_item(mut self, index: usize, value: &'a Value) -> Self {
        self.map_item = Some((index, value));
        self
    }

    /// Makes the workflow variables in scope readable through `$name` paths.
    pub fn with_variables(mut self, variables: &'a serde_json::Map<String, Value>) -> Self {
        self.variables = Some(variables);
        self
    }

    /// The value of the variable `name`, if it is set in this scope.
    pub fn variable(&self, name: &str) -> Option<&'a Value> {
        self.variables.and_then(|v| v.get(name))
    }

    /// Adds `$$.Task.Token`.
    pub fn with_task_token(mut self, token: &'a str) -> Self {
        self.task_token = Some(token);
        self
    }

    /// The context object as JSON, built on first use.
    pub fn value(&self) -> &Value {
        self.built.get_or_init(|| {
            let mut execution = json!({
                "Id": self.exec.id,
                "Input": *self.exec.input,
                "Name": self.exec.name,
                "StartTime": self.exec.start_time,
                "RedriveCount": 0,
            });
            if let Some(role) = &self.exec.role_arn {
                execution["RoleArn"] = json!(role);
            }
            let mut state = json!({
                "EnteredTime": self.entered_time,
                "Name": self.state_name,
            });
            if let Some(n) = self.retry_count {
                state["RetryCount"] = json!(n);
            }
            let mut ctx = json!({
                "Execution": execution,
                "State": state,
                "StateMachine": {
                    "Id": self.exec.state_machine_id,
                    "Name": self.exec.state_machine_name,
                },
            });
            if let Some(token) = self.task_token {
                ctx["Task"] = json!({ "Token": token });
            }
            if let Some((index, value)) = self.map_item {
                ctx["Map"] = json!({ "Item": { "Index": index, "Value": value } });
            }
            ctx
        })
    }
}

/// Formats a time like AWS does in the context object: `2019-03-26T20:14:13.192Z`.
pub fn format_timestamp(t: SystemTime) -> String {
    format_datetime(&time::OffsetDateTime::from(t))
}

/// The one ISO 8601 form of a time, in UTC with milliseconds (`2019-03-26T20:14:13.192Z`):
/// the context object's timestamps and JSONata's `$now`/`$fromMillis` print the same way.
/// The offset is not converted: callers pass a UTC time.
pub fn format_datetime(dt: &time::OffsetDateTime) -> String {
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z",
        dt.year(),
        u8::from(dt.month()),
        dt.day(),
        dt.hour(),
        dt.minute(),
        dt.second(),
        dt.millisecond()
    )
}

/// Parses an ASL timestamp: RFC 3339 with an uppercase `T` and `Z` (or a numeric offset), as
/// the spec requires for Wait and the Timestamp* comparators.
pub fn parse_timestamp(s: &str) -> Option<SystemTime> {
    // RFC 3339 lets a space stand for the `T`; ISO 8601, which AWS requires, does not.
    if s.contains('t') || s.contains('z') || !s.contains('T') {
        return None;
    }
    let dt = time::OffsetDateTime::parse(s, &time::format_description::well_known::Rfc3339).ok()?;
    Some(dt.into())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::{Duration, UNIX_EPOCH};

    #[test]
    fn timestamps_round_trip() {
        let t = UNIX_EPOCH + Duration::from_millis(1_553_631_253_192);
        assert_eq!(format_timestamp(t), "2019-03-26T20:14:13.192Z");
        assert_eq!(parse_timestamp("2019-03-26T20:14:13.192Z"), Some(t));
        assert_eq!(
            parse_timestamp("2016-03-14T01:59:00+01:00"),
            parse_timestamp("2016-03-14T00:59:00Z")
        );
        assert_eq!(parse_timestamp("2016-03-14t01:59:00z"), None);
        assert_eq!(parse_timestamp("2016-03-14 01:59:00Z"), None);
        assert_eq!(parse_timestamp("yesterday"), None);
    }

    #[test]
    fn context_object_shape() {
        let exec = ExecutionInfo::local("sm", "run1", json!({"k": 1}), UNIX_EPOCH);
        let item = json!({"who": "bob"});
        let ctx =
            ContextObject::new(&exec, "S", "1970-01-01T00:00:00.000Z", 2).with_map_item(3, &item);
        let v = ctx.value();
        assert_eq!(
            v["Execution"]["Id"],
            "arn:aws:states:local:000000000000:execution:sm:run1"
        );
        assert_eq!(v["Execution"]["Input"], json!({"k": 1}));
        assert_eq!(v["State"]["Name"], "S");
        assert_eq!(v["State"]["RetryCount"], 2);
        let ctx =
            ContextObject::new(&exec, "P", "1970-01-01T00:00:00.000Z", 0).without_retry_count();
        assert!(ctx.value()["State"].get("RetryCount").is_none());
        assert_eq!(v["StateMachine"]["Name"], "sm");
        assert_eq!(
            v["Map"]["Item"],
            json!({"Index": 3, "Value": {"who": "bob"}})
        );
    }
}
