//! The executor's side of JSONata states (a child module of `executor`, so it runs on the
//! executor's own `Run`): Pass, Choice, Wait, Succeed and Fail whole, and for Task, Parallel
//! and Map the places where JSONata replaces the JSONPath data flow —
//! `Arguments` instead of InputPath/Parameters, `Output` and `Assign` (reading
//! `$states.result`) instead of ResultSelector/ResultPath/OutputPath, `Items`/`ItemSelector`,
//! expression timeouts, and catchers' `Output`/`Assign` reading `$states.errorOutput`.
//!
//! Every `Assign` and `Output` of a state sees the variables as they were when the state was
//! entered.

use std::time::{Duration, SystemTime};

use serde_json::Value;

use super::{Done, Failure, MAX_WAIT_SECONDS, Run, Step, state_output_too_big};
use crate::asl::context::{ContextObject, parse_timestamp};
use crate::asl::definition::{State, StateKind, Transition};
use crate::asl::error::{StatesError, names};
use crate::asl::jsonata::fields::JsonataFields;
use crate::asl::jsonata::template::{QUERY_EVALUATION_ERROR, StatesEnv, Template};
use crate::asl::variables::{MAX_ASSIGN_BYTES, Variables};

/// A DISTRIBUTED Map's JSONata fields, evaluated (see `Run::jsonata_distributed`); `None`
/// where the definition has no such expression and the literal field applies.
#[derive(Debug, Default)]
pub(in crate::asl) struct DistributedArgs {
    /// The items, when there is no ItemReader.
    pub items: Option<Value>,
    /// `ItemReader.Arguments`.
    pub reader_params: Option<Value>,
    /// `ItemReader.ReaderConfig.MaxItems`.
    pub reader_max_items: Option<u64>,
    /// `ItemBatcher.BatchInput`.
    pub batch_input: Option<Value>,
    /// `ItemBatcher.MaxItemsPerBatch`.
    pub batch_max_items: Option<u64>,
    /// `ItemBatcher.MaxInputBytesPerBatch`.
    pub batch_max_bytes: Option<u64>,
    /// `ResultWriter.Arguments`.
    pub writer_params: Option<Value>,
}

fn query_error(message: String) -> StatesError {
    StatesError::new(QUERY_EVALUATION_ERROR, message)
}

fn step(t: &Transition, out: Value, assigned: Option<Variables>) -> Step {
    match t {
        Transition::Next(n) => Step::Next(n.clone(), out, assigned),
        Transition::End => Step::End(out),
    }
}

impl Run<'_> {
    fn env<'e>(
        &self,
        input: &'e Value,
        result: Option<&'e Value>,
        error_output: Option<&'e Value>,
        ctx: &'e ContextObject<'e>,
    ) -> StatesEnv<'e> {
        StatesEnv {
            input,
            result,
            error_output,
            ctx,
            now: self.ex.clock.now(),
        }
    }

    /// Evaluates an `Assign` template to the variables it sets.
    fn jsonata_assign(
        &self,
        t: Option<&Template>,
        field: &str,
        state: &str,
        env: &StatesEnv<'_>,
    ) -> Result<Option<Variables>, StatesError> {
        let Some(t) = t else { return Ok(None) };
        let Value::Object(values) = t.eval(field, env)? else {
            return Err(query_error(format!(
                "The {field} field of state '{state}' must be an object of variable names"
            )));
        };
        let size: usize = values.values().map(super::json_size).sum();
        if size > MAX_ASSIGN_BYTES {
            return Err(StatesError::new(
                names::DATA_LIMIT_EXCEEDED,
                format!(
                    "The variables assigned by state '{state}' total {size} bytes, more than the 256 KiB limit."
                ),
            ));
        }
        Ok(Some(values))
    }

    fn jsonata_output(
        &self,
        t: Option<&Template>,
        default: &Value,
        state: &str,
        env: &StatesEnv<'_>,
    ) -> Result<Value, StatesError> {
        let out = match t {
            Some(t) => t.eval("Output", env)?,
            None => default.clone(),
        };
        self.check_size(&out, || state_output_too_big(state))?;
        Ok(out)
    }

    /// Runs a JSONata Pass, Choice, Wait, Succeed or Fail state; `None` for the other types,
    /// which run through the JSONPath code with the hooks below.
    pub(super) fn jsonata_state(
        &self,
        state: &State,
        j: &JsonataFields,
        raw: &Value,
        ctx: &ContextObject<'_>,
    ) -> Option<Result<Step, Failure>> {
        let env = self.env(raw, None, None, ctx);
        let name = state.name.as_str();
        let run = || -> Result<Step, Failure> {
            match &state.kind {
                StateKind::Pass(s) => {
                    let assigned = self.jsonata_assign(j.assign.as_ref(), "Assign", name, &env)?;
                    let out = self.jsonata_output(j.output.as_ref(), raw, name, &env)?;
                    Ok(step(&s.transition, out, assigned))
                }
                StateKind::Succeed(_) => Ok(Step::End(self.jsonata_output(
                    j.output.as_ref(),
                    raw,
                    name,
                    &env,
                )?)),
                StateKind::Choice(s) => {
                    let mut matched = None;
                    for (i, rule) in j.choices.iter().enumerate() {
                        let field = format!("Choices[{i}].Condition");
                        match rule.condition.eval(&field, &env)? {
                            Value::Bool(true) => {
                                matched = Some(i);
                                break;
                            }
                            Value::Bool(false) => {}
                            other => {
                                return Err(Failure::State(query_error(format!(
                                    "The Condition of Choices[{i}] of state '{name}' must evaluate to a boolean, not {other}"
                                ))));
                            }
                        }
                    }
                    let next = match matched {
                        Some(i) => s.choices[i].next.clone(),
                        None => s.default.clone().ok_or_else(|| {
                            StatesError::new(
                                names::NO_CHOICE_MATCHED,
                                format!(
                                    "No Choice rule of state '{name}' matched and it has no Default."
                                ),
                            )
                        })?,
                    };
                    let rule = matched.map(|i| &j.choices[i]);
                    let mut assigned =
                        self.jsonata_assign(j.assign.as_ref(), "Assign", name, &env)?;
                    if let Some(r) = self.jsonata_assign(
                        rule.and_then(|r| r.assign.as_ref()),
                        "Assign",
                        name,
                        &env,
                    )? {
                        assigned.get_or_insert_with(Variables::new).extend(r);
                    }
                    let output = rule.and_then(|r| r.output.as_ref()).or(j.output.as_ref());
                    let out = self.jsonata_output(output, raw, name, &env)?;
                    Ok(Step::Next(next, out, assigned))
                }
                StateKind::Wait(s) => {
                    let now = self.ex.clock.now();
                    let until = |t: SystemTime| -> Result<Duration, StatesError> {
                        let d = t.duration_since(now).unwrap_or(Duration::ZERO);
                        if d.as_secs() > MAX_WAIT_SECONDS {
                            return Err(StatesError::runtime(format!(
                                "The Timestamp of Wait state '{name}' is more than 2^31 seconds in the future."
                            )));
                        }
                        Ok(d)
                    };
                    let delay = if let Some(t) = &j.seconds {
                        let v = t.eval("Seconds", &env)?;
                        Duration::from_secs(v.as_u64().ok_or_else(|| {
                            query_error(format!(
                                "The Seconds of Wait state '{name}' must be a non-negative integer, not {v}"
                            ))
                        })?)
                    } else if let Some(t) = &j.timestamp {
                        let v = t.eval("Timestamp", &env)?;
                        let ts = v.as_str().and_then(parse_timestamp).ok_or_else(|| {
                            query_error(format!(
                                "The Timestamp of Wait state '{name}' must be an RFC 3339 timestamp, not {v}"
                            ))
                        })?;
                        until(ts)?
                    } else if let Some(secs) = s.seconds {
                        Duration::from_secs(secs)
                    } else if let Some(ts) = s.timestamp.as_deref().and_then(parse_timestamp) {
                        until(ts)?
                    } else {
                        return Err(Failure::State(query_error(format!(
                            "Wait state '{name}' has neither Seconds nor Timestamp"
                        ))));
                    };
                    if !delay.is_zero() {
                        self.ex.clock.sleep(delay);
                    }
                    let assigned = self.jsonata_assign(j.assign.as_ref(), "Assign", name, &env)?;
                    let out = self.jsonata_output(j.output.as_ref(), raw, name, &env)?;
                    Ok(step(&s.transition, out, assigned))
                }
                StateKind::Fail(s) => {
                    let text = |t: &Option<Template>, fixed: &Option<String>, field: &str| {
                        Ok::<String, StatesError>(match (t, fixed) {
                            (Some(t), _) => match t.eval(field, &env)? {
                                Value::String(s) => s,
                                other => {
                                    return Err(query_error(format!(
                                        "The {field} of Fail state '{name}' must evaluate to a string, not {other}"
                                    )));
                                }
                            },
                            (None, Some(s)) => s.clone(),
                            (None, None) => String::new(),
                        })
                    };
                    let error = text(&j.error, &s.error, "Error")?;
                    let cause = text(&j.cause, &s.cause, "Cause")?;
                    Err(Failure::State(StatesError::new(error, cause)))
                }
                _ => unreachable!("only called for Pass, Choice, Wait, Succeed and Fail"),
            }
        };
        match &state.kind {
            StateKind::Task(_) | StateKind::Parallel(_) | StateKind::Map(_) => None,
            _ => Some(run()),
        }
    }

    /// `Arguments` (default: the state input).
    pub(super) fn jsonata_arguments(
        &self,
        j: &JsonataFields,
        raw: &Value,
        ctx: &ContextObject<'_>,
    ) -> Result<Value, StatesError> {
        match &j.arguments {
            Some(t) => t.eval("Arguments", &self.env(raw, None, None, ctx)),
            None => Ok(raw.clone()),
        }
    }

    /// `TimeoutSeconds`/`HeartbeatSeconds` given as expressions replace the fixed values.
    pub(super) fn jsonata_timeouts(
        &self,
        j: &JsonataFields,
        raw: &Value,
        ctx: &ContextObject<'_>,
        fixed: (Option<Duration>, Option<Duration>),
    ) -> Result<(Option<Duration>, Option<Duration>), StatesError> {
        let env = self.env(raw, None, None, ctx);
        let secs = |t: &Option<Template>, field: &str, fixed: Option<Duration>| match t {
            None => Ok(fixed),
            Some(t) => {
                let v = t.eval(field, &env)?;
                v.as_u64()
                    .filter(|s| *s > 0)
                    .map(|s| Some(Duration::from_secs(s)))
                    .ok_or_else(|| {
                        query_error(format!(
                            "{field} must evaluate to a positive integer, not {v}"
                        ))
                    })
            }
        };
        Ok((
            secs(&j.timeout, "TimeoutSeconds", fixed.0)?,
            secs(&j.heartbeat, "HeartbeatSeconds", fixed.1)?,
        ))
    }

    /// A Map's `MaxConcurrency`, `ToleratedFailureCount` and `ToleratedFailurePercentage`
    /// given as expressions, evaluated on the state input when the Map starts; they replace
    /// `fixed` (the literal fields). A value of the wrong kind is a
    /// `States.QueryEvaluationError` naming the field, as for the other expression fields.
    pub(in crate::asl) fn jsonata_map_limits(
        &self,
        state: &State,
        j: &JsonataFields,
        raw: &Value,
        ctx: &ContextObject<'_>,
        fixed: (usize, Option<u64>, Option<f64>),
    ) -> Result<(usize, Option<u64>, Option<f64>), StatesError> {
        let env = self.env(raw, None, None, ctx);
        let name = &state.name;
        let count = |t: &Template, field: &str| -> Result<u64, StatesError> {
            let v = t.eval(field, &env)?;
            v.as_u64()
                .or_else(|| {
                    v.as_f64()
                        .filter(|f| *f >= 0.0 && f.fract() == 0.0 && *f < u64::MAX as f64)
                        .map(|f| f as u64)
                })
                .ok_or_else(|| {
                    query_error(format!(
                        "The {field} of Map state '{name}' must evaluate to a non-negative integer, not {v}"
                    ))
                })
        };
        let limit = match &j.max_concurrency {
            Some(t) => usize::try_from(count(t, "MaxConcurrency")?).unwrap_or(usize::MAX),
            None => fixed.0,
        };
        let tolerated_count = match &j.tolerated_failure_count {
            Some(t) => Some(count(t, "ToleratedFailureCount")?),
            None => fixed.1,
        };
        let tolerated_pct = match &j.tolerated_failure_percentage {
            Some(t) => {
                let v = t.eval("ToleratedFailurePercentage", &env)?;
                Some(
                    v.as_f64()
                        .filter(|p| (0.0..=100.0).contains(p))
                        .ok_or_else(|| {
                            query_error(format!(
                                "The ToleratedFailurePercentage of Map state '{name}' must evaluate to a number within 0-100, not {v}"
                            ))
                        })?,
                )
            }
            None => fixed.2,
        };
        Ok((limit, tolerated_count, tolerated_pct))
    }

    /// A DISTRIBUTED Map's JSONata fields, evaluated on the state input when it starts:
    /// `Items` (without an ItemReader), the reader's and writer's `Arguments`, and the
    /// expression counts and `BatchInput`. A count of the wrong kind is a
    /// `States.QueryEvaluationError` naming the field.
    pub(in crate::asl) fn jsonata_distributed(
        &self,
        state: &State,
        j: &JsonataFields,
        raw: &Value,
        ctx: &ContextObject<'_>,
        with_reader: bool,
    ) -> Result<DistributedArgs, StatesError> {
        let env = self.env(raw, None, None, ctx);
        let name = &state.name;
        let d = j.distributed.as_deref().cloned().unwrap_or_default();
        let value =
            |t: &Option<Template>, field: &str| t.as_ref().map(|t| t.eval(field, &env)).transpose();
        let count = |t: &Option<Template>, field: &str| -> Result<Option<u64>, StatesError> {
            value(t, field)?
                .map(|v| {
                    v.as_u64().ok_or_else(|| {
                        query_error(format!(
                            "The {field} of Map state '{name}' must evaluate to a non-negative integer, not {v}"
                        ))
                    })
                })
                .transpose()
        };
        Ok(DistributedArgs {
            items: if with_reader {
                None
            } else {
                Some(self.jsonata_items(state, j, raw, ctx)?)
            },
            reader_params: value(&d.reader_arguments, "ItemReader.Arguments")?,
            reader_max_items: count(&d.reader_max_items, "ItemReader.ReaderConfig.MaxItems")?,
            batch_input: value(&d.batch_input, "ItemBatcher.BatchInput")?,
            batch_max_items: count(&d.batch_max_items, "ItemBatcher.MaxItemsPerBatch")?
                .map(|m| m.max(1)),
            batch_max_bytes: count(&d.batch_max_bytes, "ItemBatcher.MaxInputBytesPerBatch")?,
            writer_params: value(&d.writer_arguments, "ResultWriter.Arguments")?,
        })
    }

    /// `Assign` and `Output` of a Task, Parallel or Map, both reading `$states.result`.
    pub(super) fn jsonata_finish(
        &self,
        state: &State,
        j: &JsonataFields,
        raw: &Value,
        result: Value,
        ctx: &ContextObject<'_>,
    ) -> Result<Done, Failure> {
        let env = self.env(raw, Some(&result), None, ctx);
        let assigned = self.jsonata_assign(j.assign.as_ref(), "Assign", &state.name, &env)?;
        let out = self.jsonata_output(j.output.as_ref(), &result, &state.name, &env)?;
        Ok((out, assigned))
    }

    /// A catcher's `Output` (default: the error output) and `Assign`, reading
    /// `$states.errorOutput`.
    pub(super) fn jsonata_catch(
        &self,
        state: &State,
        j: &JsonataFields,
        index: usize,
        raw: &Value,
        error: &StatesError,
        ctx: &ContextObject<'_>,
    ) -> Result<(Value, Option<Variables>), Failure> {
        let error_output = error.to_error_output();
        let env = self.env(raw, None, Some(&error_output), ctx);
        let c = j.catch.get(index);
        let field = format!("Catch[{index}].Assign");
        let assigned =
            self.jsonata_assign(c.and_then(|c| c.assign.as_ref()), &field, &state.name, &env)?;
        let out = self.jsonata_output(
            c.and_then(|c| c.output.as_ref()),
            &error_output,
            &state.name,
            &env,
        )?;
        Ok((out, assigned))
    }

    /// `Items` of a Map (default: the state input), which must be an array.
    pub(in crate::asl) fn jsonata_items(
        &self,
        state: &State,
        j: &JsonataFields,
        raw: &Value,
        ctx: &ContextObject<'_>,
    ) -> Result<Value, StatesError> {
        let items = match &j.items {
            Some(t) => t.eval("Items", &self.env(raw, None, None, ctx))?,
            None => raw.clone(),
        };
        if !items.is_array() {
            return Err(query_error(format!(
                "The Items of Map state '{}' must evaluate to a JSON array, not {}",
                state.name,
                crate::asl::path::type_name(&items)
            )));
        }
        Ok(items)
    }

    /// One iteration's input: `ItemSelector` (with `$states.context.Map.Item`), or the item.
    pub(in crate::asl) fn jsonata_item_input(
        &self,
        j: &JsonataFields,
        raw: &Value,
        item: &Value,
        ictx: &ContextObject<'_>,
    ) -> Result<Value, StatesError> {
        match &j.item_selector {
            Some(t) => t.eval("ItemSelector", &self.env(raw, None, None, ictx)),
            None => Ok(item.clone()),
        }
    }
}
