//! The states that call nothing: Pass, Choice, Wait (which sleeps on the executor's
//! [`Clock`](crate::asl::clock::Clock), so tests need not wait) and Fail.

use std::time::{Duration, SystemTime};

use serde_json::Value;

use super::data_flow::{apply_template, input_path, output_path, reference, result_path};
use super::{Failure, MAX_WAIT_SECONDS, Run, Step, ctx_name, state_output_too_big};
use crate::asl::context::{ContextObject, parse_timestamp};
use crate::asl::definition::{
    ChoiceState, DynamicString, FailState, PassState, Transition, WaitState,
};
use crate::asl::error::{StatesError, names};
use crate::asl::variables::{Variables, assign};

impl Run<'_> {
    pub(super) fn pass(
        &self,
        s: &PassState,
        raw: &Value,
        ctx: &ContextObject<'_>,
    ) -> Result<Step, Failure> {
        let eff = input_path(&s.input_path, raw, ctx)?;
        let eff = apply_template(s.parameters.as_ref(), eff, ctx)?;
        let result = match &s.result {
            Some(r) => r.clone(),
            None => eff,
        };
        let assigned = assign(s.assign.as_ref(), ctx_name(ctx), &result, ctx)?;
        let out = result_path(&s.result_path, raw, result)?;
        let out = output_path(&s.output_path, &out, ctx)?;
        self.check_size(&out, || state_output_too_big(ctx_name(ctx)))?;
        Ok(match &s.transition {
            Transition::Next(n) => Step::Next(n.clone(), out, assigned),
            Transition::End => Step::End(out),
        })
    }

    pub(super) fn choice(
        &self,
        s: &ChoiceState,
        raw: &Value,
        ctx: &ContextObject<'_>,
    ) -> Result<Step, Failure> {
        let eff = input_path(&s.input_path, raw, ctx)?;
        let mut next = None;
        let mut rule_assign = None;
        for rule in &s.choices {
            if rule.condition.eval(&eff, ctx)? {
                next = Some(rule.next.clone());
                rule_assign = rule.assign.as_ref();
                break;
            }
        }
        let next = match next.or_else(|| s.default.clone()) {
            Some(n) => n,
            None => {
                return Err(Failure::State(StatesError::new(
                    names::NO_CHOICE_MATCHED,
                    format!(
                        "No Choice rule of state '{}' matched and it has no Default.",
                        ctx_name(ctx)
                    ),
                )));
            }
        };
        // The state's Assign, then the matched rule's: both read the variables of state entry,
        // and the rule's value wins where both set a name.
        let mut assigned = assign(s.assign.as_ref(), ctx_name(ctx), &eff, ctx)?;
        if let Some(rule) = assign(rule_assign, ctx_name(ctx), &eff, ctx)? {
            assigned.get_or_insert_with(Variables::new).extend(rule);
        }
        let out = output_path(&s.output_path, &eff, ctx)?;
        Ok(Step::Next(next, out, assigned))
    }

    pub(super) fn wait(
        &self,
        s: &WaitState,
        raw: &Value,
        ctx: &ContextObject<'_>,
    ) -> Result<Step, Failure> {
        let eff = input_path(&s.input_path, raw, ctx)?;
        let now = self.ex.clock.now();
        // AWS refuses a wait that ends more than 2^31 seconds from now.
        let until = |t: SystemTime, field: &str| -> Result<Duration, StatesError> {
            let d = t.duration_since(now).unwrap_or(Duration::ZERO);
            if d.as_secs() > MAX_WAIT_SECONDS {
                return Err(StatesError::runtime(format!(
                    "The {field} of Wait state '{}' is more than 2^31 seconds in the future.",
                    ctx_name(ctx)
                )));
            }
            Ok(d)
        };
        let delay = if let Some(secs) = s.seconds {
            Duration::from_secs(secs)
        } else if let Some(ts) = &s.timestamp {
            until(
                parse_timestamp(ts).expect("validated when loading"),
                "Timestamp",
            )?
        } else if let Some(p) = &s.seconds_path {
            let v = reference(p, &eff)?;
            let secs = v.as_u64().ok_or_else(|| {
                StatesError::runtime(format!(
                    "The SecondsPath parameter does not reference a valid non-negative integer: {v}"
                ))
            })?;
            Duration::from_secs(secs)
        } else if let Some(p) = &s.timestamp_path {
            let v = reference(p, &eff)?;
            let t = v.as_str().and_then(parse_timestamp).ok_or_else(|| {
                StatesError::runtime(format!(
                    "The TimestampPath parameter does not reference a valid ISO-8601 timestamp: {v}"
                ))
            })?;
            until(t, "TimestampPath")?
        } else {
            unreachable!("validated: a Wait state has one of its four fields")
        };
        if !delay.is_zero() {
            self.ex.clock.sleep(delay);
        }
        let assigned = assign(s.assign.as_ref(), ctx_name(ctx), &eff, ctx)?;
        let out = output_path(&s.output_path, &eff, ctx)?;
        Ok(match &s.transition {
            Transition::Next(n) => Step::Next(n.clone(), out, assigned),
            Transition::End => Step::End(out),
        })
    }

    pub(super) fn fail(
        &self,
        s: &FailState,
        raw: &Value,
        ctx: &ContextObject<'_>,
    ) -> Result<StatesError, Failure> {
        let dynamic = |d: &Option<DynamicString>, fixed: &Option<String>, field: &str| {
            Ok::<String, StatesError>(match (d, fixed) {
                (Some(DynamicString::Path(p)), _) => match p.select_in(raw, ctx) {
                    Some(Value::String(s)) => s,
                    other => {
                        return Err(StatesError::runtime(format!(
                            "The {field} '{}' of a Fail state must reference a string, found {}",
                            p.as_str(),
                            other.map_or("nothing".to_string(), |v| v.to_string())
                        )));
                    }
                },
                (Some(DynamicString::Intrinsic(i)), _) => match i.eval(raw, ctx)? {
                    Value::String(s) => s,
                    v => v.to_string(),
                },
                (None, Some(s)) => s.clone(),
                (None, None) => String::new(),
            })
        };
        let error = dynamic(&s.error_path, &s.error, "ErrorPath")?;
        let cause = dynamic(&s.cause_path, &s.cause, "CausePath")?;
        Ok(StatesError::new(error, cause))
    }
}
