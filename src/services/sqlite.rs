//! Opening the local stack's SQLite database the way every local store needs it: the folder
//! created, a busy handler (several connections and processes share the file), WAL so readers
//! such as `status` do not block writers, and the store's own tables created if missing.

use std::path::Path;
use std::time::Duration;

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
    conn.busy_handler(Some(wait_10s)).map_err(err)?;
    conn.execute_batch("PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;")
        .map_err(err)?;
    conn.execute_batch(schema).map_err(err)?;
    Ok(conn)
}

/// Waits for another connection's write: short sleeps first, since a local write holds the lock
/// for well under a millisecond. SQLite's own busy timeout sleeps 1, 2, 5, 10… ms, and the
/// stores, the step journal and the execution queue (one connection each, two executions at a
/// time) met it on most documents: milliseconds of wall time per conflict (benches/pipeline.rs).
/// `attempt` is the number of calls before this one for the same lock; `false` gives up.
pub fn busy_wait(attempt: i32, limit: Duration) -> bool {
    // 50 µs, doubled up to 1.6 ms: the first eight waits take 6 ms between them.
    let step = |n: i32| Duration::from_micros(50 << n.clamp(0, 5));
    let waited: Duration = (0..attempt).map(step).sum();
    if waited >= limit {
        return false;
    }
    std::thread::sleep(step(attempt));
    true
}

/// [`busy_wait`] for up to 10 s, the stores' limit.
pub fn wait_10s(attempt: i32) -> bool {
    busy_wait(attempt, Duration::from_secs(10))
}

/// [`busy_wait`] for up to 30 s, the step journal's limit.
pub fn wait_30s(attempt: i32) -> bool {
    busy_wait(attempt, Duration::from_secs(30))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn busy_waits_are_short_then_give_up_at_the_limit() {
        let t = std::time::Instant::now();
        assert!(busy_wait(0, Duration::from_secs(1)));
        assert!(t.elapsed() < Duration::from_millis(40), "{:?}", t.elapsed());
        // 700 waits (1.6 ms each after the first few) are past one second.
        assert!(!busy_wait(700, Duration::from_secs(1)));
        assert!(busy_wait(3, Duration::from_secs(1)));
    }

    #[test]
    fn a_writer_waits_for_another_connection_instead_of_failing() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("db.sqlite");
        let a = open(
            Some(&path),
            "t",
            "CREATE TABLE IF NOT EXISTS t (x INTEGER);",
        )
        .unwrap();
        let b = open(
            Some(&path),
            "t",
            "CREATE TABLE IF NOT EXISTS t (x INTEGER);",
        )
        .unwrap();
        a.execute_batch("BEGIN IMMEDIATE; INSERT INTO t VALUES (1);")
            .unwrap();
        let writer = std::thread::spawn(move || b.execute("INSERT INTO t VALUES (2)", []));
        std::thread::sleep(Duration::from_millis(30));
        a.execute_batch("COMMIT").unwrap();
        assert_eq!(writer.join().unwrap().unwrap(), 1);
        let n: i64 = a
            .query_row("SELECT COUNT(*) FROM t", [], |r| r.get(0))
            .unwrap();
        assert_eq!(n, 2);
    }
}
