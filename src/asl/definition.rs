//! State machine definitions: parsing ASL JSON into typed states, and validating them.
//!
//! Each state is dispatched on its `Type` and deserialized with `deny_unknown_fields`, so a
//! typo (`"Resouce"`) or an unsupported feature (`"ItemReader"`, JSONata) is an
//! error that names the state, instead of being silently ignored and behaving differently from
//! AWS. Paths, payload templates, intrinsics and Choice rules are compiled here too.

use std::collections::BTreeMap;

use serde::{Deserialize, Deserializer};
use serde_json::{Map, Value};

use super::choice::{self, ChoiceRule};
use super::context::parse_timestamp;
use super::error::{DefinitionError, names};
use super::intrinsics::Intrinsic;
use super::path::{Path, ReferencePath};
use super::template::PayloadTemplate;
use super::variables::Assign;

/// A parsed and validated state machine.
#[derive(Debug, Clone, PartialEq)]
pub struct StateMachine {
    /// `Comment`.
    pub comment: Option<String>,
    /// `TimeoutSeconds` of the whole execution.
    pub timeout_seconds: Option<u64>,
    /// `StartAt` and `States`.
    pub root: Scope,
}

/// A set of states with a start: the machine itself, a Parallel branch, or a Map's
/// ItemProcessor. Transitions never cross a scope.
#[derive(Debug, Clone, PartialEq)]
pub struct Scope {
    /// `StartAt`.
    pub start_at: String,
    /// `States`, by name.
    pub states: BTreeMap<String, State>,
}

/// One named state.
#[derive(Debug, Clone, PartialEq)]
pub struct State {
    /// The state's name (its key in `States`).
    pub name: String,
    /// `Comment`.
    pub comment: Option<String>,
    /// The type-specific part.
    pub kind: StateKind,
    /// The compiled JSONata fields when the state's query language is JSONata; the
    /// executor evaluates them in place of the JSONPath fields (see [`super::jsonata`]).
    pub jsonata: Option<Box<super::jsonata::fields::JsonataFields>>,
}

/// What a state does, by `Type`.
#[derive(Debug, Clone, PartialEq)]
pub enum StateKind {
    /// `"Type": "Task"`.
    Task(Box<TaskState>),
    /// `"Type": "Pass"`.
    Pass(PassState),
    /// `"Type": "Choice"`.
    Choice(ChoiceState),
    /// `"Type": "Wait"`.
    Wait(WaitState),
    /// `"Type": "Succeed"`.
    Succeed(SucceedState),
    /// `"Type": "Fail"`.
    Fail(FailState),
    /// `"Type": "Parallel"`.
    Parallel(Box<ParallelState>),
    /// `"Type": "Map"`.
    Map(Box<MapState>),
}

/// Where a state goes when it is done.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Transition {
    /// `Next`.
    Next(String),
    /// `"End": true`.
    End,
}

/// A path field that may be absent (default `$`), `null` (discard), or a path.
#[derive(Debug, Clone, Default, PartialEq)]
pub enum PathSpec<P> {
    /// Not given: behaves as `"$"`.
    #[default]
    Absent,
    /// Given as `null`: discard (InputPath/OutputPath give `{}`, ResultPath keeps the input).
    Null,
    /// Given.
    Path(P),
}

/// A `Retry` element.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "PascalCase")]
pub struct Retrier {
    /// Error names this retrier handles.
    pub error_equals: Vec<String>,
    /// Seconds before the first retry (default 1).
    #[serde(default = "default_interval")]
    pub interval_seconds: u64,
    /// Retries allowed (default 3; 0 means never retry).
    #[serde(default = "default_max_attempts")]
    pub max_attempts: u32,
    /// Multiplier of the interval per retry (default 2.0).
    #[serde(default = "default_backoff")]
    pub backoff_rate: f64,
    /// Upper bound of any interval.
    #[serde(default)]
    pub max_delay_seconds: Option<u64>,
    /// `FULL` randomizes each interval in `[0, interval]`.
    #[serde(default)]
    pub jitter_strategy: Option<JitterStrategy>,
    /// `Comment`.
    #[serde(default)]
    pub comment: Option<String>,
}

/// `JitterStrategy` of a retrier.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum JitterStrategy {
    /// Random delay between 0 and the computed interval.
    Full,
    /// The computed interval (the default).
    None,
}

fn default_interval() -> u64 {
    1
}
fn default_max_attempts() -> u32 {
    3
}
fn default_backoff() -> f64 {
    2.0
}

/// A `Catch` element.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "PascalCase")]
pub struct Catcher {
    /// Error names this catcher handles.
    pub error_equals: Vec<String>,
    /// The state to go to.
    pub next: String,
    /// Where to put `{"Error","Cause"}` in the state's raw input (default `$`).
    #[serde(default)]
    pub result_path: PathSpec<ReferencePath>,
    /// `Assign`, evaluated on the error output (`$` is `{"Error","Cause"}`).
    #[serde(default)]
    pub assign: Option<Assign>,
    /// `Comment`.
    #[serde(default)]
    pub comment: Option<String>,
}

/// A Task state.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "PascalCase")]
pub struct TaskState {
    /// `Resource`: `${SomeFunctionArn}`, a Lambda ARN, or `arn:aws:states:::lambda:invoke`.
    pub resource: String,
    /// `InputPath`.
    #[serde(default)]
    pub input_path: PathSpec<Path>,
    /// `Parameters`.
    #[serde(default)]
    pub parameters: Option<PayloadTemplate>,
    /// `ResultSelector`.
    #[serde(default)]
    pub result_selector: Option<PayloadTemplate>,
    /// `ResultPath`.
    #[serde(default)]
    pub result_path: PathSpec<ReferencePath>,
    /// `OutputPath`.
    #[serde(default)]
    pub output_path: PathSpec<Path>,
    /// `Retry`.
    #[serde(default)]
    pub retry: Vec<Retrier>,
    /// `Catch`.
    #[serde(default)]
    pub catch: Vec<Catcher>,
    /// `TimeoutSeconds`.
    #[serde(default)]
    pub timeout_seconds: Option<u64>,
    /// `TimeoutSecondsPath`.
    #[serde(default)]
    pub timeout_seconds_path: Option<ReferencePath>,
    /// `HeartbeatSeconds` (passed to the invoker; heartbeats are not enforced locally).
    #[serde(default)]
    pub heartbeat_seconds: Option<u64>,
    /// `HeartbeatSecondsPath`.
    #[serde(default)]
    pub heartbeat_seconds_path: Option<ReferencePath>,
    /// `Assign`, evaluated on the result after ResultSelector.
    #[serde(default)]
    pub assign: Option<Assign>,
    #[serde(default)]
    comment: Option<String>,
    #[serde(default)]
    next: Option<String>,
    #[serde(default)]
    end: Option<bool>,
    /// Set after deserialization from `Next`/`End`.
    #[serde(skip, default = "end_transition")]
    pub transition: Transition,
}

/// A Pass state.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "PascalCase")]
pub struct PassState {
    /// `Result` (may be JSON `null`, which is not the same as absent).
    #[serde(default, deserialize_with = "present")]
    pub result: Option<Value>,
    /// `Assign`, evaluated on the state's result (`Result`, or the effective input).
    #[serde(default)]
    pub assign: Option<Assign>,
    /// `InputPath`.
    #[serde(default)]
    pub input_path: PathSpec<Path>,
    /// `Parameters`.
    #[serde(default)]
    pub parameters: Option<PayloadTemplate>,
    /// `ResultPath`.
    #[serde(default)]
    pub result_path: PathSpec<ReferencePath>,
    /// `OutputPath`.
    #[serde(default)]
    pub output_path: PathSpec<Path>,
    #[serde(default)]
    comment: Option<String>,
    #[serde(default)]
    next: Option<String>,
    #[serde(default)]
    end: Option<bool>,
    /// Set after deserialization from `Next`/`End`.
    #[serde(skip, default = "end_transition")]
    pub transition: Transition,
}

/// A Choice state.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "PascalCase")]
pub struct ChoiceState {
    /// `Choices`, tried in order.
    #[serde(deserialize_with = "choice_rules")]
    pub choices: Vec<ChoiceRule>,
    /// `Default`.
    #[serde(default)]
    pub default: Option<String>,
    /// `Assign`, evaluated on the effective input (after the matched rule's own `Assign`
    /// would be, both with the variables of state entry).
    #[serde(default)]
    pub assign: Option<Assign>,
    /// `InputPath`.
    #[serde(default)]
    pub input_path: PathSpec<Path>,
    /// `OutputPath`.
    #[serde(default)]
    pub output_path: PathSpec<Path>,
    #[serde(default)]
    comment: Option<String>,
}

/// A Wait state: exactly one of the four ways to say how long.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "PascalCase")]
pub struct WaitState {
    /// `Seconds`.
    #[serde(default)]
    pub seconds: Option<u64>,
    /// `Timestamp` (RFC 3339).
    #[serde(default)]
    pub timestamp: Option<String>,
    /// `SecondsPath`.
    #[serde(default)]
    pub seconds_path: Option<ReferencePath>,
    /// `TimestampPath`.
    #[serde(default)]
    pub timestamp_path: Option<ReferencePath>,
    /// `Assign`, evaluated on the effective input.
    #[serde(default)]
    pub assign: Option<Assign>,
    /// `InputPath`.
    #[serde(default)]
    pub input_path: PathSpec<Path>,
    /// `OutputPath`.
    #[serde(default)]
    pub output_path: PathSpec<Path>,
    #[serde(default)]
    comment: Option<String>,
    #[serde(default)]
    next: Option<String>,
    #[serde(default)]
    end: Option<bool>,
    /// Set after deserialization from `Next`/`End`.
    #[serde(skip, default = "end_transition")]
    pub transition: Transition,
}

/// A Succeed state.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "PascalCase")]
pub struct SucceedState {
    /// `InputPath`.
    #[serde(default)]
    pub input_path: PathSpec<Path>,
    /// `OutputPath`.
    #[serde(default)]
    pub output_path: PathSpec<Path>,
    #[serde(default)]
    comment: Option<String>,
}

/// A string that is either a path or an intrinsic (Fail's `ErrorPath`/`CausePath`).
#[derive(Debug, Clone, PartialEq)]
pub enum DynamicString {
    /// A reference path into the state input.
    Path(Path),
    /// An intrinsic function.
    Intrinsic(Intrinsic),
}

/// A Fail state.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "PascalCase")]
pub struct FailState {
    /// `Error`.
    #[serde(default)]
    pub error: Option<String>,
    /// `Cause`.
    #[serde(default)]
    pub cause: Option<String>,
    /// `ErrorPath`.
    #[serde(default)]
    pub error_path: Option<DynamicString>,
    /// `CausePath`.
    #[serde(default)]
    pub cause_path: Option<DynamicString>,
    #[serde(default)]
    comment: Option<String>,
}

/// A Parallel state.
#[derive(Debug, Clone, PartialEq)]
pub struct ParallelState {
    /// `Branches`, each run on the same effective input.
    pub branches: Vec<Scope>,
    /// `InputPath`.
    pub input_path: PathSpec<Path>,
    /// `Parameters`.
    pub parameters: Option<PayloadTemplate>,
    /// `ResultSelector`.
    pub result_selector: Option<PayloadTemplate>,
    /// `ResultPath`.
    pub result_path: PathSpec<ReferencePath>,
    /// `OutputPath`.
    pub output_path: PathSpec<Path>,
    /// `Retry`.
    pub retry: Vec<Retrier>,
    /// `Catch`.
    pub catch: Vec<Catcher>,
    /// `Assign`, evaluated on the result after ResultSelector.
    pub assign: Option<Assign>,
    /// From `Next`/`End`.
    pub transition: Transition,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "PascalCase")]
struct ParallelRaw {
    branches: Vec<Value>,
    #[serde(default)]
    assign: Option<Assign>,
    #[serde(default)]
    input_path: PathSpec<Path>,
    #[serde(default)]
    parameters: Option<PayloadTemplate>,
    #[serde(default)]
    result_selector: Option<PayloadTemplate>,
    #[serde(default)]
    result_path: PathSpec<ReferencePath>,
    #[serde(default)]
    output_path: PathSpec<Path>,
    #[serde(default)]
    retry: Vec<Retrier>,
    #[serde(default)]
    catch: Vec<Catcher>,
    #[serde(default)]
    comment: Option<String>,
    #[serde(default)]
    next: Option<String>,
    #[serde(default)]
    end: Option<bool>,
}

/// A Map state: inline, or distributed (child executions) when `distributed` is set.
#[derive(Debug, Clone, PartialEq)]
pub struct MapState {
    /// Set when `ItemProcessor.ProcessorConfig.Mode` is `DISTRIBUTED`: ItemReader, ItemBatcher,
    /// ResultWriter and Label (see [`super::distributed`]).
    pub distributed: Option<Box<super::distributed::Distributed>>,
    /// `ItemProcessor` (or the legacy `Iterator`).
    pub processor: Scope,
    /// `ItemsPath` (default `$`), applied to the effective input.
    pub items_path: Option<ReferencePath>,
    /// `ItemSelector` (or the legacy `Parameters`): builds each iteration's input.
    pub item_selector: Option<PayloadTemplate>,
    /// `MaxConcurrency` (0 or absent: no limit).
    pub max_concurrency: Option<u32>,
    /// `MaxConcurrencyPath`.
    pub max_concurrency_path: Option<ReferencePath>,
    /// `ToleratedFailurePercentage` (0-100).
    pub tolerated_failure_percentage: Option<f64>,
    /// `ToleratedFailureCount`.
    pub tolerated_failure_count: Option<u64>,
    /// `ToleratedFailurePercentagePath`: read from the effective input when the Map starts.
    pub tolerated_failure_percentage_path: Option<ReferencePath>,
    /// `ToleratedFailureCountPath`: read from the effective input when the Map starts.
    pub tolerated_failure_count_path: Option<ReferencePath>,
    /// `InputPath`.
    pub input_path: PathSpec<Path>,
    /// `ResultSelector`.
    pub result_selector: Option<PayloadTemplate>,
    /// `ResultPath`.
    pub result_path: PathSpec<ReferencePath>,
    /// `OutputPath`.
    pub output_path: PathSpec<Path>,
    /// `Retry`.
    pub retry: Vec<Retrier>,
    /// `Catch`.
    pub catch: Vec<Catcher>,
    /// `Assign`, evaluated on the result after ResultSelector.
    pub assign: Option<Assign>,
    /// From `Next`/`End`.
    pub transition: Transition,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "PascalCase")]
struct MapRaw {
    #[serde(default)]
    assign: Option<Assign>,
    #[serde(default)]
    item_processor: Option<Value>,
    #[serde(default)]
    iterator: Option<Value>,
    #[serde(default)]
    items_path: Option<ReferencePath>,
    #[serde(default)]
    item_selector: Option<PayloadTemplate>,
    #[serde(default)]
    parameters: Option<PayloadTemplate>,
    #[serde(default)]
    max_concurrency: Option<u32>,
    #[serde(default)]
    max_concurrency_path: Option<ReferencePath>,
    #[serde(default)]
    tolerated_failure_percentage: Option<f64>,
    #[serde(default)]
    tolerated_failure_count: Option<u64>,
    #[serde(default)]
    tolerated_failure_percentage_path: Option<ReferencePath>,
    #[serde(default)]
    tolerated_failure_count_path: Option<ReferencePath>,
    #[serde(default)]
    label: Option<String>,
    #[serde(default)]
    item_reader: Option<Value>,
    #[serde(default)]
    item_batcher: Option<Value>,
    #[serde(default)]
    result_writer: Option<Value>,
    #[serde(default)]
    input_path: PathSpec<Path>,
    #[serde(default)]
    result_selector: Option<PayloadTemplate>,
    #[serde(default)]
    result_path: PathSpec<ReferencePath>,
    #[serde(default)]
    output_path: PathSpec<Path>,
    #[serde(default)]
    retry: Vec<Retrier>,
    #[serde(default)]
    catch: Vec<Catcher>,
    #[serde(default)]
    comment: Option<String>,
    #[serde(default)]
    next: Option<String>,
    #[serde(default)]
    end: Option<bool>,
}

fn end_transition() -> Transition {
    Transition::End
}

fn present<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Value>, D::Error> {
    Value::deserialize(d).map(Some)
}

fn choice_rules<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<ChoiceRule>, D::Error> {
    let rules = Vec::<Value>::deserialize(d)?;
    rules
        .iter()
        .enumerate()
        .map(|(i, r)| {
            choice::parse_rule(r)
                .map_err(|e| serde::de::Error::custom(format!("Choices[{i}]: {e}")))
        })
        .collect()
}

impl<'de> Deserialize<'de> for Path {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Path::parse(&s).map_err(serde::de::Error::custom)
    }
}

impl<'de> Deserialize<'de> for ReferencePath {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        ReferencePath::parse(&s).map_err(serde::de::Error::custom)
    }
}

impl<'de, P: Deserialize<'de>> Deserialize<'de> for PathSpec<P> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Ok(match Option::<P>::deserialize(d)? {
            None => PathSpec::Null,
            Some(p) => PathSpec::Path(p),
        })
    }
}

impl<'de> Deserialize<'de> for PayloadTemplate {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let v = Value::deserialize(d)?;
        PayloadTemplate::compile(&v).map_err(serde::de::Error::custom)
    }
}

impl<'de> Deserialize<'de> for DynamicString {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        if s.starts_with('$') {
            Path::parse(&s)
                .map(DynamicString::Path)
                .map_err(serde::de::Error::custom)
        } else {
            Intrinsic::parse(&s)
                .map(DynamicString::Intrinsic)
                .map_err(serde::de::Error::custom)
        }
    }
}

impl StateMachine {
    /// Parses and validates a definition from JSON text.
    pub fn from_json(text: &str) -> Result<Self, DefinitionError> {
        let v: Value = serde_json::from_str(text).map_err(|e| {
            // serde_json stops at the same depth the definition may have: say where.
            match super::walk::text_too_deep(text) {
                Some(deep) => too_deep(deep),
                None => DefinitionError::Json(e.to_string()),
            }
        })?;
        Self::from_value(&v)
    }

    /// Parses and validates a definition from a JSON value.
    pub fn from_value(v: &Value) -> Result<Self, DefinitionError> {
        // Everything below recurses over the JSON: bound its depth first.
        if let Err(deep) = super::walk::check_depth(v) {
            return Err(too_deep(deep));
        }
        // Every state's QueryLanguage made explicit, inherited from the machine.
        let explicit = match v {
            Value::Object(_) => Some(super::jsonata::fields::propagate(v).map_err(|message| {
                DefinitionError::Machine {
                    scope: String::new(),
                    message,
                }
            })?),
            _ => None,
        };
        let v = explicit.as_ref().unwrap_or(v);
        let Value::Object(map) = v else {
            return Err(DefinitionError::Json(
                "the top level must be a JSON object".into(),
            ));
        };
        let machine_err = |message: String| DefinitionError::Machine {
            scope: String::new(),
            message,
        };
        let mut comment = None;
        let mut timeout_seconds = None;
        let mut scope_fields = Map::new();
        for (k, val) in map {
            match k.as_str() {
                "Comment" => comment = val.as_str().map(str::to_string),
                "Version" => {}
                "TimeoutSeconds" => {
                    timeout_seconds = Some(val.as_u64().ok_or_else(|| {
                        machine_err("TimeoutSeconds must be a positive integer".into())
                    })?)
                }
                // Checked and applied to every state by `propagate`.
                "QueryLanguage" => {}
                "StartAt" | "States" => {
                    scope_fields.insert(k.clone(), val.clone());
                }
                other => return Err(machine_err(format!("unknown field {other:?}"))),
            }
        }
        let root = parse_scope(&Value::Object(scope_fields), "", false)?;
        check_variable_scopes(&root, "", &std::collections::BTreeSet::new())?;
        Ok(Self {
            comment,
            timeout_seconds,
            root,
        })
    }

    /// Looks a state up in the top-level scope.
    pub fn state(&self, name: &str) -> Option<&State> {
        self.root.states.get(name)
    }
}

fn too_deep(deep: super::walk::TooDeep) -> DefinitionError {
    match deep.state.clone() {
        Some(state) => DefinitionError::State {
            state,
            scope: String::new(),
            message: deep.message(),
        },
        None => DefinitionError::Machine {
            scope: String::new(),
            message: deep.message(),
        },
    }
}

fn parse_scope(v: &Value, scope: &str, processor: bool) -> Result<Scope, DefinitionError> {
    let err = |message: String| DefinitionError::Machine {
        scope: scope.to_string(),
        message,
    };
    let Value::Object(map) = v else {
        return Err(err("must be an object with StartAt and States".into()));
    };
    for (k, val) in map {
        match k.as_str() {
            "StartAt" | "States" | "Comment" => {}
            "ProcessorConfig" if processor => check_processor_config(val).map_err(err)?,
            other => return Err(err(format!("unknown field {other:?}"))),
        }
    }
    let start_at = map
        .get("StartAt")
        .and_then(Value::as_str)
        .ok_or_else(|| err("StartAt is required and must be a string".into()))?
        .to_string();
    let Some(Value::Object(states_json)) = map.get("States") else {
        return Err(err("States is required and must be an object".into()));
    };
    let mut states = BTreeMap::new();
    for (name, sv) in states_json {
        states.insert(name.clone(), parse_state(name, sv, scope)?);
    }
    let scope_v = Scope { start_at, states };
    validate_scope(&scope_v, scope)?;
    Ok(scope_v)
}

fn check_processor_config(v: &Value) -> Result<(), String> {
    let Value::Object(map) = v else {
        return Err("ProcessorConfig must be an object".into());
    };
    for (k, val) in map {
        match (k.as_str(), val.as_str()) {
            ("Mode", Some("INLINE" | "DISTRIBUTED")) => {}
            ("ExecutionType", Some("STANDARD" | "EXPRESS")) => {}
            _ => return Err(format!("unsupported ProcessorConfig field {k:?}: {val}")),
        }
    }
    Ok(())
}

fn parse_state(name: &str, v: &Value, scope: &str) -> Result<State, DefinitionError> {
    let err = |message: String| DefinitionError::State {
        state: name.to_string(),
        scope: scope.to_string(),
        message,
    };
    let Value::Object(map) = v else {
        return Err(err("a state must be a JSON object".into()));
    };
    let ty = map
        .get("Type")
        .and_then(Value::as_str)
        .ok_or_else(|| err("\"Type\" is required".into()))?;
    let mut fields = map.clone();
    fields.remove("Type");
    let jsonata = if fields.get("QueryLanguage").and_then(Value::as_str) == Some("JSONata") {
        Some(Box::new(
            super::jsonata::fields::split_state(ty, &mut fields).map_err(err)?,
        ))
    } else {
        fields.remove("QueryLanguage");
        if let Some(f) = super::jsonata::fields::JSONATA_ONLY
            .iter()
            .find(|f| fields.contains_key(**f))
        {
            return Err(err(format!(
                "{f} is a JSONata field; set \"QueryLanguage\": \"JSONata\" on the state or the state machine to use it"
            )));
        }
        None
    };
    let body = Value::Object(fields);
    // Name the features we deliberately do not support, so the message says why.
    if map.contains_key("Assign") && matches!(ty, "Succeed" | "Fail") {
        return Err(err(format!("a {ty} state cannot Assign variables")));
    }
    for (field, why) in [("Credentials", "Credentials are not supported")] {
        if map.contains_key(field) {
            return Err(err(why.to_string()));
        }
    }
    fn de<T: serde::de::DeserializeOwned>(v: Value) -> Result<T, String> {
        serde_json::from_value(v).map_err(|e| e.to_string())
    }
    let transition = |next: Option<String>, end: Option<bool>| -> Result<Transition, String> {
        match (next, end) {
            (Some(n), None | Some(false)) => Ok(Transition::Next(n)),
            (None, Some(true)) => Ok(Transition::End),
            (Some(_), Some(true)) => Err("has both \"Next\" and \"End\"".into()),
            (None, _) => Err("needs \"Next\" or \"End\": true".into()),
        }
    };
    let (comment, kind) = match ty {
        "Task" => {
            let mut s: TaskState = de(body).map_err(err)?;
            s.transition = transition(s.next.take(), s.end.take()).map_err(err)?;
            if s.timeout_seconds.is_some() && s.timeout_seconds_path.is_some() {
                return Err(err(
                    "TimeoutSeconds and TimeoutSecondsPath exclude each other".into(),
                ));
            }
            check_retry_catch(&s.retry, &s.catch).map_err(err)?;
            (s.comment.take(), StateKind::Task(Box::new(s)))
        }
        "Pass" => {
            let mut s: PassState = de(body).map_err(err)?;
            s.transition = transition(s.next.take(), s.end.take()).map_err(err)?;
            (s.comment.take(), StateKind::Pass(s))
        }
        "Choice" => {
            let mut s: ChoiceState = de(body).map_err(err)?;
            if s.choices.is_empty() {
                return Err(err("Choices must not be empty".into()));
            }
            (s.comment.take(), StateKind::Choice(s))
        }
        "Wait" => {
            let mut s: WaitState = de(body).map_err(err)?;
            s.transition = transition(s.next.take(), s.end.take()).map_err(err)?;
            let given = [
                s.seconds.is_some(),
                s.timestamp.is_some(),
                s.seconds_path.is_some(),
                s.timestamp_path.is_some(),
            ];
            if given.iter().filter(|g| **g).count() != 1 {
                return Err(err(
                    "needs exactly one of Seconds, Timestamp, SecondsPath, TimestampPath".into(),
                ));
            }
            if let Some(ts) = &s.timestamp
                && parse_timestamp(ts).is_none()
            {
                return Err(err(format!(
                    "Timestamp {ts:?} is not an RFC 3339 timestamp"
                )));
            }
            (s.comment.take(), StateKind::Wait(s))
        }
        "Succeed" => {
            let mut s: SucceedState = de(body).map_err(err)?;
            (s.comment.take(), StateKind::Succeed(s))
        }
        "Fail" => {
            let mut s: FailState = de(body).map_err(err)?;
            if s.error.is_some() && s.error_path.is_some() {
                return Err(err("Error and ErrorPath exclude each other".into()));
            }
            if s.cause.is_some() && s.cause_path.is_some() {
                return Err(err("Cause and CausePath exclude each other".into()));
            }
            (s.comment.take(), StateKind::Fail(s))
        }
        "Parallel" => {
            let r: ParallelRaw = de(body).map_err(err)?;
            let transition = transition(r.next, r.end).map_err(err)?;
            check_retry_catch(&r.retry, &r.catch).map_err(err)?;
            if r.branches.is_empty() {
                return Err(err("Branches must not be empty".into()));
            }
            let branches = r
                .branches
                .iter()
                .enumerate()
                .map(|(i, b)| {
                    parse_scope(
                        b,
                        &format!("{scope} (in Parallel {name:?} branch {i})"),
                        false,
                    )
                })
                .collect::<Result<Vec<_>, _>>()?;
            (
                r.comment,
                StateKind::Parallel(Box::new(ParallelState {
                    branches,
                    input_path: r.input_path,
                    parameters: r.parameters,
                    result_selector: r.result_selector,
                    result_path: r.result_path,
                    output_path: r.output_path,
                    retry: r.retry,
                    catch: r.catch,
                    assign: r.assign,
                    transition,
                })),
            )
        }
        "Map" => {
            let r: MapRaw = de(body).map_err(err)?;
            let transition = transition(r.next, r.end).map_err(err)?;
            check_retry_catch(&r.retry, &r.catch).map_err(err)?;
            let (processor_json, field) = match (r.item_processor, r.iterator) {
                (Some(p), None) => (p, "ItemProcessor"),
                (None, Some(i)) => (i, "Iterator"),
                _ => return Err(err("needs exactly one of ItemProcessor and Iterator".into())),
            };
            let distributed_mode = processor_json
                .pointer("/ProcessorConfig/Mode")
                .and_then(Value::as_str)
                == Some("DISTRIBUTED");
            let distributed = super::distributed::parse(
                distributed_mode,
                r.item_reader.as_ref(),
                r.item_batcher.as_ref(),
                r.result_writer.as_ref(),
                r.label.as_deref(),
            )
            .map_err(err)?
            .map(Box::new);
            let item_selector = match (r.item_selector, r.parameters) {
                (Some(s), None) | (None, Some(s)) => Some(s),
                (None, None) => None,
                (Some(_), Some(_)) => {
                    return Err(err("ItemSelector and Parameters exclude each other".into()));
                }
            };
            if let Some(p) = r.tolerated_failure_percentage
                && !(0.0..=100.0).contains(&p)
            {
                return Err(err("ToleratedFailurePercentage must be within 0-100".into()));
            }
            if r.tolerated_failure_percentage.is_some()
                && r.tolerated_failure_percentage_path.is_some()
            {
                return Err(err(
                    "ToleratedFailurePercentage and ToleratedFailurePercentagePath exclude each other"
                        .into(),
                ));
            }
            if r.tolerated_failure_count.is_some() && r.tolerated_failure_count_path.is_some() {
                return Err(err(
                    "ToleratedFailureCount and ToleratedFailureCountPath exclude each other".into(),
                ));
            }
            // The legacy Iterator accepts ProcessorConfig like ItemProcessor does.
            let processor = parse_scope(
                &processor_json,
                &format!("{scope} (in Map {name:?} {field})"),
                true,
            )?;
            (
                r.comment,
                StateKind::Map(Box::new(MapState {
                    distributed,
                    processor,
                    items_path: r.items_path,
                    item_selector,
                    max_concurrency: r.max_concurrency,
                    max_concurrency_path: r.max_concurrency_path,
                    tolerated_failure_percentage: r.tolerated_failure_percentage,
                    tolerated_failure_count: r.tolerated_failure_count,
                    tolerated_failure_percentage_path: r.tolerated_failure_percentage_path,
                    tolerated_failure_count_path: r.tolerated_failure_count_path,
                    input_path: r.input_path,
                    result_selector: r.result_selector,
                    result_path: r.result_path,
                    output_path: r.output_path,
                    retry: r.retry,
                    catch: r.catch,
                    assign: r.assign,
                    transition,
                })),
            )
        }
        other => {
            return Err(err(format!(
                "unknown state type {other:?} (expected Task, Pass, Choice, Wait, Succeed, Fail, Parallel or Map)"
            )));
        }
    };
    Ok(State {
        name: name.to_string(),
        comment,
        kind,
        jsonata,
    })
}

fn check_retry_catch(retry: &[Retrier], catch: &[Catcher]) -> Result<(), String> {
    let check_names = |what: &str, i: usize, n: usize, errors: &[String]| -> Result<(), String> {
        if errors.is_empty() {
            return Err(format!("{what}[{i}].ErrorEquals must not be empty"));
        }
        if errors.iter().any(|e| e == names::ALL) && (errors.len() > 1 || i + 1 != n) {
            return Err(format!(
                "{what}[{i}]: States.ALL must appear alone, in the last {}",
                if what == "Retry" {
                    "retrier"
                } else {
                    "catcher"
                }
            ));
        }
        Ok(())
    };
    for (i, r) in retry.iter().enumerate() {
        check_names("Retry", i, retry.len(), &r.error_equals)?;
        if r.interval_seconds == 0 {
            return Err(format!(
                "Retry[{i}].IntervalSeconds must be a positive integer"
            ));
        }
        if r.backoff_rate < 1.0 {
            return Err(format!("Retry[{i}].BackoffRate must be at least 1.0"));
        }
        if r.max_delay_seconds == Some(0) {
            return Err(format!(
                "Retry[{i}].MaxDelaySeconds must be a positive integer"
            ));
        }
    }
    for (i, c) in catch.iter().enumerate() {
        check_names("Catch", i, catch.len(), &c.error_equals)?;
    }
    Ok(())
}

/// The variables a state assigns: its own `Assign`, its catchers' and its Choice rules'.
pub fn assigned_names(state: &State) -> Vec<&str> {
    let mut out: Vec<&Assign> = Vec::new();
    let catch: &[Catcher] = match &state.kind {
        StateKind::Task(s) => {
            out.extend(&s.assign);
            &s.catch
        }
        StateKind::Parallel(s) => {
            out.extend(&s.assign);
            &s.catch
        }
        StateKind::Map(s) => {
            out.extend(&s.assign);
            &s.catch
        }
        StateKind::Pass(s) => {
            out.extend(&s.assign);
            &[]
        }
        StateKind::Wait(s) => {
            out.extend(&s.assign);
            &[]
        }
        StateKind::Choice(s) => {
            out.extend(&s.assign);
            out.extend(s.choices.iter().filter_map(|r| r.assign.as_ref()));
            &[]
        }
        StateKind::Succeed(_) | StateKind::Fail(_) => &[],
    };
    out.extend(catch.iter().filter_map(|c| c.assign.as_ref()));
    out.iter()
        .flat_map(|a| a.names().iter().map(String::as_str))
        .collect()
}

/// A Map iteration or Parallel branch sees the variables of the scopes around it but may not
/// assign one of their names (its assignments would be lost when it ends; AWS refuses such
/// definitions).
fn check_variable_scopes(
    scope: &Scope,
    label: &str,
    outer: &std::collections::BTreeSet<String>,
) -> Result<(), DefinitionError> {
    let mut here = outer.clone();
    for state in scope.states.values() {
        for name in assigned_names(state) {
            if outer.contains(name) {
                return Err(DefinitionError::State {
                    state: state.name.clone(),
                    scope: label.to_string(),
                    message: format!(
                        "assigns the variable {name:?}, which an enclosing scope assigns; a Map or Parallel state cannot assign the variables of its parent scope"
                    ),
                });
            }
            here.insert(name.to_string());
        }
    }
    for state in scope.states.values() {
        match &state.kind {
            StateKind::Parallel(p) => {
                for (i, b) in p.branches.iter().enumerate() {
                    let l = format!("{label} (in Parallel {:?} branch {i})", state.name);
                    check_variable_scopes(b, &l, &here)?;
                }
            }
            StateKind::Map(m) => {
                let l = format!("{label} (in Map {:?})", state.name);
                check_variable_scopes(&m.processor, &l, &here)?;
            }
            _ => {}
        }
    }
    Ok(())
}

/// Every state's outgoing transitions, for validation and for tools that draw the graph.
pub fn transitions(state: &State) -> Vec<&str> {
    fn next_of(t: &Transition) -> Option<&str> {
        match t {
            Transition::Next(n) => Some(n.as_str()),
            Transition::End => None,
        }
    }
    let mut out = Vec::new();
    match &state.kind {
        StateKind::Task(s) => {
            out.extend(next_of(&s.transition));
            out.extend(s.catch.iter().map(|c| c.next.as_str()));
        }
        StateKind::Pass(s) => out.extend(next_of(&s.transition)),
        StateKind::Wait(s) => out.extend(next_of(&s.transition)),
        StateKind::Parallel(s) => {
            out.extend(next_of(&s.transition));
            out.extend(s.catch.iter().map(|c| c.next.as_str()));
        }
        StateKind::Map(s) => {
            out.extend(next_of(&s.transition));
            out.extend(s.catch.iter().map(|c| c.next.as_str()));
        }
        StateKind::Choice(s) => {
            out.extend(s.choices.iter().map(|c| c.next.as_str()));
            out.extend(s.default.as_deref());
        }
        StateKind::Succeed(_) | StateKind::Fail(_) => {}
    }
    out
}

fn is_terminal(state: &State) -> bool {
    match &state.kind {
        StateKind::Succeed(_) | StateKind::Fail(_) => true,
        StateKind::Choice(_) => false,
        StateKind::Task(s) => s.transition == Transition::End,
        StateKind::Pass(s) => s.transition == Transition::End,
        StateKind::Wait(s) => s.transition == Transition::End,
        StateKind::Parallel(s) => s.transition == Transition::End,
        StateKind::Map(s) => s.transition == Transition::End,
    }
}

fn validate_scope(scope: &Scope, label: &str) -> Result<(), DefinitionError> {
    if !scope.states.contains_key(&scope.start_at) {
        return Err(DefinitionError::Machine {
            scope: label.to_string(),
            message: format!("StartAt {:?} is not a state in States", scope.start_at),
        });
    }
    for state in scope.states.values() {
        for target in transitions(state) {
            if !scope.states.contains_key(target) {
                return Err(DefinitionError::State {
                    state: state.name.clone(),
                    scope: label.to_string(),
                    message: format!(
                        "transitions to {target:?}, which is not a state in this scope"
                    ),
                });
            }
        }
    }
    if !scope.states.values().any(is_terminal) {
        return Err(DefinitionError::Machine {
            scope: label.to_string(),
            message: "no terminal state (End: true, Succeed or Fail)".into(),
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn machine(states: Value) -> Result<StateMachine, DefinitionError> {
        StateMachine::from_value(&json!({"StartAt": "A", "States": states}))
    }

    #[test]
    fn parses_every_state_type() {
        let m = machine(json!({
            "A": {"Type": "Pass", "Result": null, "ResultPath": "$.r", "Next": "B"},
            "B": {"Type": "Task", "Resource": "${SplitFunctionArn}", "TimeoutSeconds": 30,
                  "Retry": [{"ErrorEquals": ["States.ALL"], "JitterStrategy": "FULL", "MaxDelaySeconds": 5}],
                  "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "F", "ResultPath": null}],
                  "Next": "C"},
            "C": {"Type": "Choice", "Choices": [{"Variable": "$.x", "IsPresent": true, "Next": "D"}], "Default": "W"},
            "W": {"Type": "Wait", "Seconds": 1, "Next": "D"},
            "D": {"Type": "Parallel", "Branches": [
                    {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": true}}}], "Next": "M"},
            "M": {"Type": "Map", "ItemsPath": "$.items", "MaxConcurrency": 2,
                  "ItemProcessor": {"ProcessorConfig": {"Mode": "INLINE"}, "StartAt": "I",
                                    "States": {"I": {"Type": "Succeed"}}}, "Next": "S"},
            "S": {"Type": "Succeed"},
            "F": {"Type": "Fail", "ErrorPath": "$.Error", "CausePath": "States.Format('x {}', $.Cause)"}
        }))
        .unwrap();
        let StateKind::Pass(p) = &m.state("A").unwrap().kind else {
            panic!()
        };
        assert_eq!(p.result, Some(Value::Null), "Result: null is present");
        let StateKind::Task(t) = &m.state("B").unwrap().kind else {
            panic!()
        };
        assert_eq!(t.transition, Transition::Next("C".into()));
        assert_eq!(t.retry[0].max_attempts, 3);
        assert_eq!(t.retry[0].backoff_rate, 2.0);
        assert_eq!(t.catch[0].result_path, PathSpec::Null);
        assert_eq!(t.result_path, PathSpec::Absent);
    }

    #[test]
    fn errors_name_the_state() {
        let cases = [
            (
                json!({"A": {"Type": "Tusk", "End": true}}),
                "state \"A\": unknown state type \"Tusk\"",
            ),
            (
                json!({"A": {"Type": "Task", "Resouce": "x", "End": true}}),
                "state \"A\": unknown field `Resouce`",
            ),
            (
                json!({"A": {"Type": "Pass", "Next": "Nowhere"}}),
                "state \"A\": transitions to \"Nowhere\"",
            ),
            (
                json!({"A": {"Type": "Pass"}}),
                "state \"A\": needs \"Next\" or \"End\": true",
            ),
            (
                json!({"A": {"Type": "Pass", "Next": "A", "End": true}}),
                "has both",
            ),
            (
                json!({"A": {"Type": "Succeed", "Assign": {}}}),
                "a Succeed state cannot Assign variables",
            ),
            (
                json!({"A": {"Type": "Pass", "Assign": {"states": 1}, "End": true}}),
                "state \"A\": Assign: the variable name \"states\" is reserved",
            ),
            (
                json!({"A": {"Type": "Wait", "Seconds": 1, "Timestamp": "2020-01-01T00:00:00Z", "End": true}}),
                "exactly one of",
            ),
            (
                json!({"A": {"Type": "Wait", "Timestamp": "soon", "End": true}}),
                "not an RFC 3339",
            ),
            (
                json!({"A": {"Type": "Fail", "Error": "E", "ErrorPath": "$.e"}}),
                "Error and ErrorPath",
            ),
            (
                json!({"A": {"Type": "Choice", "Choices": []}}),
                "Choices must not be empty",
            ),
            (
                json!({"A": {"Type": "Task", "Resource": "r", "End": true,
                          "Retry": [{"ErrorEquals": ["States.ALL"]}, {"ErrorEquals": ["X"]}]}}),
                "States.ALL must appear alone",
            ),
            (
                json!({"A": {"Type": "Task", "Resource": "r", "End": true,
                          "Catch": [{"ErrorEquals": ["States.ALL", "X"], "Next": "A"}]}}),
                "States.ALL must appear alone",
            ),
            (
                json!({"A": {"Type": "Task", "Resource": "r", "End": true,
                          "Retry": [{"ErrorEquals": ["X"], "BackoffRate": 0.5}]}}),
                "BackoffRate",
            ),
            (
                json!({"A": {"Type": "Task", "Resource": "r", "End": true, "Parameters": {"x.$": "nope("}}}),
                "field \"x.$\"",
            ),
            (
                json!({"A": {"Type": "Task", "Resource": "r", "End": true, "ResultPath": "$.a[*]"}}),
                "not a reference path",
            ),
            (
                json!({"A": {"Type": "Map", "End": true}}),
                "exactly one of ItemProcessor and Iterator",
            ),
            (
                json!({"A": {"Type": "Map", "End": true, "ItemReader": {},
                          "ItemProcessor": {"StartAt": "I", "States": {"I": {"Type": "Succeed"}}}}}),
                "ItemReader needs ItemProcessor.ProcessorConfig.Mode DISTRIBUTED",
            ),
            (
                json!({"A": {"Type": "Map", "End": true, "Iterator": {"StartAt": "X", "States": {"I": {"Type": "Succeed"}}}}}),
                "(in Map \"A\" Iterator): StartAt \"X\"",
            ),
            (
                json!({"A": {"Type": "Map", "End": true, "Iterator": {"StartAt": "I", "States": {"I": {"Type": "Pass", "Next": "A"}}}}}),
                "state \"I\" (in Map \"A\" Iterator): transitions to \"A\"",
            ),
            (
                json!({"A": {"Type": "Parallel", "End": true, "Branches": [{"StartAt": "B", "States": {"B": {"Type": "Bogus"}}}]}}),
                "state \"B\" (in Parallel \"A\" branch 0)",
            ),
            (
                json!({"A": {"Type": "Parallel", "End": true, "Branches": []}}),
                "Branches must not be empty",
            ),
            (
                json!({"A": {"Type": "Pass", "Next": "B"}, "B": {"Type": "Pass", "Next": "A"}}),
                "no terminal state",
            ),
            (
                json!({"A": {"Type": "Choice", "Choices": [{"Variable": "$.x", "Next": "A"}]}}),
                "Choices[0]",
            ),
        ];
        for (states, want) in cases {
            let e = machine(states.clone()).unwrap_err().to_string();
            assert!(e.contains(want), "{states}\n  got: {e}\n  want: {want}");
        }
    }

    #[test]
    fn machine_level_errors() {
        let e = StateMachine::from_json("{").unwrap_err();
        assert!(matches!(e, DefinitionError::Json(_)));
        let e = StateMachine::from_value(
            &json!({"StartAt": "Z", "States": {"A": {"Type": "Succeed"}}}),
        )
        .unwrap_err();
        assert!(e.to_string().contains("StartAt \"Z\""), "{e}");
        let m = StateMachine::from_value(&json!({"StartAt": "A", "States": {"A": {"Type": "Succeed"}}, "QueryLanguage": "JSONata"}))
            .unwrap();
        assert!(m.state("A").unwrap().jsonata.is_some());
        let e = StateMachine::from_value(&json!({"StartAt": "A", "States": {"A": {"Type": "Succeed"}}, "QueryLanguage": "XPath"}))
            .unwrap_err();
        assert!(
            e.to_string()
                .contains("QueryLanguage \"XPath\" is not a query language"),
            "{e}"
        );
        let e = StateMachine::from_value(
            &json!({"StartAt": "A", "States": {"A": {"Type": "Pass", "Output": 1, "End": true}}}),
        )
        .unwrap_err();
        assert!(e.to_string().contains("Output is a JSONata field"), "{e}");
        let e = StateMachine::from_value(&json!({"StartAt": "A", "States": {}, "Extra": 1}))
            .unwrap_err();
        assert!(e.to_string().contains("unknown field \"Extra\""), "{e}");
    }
}
