//! Calling functions: built-ins, lambdas (with their closures) and partial application,
//! with the error a call to something that is not a function gets.

use std::rc::Rc;

use super::{Evaluator, Scope, collapse};
use crate::asl::jsonata::ast::Node;
use crate::asl::jsonata::error::{Error, Result};
use crate::asl::jsonata::functions;
use crate::asl::jsonata::value::{Func, Val};

impl Evaluator<'_> {
    /// A call written `f(args)` (or `lhs ~> f(args)`, with `lhs` first): partial
    /// application when an argument is `?`.
    pub(super) fn call_node(
        &self,
        func: Option<Val>,
        f: &Node,
        first: Option<Option<Val>>,
        args: &[Option<Node>],
        input: &Option<Val>,
        env: &Rc<Scope>,
    ) -> Result<Option<Val>> {
        let Some(func) = func.filter(Val::is_function) else {
            return Err(Error::eval(
                "T1006",
                format!("attempted to invoke a non-function{}", describe_callee(f)),
            ));
        };
        let mut vals: Vec<Option<Option<Val>>> = Vec::with_capacity(args.len() + 1);
        if let Some(first) = first {
            vals.push(Some(first));
        }
        for a in args {
            vals.push(match a {
                Some(n) => Some(self.eval(n, input, env)?),
                None => None,
            });
        }
        if vals.iter().any(Option::is_none) {
            return Ok(Some(Val::Func(Rc::new(Func::Partial {
                func,
                args: vals
                    .into_iter()
                    .map(|v| v.map(|v| v.unwrap_or(Val::Null)))
                    .collect(),
            }))));
        }
        let vals: Vec<Option<Val>> = vals.into_iter().flatten().collect();
        self.apply_with_input(&func, vals, input)
    }

    /// Calls a function value with arguments.
    pub fn apply(&self, func: &Val, args: Vec<Option<Val>>) -> Result<Option<Val>> {
        self.apply_with_input(func, args, &None)
    }

    pub(super) fn apply_with_input(
        &self,
        func: &Val,
        args: Vec<Option<Val>>,
        input: &Option<Val>,
    ) -> Result<Option<Val>> {
        let _level = self.enter()?;
        self.apply_inner(func, args, input).map(collapse)
    }

    pub(super) fn apply_inner(
        &self,
        func: &Val,
        args: Vec<Option<Val>>,
        input: &Option<Val>,
    ) -> Result<Option<Val>> {
        match func {
            Val::Regex(re) => {
                functions::string::regex_match_object(re, args.first().cloned().flatten(), 0)
            }
            Val::Func(f) => match f.as_ref() {
                Func::Lambda {
                    params,
                    body,
                    env,
                    input: captured,
                } => {
                    let scope = Scope::child(env);
                    let mut args = args.into_iter();
                    for p in params {
                        scope.set(p, args.next().flatten());
                    }
                    // Recursion can nest what it returns: keep values shallow enough to drop.
                    let out = self.eval(body, captured, &scope)?;
                    if let Some(v) = &out {
                        v.check_depth()?;
                    }
                    Ok(out)
                }
                Func::Builtin(name) => functions::call(self, name, args, input),
                Func::Partial { func, args: fixed } => {
                    let mut supplied = args.into_iter();
                    let full: Vec<Option<Val>> = fixed
                        .iter()
                        .map(|a| match a {
                            Some(v) => Some(v.clone()),
                            None => supplied.next().flatten(),
                        })
                        .collect();
                    self.apply_with_input(func, full, input)
                }
                Func::Chain { first, then } => {
                    let mid = self.apply_with_input(first, args, input)?;
                    self.apply_with_input(then, vec![mid], input)
                }
                Func::Transform {
                    pattern,
                    update,
                    delete,
                    env,
                } => self.transform(
                    args.into_iter().next().flatten(),
                    (pattern, update, delete.as_deref()),
                    env,
                ),
            },
            _ => Err(Error::eval("T1006", "attempted to invoke a non-function")),
        }
    }
}

fn describe_callee(f: &Node) -> String {
    match f {
        Node::Var(name) => format!(" (${name} is not a function)"),
        Node::Path { steps, .. } => match steps.first().map(|s| &s.node) {
            Some(Node::Name(n)) => format!(" ({n:?}: functions are called as $name(...))"),
            _ => String::new(),
        },
        _ => String::new(),
    }
}
