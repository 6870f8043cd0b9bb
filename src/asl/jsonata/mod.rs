//! JSONata for Step Functions: an evaluator of our own (lexer → parser → syntax tree →
//! evaluator over [`value::Val`]) and the Step Functions layer on top of it.
//!
//! - [`Expression`] parses and evaluates one JSONata expression, with limits on nesting and
//!   steps so hostile input ends with an error, never a hang or a stack overflow;
//! - [`template`] compiles the `{% expr %}` strings of a state's fields (recursively in
//!   objects and arrays) and evaluates them with `$states` and the workflow variables;
//! - [`fields`] splits a JSONata state's definition into the typed JSONPath structures the
//!   interpreter already has and the JSONata fields the executor evaluates instead
//!   (`Arguments`, `Output`, `Assign`, `Condition`, `Items`, ...).
//!
//! Covered: paths with sequence semantics (`*`, `**`, predicates, `^(...)`, `{...}`
//! group-by, `[]`), the context and positional bindings `@$v` and `#$i` and the parent
//! operator `%` (tuple streams, see [`ast::Step`]), literals and constructors, every
//! operator including `&`, `in`, ranges, `? :`, `?:`, `??`, `:=`, blocks, lambdas, partial
//! application, `~>`, the transform operator `| location | update, delete |`, regex
//! literals and the function library named in README. A `%` whose parent lies inside a
//! nested path or block used as a step is refused with S0217 (see [`ancestry`]).

mod ancestry;
pub mod ast;
pub mod error;
pub mod eval;
pub mod fields;
pub mod functions;
pub mod lexer;
pub mod parser;
pub mod template;
pub mod value;

use std::time::SystemTime;

use serde_json::Value;

pub use error::Error;
pub use eval::Limits;

/// A parsed JSONata expression.
#[derive(Debug, Clone, PartialEq)]
pub struct Expression {
    text: String,
    node: ast::Node,
}

impl Expression {
    /// Parses `text`.
    pub fn parse(text: &str) -> Result<Self, Error> {
        Ok(Self {
            text: text.to_string(),
            node: parser::parse(text)?,
        })
    }

    /// The source text.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// The syntax tree.
    pub fn node(&self) -> &ast::Node {
        &self.node
    }

    /// Evaluates against `input` (`$`; `None` is undefined); free variables come from
    /// `resolver`. `Ok(None)` is undefined.
    pub fn evaluate(
        &self,
        input: Option<&Value>,
        resolver: &dyn Fn(&str) -> Option<Value>,
        now: SystemTime,
        limits: Limits,
    ) -> Result<Option<Value>, Error> {
        let ev = eval::Evaluator::new(resolver, now, limits);
        let out = ev.run(&self.node, input.map(value::Val::from_json))?;
        Ok(out.map(|v| v.to_json()))
    }

    /// Evaluates with no free variables and the default limits (tests, tools).
    pub fn evaluate_plain(&self, input: &Value) -> Result<Option<Value>, Error> {
        self.evaluate(Some(input), &|_| None, SystemTime::now(), Limits::default())
    }
}

#[cfg(test)]
mod binding_tests;
#[cfg(test)]
mod test_support;
#[cfg(test)]
mod tests;
