//! Parallel and inline Map states: branches and iterations on scoped threads (Map with at
//! most `MaxConcurrency` at once), the first real failure cancelling its siblings, and the
//! Map's tolerated-failure settings.

use std::borrow::Cow;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use serde_json::Value;

use super::data_flow::{apply_template, input_path, reference};
use super::{Cancel, Done, Failure, Run, lock, state_input_too_big};
use crate::asl::context::ContextObject;
use crate::asl::definition::{MapState, ParallelState, State};
use crate::asl::error::{StatesError, names};
use crate::asl::journal::StepPath;
use crate::asl::variables::Variables;

impl Run<'_> {
    #[allow(clippy::too_many_arguments)]
    pub(super) fn parallel(
        &self,
        state: &State,
        s: &ParallelState,
        raw: &Value,
        spath: &StepPath,
        entered: &str,
        attempt: u32,
        cancel: &Cancel<'_>,
        vars: &Variables,
    ) -> Result<Done, Failure> {
        let ctx = ContextObject::new(self.info, &state.name, entered, attempt).with_variables(vars);
        let eff = input_path(&s.input_path, raw, &ctx)?;
        let eff = match &state.jsonata {
            Some(j) => self.jsonata_arguments(j, raw, &ctx)?,
            None => apply_template(s.parameters.as_ref(), eff, &ctx)?,
        };
        self.check_size(&eff, || state_input_too_big(&state.name))?;
        let group = Cancel::child(cancel);
        let first_error: Mutex<Option<(usize, Failure)>> = Mutex::new(None);
        let results: Vec<Option<Value>> = std::thread::scope(|sc| {
            let handles: Vec<_> = s
                .branches
                .iter()
                .enumerate()
                .map(|(i, branch)| {
                    let eff = &eff;
                    let group = &group;
                    let first_error = &first_error;
                    let bpath = spath.branch(i);
                    sc.spawn(move || {
                        match self.run_scope(branch, eff.clone(), &bpath, group, vars) {
                            Ok(v) => Some(v),
                            Err(f) => {
                                record_first(first_error, i, f);
                                group.cancel();
                                None
                            }
                        }
                    })
                })
                .collect();
            handles
                .into_iter()
                .map(|h| h.join().expect("branch threads catch their panics"))
                .collect()
        });
        if let Some((_, f)) = lock(&first_error).take() {
            return Err(f);
        }
        let result = Value::Array(results.into_iter().map(|r| r.expect("no error")).collect());
        self.finish(state, s.into(), raw, result, &ctx)
    }

    #[allow(clippy::too_many_arguments)]
    pub(super) fn map(
        &self,
        state: &State,
        s: &MapState,
        raw: &Value,
        spath: &StepPath,
        entered: &str,
        attempt: u32,
        cancel: &Cancel<'_>,
        vars: &Variables,
    ) -> Result<Done, Failure> {
        if let Some(d) = &s.distributed {
            return self.distributed_map(state, s, d, raw, spath, entered, attempt, cancel, vars);
        }
        let ctx = ContextObject::new(self.info, &state.name, entered, attempt).with_variables(vars);
        let eff = input_path(&s.input_path, raw, &ctx)?;
        let items: Cow<'_, Value> = match (&state.jsonata, &s.items_path) {
            (Some(j), _) => Cow::Owned(self.jsonata_items(state, j, raw, &ctx)?),
            (None, Some(p)) => Cow::Borrowed(reference(p, &eff)?),
            (None, None) => Cow::Borrowed(&eff),
        };
        let Value::Array(items) = items.as_ref() else {
            return Err(Failure::State(StatesError::runtime(format!(
                "Map state '{}': the ItemsPath '{}' must reference a JSON array, not {}",
                state.name,
                s.items_path.as_ref().map_or("$", |p| p.as_str()),
                crate::asl::path::type_name(&items)
            ))));
        };
        // Build every iteration's input first: an ItemSelector error fails the Map before any
        // iteration runs.
        let mut inputs = Vec::with_capacity(items.len());
        for (i, item) in items.iter().enumerate() {
            let input = match &s.item_selector {
                _ if state.jsonata.is_some() => {
                    let ictx = ContextObject::new(self.info, &state.name, entered, attempt)
                        .with_map_item(i, item)
                        .with_variables(vars);
                    let j = state.jsonata.as_deref().expect("checked");
                    self.jsonata_item_input(j, raw, item, &ictx)?
                }
                Some(t) => {
                    let ictx = ContextObject::new(self.info, &state.name, entered, attempt)
                        .with_map_item(i, item)
                        .with_variables(vars);
                    t.apply(&eff, &ictx)?
                }
                None => item.clone(),
            };
            self.check_size(&input, || state_input_too_big(&state.name))?;
            inputs.push(input);
        }
        let n = inputs.len();
        let limit = match (&s.max_concurrency, &s.max_concurrency_path) {
            (Some(c), _) => *c as usize,
            (None, Some(p)) => reference(p, &eff)?.as_u64().ok_or_else(|| {
                StatesError::runtime(format!(
                    "MaxConcurrencyPath '{}' must reference a non-negative integer",
                    p.as_str()
                ))
            })? as usize,
            (None, None) => 0,
        };
        let (tolerated_count, tolerated_pct) = tolerated_failures(s, &eff)?;
        let (limit, tolerated_count, tolerated_pct) = match state.jsonata.as_deref() {
            Some(j) => self.jsonata_map_limits(
                state,
                j,
                raw,
                &ctx,
                (limit, tolerated_count, tolerated_pct),
            )?,
            None => (limit, tolerated_count, tolerated_pct),
        };
        let workers = if limit == 0 {
            n.min(self.ex.max_threads)
        } else {
            n.min(limit)
        };
        let tolerance = |failed: usize| -> bool {
            let by_count = tolerated_count.map(|c| failed as u64 <= c);
            let by_pct = tolerated_pct.map(|p| n > 0 && (failed as f64) * 100.0 / (n as f64) <= p);
            match (by_count, by_pct) {
                (None, None) => failed == 0,
                (a, b) => a.unwrap_or(false) || b.unwrap_or(false),
            }
        };
        let tolerant = tolerated_count.is_some() || tolerated_pct.is_some();

        let group = Cancel::child(cancel);
        let next_index = AtomicUsize::new(0);
        let slots: Vec<Mutex<Option<Result<Value, StatesError>>>> =
            (0..n).map(|_| Mutex::new(None)).collect();
        let failed = AtomicUsize::new(0);
        let first_error: Mutex<Option<(usize, Failure)>> = Mutex::new(None);
        std::thread::scope(|sc| {
            for _ in 0..workers {
                sc.spawn(|| {
                    loop {
                        if group.is_cancelled() {
                            return;
                        }
                        let i = next_index.fetch_add(1, Ordering::SeqCst);
                        if i >= n {
                            return;
                        }
                        let input = inputs[i].clone();
                        match self.run_scope(&s.processor, input, &spath.map_item(i), &group, vars)
                        {
                            Ok(v) => *lock(&slots[i]) = Some(Ok(v)),
                            Err(Failure::State(e)) if tolerant => {
                                let count = failed.fetch_add(1, Ordering::SeqCst) + 1;
                                *lock(&slots[i]) = Some(Err(e));
                                if !tolerance(count) {
                                    record_first(
                                        &first_error,
                                        i,
                                        Failure::State(StatesError::new(
                                            names::EXCEED_TOLERATED_FAILURE_THRESHOLD,
                                            format!(
                                                "Map state '{}' exceeded its tolerated failure threshold ({count} of {n} items failed).",
                                                state.name
                                            ),
                                        )),
                                    );
                                    group.cancel();
                                }
                            }
                            Err(f) => {
                                record_first(&first_error, i, f);
                                group.cancel();
                            }
                        }
                    }
                });
            }
        });
        if let Some((_, f)) = lock(&first_error).take() {
            return Err(f);
        }
        let result = Value::Array(
            slots
                .into_iter()
                .map(
                    |m| match m.into_inner().unwrap_or_else(|e| e.into_inner()) {
                        Some(Ok(v)) => v,
                        Some(Err(e)) => e.to_error_output(),
                        None => Value::Null,
                    },
                )
                .collect(),
        );
        self.finish(state, s.into(), raw, result, &ctx)
    }
}

/// The Map's tolerated failure count and percentage, from the fixed fields or read through
/// `ToleratedFailureCountPath`/`ToleratedFailurePercentagePath` from the effective input; a
/// value that is not a non-negative integer (count) or a number within 0-100 (percentage) is
/// a `States.Runtime` error, as on AWS.
pub(super) fn tolerated_failures(
    s: &MapState,
    eff: &Value,
) -> Result<(Option<u64>, Option<f64>), StatesError> {
    let count = match (&s.tolerated_failure_count, &s.tolerated_failure_count_path) {
        (Some(c), _) => Some(*c),
        (None, Some(p)) => {
            let v = reference(p, eff)?;
            let c = v.as_u64().or_else(|| {
                v.as_f64()
                    .filter(|f| *f >= 0.0 && f.fract() == 0.0)
                    .map(|f| f as u64)
            });
            Some(c.ok_or_else(|| {
                StatesError::runtime(format!(
                    "ToleratedFailureCountPath '{}' must reference a non-negative integer, found {v}",
                    p.as_str()
                ))
            })?)
        }
        (None, None) => None,
    };
    let pct = match (
        &s.tolerated_failure_percentage,
        &s.tolerated_failure_percentage_path,
    ) {
        (Some(p), _) => Some(*p),
        (None, Some(p)) => {
            let v = reference(p, eff)?;
            Some(v.as_f64().filter(|f| (0.0..=100.0).contains(f)).ok_or_else(|| {
                StatesError::runtime(format!(
                    "ToleratedFailurePercentagePath '{}' must reference a number within 0-100, found {v}",
                    p.as_str()
                ))
            })?)
        }
        (None, None) => None,
    };
    Ok((count, pct))
}

/// Keeps the error of whichever iteration or branch failed first, preferring real errors
/// over the cancellations they cause in siblings.
pub(super) fn record_first(slot: &Mutex<Option<(usize, Failure)>>, index: usize, f: Failure) {
    let mut g = lock(slot);
    let replace = match (&*g, &f) {
        (None, _) => true,
        (Some((_, Failure::Abort(e))), Failure::State(_)) => e.error == names::BRANCH_FAILED,
        _ => false,
    };
    if replace {
        *g = Some((index, f));
    }
}
