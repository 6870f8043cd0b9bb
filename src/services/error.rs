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
    pub fn io(context: impl std::fmt::Display, e: std::io::Error) -> Self {
        match e.kind() {
            std::io::ErrorKind::Interrupted
            | std::io::ErrorKind::TimedOut
            | std::io::ErrorKind::WouldBlock => StoreError::Transient(format!("{context}: {e}")),
            _ => StoreError::Permanent(format!("{context}: {e}")),
        }
    }
}
