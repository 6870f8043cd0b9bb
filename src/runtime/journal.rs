//! The interpreter's step journal in SQLite, beside the local tables: every finished Task is
//! written before the execution moves on, so a run killed at any point (even `kill -9`) resumes
//! without running a finished step again.
//!
//! The journal is in WAL mode with `synchronous=NORMAL`, like the other local tables: a commit
//! is in the WAL file when `record` returns, so a killed process loses nothing (the kernel
//! holds the pages), and the WAL is synced at checkpoints rather than once per step. Only an
//! OS crash or power loss can drop the last commits, and then a suffix of all the tables'
//! commits together (they share one WAL); those steps run again. One `fsync` per step was
//! most of the wall time of a text PDF on a busy disk (benches/pipeline.rs).

use std::path::Path;
use std::sync::Mutex;

use rusqlite::{Connection, OptionalExtension, params};

use crate::asl::{Journal, JournalError, StepKey, StepOutcome};

pub struct SqliteJournal {
    conn: Mutex<Connection>,
}

fn err(e: impl std::fmt::Display) -> JournalError {
    JournalError(format!("step journal: {e}"))
}

impl SqliteJournal {
    pub fn open(path: &Path) -> Result<Self, JournalError> {
        let conn = Connection::open(path).map_err(err)?;
        conn.busy_handler(Some(crate::services::sqlite::wait_30s))
            .map_err(err)?;
        conn.execute_batch(
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;
             CREATE TABLE IF NOT EXISTS steps (
                 execution_id TEXT NOT NULL, path TEXT NOT NULL, attempt INTEGER NOT NULL,
                 outcome TEXT NOT NULL, PRIMARY KEY (execution_id, path, attempt));",
        )
        .map_err(err)?;
        Ok(SqliteJournal {
            conn: Mutex::new(conn),
        })
    }

    /// Steps recorded for an execution (for `status` and tests).
    pub fn count(&self, execution_id: &str) -> Result<usize, JournalError> {
        let conn = self.conn.lock().map_err(err)?;
        conn.query_row(
            "SELECT COUNT(*) FROM steps WHERE execution_id = ?1",
            params![execution_id],
            |r| r.get::<_, i64>(0),
        )
        .map(|n| n as usize)
        .map_err(err)
    }
}

impl Journal for SqliteJournal {
    fn lookup(&self, key: &StepKey) -> Result<Option<StepOutcome>, JournalError> {
        let conn = self.conn.lock().map_err(err)?;
        let text: Option<String> = conn
            .prepare_cached(
                "SELECT outcome FROM steps WHERE execution_id = ?1 AND path = ?2 AND attempt = ?3",
            )
            .and_then(|mut stmt| {
                stmt.query_row(
                    params![key.execution_id(), key.path(), key.attempt()],
                    |r| r.get(0),
                )
                .optional()
            })
            .map_err(err)?;
        // What JSONata built may nest deeper than serde_json reads by default.
        text.map(|t| crate::asl::deep_json::from_str(&t).map_err(err))
            .transpose()
    }

    fn record(&self, key: &StepKey, outcome: &StepOutcome) -> Result<(), JournalError> {
        let text = serde_json::to_string(outcome).map_err(err)?;
        let conn = self.conn.lock().map_err(err)?;
        conn.prepare_cached(
            "INSERT OR REPLACE INTO steps (execution_id, path, attempt, outcome) VALUES (?1, ?2, ?3, ?4)",
        )
        .and_then(|mut stmt| stmt.execute(params![key.execution_id(), key.path(), key.attempt(), text]))
        .map_err(err)?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{Value, json};

    #[test]
    fn an_outcome_nested_deeper_than_serde_reads_by_default_reads_back() {
        let dir = tempfile::tempdir().unwrap();
        let j = SqliteJournal::open(&dir.path().join("journal.sqlite")).unwrap();
        let key = StepKey::new("e", "/Deep", 0);
        let deep: Value = (0..300).fold(json!("leaf"), |v, _| json!({ "k": v }));
        j.record(&key, &StepOutcome::Succeeded(deep.clone()))
            .unwrap();
        assert_eq!(j.lookup(&key).unwrap(), Some(StepOutcome::Succeeded(deep)));
        assert_eq!(j.count("e").unwrap(), 1);
    }
}
