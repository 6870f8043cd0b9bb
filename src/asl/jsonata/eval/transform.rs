//! The transform operator `| pattern | update, delete |`: a deep copy of the input in which
//! every object the pattern selects is updated, its listed keys deleted.

use std::rc::Rc;

use super::{Evaluator, Scope};
use crate::asl::jsonata::ast::Node;
use crate::asl::jsonata::error::{Error, Result};
use crate::asl::jsonata::value::{Obj, Val};
use std::collections::HashMap;

impl Evaluator<'_> {
    /// `| pattern | update, delete |` applied to `obj`: a deep copy in which every object
    /// the pattern selects gets the update's fields and loses the deleted keys.
    pub(super) fn transform(
        &self,
        obj: Option<Val>,
        (pattern, update, delete): (&Node, &Node, Option<&Node>),
        env: &Rc<Scope>,
    ) -> Result<Option<Val>> {
        let Some(obj) = obj else {
            return Ok(None);
        };
        // A copy whose every object is its own allocation: the pattern's matches are
        // recognised in it by address.
        let copy = Val::from_json(&obj.to_json());
        let matches = match self.eval(pattern, &Some(copy.clone()), env)? {
            None => Vec::new(),
            Some(Val::Arr(a, _)) => a.to_vec(),
            Some(v) => vec![v],
        };
        let mut edits: HashMap<*const Obj, Edit> = HashMap::new();
        for m in matches {
            let Val::Obj(o) = &m else { continue };
            let edit = edits.entry(Rc::as_ptr(o)).or_default();
            match self.eval(update, &Some(m.clone()), env)? {
                None => {}
                Some(Val::Obj(u)) => edit.push(Change::Set((*u).clone())),
                Some(_) => {
                    return Err(Error::eval(
                        "T2011",
                        "the insert/update clause of the transform expression must evaluate to an object",
                    ));
                }
            }
            if let Some(d) = delete {
                let keys = match self.eval(d, &Some(m.clone()), env)? {
                    None => Vec::new(),
                    Some(Val::Str(k)) => vec![k.to_string()],
                    Some(Val::Arr(a, _)) if a.iter().all(|k| matches!(k, Val::Str(_))) => a
                        .iter()
                        .filter_map(|k| match k {
                            Val::Str(k) => Some(k.to_string()),
                            _ => None,
                        })
                        .collect(),
                    Some(_) => {
                        return Err(Error::eval(
                            "T2012",
                            "the delete clause of the transform expression must evaluate to a string or an array of strings",
                        ));
                    }
                };
                edit.push(Change::Delete(keys));
            }
        }
        if edits.is_empty() {
            return Ok(Some(copy));
        }
        self.tick(edits.len())?;
        Ok(Some(apply_edits(&copy, &edits)))
    }
}

/// What a transform does to one selected object, in the order its matches came.
enum Change {
    Set(Obj),
    Delete(Vec<String>),
}

type Edit = Vec<Change>;

/// `v` rebuilt with the edits applied to the objects they were recorded for (children
/// first, so an update of a parent field wins over its child's, as in jsonata-js).
fn apply_edits(v: &Val, edits: &HashMap<*const Obj, Edit>) -> Val {
    match v {
        Val::Obj(o) => {
            let mut out: Obj = o
                .iter()
                .map(|(k, child)| (k.clone(), apply_edits(child, edits)))
                .collect();
            for change in edits.get(&Rc::as_ptr(o)).into_iter().flatten() {
                match change {
                    Change::Set(fields) => {
                        for (k, val) in fields {
                            out.insert(k.clone(), val.clone());
                        }
                    }
                    Change::Delete(keys) => {
                        for k in keys {
                            out.shift_remove(k);
                        }
                    }
                }
            }
            Val::object(out)
        }
        Val::Arr(items, flags) => {
            let items: Vec<Val> = items.iter().map(|i| apply_edits(i, edits)).collect();
            let mut flags = *flags;
            flags.depth = 1 + items.iter().map(Val::depth).max().unwrap_or(0);
            Val::Arr(Rc::new(items), flags)
        }
        other => other.clone(),
    }
}
