//! The services on this machine: buckets as folders and tables in one SQLite file under the
//! profile's state directory. Used by the local runtime, and by `idpctl handler` when
//! `IDPCTL_BACKEND=local` (so the Lambda loop can be exercised without AWS).

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use rusqlite::{Connection, params};
use serde_json::Value;

use super::{
    Executions, LocalObjects, Services, SqliteTracking, StackNames, Started, StoreError, clock,
};

/// Where a local stack keeps its state.
#[derive(Debug, Clone)]
pub struct LocalLayout {
    pub root: PathBuf,
}

impl LocalLayout {
    pub fn new(root: impl Into<PathBuf>) -> Self {
        LocalLayout { root: root.into() }
    }
    pub fn buckets(&self) -> PathBuf {
        self.root.join("buckets")
    }
    pub fn database(&self) -> PathBuf {
        self.root.join("idpctl.db")
    }
}

/// Bucket names of a local stack, derived from the stack name as the template derives them.
pub fn local_names(stack_name: &str, page_retries: u32) -> StackNames {
    StackNames {
        input_bucket: format!("{stack_name}-input"),
        output_bucket: format!("{stack_name}-output"),
        working_bucket: format!("{stack_name}-working"),
        page_retries,
    }
}

/// Execution requests queued in SQLite for the local runtime to run; the name is the primary
/// key, which is what makes `start` idempotent.
pub struct SqliteExecutions {
    conn: Mutex<Connection>,
}

impl SqliteExecutions {
    pub fn open(path: &Path) -> Result<Self, StoreError> {
        let conn = Connection::open(path)
            .map_err(|e| StoreError::Permanent(format!("executions database: {e}")))?;
        conn.busy_timeout(std::time::Duration::from_secs(10))
            .and_then(|_| {
                conn.execute_batch(
                    "PRAGMA journal_mode=WAL;
                     CREATE TABLE IF NOT EXISTS executions (
                         name TEXT PRIMARY KEY, input TEXT NOT NULL, status TEXT NOT NULL,
                         created_at TEXT NOT NULL, updated_at TEXT NOT NULL, output TEXT, error TEXT, cause TEXT);
                     CREATE INDEX IF NOT EXISTS executions_by_status ON executions(status, created_at);",
                )
            })
            .map_err(|e| StoreError::Permanent(format!("executions database: {e}")))?;
        Ok(SqliteExecutions {
            conn: Mutex::new(conn),
        })
    }
}

#[async_trait]
impl Executions for SqliteExecutions {
    async fn start(&self, name: &str, input: &Value) -> Result<Started, StoreError> {
        let conn = self
            .conn
            .lock()
            .map_err(|_| StoreError::Permanent("executions lock poisoned".into()))?;
        let now = clock::now_rfc3339();
        let n = conn
            .execute(
                "INSERT OR IGNORE INTO executions (name, input, status, created_at, updated_at) VALUES (?1, ?2, 'QUEUED', ?3, ?3)",
                params![name, input.to_string(), now],
            )
            .map_err(|e| StoreError::Transient(format!("executions database: {e}")))?;
        Ok(Started {
            execution: format!("local:execution:{name}"),
            new: n == 1,
        })
    }
}

/// The local services for a state directory; the hook is wired by the caller.
pub fn services(layout: &LocalLayout, names: StackNames) -> Result<Services, StoreError> {
    std::fs::create_dir_all(&layout.root)
        .map_err(|e| StoreError::io(format!("cannot create {}", layout.root.display()), e))?;
    Ok(Services {
        names,
        objects: Arc::new(LocalObjects::new(layout.buckets())),
        tracking: Arc::new(SqliteTracking::open(&layout.database())?),
        executions: Arc::new(SqliteExecutions::open(&layout.database())?),
        hook: None,
        ocr: Arc::new(crate::pipeline::ocr::tesseract::Tesseract::default()),
        classes: Arc::new(crate::pipeline::config::ClassConfig::builtin()),
    })
}
