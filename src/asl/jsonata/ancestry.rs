//! Resolving the parent operator `%` after parsing, as jsonata-js's `processAST` does
//! (`seekParent`, `resolveAncestry`): each `%` is matched with the earlier step of its path
//! whose input item is the parent it means, and that step records the item under the `%`'s
//! label while the path is evaluated (see [`Step::ancestors`]).
//!
//! A `%` is resolved through name and wildcard steps (`%.%` goes two steps back). A parent
//! that would have to be found inside a nested path or block used as a step (the reference
//! implementation then streams tuples out of that sub-path) is refused with S0217, as is a
//! `%` with no step to resolve against.

use super::ast::{Node, Step};
use super::error::{Error, Result};

/// A `%` still looking for its step: `level` steps back from where it is.
pub struct Slot {
    label: String,
    level: usize,
}

/// Resolves every `%` in `node` that its own paths can; returns those left for an
/// enclosing path (none, at the top of an expression, or the expression is refused).
pub fn resolve(node: &mut Node) -> Result<Vec<Slot>> {
    match node {
        Node::Parent(label) => Ok(vec![Slot {
            label: label.clone(),
            level: 1,
        }]),
        Node::Path { steps, .. } => path(steps),
        Node::Filter(a, b)
        | Node::Binary(_, a, b)
        | Node::Range(a, b)
        | Node::Elvis(a, b)
        | Node::Coalesce(a, b)
        | Node::Apply(a, b) => {
            let mut out = resolve(a)?;
            out.extend(resolve(b)?);
            Ok(out)
        }
        Node::Neg(a) | Node::Bind(_, a) => resolve(a),
        Node::Array(items) | Node::Block(items) => {
            let mut out = Vec::new();
            for i in items {
                out.extend(resolve(i)?);
            }
            Ok(out)
        }
        Node::Group(base, pairs) => {
            let mut out = match base {
                Some(b) => resolve(b)?,
                None => Vec::new(),
            };
            for (k, v) in pairs {
                out.extend(resolve(k)?);
                out.extend(resolve(v)?);
            }
            Ok(out)
        }
        Node::Condition(c, t, e) => {
            let mut out = resolve(c)?;
            out.extend(resolve(t)?);
            if let Some(e) = e {
                out.extend(resolve(e)?);
            }
            Ok(out)
        }
        Node::Call(f, args) => {
            let mut out = resolve(f)?;
            for a in args.iter_mut().flatten() {
                out.extend(resolve(a)?);
            }
            Ok(out)
        }
        Node::Sort(terms) => {
            let mut out = Vec::new();
            for (t, _) in terms {
                out.extend(resolve(t)?);
            }
            Ok(out)
        }
        // Bodies shared behind `Arc` are not rewritten: a `%` there has nothing to resolve
        // against and is refused.
        Node::Lambda { body, .. } => unresolvable(body),
        Node::Transform {
            pattern,
            update,
            delete,
        } => {
            unresolvable(pattern)?;
            unresolvable(update)?;
            match delete {
                Some(d) => unresolvable(d),
                None => Ok(Vec::new()),
            }
        }
        _ => Ok(Vec::new()),
    }
}

fn unresolvable(node: &Node) -> Result<Vec<Slot>> {
    let mut found = false;
    super::ast::walk(node, &mut |n| found |= matches!(n, Node::Parent(_)));
    if found {
        return Err(refused(
            "inside a function body or a transform, this interpreter cannot derive it",
        ));
    }
    Ok(Vec::new())
}

fn refused(why: &str) -> Error {
    Error::syntax(
        0,
        format!("S0217: the object representing the parent (%) cannot be derived: {why}"),
    )
}

/// The steps of one path, in order: each step's `%`s (its own node, and its predicates',
/// which mean the parent of the item being filtered) are matched against the steps before.
fn path(steps: &mut [Step]) -> Result<Vec<Slot>> {
    let mut seeking = Vec::new();
    for i in 0..steps.len() {
        let mut slots = resolve(&mut steps[i].node)?;
        let mut stages = std::mem::take(&mut steps[i].stages);
        for stage in &mut stages {
            for mut slot in resolve(stage)? {
                if slot.level == 1 {
                    slot = seek(&mut steps[i], slot)?;
                } else {
                    slot.level -= 1;
                }
                if slot.level > 0 {
                    slots.push(slot);
                }
            }
        }
        steps[i].stages = stages;
        for mut slot in slots {
            let mut j = i;
            while slot.level > 0 {
                if j == 0 {
                    seeking.push(slot);
                    break;
                }
                j -= 1;
                // Contiguous steps that bind the focus (`@`) keep the same context item.
                while j > 0 && steps[j].focus.is_some() && steps[j - 1].focus.is_some() {
                    j -= 1;
                }
                slot = seek(&mut steps[j], slot)?;
            }
        }
    }
    Ok(seeking)
}

fn seek(step: &mut Step, mut slot: Slot) -> Result<Slot> {
    match &step.node {
        Node::Name(_) | Node::Wildcard => {
            slot.level -= 1;
            if slot.level == 0 {
                step.ancestors.push(slot.label.clone());
            }
        }
        Node::Parent(_) => slot.level += 1,
        _ => {
            return Err(refused(
                "it is not reached through field names or wildcards (this interpreter does not follow it into nested paths or blocks)",
            ));
        }
    }
    Ok(slot)
}
