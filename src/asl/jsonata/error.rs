//! Errors of the JSONata evaluator: syntax errors found while parsing, and evaluation errors
//! (type errors, failed functions, `$error()`, exhausted limits). Both carry the JSONata error
//! code where the language reference defines one, so messages can be compared with the spec.

/// A JSONata parse or evaluation error.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum Error {
    /// The expression text is not valid JSONata.
    #[error("syntax error at character {position}: {message}")]
    Syntax {
        /// Character offset (0-based) where the problem was found.
        position: usize,
        /// What is wrong.
        message: String,
    },
    /// Evaluation failed.
    #[error("{code}: {message}")]
    Eval {
        /// The JSONata error code (`T2001`, `D3001`, ...) or a short name of ours.
        code: &'static str,
        /// What went wrong.
        message: String,
    },
    /// The expression needed more steps or deeper nesting than allowed.
    #[error("the expression exceeded the {what} limit of {limit}")]
    Limit {
        /// `"evaluation step"`, `"nesting depth"`, ...
        what: &'static str,
        /// The limit.
        limit: usize,
    },
}

impl Error {
    /// An evaluation error with a code.
    pub fn eval(code: &'static str, message: impl Into<String>) -> Self {
        Self::Eval {
            code,
            message: message.into(),
        }
    }

    /// A syntax error at `position`.
    pub fn syntax(position: usize, message: impl Into<String>) -> Self {
        Self::Syntax {
            position,
            message: message.into(),
        }
    }
}

/// Results of the evaluator.
pub type Result<T> = std::result::Result<T, Error>;
