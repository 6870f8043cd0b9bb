//! Time, injectable: the executor never calls `SystemTime::now` or `thread::sleep` directly,
//! so tests of Wait states and retry back-off run instantly and can assert the delays.

use std::sync::Mutex;
use std::time::{Duration, SystemTime};

/// A source of "now" and a way to wait.
pub trait Clock: Send + Sync {
    /// The current time.
    fn now(&self) -> SystemTime;
    /// Blocks for `d` (or pretends to).
    fn sleep(&self, d: Duration);
}

/// The real clock.
#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> SystemTime {
        SystemTime::now()
    }
    fn sleep(&self, d: Duration) {
        std::thread::sleep(d);
    }
}

/// A clock for tests: `sleep` returns at once, advances `now` and records the duration.
#[derive(Debug)]
pub struct ManualClock {
    state: Mutex<(SystemTime, Vec<Duration>)>,
}

impl ManualClock {
    /// A clock that starts at `start`.
    pub fn new(start: SystemTime) -> Self {
        Self {
            state: Mutex::new((start, Vec::new())),
        }
    }

    /// Every duration passed to `sleep`, in order.
    pub fn sleeps(&self) -> Vec<Duration> {
        self.lock().1.clone()
    }

    /// Moves time forward without recording a sleep.
    pub fn advance(&self, d: Duration) {
        self.lock().0 += d;
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, (SystemTime, Vec<Duration>)> {
        // A panic in another test thread must not hide this clock's state.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }
}

impl Clock for ManualClock {
    fn now(&self) -> SystemTime {
        self.lock().0
    }
    fn sleep(&self, d: Duration) {
        let mut s = self.lock();
        s.0 += d;
        s.1.push(d);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::UNIX_EPOCH;

    #[test]
    fn manual_clock_records_and_advances() {
        let c = ManualClock::new(UNIX_EPOCH);
        c.sleep(Duration::from_secs(3));
        c.advance(Duration::from_secs(1));
        assert_eq!(c.now(), UNIX_EPOCH + Duration::from_secs(4));
        assert_eq!(c.sleeps(), vec![Duration::from_secs(3)]);
    }
}
