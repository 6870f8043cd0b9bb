//! Paths as tuple streams (jsonata-js `evaluateTupleStep`): once a step binds `@`, `#` or
//! records a parent for `%`, every later step carries each item with the variables bound on
//! the way, so predicates and later steps can read them.

use std::rc::Rc;

use super::{Evaluator, Scope, predicate_index, predicate_keeps};
use crate::asl::jsonata::ast::{Node, Step};
use crate::asl::jsonata::error::Result;
use crate::asl::jsonata::value::Val;

impl Evaluator<'_> {
    /// A scope with a tuple's bindings over `env`.
    pub(super) fn frame(&self, env: &Rc<Scope>, binds: &[(String, Option<Val>)]) -> Rc<Scope> {
        if binds.is_empty() {
            return Rc::clone(env);
        }
        let scope = Scope::child(env);
        for (k, v) in binds {
            scope.set(k, v.clone());
        }
        scope
    }

    /// A path with `@`, `#` or a `%` target: the steps before the first binding one run as
    /// usual, the rest as a tuple stream; the result is the items the stream ends with.
    #[inline(never)]
    pub(super) fn tuple_path(
        &self,
        steps: &[Step],
        keep: bool,
        input: &Option<Val>,
        env: &Rc<Scope>,
    ) -> Result<Option<Val>> {
        let Some(tuples) = self.path_tuples(steps, input, env)? else {
            return Ok(None);
        };
        let items: Vec<Val> = tuples.into_iter().filter_map(|t| t.at).collect();
        if items.is_empty() {
            return Ok(None);
        }
        let mut v = Val::seq(items);
        if keep && let Val::Arr(_, f) = &mut v {
            f.keep = true;
        }
        Ok(Some(v))
    }

    /// The tuple stream of a path (see [`Self::tuple_path`]); `None` when a plain step
    /// before the first binding one already found nothing.
    pub(super) fn path_tuples(
        &self,
        steps: &[Step],
        input: &Option<Val>,
        env: &Rc<Scope>,
    ) -> Result<Option<Vec<Tuple>>> {
        let first = steps.iter().position(Step::binds).unwrap_or(0);
        let inputs: Vec<Option<Val>> = if first == 0 {
            match (&steps[0].node, input) {
                (Node::Var(_), _) => vec![input.clone()],
                (_, Some(Val::Arr(a, _))) => a.iter().cloned().map(Some).collect(),
                _ => vec![input.clone()],
            }
        } else {
            match self.path(&steps[..first], false, input, env)? {
                None => return Ok(None),
                Some(Val::Arr(a, _)) => a.iter().cloned().map(Some).collect(),
                Some(v) => vec![Some(v)],
            }
        };
        let mut tuples: Vec<Tuple> = inputs.into_iter().map(Tuple::of).collect();
        for step in &steps[first..] {
            tuples = self.tuple_step(step, tuples, env)?;
        }
        Ok(Some(tuples))
    }

    /// One step over a tuple stream (jsonata-js `evaluateTupleStep`): every result item of
    /// every input tuple becomes a tuple carrying the input's bindings plus this step's;
    /// predicates then filter the whole stream.
    pub(super) fn tuple_step(
        &self,
        step: &Step,
        tuples: Vec<Tuple>,
        env: &Rc<Scope>,
    ) -> Result<Vec<Tuple>> {
        let mut out = Vec::new();
        if let Node::Sort(terms) = &step.node {
            out = self.sort_by_terms(terms, tuples, &|t: &Tuple| {
                (t.at.clone(), self.frame(env, &t.binds))
            })?;
            if let Some(ix) = &step.index {
                for (i, t) in out.iter_mut().enumerate() {
                    t.bind(ix, Some(Val::Num(i as f64)));
                }
            }
        } else {
            for t in &tuples {
                let scope = self.frame(env, &t.binds);
                let items = match self.eval(&step.node, &t.at, &scope)? {
                    None => continue,
                    Some(Val::Arr(a, _)) => a.to_vec(),
                    Some(v) => vec![v],
                };
                self.check_items(out.len() + items.len())?;
                for (i, item) in items.into_iter().enumerate() {
                    let mut nt = t.clone();
                    match &step.focus {
                        Some(f) => nt.bind(f, Some(item)),
                        None => nt.at = Some(item),
                    }
                    if let Some(ix) = &step.index {
                        nt.bind(ix, Some(Val::Num(i as f64)));
                    }
                    for label in &step.ancestors {
                        nt.bind(label, t.at.clone());
                    }
                    out.push(nt);
                }
            }
        }
        for stage in &step.stages {
            out = match stage {
                Node::IndexStage(name) => {
                    for (i, t) in out.iter_mut().enumerate() {
                        t.bind(name, Some(Val::Num(i as f64)));
                    }
                    out
                }
                Node::Num(n) => predicate_index(*n, out.len())
                    .map(|i| vec![out[i].clone()])
                    .unwrap_or_default(),
                pred => {
                    let len = out.len();
                    let mut kept = Vec::new();
                    for (i, t) in out.into_iter().enumerate() {
                        let res = self.eval(pred, &t.at, &self.frame(env, &t.binds))?;
                        if predicate_keeps(&res, i, len) {
                            kept.push(t);
                        }
                    }
                    kept
                }
            };
        }
        Ok(out)
    }
}

/// One item of a tuple stream: the context item (`@`) and the variables bound on the way.
#[derive(Debug, Clone, Default)]
pub(crate) struct Tuple {
    pub(super) at: Option<Val>,
    pub(super) binds: Vec<(String, Option<Val>)>,
}

impl Tuple {
    pub(super) fn of(at: Option<Val>) -> Self {
        Self {
            at,
            binds: Vec::new(),
        }
    }

    pub(super) fn bind(&mut self, name: &str, v: Option<Val>) {
        match self.binds.iter_mut().find(|(k, _)| k == name) {
            Some(slot) => slot.1 = v,
            None => self.binds.push((name.to_string(), v)),
        }
    }
}

/// The bindings of a group of tuples as one: a name bound in several is the sequence of
/// its values (arrays spliced in, as `$append` does).
pub(super) fn reduce_bindings(tuples: &[Tuple]) -> Vec<(String, Option<Val>)> {
    let mut names: Vec<&str> = Vec::new();
    for t in tuples {
        for (k, _) in &t.binds {
            if !names.contains(&k.as_str()) {
                names.push(k);
            }
        }
    }
    names
        .into_iter()
        .map(|name| {
            let mut vals = Vec::new();
            for t in tuples {
                match t
                    .binds
                    .iter()
                    .find(|(k, _)| k == name)
                    .and_then(|(_, v)| v.clone())
                {
                    Some(Val::Arr(a, _)) => vals.extend(a.iter().cloned()),
                    Some(v) => vals.push(v),
                    None => {}
                }
            }
            let v = match vals.len() {
                0 => None,
                1 => vals.pop(),
                _ => Some(Val::seq(vals)),
            };
            (name.to_string(), v)
        })
        .collect()
}
