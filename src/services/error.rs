//! Errors from the stores and clients handlers use, split by whether a retry can help.

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("{bucket}/{key} does not exist")]
    NotFound { bucket: String, key: String },
    /// Worth retrying: throttling, timeouts, a dropped connection.
    #[error("{0}")]
    Transient(String),
    /// Not worth retrying: permissions, a malformed request, a full disk.
    #[error("{0}")]
    Permanent(String),
}

impl StoreError {
    /// A SQLite error of the local stack's database: busy or locked is worth retrying.
    pub fn sqlite(what: &str, e: rusqlite::Error) -> Self {
        match e {
            rusqlite::Error::SqliteFailure(f, _)
                if f.code == rusqlite::ErrorCode::DatabaseBusy
                    || f.code == rusqlite::ErrorCode::DatabaseLocked =>
            {
                StoreError::Transient(format!("{what} database busy: {e}"))
            }
            other => StoreError::Permanent(format!("{what} database: {other}")),
        }
    }

    pub fn io(context: impl std::fmt::Display, e: std::io::Error) -> Self {
        match e.kind() {
            std::io::ErrorKind::Interrupted
            | std::io::ErrorKind::TimedOut
            | std::io::ErrorKind::WouldBlock => StoreError::Transient(format!("{context}: {e}")),
            _ => StoreError::Permanent(format!("{context}: {e}")),
        }
    }
}
