//! The tracking table: one record per upload and per document, written with conditional puts
//! so a repeated event is a no-op, whose status never moves backwards ([`status_rank`]).
//! DynamoDB in AWS ([`super::dynamo_tracking`]); SQLite on this machine.

use std::path::Path;
use std::sync::Mutex;

use async_trait::async_trait;
use rusqlite::{Connection, OptionalExtension, params};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::StoreError;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrackingRecord {
    pub id: String,
    /// `upload` or `document`.
    pub kind: String,
    pub batch_id: Option<String>,
    /// QUEUED, RUNNING, COMPLETED, FAILED.
    pub status: String,
    pub created_at: String,
    pub updated_at: String,
    /// `s3://bucket/key` of the original.
    pub source: Option<String>,
    pub execution: Option<String>,
    pub reason: Option<String>,
    /// Page counts, timings, metering, result locations.
    #[serde(default)]
    pub details: Value,
}

/// What an update changes; `None` leaves a field as it is, `details` keys are merged in.
#[derive(Debug, Clone, Default)]
pub struct TrackingUpdate {
    pub status: Option<String>,
    pub reason: Option<String>,
    pub execution: Option<String>,
    pub details: Option<Value>,
    pub updated_at: String,
}

#[async_trait]
pub trait Tracking: Send + Sync {
    /// Inserts unless the id exists; `false` means it was already there (a repeated event).
    async fn create(&self, record: &TrackingRecord) -> Result<bool, StoreError>;
    async fn update(&self, id: &str, update: &TrackingUpdate) -> Result<(), StoreError>;
    async fn get(&self, id: &str) -> Result<Option<TrackingRecord>, StoreError>;
    async fn by_batch(&self, batch_id: &str) -> Result<Vec<TrackingRecord>, StoreError>;
    async fn by_status(&self, status: &str) -> Result<Vec<TrackingRecord>, StoreError>;
}

/// The tracking table in SQLite (WAL mode, so readers such as `status` don't block writers).
pub struct SqliteTracking {
    conn: Mutex<Connection>,
}

fn db_err(e: rusqlite::Error) -> StoreError {
    StoreError::sqlite("tracking", e)
}

const COLUMNS: &str =
    "id, kind, batch_id, status, created_at, updated_at, source, execution, reason, details";

fn row_to_record(row: &rusqlite::Row<'_>) -> rusqlite::Result<TrackingRecord> {
    let details: String = row.get(9)?;
    Ok(TrackingRecord {
        id: row.get(0)?,
        kind: row.get(1)?,
        batch_id: row.get(2)?,
        status: row.get(3)?,
        created_at: row.get(4)?,
        updated_at: row.get(5)?,
        source: row.get(6)?,
        execution: row.get(7)?,
        reason: row.get(8)?,
        details: serde_json::from_str(&details).unwrap_or(Value::Null),
    })
}

const TRACKING_SCHEMA: &str = "CREATE TABLE IF NOT EXISTS tracking (
        id TEXT PRIMARY KEY, kind TEXT NOT NULL, batch_id TEXT, status TEXT NOT NULL,
        created_at TEXT NOT NULL, updated_at TEXT NOT NULL, source TEXT, execution TEXT,
        reason TEXT, details TEXT NOT NULL DEFAULT 'null');
    CREATE INDEX IF NOT EXISTS by_batch ON tracking(batch_id, created_at);
    CREATE INDEX IF NOT EXISTS by_status ON tracking(status, created_at);";

impl SqliteTracking {
    pub fn open(path: &Path) -> Result<Self, StoreError> {
        Self::init(Some(path))
    }

    pub fn in_memory() -> Result<Self, StoreError> {
        Self::init(None)
    }

    fn init(path: Option<&Path>) -> Result<Self, StoreError> {
        Ok(SqliteTracking {
            conn: Mutex::new(super::sqlite::open(path, "tracking", TRACKING_SCHEMA)?),
        })
    }

    fn with<T>(
        &self,
        f: impl FnOnce(&mut Connection) -> rusqlite::Result<T>,
    ) -> Result<T, StoreError> {
        let mut conn = self
            .conn
            .lock()
            .map_err(|_| StoreError::Permanent("tracking database lock poisoned".into()))?;
        f(&mut conn).map_err(db_err)
    }

    fn query(&self, sql: &str, arg: &str) -> Result<Vec<TrackingRecord>, StoreError> {
        self.with(|c| {
            let mut stmt = c.prepare_cached(sql)?;
            let rows = stmt.query_map(params![arg], row_to_record)?;
            rows.collect()
        })
    }
}

/// How far along a status is. A status never moves backwards: an update whose status ranks
/// below the stored one leaves `status` and `reason` alone (its other changes still apply), so a
/// late or replayed RUNNING cannot undo a COMPLETED. The two terminal statuses share a rank, so
/// either may replace the other; a status this table does not know ranks with RUNNING.
pub const STATUS_RANKS: [(&str, i64); 4] = [
    ("QUEUED", 0),
    ("RUNNING", 1),
    ("COMPLETED", 2),
    ("FAILED", 2),
];

/// The rank of a status nobody listed in [`STATUS_RANKS`].
pub const UNKNOWN_STATUS_RANK: i64 = 1;

pub fn status_rank(status: &str) -> i64 {
    STATUS_RANKS
        .iter()
        .find(|(s, _)| *s == status)
        .map_or(UNKNOWN_STATUS_RANK, |(_, r)| *r)
}

/// Whether an update to `new` may replace the stored `stored` status (the rule above).
pub fn status_may_move(stored: &str, new: &str) -> bool {
    status_rank(new) >= status_rank(stored)
}

/// Shallow merge of `patch`'s keys into `base` (both objects); other shapes replace.
pub fn merge_details(base: Value, patch: &Value) -> Value {
    match (base, patch) {
        (Value::Object(mut b), Value::Object(p)) => {
            for (k, v) in p {
                b.insert(k.clone(), v.clone());
            }
            Value::Object(b)
        }
        (_, p) => p.clone(),
    }
}

#[async_trait]
impl Tracking for SqliteTracking {
    async fn create(&self, r: &TrackingRecord) -> Result<bool, StoreError> {
        let details = serde_json::to_string(&r.details).unwrap_or_else(|_| "null".into());
        let n = self.with(|c| {
            c.prepare_cached(&format!(
                "INSERT OR IGNORE INTO tracking ({COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)"
            ))?
            .execute(params![r.id, r.kind, r.batch_id, r.status, r.created_at, r.updated_at, r.source, r.execution, r.reason, details])
        })?;
        Ok(n == 1)
    }

    async fn update(&self, id: &str, u: &TrackingUpdate) -> Result<(), StoreError> {
        self.with(|c| {
            // IMMEDIATE takes the write lock first: a deferred read-then-write transaction gets
            // SQLITE_BUSY at once (no waiting) when another connection wrote in between.
            let tx = c.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
            let current: Option<(String, String)> = tx
                .prepare_cached("SELECT status, details FROM tracking WHERE id = ?1")?
                .query_row(params![id], |r| Ok((r.get(0)?, r.get(1)?)))
                .optional()?;
            let Some((stored_status, current)) = current else {
                return Err(rusqlite::Error::QueryReturnedNoRows);
            };
            // A status that would move backwards is dropped, and the reason that came with it.
            let (status, reason) = match &u.status {
                Some(s) if !status_may_move(&stored_status, s) => (None, None),
                _ => (u.status.as_ref(), u.reason.as_ref()),
            };
            // Without a patch the stored text is written back as it is, not parsed and
            // printed again (most updates only move the status).
            let details = match &u.details {
                Some(patch) => {
                    merge_details(serde_json::from_str(&current).unwrap_or(Value::Null), patch)
                        .to_string()
                }
                None => current,
            };
            tx.prepare_cached(
                "UPDATE tracking SET status = COALESCE(?2, status), reason = COALESCE(?3, reason),
                 execution = COALESCE(?4, execution), details = ?5, updated_at = ?6 WHERE id = ?1",
            )?
            .execute(params![
                id,
                status,
                reason,
                u.execution,
                details,
                u.updated_at
            ])?;
            tx.commit()
        })
        .map_err(|e| match e {
            StoreError::Permanent(m) if m.contains("no rows") => {
                StoreError::Permanent(format!("tracking record {id} does not exist"))
            }
            other => other,
        })
    }

    async fn get(&self, id: &str) -> Result<Option<TrackingRecord>, StoreError> {
        self.with(|c| {
            c.prepare_cached(&format!("SELECT {COLUMNS} FROM tracking WHERE id = ?1"))?
                .query_row(params![id], row_to_record)
                .optional()
        })
    }

    async fn by_batch(&self, batch_id: &str) -> Result<Vec<TrackingRecord>, StoreError> {
        self.query(
            &format!("SELECT {COLUMNS} FROM tracking WHERE batch_id = ?1 ORDER BY created_at, id"),
            batch_id,
        )
    }

    async fn by_status(&self, status: &str) -> Result<Vec<TrackingRecord>, StoreError> {
        self.query(
            &format!("SELECT {COLUMNS} FROM tracking WHERE status = ?1 ORDER BY created_at, id"),
            status,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn record(id: &str) -> TrackingRecord {
        TrackingRecord {
            id: id.into(),
            kind: "document".into(),
            batch_id: Some("b1".into()),
            status: "QUEUED".into(),
            created_at: "2026-01-01T00:00:00.000Z".into(),
            updated_at: "2026-01-01T00:00:00.000Z".into(),
            source: Some("s3://in/a.pdf".into()),
            execution: None,
            reason: None,
            details: json!({"pages": 3}),
        }
    }

    #[tokio::test]
    async fn create_is_conditional_and_update_merges() {
        let t = SqliteTracking::in_memory().unwrap();
        assert!(t.create(&record("d1")).await.unwrap());
        assert!(
            !t.create(&record("d1")).await.unwrap(),
            "second create is a no-op"
        );
        t.update(
            "d1",
            &TrackingUpdate {
                status: Some("FAILED".into()),
                reason: Some("corrupt PDF".into()),
                details: Some(json!({"failed_pages": [2]})),
                updated_at: "2026-01-01T00:00:01.000Z".into(),
                ..Default::default()
            },
        )
        .await
        .unwrap();
        let r = t.get("d1").await.unwrap().unwrap();
        assert_eq!(r.status, "FAILED");
        assert_eq!(r.details, json!({"pages": 3, "failed_pages": [2]}));
        assert_eq!(t.by_status("FAILED").await.unwrap().len(), 1);
        assert_eq!(t.by_batch("b1").await.unwrap()[0].id, "d1");
        assert!(t.update("nope", &TrackingUpdate::default()).await.is_err());
    }

    #[test]
    fn ranks_order_the_statuses() {
        assert_eq!(status_rank("QUEUED"), 0);
        assert_eq!(status_rank("RUNNING"), 1);
        assert_eq!(status_rank("COMPLETED"), 2);
        assert_eq!(status_rank("FAILED"), 2);
        assert_eq!(status_rank("PAUSED"), UNKNOWN_STATUS_RANK);
        // (stored, new, may move)
        for (stored, new, ok) in [
            ("QUEUED", "QUEUED", true),
            ("QUEUED", "RUNNING", true),
            ("QUEUED", "FAILED", true),
            ("RUNNING", "QUEUED", false),
            ("RUNNING", "COMPLETED", true),
            ("COMPLETED", "RUNNING", false),
            ("COMPLETED", "QUEUED", false),
            ("COMPLETED", "FAILED", true),
            ("FAILED", "COMPLETED", true),
            ("PAUSED", "RUNNING", true),
            ("PAUSED", "QUEUED", false),
            ("COMPLETED", "PAUSED", false),
        ] {
            assert_eq!(status_may_move(stored, new), ok, "{stored} -> {new}");
        }
    }

    fn set(status: &str, reason: Option<&str>, details: Value, at: &str) -> TrackingUpdate {
        TrackingUpdate {
            status: Some(status.into()),
            reason: reason.map(str::to_string),
            execution: Some(format!("exec-{status}")),
            details: Some(details),
            updated_at: at.into(),
        }
    }

    #[tokio::test]
    async fn a_status_never_moves_backwards_but_the_rest_of_the_update_applies() {
        let t = SqliteTracking::in_memory().unwrap();
        t.create(&record("d1")).await.unwrap();
        let done = set("COMPLETED", Some("all pages read"), json!({"a": 1}), "t1");
        t.update("d1", &done).await.unwrap();
        let late = set("RUNNING", Some("retrying"), json!({"b": 2}), "t2");
        t.update("d1", &late).await.unwrap();
        let r = t.get("d1").await.unwrap().unwrap();
        assert_eq!(r.status, "COMPLETED");
        assert_eq!(r.reason.as_deref(), Some("all pages read"));
        assert_eq!(r.execution.as_deref(), Some("exec-RUNNING"));
        assert_eq!(r.updated_at, "t2");
        assert_eq!(r.details, json!({"pages": 3, "a": 1, "b": 2}));

        // Terminal statuses may replace each other, with their reason.
        let failed = set("FAILED", Some("hook failed"), json!({}), "t3");
        t.update("d1", &failed).await.unwrap();
        let r = t.get("d1").await.unwrap().unwrap();
        assert_eq!(
            (r.status.as_str(), r.reason.as_deref()),
            ("FAILED", Some("hook failed"))
        );
        t.update("d1", &set("QUEUED", None, json!({}), "t4"))
            .await
            .unwrap();
        assert_eq!(t.get("d1").await.unwrap().unwrap().status, "FAILED");
        assert!(t.by_status("QUEUED").await.unwrap().is_empty());
    }
}
