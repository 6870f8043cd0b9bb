//! Replaying a finished child execution of a Distributed Map for its events only. A resumed
//! Map answers a finished child from the parent's journal without running it; with an
//! observer (the local runtime's progress), the child's steps are replayed from its own
//! journal so the observer sees them, as it sees a resumed inline Map's iterations. The
//! replay must never do work: a Task the journal does not know is not invoked and nothing is
//! recorded, so the replay stops there.

use std::sync::Arc;

use serde_json::Value;

use crate::asl::error::TaskError;
use crate::asl::executor::{TaskContext, TaskInvoker};
use crate::asl::journal::{Journal, JournalError, StepKey, StepOutcome};

/// Reads the journal it wraps; refuses to record, which stops the replay (an abort).
pub struct ReadOnlyJournal(pub Arc<dyn Journal>);

impl Journal for ReadOnlyJournal {
    fn lookup(&self, key: &StepKey) -> Result<Option<StepOutcome>, JournalError> {
        self.0.lookup(key)
    }

    fn record(&self, key: &StepKey, _: &StepOutcome) -> Result<(), JournalError> {
        Err(JournalError(format!(
            "{key} is not journaled: a replayed child runs no step"
        )))
    }
}

/// Never invokes anything: reached only for a Task the journal does not know.
pub struct NoInvoker;

impl TaskInvoker for NoInvoker {
    fn invoke(&self, resource: &str, _: Value, _: &TaskContext) -> Result<Value, TaskError> {
        Err(TaskError::task_failed(format!(
            "{resource} not invoked: a replayed child runs no step"
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::asl::context::ExecutionInfo;
    use crate::asl::definition::StateMachine;
    use crate::asl::executor::{ExecutionEvent, ExecutionOutcome, Executor};
    use crate::asl::journal::MemoryJournal;
    use serde_json::json;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::time::{Duration, UNIX_EPOCH};

    /// Adds 100 to its input and counts its calls.
    struct Adder(AtomicUsize);

    impl TaskInvoker for Adder {
        fn invoke(&self, _: &str, input: Value, _: &TaskContext) -> Result<Value, TaskError> {
            self.0.fetch_add(1, Ordering::SeqCst);
            Ok(json!(input.as_u64().unwrap_or(0) + 100))
        }
    }

    /// Runs a Distributed Map of one Task over 0..6 on `journal`; returns the outcome, the
    /// invocations and the replayed Task results the observer saw.
    fn run(journal: Arc<dyn Journal>) -> (ExecutionOutcome, usize, usize) {
        let def = json!({"StartAt": "M", "States": {"M": {"Type": "Map",
            "ItemProcessor": {"ProcessorConfig": {"Mode": "DISTRIBUTED"}, "StartAt": "A",
                "States": {"A": {"Type": "Task", "Resource": "add", "End": true}}},
            "End": true}}});
        let machine = StateMachine::from_value(&def).unwrap();
        let info = ExecutionInfo::local(
            "sm",
            "run",
            json!([0, 1, 2, 3, 4, 5]),
            UNIX_EPOCH + Duration::from_secs(1_700_000_000),
        );
        let adder = Arc::new(Adder(AtomicUsize::new(0)));
        let replayed = Arc::new(AtomicUsize::new(0));
        let seen = replayed.clone();
        let out = Executor::new(adder.clone())
            .with_journal(journal)
            .with_observer(Arc::new(move |e: &ExecutionEvent<'_>| {
                if let ExecutionEvent::TaskSucceeded { replayed: true, .. } = e {
                    seen.fetch_add(1, Ordering::SeqCst);
                }
            }))
            .execute(&machine, &info);
        let calls = adder.0.load(Ordering::SeqCst);
        (out, calls, replayed.load(Ordering::SeqCst))
    }

    #[test]
    fn a_resumed_map_shows_finished_children_to_the_observer_and_runs_nothing() {
        let journal = Arc::new(MemoryJournal::new());
        let (first, calls, replayed) = run(journal.clone());
        assert_eq!((calls, replayed), (6, 0));
        let recorded = journal.entries().len();
        // Every child finished: the resumed run replays each one's Task for the observer.
        let (again, calls, replayed) = run(journal.clone());
        assert_eq!(again, first);
        assert_eq!((calls, replayed), (0, 6));
        assert_eq!(
            journal.entries().len(),
            recorded,
            "the replay recorded something"
        );

        // A child whose end is recorded but whose steps are not (a journal that lost them):
        // the replay neither invokes nor records; the recorded end still answers.
        let ends_only = Arc::new(MemoryJournal::new());
        for (k, o) in journal.entries() {
            if k.path().starts_with("/M[") {
                ends_only.record(&k, &o).unwrap();
            }
        }
        let before = ends_only.entries().len();
        let (again, calls, replayed) = run(ends_only.clone());
        assert_eq!(again, first);
        assert_eq!((calls, replayed), (0, 0));
        assert_eq!(ends_only.entries().len(), before);
    }

    #[test]
    fn reads_through_and_records_nothing() {
        let inner = Arc::new(MemoryJournal::new());
        let key = StepKey::new("exec", "/A", 0);
        let done = StepOutcome::Succeeded(json!(1));
        inner.record(&key, &done).unwrap();
        let ro = ReadOnlyJournal(inner.clone());
        assert_eq!(ro.lookup(&key).unwrap(), Some(done));
        let other = StepKey::new("exec", "/B", 0);
        assert!(
            ro.record(&other, &StepOutcome::Succeeded(json!(2)))
                .is_err()
        );
        assert_eq!(inner.lookup(&other).unwrap(), None);
    }
}
