//! The range operator `..` and the binary operators (arithmetic, comparison, `in`, `&`,
//! the short-circuiting `and`/`or`) with the reference implementation's type errors.

use std::rc::Rc;

use super::{Evaluator, Scope, compare_values};
use crate::asl::jsonata::ast::{BinOp, Node};
use crate::asl::jsonata::error::{Error, Result};
use crate::asl::jsonata::functions;
use crate::asl::jsonata::value::{Val, deep_equal, truthy};

impl Evaluator<'_> {
    pub(super) fn range(
        &self,
        l: &Node,
        r: &Node,
        input: &Option<Val>,
        env: &Rc<Scope>,
    ) -> Result<Option<Val>> {
        let lo = self.eval(l, input, env)?;
        let hi = self.eval(r, input, env)?;
        let int = |v: &Option<Val>, code: &'static str, side: &str| -> Result<Option<f64>> {
            match v {
                None => Ok(None),
                Some(Val::Num(n)) if n.fract() == 0.0 => Ok(Some(*n)),
                Some(_) => Err(Error::eval(
                    code,
                    format!(
                        "the {side} side of the range operator (..) must evaluate to an integer"
                    ),
                )),
            }
        };
        let (Some(lo), Some(hi)) = (int(&lo, "T2003", "left")?, int(&hi, "T2004", "right")?) else {
            return Ok(None);
        };
        if lo > hi {
            return Ok(None);
        }
        let n = hi - lo + 1.0;
        if n > self.limits.items as f64 {
            return Err(Error::eval(
                "D2014",
                format!(
                    "the range {lo}..{hi} has {n} items, more than the limit of {}",
                    self.limits.items
                ),
            ));
        }
        self.check_items(n as usize)?;
        Ok(Some(Val::array(
            (0..n as i64).map(|i| Val::Num(lo + i as f64)).collect(),
        )))
    }

    pub(super) fn binary(
        &self,
        op: BinOp,
        l: &Node,
        r: &Node,
        input: &Option<Val>,
        env: &Rc<Scope>,
    ) -> Result<Option<Val>> {
        // `and`/`or` short-circuit.
        match op {
            BinOp::And => {
                let a = self.eval(l, input, env)?.as_ref().is_some_and(truthy);
                return Ok(Some(Val::Bool(
                    a && self.eval(r, input, env)?.as_ref().is_some_and(truthy),
                )));
            }
            BinOp::Or => {
                let a = self.eval(l, input, env)?.as_ref().is_some_and(truthy);
                return Ok(Some(Val::Bool(
                    a || self.eval(r, input, env)?.as_ref().is_some_and(truthy),
                )));
            }
            _ => {}
        }
        let a = self.eval(l, input, env)?;
        let b = self.eval(r, input, env)?;
        combine(op, a, b)
    }
}

/// A binary operator other than `and`/`or` on its evaluated operands (out of `binary`, whose
/// frame is on the stack while the operands are evaluated).
#[inline(never)]
fn combine(op: BinOp, a: Option<Val>, b: Option<Val>) -> Result<Option<Val>> {
    Ok(match op {
        BinOp::Add | BinOp::Sub | BinOp::Mul | BinOp::Div | BinOp::Mod => {
            let num = |v: &Option<Val>, code: &'static str, side: &str| match v {
                None => Ok(None),
                Some(Val::Num(n)) => Ok(Some(*n)),
                Some(other) => Err(Error::eval(
                    code,
                    format!(
                        "the {side} side of an arithmetic operator must be a number, not a {}",
                        other.type_name()
                    ),
                )),
            };
            let (Some(x), Some(y)) = (num(&a, "T2001", "left")?, num(&b, "T2002", "right")?) else {
                return Ok(None);
            };
            Some(Val::num(match op {
                BinOp::Add => x + y,
                BinOp::Sub => x - y,
                BinOp::Mul => x * y,
                BinOp::Div => x / y,
                _ => x % y,
            })?)
        }
        BinOp::Eq | BinOp::Ne => {
            let eq = match (&a, &b) {
                (Some(x), Some(y)) => deep_equal(x, y),
                _ => return Ok(Some(Val::Bool(false))),
            };
            Some(Val::Bool(if op == BinOp::Eq { eq } else { !eq }))
        }
        BinOp::Lt | BinOp::Le | BinOp::Gt | BinOp::Ge => {
            for v in [&a, &b].into_iter().flatten() {
                if !matches!(v, Val::Num(_) | Val::Str(_)) {
                    return Err(Error::eval(
                        "T2010",
                        format!(
                            "the operands of a comparison must be numbers or strings, not a {}",
                            v.type_name()
                        ),
                    ));
                }
            }
            let (Some(x), Some(y)) = (&a, &b) else {
                return Ok(Some(Val::Bool(false)));
            };
            let Some(ord) = compare_values(x, y) else {
                return Err(Error::eval(
                    "T2009",
                    "the operands of a comparison must be both numbers or both strings",
                ));
            };
            use std::cmp::Ordering::*;
            Some(Val::Bool(match op {
                BinOp::Lt => ord == Less,
                BinOp::Le => ord != Greater,
                BinOp::Gt => ord == Greater,
                _ => ord != Less,
            }))
        }
        BinOp::Concat => {
            let s = |v: &Option<Val>| -> Result<String> {
                Ok(match v {
                    None => String::new(),
                    Some(v) => functions::string::to_string(v)?,
                })
            };
            Some(Val::str(s(&a)? + &s(&b)?))
        }
        BinOp::In => {
            let Some(x) = a else {
                return Ok(Some(Val::Bool(false)));
            };
            Some(Val::Bool(match &b {
                None => false,
                Some(Val::Arr(items, _)) => items.iter().any(|i| deep_equal(i, &x)),
                Some(v) => deep_equal(v, &x),
            }))
        }
        BinOp::And | BinOp::Or => unreachable!("handled above"),
    })
}
