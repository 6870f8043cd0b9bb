//! Running handlers: the Lambda Runtime API loop (`lambda`) and, for the embedded default, the
//! local runtime that executes the same state machine on this machine.

pub mod guard;
pub mod invoker;
pub mod journal;
pub mod lambda;
pub mod local;
pub mod malloc;
pub mod progress;
pub mod rules;
