//! Opening the local stack's SQLite database the way every local store needs it: the folder
//! created, a busy timeout (several processes share the file), WAL so readers such as `status`
//! do not block writers, and the store's own tables created if missing.

use std::path::Path;

use rusqlite::Connection;

use super::StoreError;

/// Opens `path` (or an in-memory database for `None`) and runs `schema`; `what` names the store
/// in errors (`tracking database busy: …`).
pub fn open(path: Option<&Path>, what: &str, schema: &str) -> Result<Connection, StoreError> {
    let err = |e| StoreError::sqlite(what, e);
    let conn = match path {
        Some(path) => {
            if let Some(dir) = path.parent() {
                std::fs::create_dir_all(dir)
                    .map_err(|e| StoreError::io(format!("cannot create {}", dir.display()), e))?;
            }
            Connection::open(path).map_err(err)?
        }
        None => Connection::open_in_memory().map_err(err)?,
    };
    conn.busy_timeout(std::time::Duration::from_secs(10))
        .map_err(err)?;
    conn.execute_batch("PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;")
        .map_err(err)?;
    conn.execute_batch(schema).map_err(err)?;
    Ok(conn)
}
