//! The evaluator: walks the syntax tree over JSONata values with the reference
//! implementation's sequence rules (see `evaluatePath`, `evaluateStep`, `evaluateFilter` and
//! `evaluateGroupExpression` in jsonata-js). Every node evaluated counts a step and every
//! nested evaluation a level; past the limits evaluation stops with [`Error::Limit`], so
//! hostile expressions (`$f := function(){$f()}; $f()`, `[1..10000000].[1..10000000]`) end
//! with an error.

use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::rc::Rc;
use std::time::SystemTime;

use indexmap::IndexMap;
use serde_json::Value;

use super::ast::{Node, Step};
use super::error::{Error, Result};
use super::functions;
use super::value::{Func, Obj, Val, truthy};

mod calls;
mod operators;
mod transform;
mod tuples;

use tuples::{Tuple, reduce_bindings};

/// Evaluation limits.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Nodes evaluated (plus items visited by functions) before giving up.
    pub steps: usize,
    /// Nested evaluations (recursion through lambdas included).
    pub depth: usize,
    /// Longest array a range or function may build.
    pub items: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            steps: 5_000_000,
            depth: 250,
            items: 1_000_000,
        }
    }
}

/// A lexical scope of variable bindings (`:=`, lambda parameters).
#[derive(Debug, Default)]
pub struct Scope {
    vars: RefCell<HashMap<String, Option<Val>>>,
    parent: Option<Rc<Scope>>,
}

impl Scope {
    fn child(parent: &Rc<Scope>) -> Rc<Scope> {
        Rc::new(Scope {
            vars: RefCell::new(HashMap::new()),
            parent: Some(Rc::clone(parent)),
        })
    }

    fn get(&self, name: &str) -> Option<Option<Val>> {
        if let Some(v) = self.vars.borrow().get(name) {
            return Some(v.clone());
        }
        self.parent.as_ref().and_then(|p| p.get(name))
    }

    fn set(&self, name: &str, v: Option<Val>) {
        self.vars.borrow_mut().insert(name.to_string(), v);
    }
}

/// Supplies the values of free variables (`$states`, workflow variables).
pub type Resolver<'r> = &'r dyn Fn(&str) -> Option<Value>;

/// One level of nesting entered by [`Evaluator::enter`]; dropping it leaves the level.
struct Level<'e> {
    depth: &'e Cell<usize>,
}

impl Drop for Level<'_> {
    fn drop(&mut self) {
        self.depth.set(self.depth.get() - 1);
    }
}

/// One evaluation: the limits, counters, the clock reading and the free variables.
pub struct Evaluator<'r> {
    resolver: Resolver<'r>,
    cache: RefCell<HashMap<String, Option<Val>>>,
    steps: Cell<usize>,
    depth: Cell<usize>,
    /// Limits of this evaluation.
    pub limits: Limits,
    /// `$now()`/`$millis()`: one reading for the whole evaluation, as JSONata specifies.
    pub now: SystemTime,
    root: RefCell<Option<Val>>,
}

impl<'r> Evaluator<'r> {
    /// An evaluator with `resolver` for free variables.
    pub fn new(resolver: Resolver<'r>, now: SystemTime, limits: Limits) -> Self {
        Self {
            resolver,
            cache: RefCell::new(HashMap::new()),
            steps: Cell::new(0),
            depth: Cell::new(0),
            limits,
            now,
            root: RefCell::new(None),
        }
    }

    /// Evaluates `node` with `input` as `$` and `$$`.
    pub fn run(&self, node: &Node, input: Option<Val>) -> Result<Option<Val>> {
        *self.root.borrow_mut() = input.clone();
        let env = Rc::new(Scope::default());
        let out = self.eval(node, &input, &env)?;
        if let Some(v) = &out {
            v.check_depth()?;
        }
        Ok(out)
    }

    /// Counts `n` steps of work.
    pub fn tick(&self, n: usize) -> Result<()> {
        let s = self.steps.get().saturating_add(n);
        self.steps.set(s);
        if s > self.limits.steps {
            return Err(Error::Limit {
                what: "evaluation step",
                limit: self.limits.steps,
            });
        }
        Ok(())
    }

    /// Checks that an array of `n` items may be built.
    pub fn check_items(&self, n: usize) -> Result<()> {
        if n > self.limits.items {
            return Err(Error::eval(
                "D2014",
                format!(
                    "an array of {n} items is larger than the limit of {}",
                    self.limits.items
                ),
            ));
        }
        self.tick(n / 16)
    }

    /// Evaluates `node`; sequences of one item collapse to the item, empty ones to undefined.
    pub fn eval(&self, node: &Node, input: &Option<Val>, env: &Rc<Scope>) -> Result<Option<Val>> {
        let _level = self.enter()?;
        Ok(collapse(self.eval_inner(node, input, env)?))
    }

    /// Enters one level of nesting (an expression or a function call): one step of work,
    /// refused past the depth limit. The level is left when the guard drops, on an error
    /// as on success.
    fn enter(&self) -> Result<Level<'_>> {
        self.tick(1)?;
        let d = self.depth.get() + 1;
        if d > self.limits.depth {
            return Err(Error::Limit {
                what: "nesting depth",
                limit: self.limits.depth,
            });
        }
        self.depth.set(d);
        Ok(Level { depth: &self.depth })
    }

    /// Dispatches on the node. Compound nodes are evaluated by their own functions: an
    /// unoptimised build gives a function a stack slot for every local of every arm, and
    /// this frame is paid at every level of nesting, so it must stay small.
    fn eval_inner(&self, node: &Node, input: &Option<Val>, env: &Rc<Scope>) -> Result<Option<Val>> {
        match node {
            Node::Num(n) => Ok(Some(Val::Num(*n))),
            Node::Str(s) => Ok(Some(Val::str(s.as_str()))),
            Node::Bool(b) => Ok(Some(Val::Bool(*b))),
            Node::Null => Ok(Some(Val::Null)),
            Node::Name(n) => Ok(input.as_ref().and_then(|i| lookup(i, n))),
            Node::Var(name) => Ok(self.variable(name, input, env)),
            Node::Parent(label) => Ok(env.get(label).flatten()),
            Node::Path { steps, keep } if steps.iter().any(Step::binds) => {
                self.tuple_path(steps, *keep, input, env)
            }
            Node::Path { steps, keep } => self.path(steps, *keep, input, env),
            Node::Binary(op, l, r) => self.binary(*op, l, r, input, env),
            Node::Condition(c, t, e) => self.condition(c, t, e.as_deref(), input, env),
            Node::Call(f, args) => self.call(f, args, input, env),
            Node::Block(items) => self.block(items, input, env),
            Node::Array(items) => self.array(items, input, env),
            Node::Range(l, r) => self.range(l, r, input, env),
            Node::Group(base, pairs) => self
                .group_node(base.as_deref(), pairs, input, env)
                .map(Some),
            Node::Apply(l, r) => self.apply_node(l, r, input, env),
            _ => self.other(node, input, env),
        }
    }

    #[inline(never)]
    fn condition(
        &self,
        c: &Node,
        t: &Node,
        e: Option<&Node>,
        input: &Option<Val>,
        env: &Rc<Scope>,
    ) -> Result<Option<Val>> {
        let c = self.eval(c, input, env)?;
        if c.as_ref().is_some_and(truthy) {
            self.eval(t, input, env)
        } else if let Some(e) = e {
            self.eval(e, input, env)
        } else {
            Ok(None)
        }
    }

    #[inline(never)]
    fn call(
        &self,
        f: &Node,
        args: &[Option<Node>],
        input: &Option<Val>,
        env: &Rc<Scope>,
    ) -> Result<Option<Val>> {
        let func = self.eval(f, input, env)?;
        self.call_node(func, f, None, args, input, env)
    }

    #[inline(never)]
    fn block(&self, items: &[Node], input: &Option<Val>, env: &Rc<Scope>) -> Result<Option<Val>> {
        let scope = Scope::child(env);
        let mut last = None;
        for item in items {
            last = self.eval(item, input, &scope)?;
        }
        Ok(last)
    }

    #[inline(never)]
    fn array(&self, items: &[Node], input: &Option<Val>, env: &Rc<Scope>) -> Result<Option<Val>> {
        let mut out = Vec::new();
        for item in items {
            match (item, self.eval(item, input, env)?) {
                (_, None) => {}
                (Node::Array(_), Some(v)) => out.push(v),
                (_, Some(Val::Arr(a, _))) => out.extend(a.iter().cloned()),
                (_, Some(v)) => out.push(v),
            }
            self.check_items(out.len())?;
        }
        Ok(Some(Val::array(out)))
    }

    #[inline(never)]
    fn apply_node(
        &self,
        l: &Node,
        r: &Node,
        input: &Option<Val>,
        env: &Rc<Scope>,
    ) -> Result<Option<Val>> {
        let lhs = self.eval(l, input, env)?;
        if let Node::Call(f, args) = r {
            let func = self.eval(f, input, env)?;
            return self.call_node(func, f, Some(lhs), args, input, env);
        }
        let func = self.eval(r, input, env)?;
        match (lhs, func) {
            (Some(first @ Val::Func(_)), Some(then @ Val::Func(_))) => {
                Ok(Some(Val::Func(Rc::new(Func::Chain { first, then }))))
            }
            (lhs, Some(f)) if f.is_function() => self.apply(&f, vec![lhs]),
            _ => Err(Error::eval(
                "T2006",
                "the right side of the function application operator ~> must be a function",
            )),
        }
    }

    #[inline(never)]
    fn other(&self, node: &Node, input: &Option<Val>, env: &Rc<Scope>) -> Result<Option<Val>> {
        Ok(match node {
            Node::Regex(r) => Some(Val::Regex(r.0.clone())),
            Node::Wildcard => input.as_ref().map(wildcard),
            Node::Descendants => input.as_ref().map(|i| {
                let mut out = Vec::new();
                descendants(i, &mut out);
                Val::seq(out)
            }),
            Node::Filter(base, pred) => {
                let v = self.eval(base, input, env)?;
                self.filter(pred, v, env)?
            }
            Node::Neg(e) => match self.eval(e, input, env)? {
                None => None,
                Some(Val::Num(n)) => Some(Val::Num(-n)),
                Some(_) => {
                    return Err(Error::eval(
                        "D1002",
                        "cannot negate a value that is not a number",
                    ));
                }
            },
            Node::Elvis(l, r) => match self.eval(l, input, env)? {
                Some(v) if truthy(&v) => Some(v),
                _ => self.eval(r, input, env)?,
            },
            Node::Coalesce(l, r) => match self.eval(l, input, env)? {
                Some(v) => Some(v),
                None => self.eval(r, input, env)?,
            },
            Node::Bind(name, value) => {
                let v = self.eval(value, input, env)?;
                env.set(name, v.clone());
                v
            }
            Node::Lambda { params, body } => Some(Val::Func(Rc::new(Func::Lambda {
                params: params.clone(),
                body: body.clone(),
                env: Rc::clone(env),
                input: input.clone(),
            }))),
            Node::IndexStage(_) | Node::Transform { .. } => self.rare(node, env)?,
            Node::Sort(_) => {
                return Err(Error::eval(
                    "S0001",
                    "an order-by clause must follow a path",
                ));
            }
            // Dispatched by `eval_inner`.
            _ => unreachable!("eval_inner evaluates {node:?}"),
        })
    }

    // Kept out of `eval_inner`: an unoptimised build gives a function one stack slot per
    // local of every arm, and `eval_inner`'s frame is paid once per level of nesting.
    #[inline(never)]
    fn rare(&self, node: &Node, env: &Rc<Scope>) -> Result<Option<Val>> {
        match node {
            Node::Transform {
                pattern,
                update,
                delete,
            } => Ok(Some(Val::Func(Rc::new(Func::Transform {
                pattern: pattern.clone(),
                update: update.clone(),
                delete: delete.clone(),
                env: Rc::clone(env),
            })))),
            _ => Err(Error::eval(
                "S0214",
                "a positional variable binding (#) must follow a path step",
            )),
        }
    }

    #[inline(never)]
    fn group_node(
        &self,
        base: Option<&Node>,
        pairs: &[(Node, Node)],
        input: &Option<Val>,
        env: &Rc<Scope>,
    ) -> Result<Val> {
        match base {
            Some(Node::Path { steps, .. }) if steps.iter().any(Step::binds) => {
                let tuples = self.path_tuples(steps, input, env)?.unwrap_or_default();
                self.group_tuples(pairs, tuples, env, true)
            }
            Some(b) => {
                let data = self.eval(b, input, env)?;
                self.group(pairs, data, env)
            }
            None => self.group(pairs, input.clone(), env),
        }
    }

    fn variable(&self, name: &str, input: &Option<Val>, env: &Rc<Scope>) -> Option<Val> {
        match name {
            "" => return input.clone(),
            "$" => return self.root.borrow().clone(),
            _ => {}
        }
        if let Some(v) = env.get(name) {
            return v;
        }
        if let Some(v) = self.cache.borrow().get(name) {
            return v.clone();
        }
        let resolved = (self.resolver)(name).map(|j| Val::from_json(&j));
        let v = match resolved {
            Some(v) => Some(v),
            None => functions::builtin(name).map(|b| Val::Func(Rc::new(Func::Builtin(b)))),
        };
        self.cache.borrow_mut().insert(name.to_string(), v.clone());
        v
    }

    fn path(
        &self,
        steps: &[Step],
        keep: bool,
        input: &Option<Val>,
        env: &Rc<Scope>,
    ) -> Result<Option<Val>> {
        // The first step iterates over an input array unless it is a variable or an array
        // constructor (which is evaluated once, on the whole input).
        let mut items: Vec<Option<Val>> = match (&steps[0].node, input) {
            (Node::Var(_), _) => vec![input.clone()],
            (_, Some(Val::Arr(a, _))) => a.iter().cloned().map(Some).collect(),
            _ => vec![input.clone()],
        };
        let mut current: Option<Val> = None;
        for (i, step) in steps.iter().enumerate() {
            let last = i + 1 == steps.len();
            let result = if i == 0 && matches!(step.node, Node::Array(_)) {
                let mut v = self.eval(&step.node, input, env)?;
                for stage in &step.stages {
                    v = self.filter(stage, v, env)?;
                }
                match v {
                    Some(Val::Arr(a, _)) if !last => Val::seq(a.to_vec()),
                    Some(v) => v,
                    None => Val::seq(Vec::new()),
                }
            } else if let Node::Sort(terms) = &step.node {
                let mut v = Some(self.sort(terms, &items, env)?);
                for stage in &step.stages {
                    v = self.filter(stage, v, env)?;
                }
                v.unwrap_or_else(|| Val::seq(Vec::new()))
            } else {
                self.step(step, &items, env, last)?
            };
            match &result {
                Val::Arr(a, f) if f.seq && a.is_empty() => return Ok(None),
                _ => {}
            }
            if !last {
                items = match &result {
                    Val::Arr(a, _) => a.iter().cloned().map(Some).collect(),
                    other => vec![Some(other.clone())],
                };
            }
            current = Some(result);
        }
        Ok(current.map(|v| match v {
            Val::Arr(a, mut f) if keep => {
                f.keep = true;
                f.seq = true;
                Val::Arr(a, f)
            }
            other => other,
        }))
    }

    fn step(&self, step: &Step, items: &[Option<Val>], env: &Rc<Scope>, last: bool) -> Result<Val> {
        let mut results = Vec::new();
        for item in items {
            let mut res = self.eval(&step.node, item, env)?;
            for stage in &step.stages {
                res = self.filter(stage, res, env)?;
            }
            if let Some(r) = res {
                results.push(r);
            }
        }
        if last && results.len() == 1 && results[0].is_array() && !results[0].flags().seq {
            return Ok(results.pop().expect("one result"));
        }
        let cons = last && matches!(step.node, Node::Array(_));
        let mut out = Vec::new();
        for r in results {
            match r {
                Val::Arr(a, _) if !cons => out.extend(a.iter().cloned()),
                other => out.push(other),
            }
            self.check_items(out.len())?;
        }
        Ok(Val::seq(out))
    }

    /// A predicate: a number selects by index (negative from the end), anything else keeps
    /// the items for which it is true.
    fn filter(&self, pred: &Node, input: Option<Val>, env: &Rc<Scope>) -> Result<Option<Val>> {
        let Some(input) = input else {
            return Ok(None);
        };
        let items: Vec<Val> = match input {
            Val::Arr(a, _) => a.to_vec(),
            other => vec![other],
        };
        if let Node::Num(n) = pred {
            return Ok(
                match predicate_index(*n, items.len()).map(|i| items[i].clone()) {
                    Some(Val::Arr(a, f)) => Some(Val::Arr(a, f)),
                    Some(v) => Some(Val::seq(vec![v])),
                    None => None,
                },
            );
        }
        let mut out = Vec::new();
        for (i, item) in items.iter().enumerate() {
            let res = self.eval(pred, &Some(item.clone()), env)?;
            if predicate_keeps(&res, i, items.len()) {
                out.push(item.clone());
            }
        }
        Ok(Some(Val::seq(out)))
    }

    fn sort(&self, terms: &[(Node, bool)], items: &[Option<Val>], env: &Rc<Scope>) -> Result<Val> {
        let items: Vec<Val> = items.iter().flatten().cloned().collect();
        let sorted =
            self.sort_by_terms(terms, items, &|v: &Val| (Some(v.clone()), Rc::clone(env)))?;
        Ok(Val::seq(sorted))
    }

    /// Sorts `items` by `terms`, each evaluated on the context and in the scope `at` gives
    /// for the item (plain values, or tuples with their bindings).
    fn sort_by_terms<T>(
        &self,
        terms: &[(Node, bool)],
        items: Vec<T>,
        at: &ContextOf<'_, T>,
    ) -> Result<Vec<T>> {
        let mut keyed = Vec::with_capacity(items.len());
        for item in items {
            let mut keys = Vec::with_capacity(terms.len());
            let (ctx, scope) = at(&item);
            for (t, _) in terms {
                let k = self.eval(t, &ctx, &scope)?;
                match &k {
                    None | Some(Val::Num(_)) | Some(Val::Str(_)) => {}
                    Some(_) => {
                        return Err(Error::eval(
                            "T2008",
                            "the expressions of an order-by clause must evaluate to numbers or strings",
                        ));
                    }
                }
                keys.push(k);
            }
            keyed.push((keys, item));
        }
        for (ti, _) in terms.iter().enumerate() {
            let mut kinds = keyed
                .iter()
                .filter_map(|(k, _)| k[ti].as_ref().map(Val::type_name));
            if let Some(first) = kinds.next()
                && kinds.any(|k| k != first)
            {
                return Err(Error::eval(
                    "T2007",
                    "the order-by clause compares values of different types",
                ));
            }
        }
        self.tick(keyed.len())?;
        keyed.sort_by(|(a, _), (b, _)| {
            for (i, (_, desc)) in terms.iter().enumerate() {
                let ord = match (&a[i], &b[i]) {
                    (None, None) => std::cmp::Ordering::Equal,
                    (None, _) => std::cmp::Ordering::Greater,
                    (_, None) => std::cmp::Ordering::Less,
                    (Some(x), Some(y)) => {
                        let o = compare_values(x, y).unwrap_or(std::cmp::Ordering::Equal);
                        if *desc { o.reverse() } else { o }
                    }
                };
                if ord != std::cmp::Ordering::Equal {
                    return ord;
                }
            }
            std::cmp::Ordering::Equal
        });
        Ok(keyed.into_iter().map(|(_, v)| v).collect())
    }

    fn group(&self, pairs: &[(Node, Node)], data: Option<Val>, env: &Rc<Scope>) -> Result<Val> {
        let items: Vec<Tuple> = match data {
            Some(Val::Arr(a, _)) => a.iter().cloned().map(|v| Tuple::of(Some(v))).collect(),
            other => vec![Tuple::of(other)],
        };
        self.group_tuples(pairs, items, env, false)
    }

    /// Groups items by the pairs' keys; with `reduce`, the items are a tuple stream whose
    /// bindings the keys and values see (several items' bindings joined, as jsonata-js's
    /// `reduceTupleStream`).
    fn group_tuples(
        &self,
        pairs: &[(Node, Node)],
        mut items: Vec<Tuple>,
        env: &Rc<Scope>,
        reduce: bool,
    ) -> Result<Val> {
        // With no items, one undefined entry lets a literal object be built.
        if items.is_empty() {
            items.push(Tuple::of(None));
        }
        let mut groups: IndexMap<String, (Vec<Tuple>, usize)> = IndexMap::new();
        for item in &items {
            let scope = if reduce {
                self.frame(env, &item.binds)
            } else {
                Rc::clone(env)
            };
            for (pi, (k, _)) in pairs.iter().enumerate() {
                let key = match self.eval(k, &item.at, &scope)? {
                    None => continue,
                    Some(Val::Str(s)) => s.to_string(),
                    Some(other) => {
                        return Err(Error::eval(
                            "T1003",
                            format!(
                                "the key of an object must evaluate to a string, not a {}",
                                other.type_name()
                            ),
                        ));
                    }
                };
                let entry = groups.entry(key.clone()).or_insert((Vec::new(), pi));
                if entry.1 != pi {
                    return Err(Error::eval(
                        "D1009",
                        format!("multiple key definitions evaluate to the same key: {key:?}"),
                    ));
                }
                entry.0.push(item.clone());
            }
        }
        let mut out = Obj::new();
        for (key, (data, pi)) in groups {
            let scope = if reduce {
                self.frame(env, &reduce_bindings(&data))
            } else {
                Rc::clone(env)
            };
            let data: Vec<Val> = data.into_iter().filter_map(|t| t.at).collect();
            let ctx = match data.len() {
                0 => None,
                1 => data.into_iter().next(),
                _ => Some(Val::seq(data)),
            };
            if let Some(v) = self.eval(&pairs[pi].1, &ctx, &scope)? {
                out.insert(key, v);
            }
        }
        Ok(Val::object(out))
    }
}

/// A predicate's index from a number (negative counts from the end).
fn predicate_index(n: f64, len: usize) -> Option<usize> {
    let i = n.floor();
    let i = if i < 0.0 { i + len as f64 } else { i };
    (i >= 0.0 && i < len as f64).then_some(i as usize)
}

/// Does a predicate's value keep item `i` of `len`? A number (or numbers) selects by
/// position; anything else by truth.
fn predicate_keeps(res: &Option<Val>, i: usize, len: usize) -> bool {
    match res {
        Some(Val::Num(n)) => predicate_index(*n, len) == Some(i),
        Some(Val::Arr(a, _)) if !a.is_empty() && a.iter().all(|v| matches!(v, Val::Num(_))) => {
            a.iter().any(|v| match v {
                Val::Num(n) => predicate_index(*n, len) == Some(i),
                _ => false,
            })
        }
        Some(v) => truthy(v),
        None => false,
    }
}

/// Collapses a result sequence: empty is undefined, one item is the item (unless kept).
pub fn collapse(v: Option<Val>) -> Option<Val> {
    match v {
        Some(Val::Arr(a, f)) if f.seq => match a.len() {
            0 => None,
            1 if !f.keep => Some(a[0].clone()),
            _ => Some(Val::Arr(a, f)),
        },
        other => other,
    }
}

/// Orders two numbers or two strings; `None` for other pairs.
pub fn compare_values(a: &Val, b: &Val) -> Option<std::cmp::Ordering> {
    match (a, b) {
        (Val::Num(x), Val::Num(y)) => x.partial_cmp(y),
        (Val::Str(x), Val::Str(y)) => Some(x.cmp(y)),
        _ => None,
    }
}

/// `name` looked up on an object, or on every object of an array (flattening arrays).
fn lookup(input: &Val, name: &str) -> Option<Val> {
    match input {
        Val::Arr(items, _) => {
            let mut out = Vec::new();
            for item in items.iter() {
                match lookup(item, name) {
                    Some(Val::Arr(a, _)) => out.extend(a.iter().cloned()),
                    Some(v) => out.push(v),
                    None => {}
                }
            }
            Some(Val::seq(out))
        }
        Val::Obj(o) => o.get(name).cloned(),
        _ => None,
    }
}

fn wildcard(input: &Val) -> Val {
    fn flatten(v: &Val, out: &mut Vec<Val>) {
        match v {
            Val::Arr(a, _) => a.iter().for_each(|i| flatten(i, out)),
            other => out.push(other.clone()),
        }
    }
    let mut out = Vec::new();
    match input {
        Val::Obj(o) => o.values().for_each(|v| flatten(v, &mut out)),
        Val::Arr(a, _) => a.iter().for_each(|v| flatten(v, &mut out)),
        _ => {}
    }
    Val::seq(out)
}

fn descendants(v: &Val, out: &mut Vec<Val>) {
    match v {
        Val::Arr(a, _) => a.iter().for_each(|i| descendants(i, out)),
        Val::Obj(o) => {
            out.push(v.clone());
            o.values().for_each(|i| descendants(i, out));
        }
        other => out.push(other.clone()),
    }
}

/// Where an item of a sort is evaluated: its context value and scope.
type ContextOf<'a, T> = dyn Fn(&T) -> (Option<Val>, Rc<Scope>) + 'a;
