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
        hook_payload_limit: super::HOOK_PAYLOAD_LIMIT,
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
        conn.busy_handler(Some(super::sqlite::wait_10s))
            .and_then(|_| {
                // NORMAL as for the journal and the other tables (see runtime::journal).
                conn.execute_batch(
                    "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;
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

/// One queued or finished local execution.
#[derive(Debug, Clone, PartialEq)]
pub struct LocalExecution {
    pub name: String,
    pub input: Value,
    pub status: String,
    pub created_at: String,
    pub output: Option<Value>,
    pub error: Option<String>,
    pub cause: Option<String>,
}

impl SqliteExecutions {
    fn with<T>(&self, f: impl FnOnce(&Connection) -> rusqlite::Result<T>) -> Result<T, StoreError> {
        let conn = self
            .conn
            .lock()
            .map_err(|_| StoreError::Permanent("executions lock poisoned".into()))?;
        f(&conn).map_err(|e| StoreError::Permanent(format!("executions database: {e}")))
    }

    /// Executions in one status, oldest first.
    pub fn by_status(&self, status: &str) -> Result<Vec<LocalExecution>, StoreError> {
        self.with(|c| {
            let mut stmt = c.prepare_cached(
                "SELECT name, input, status, created_at, output, error, cause FROM executions WHERE status = ?1 ORDER BY created_at, name",
            )?;
            let rows = stmt.query_map(params![status], |r| {
                let input: String = r.get(1)?;
                let output: Option<String> = r.get(4)?;
                Ok(LocalExecution {
                    name: r.get(0)?,
                    input: serde_json::from_str(&input).unwrap_or(Value::Null),
                    status: r.get(2)?,
                    created_at: r.get(3)?,
                    output: output.and_then(|o| serde_json::from_str(&o).ok()),
                    error: r.get(5)?,
                    cause: r.get(6)?,
                })
            })?;
            rows.collect()
        })
    }

    /// Counts per status, for `status`.
    pub fn counts(&self) -> Result<Vec<(String, u64)>, StoreError> {
        self.with(|c| {
            let mut stmt = c.prepare(
                "SELECT status, COUNT(*) FROM executions GROUP BY status ORDER BY status",
            )?;
            let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get::<_, i64>(1)? as u64)))?;
            rows.collect()
        })
    }

    pub fn set_status(
        &self,
        name: &str,
        status: &str,
        output: Option<&Value>,
        error: Option<(&str, &str)>,
    ) -> Result<(), StoreError> {
        self.with(|c| {
            c.prepare_cached(
                "UPDATE executions SET status = ?2, output = ?3, error = ?4, cause = ?5, updated_at = ?6 WHERE name = ?1",
            )?
            .execute(params![
                    name,
                    status,
                    output.map(|o| o.to_string()),
                    error.map(|e| e.0.to_string()),
                    error.map(|e| e.1.to_string()),
                    clock::now_rfc3339()
                ],
            )
            .map(|_| ())
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
            .prepare_cached(
                "INSERT OR IGNORE INTO executions (name, input, status, created_at, updated_at) VALUES (?1, ?2, 'QUEUED', ?3, ?3)",
            )
            .and_then(|mut stmt| stmt.execute(params![name, input.to_string(), now]))
            .map_err(|e| StoreError::Transient(format!("executions database: {e}")))?;
        Ok(Started {
            execution: format!("local:execution:{name}"),
            new: n == 1,
        })
    }
}

/// The local services for a state directory; the hook is wired by the caller.
pub fn services(layout: &LocalLayout, names: StackNames) -> Result<Services, StoreError> {
    let executions = Arc::new(SqliteExecutions::open_in(layout)?);
    services_with(layout, names, executions)
}

impl SqliteExecutions {
    /// The queue in a state folder, created if needed.
    pub fn open_in(layout: &LocalLayout) -> Result<Self, StoreError> {
        std::fs::create_dir_all(&layout.root)
            .map_err(|e| StoreError::io(format!("cannot create {}", layout.root.display()), e))?;
        SqliteExecutions::open(&layout.database())
    }
}

/// The local services sharing one execution queue (the local runtime reads it too).
pub fn services_with(
    layout: &LocalLayout,
    names: StackNames,
    executions: Arc<SqliteExecutions>,
) -> Result<Services, StoreError> {
    Ok(Services {
        names,
        objects: Arc::new(LocalObjects::new(layout.buckets())),
        tracking: Arc::new(SqliteTracking::open(&layout.database())?),
        executions,
        hook: None,
        ocr: Arc::new(crate::pipeline::ocr::tesseract::Tesseract::default()),
        config: Arc::new(super::configs::Cached::new(
            Arc::new(super::config_store::SqliteConfigStore::open(
                &layout.database(),
            )?),
            super::configs::DEFAULT_REFRESH,
        )),
        llm: crate::engines::Engines::rules(),
    })
}
