//! An Amazon States Language interpreter: runs the rendered `statemachine.asl.json` locally,
//! with Task resources resolved to in-process handlers by a [`TaskInvoker`].
//!
//! - [`StateMachine::from_json`] parses and validates a definition ([`definition`]);
//! - [`Executor`] runs it ([`executor`]), journaling each Task attempt under a deterministic
//!   [`StepKey`] so an interrupted execution resumes without redoing work ([`journal`]);
//! - paths, payload templates, intrinsic functions, Choice rules and retry/catch matching
//!   live in their own modules and follow the ASL spec and the AWS Step Functions guide.
//!
//! Workflow variables (`Assign`, `$name` paths) follow [`variables`].
//!
//! A Map whose processor's Mode is `DISTRIBUTED` runs each item as a child execution, with
//! `ItemReader`, `ItemBatcher` and `ResultWriter` ([`distributed`]).
//!
//! JSONata states (`QueryLanguage: JSONata`, on the machine or per state) evaluate their
//! `{% %}` fields with our own JSONata evaluator ([`jsonata`]).
//!
//! Every reader of a definition first bounds its nesting ([`walk::check_depth`], 128 levels)
//! and reads states through one walk ([`walk::states`]); the JSONata, JSONPath and intrinsic
//! parsers bound their own nesting, so no definition can overflow the stack.
//!
//! Not supported, and rejected when the definition is loaded with a message saying so:
//! `Credentials`; a JSONata `%` whose parent lies inside a nested path or block used as a
//! step.
//! Not special-cased: activities, `.sync` and `.waitForTaskToken` integrations (the invoker
//! receives the resource as written); heartbeats are passed to the invoker, not enforced.

pub mod choice;
pub mod clock;
pub mod context;
pub mod deep_json;
pub mod definition;
pub mod distributed;
pub mod error;
pub mod executor;
pub mod intrinsics;
pub mod journal;
pub mod jsonata;
pub mod path;
pub mod retry;
pub mod template;
pub mod variables;
pub mod walk;

pub use clock::{Clock, ManualClock, SystemClock};
pub use context::ExecutionInfo;
pub use definition::{Scope, State, StateKind, StateMachine};
pub use error::{DefinitionError, StatesError, TaskError, names};
pub use executor::{
    DEFAULT_PAYLOAD_LIMIT, ExecutionEvent, ExecutionOutcome, Executor, Observer, TaskContext,
    TaskInvoker,
};
pub use journal::{
    Journal, JournalError, MemoryJournal, NullJournal, StepKey, StepOutcome, StepPath,
};
