//! Retry and Catch: which retrier or catcher handles an error, and how long to wait.
//!
//! Matching rules (<https://docs.aws.amazon.com/step-functions/latest/dg/concepts-error-handling.html>):
//! - `States.ALL` matches any error name except the terminal `States.DataLimitExceeded` and
//!   `States.Runtime`;
//! - `States.TaskFailed` "acts as a wildcard that matches any known error name except for
//!   `States.Timeout`";
//! - `States.Runtime` is never retried or caught; `States.DataLimitExceeded` only by name;
//! - otherwise names match exactly (they are case-sensitive).
//!
//! The first retrier whose `ErrorEquals` matches decides: if its attempts are used up, the
//! error goes to the catchers (a later retrier is not consulted).

use std::time::Duration;

use super::definition::{Catcher, JitterStrategy, Retrier};
use super::error::names;

/// True when `error_equals` (of a retrier or catcher) covers the error `name`.
pub fn error_matches(error_equals: &[String], name: &str) -> bool {
    if name == names::RUNTIME {
        return false;
    }
    error_equals.iter().any(|e| {
        e == name
            || (e == names::ALL && name != names::DATA_LIMIT_EXCEEDED)
            || (e == names::TASK_FAILED
                && name != names::TIMEOUT
                && name != names::DATA_LIMIT_EXCEEDED)
    })
}

/// The index of the retrier that handles `name`, if any.
pub fn find_retrier(retriers: &[Retrier], name: &str) -> Option<usize> {
    retriers
        .iter()
        .position(|r| error_matches(&r.error_equals, name))
}

/// The catcher that handles `name`, if any.
pub fn find_catcher<'a>(catchers: &'a [Catcher], name: &str) -> Option<&'a Catcher> {
    catchers
        .iter()
        .find(|c| error_matches(&c.error_equals, name))
}

/// The wait before retry number `retries_done + 1` of `retrier`:
/// `IntervalSeconds * BackoffRate^retries_done`, capped by `MaxDelaySeconds`, then with
/// `FULL` jitter a uniform random value in `[0, that]`.
pub fn retry_delay(retrier: &Retrier, retries_done: u32) -> Duration {
    let mut secs = retrier.interval_seconds as f64 * retrier.backoff_rate.powi(retries_done as i32);
    if let Some(max) = retrier.max_delay_seconds {
        secs = secs.min(max as f64);
    }
    // Guard against overflow for absurd definitions (BackoffRate 10, MaxAttempts 1000).
    secs = secs.min(f64::from(u32::MAX));
    if retrier.jitter_strategy == Some(JitterStrategy::Full) {
        secs *= fastrand::f64();
    }
    Duration::from_secs_f64(secs)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn retrier(v: serde_json::Value) -> Retrier {
        serde_json::from_value(v).unwrap()
    }

    #[test]
    fn matching_table() {
        let s = |v: &[&str]| v.iter().map(|x| x.to_string()).collect::<Vec<_>>();
        let cases = [
            (s(&["States.ALL"]), "Lambda.Unknown", true),
            (s(&["States.ALL"]), "States.Timeout", true),
            (s(&["States.ALL"]), "States.Runtime", false),
            (s(&["States.ALL"]), "States.DataLimitExceeded", false),
            (
                s(&["States.DataLimitExceeded"]),
                "States.DataLimitExceeded",
                true,
            ),
            (s(&["States.Runtime"]), "States.Runtime", false),
            (s(&["States.TaskFailed"]), "CustomError", true),
            (s(&["States.TaskFailed"]), "States.Timeout", false),
            (s(&["CustomError"]), "CustomError", true),
            (s(&["CustomError"]), "customerror", false),
            (s(&["A", "B"]), "B", true),
        ];
        for (equals, name, want) in cases {
            assert_eq!(error_matches(&equals, name), want, "{equals:?} vs {name}");
        }
    }

    // "Retry": [{"ErrorEquals": ["States.Timeout"], "IntervalSeconds": 3, "MaxAttempts": 2,
    // "BackoffRate": 1.5}] "makes up to two retry attempts after waiting for 3 and 4.5
    // seconds": https://docs.aws.amazon.com/step-functions/latest/dg/concepts-error-handling.html
    #[test]
    fn aws_backoff_example() {
        let r = retrier(
            json!({"ErrorEquals": ["States.Timeout"], "IntervalSeconds": 3,
                               "MaxAttempts": 2, "BackoffRate": 1.5}),
        );
        assert_eq!(retry_delay(&r, 0), Duration::from_secs(3));
        assert_eq!(retry_delay(&r, 1), Duration::from_millis(4500));
    }

    #[test]
    fn max_delay_and_jitter() {
        let r = retrier(json!({"ErrorEquals": ["X"], "IntervalSeconds": 2, "MaxDelaySeconds": 5}));
        assert_eq!(retry_delay(&r, 0), Duration::from_secs(2));
        assert_eq!(retry_delay(&r, 1), Duration::from_secs(4));
        assert_eq!(retry_delay(&r, 2), Duration::from_secs(5));
        let r =
            retrier(json!({"ErrorEquals": ["X"], "IntervalSeconds": 10, "JitterStrategy": "FULL"}));
        for _ in 0..50 {
            assert!(retry_delay(&r, 0) <= Duration::from_secs(10));
        }
    }

    #[test]
    fn first_matching_retrier_decides() {
        let rs = vec![
            retrier(json!({"ErrorEquals": ["A"], "MaxAttempts": 0})),
            retrier(json!({"ErrorEquals": ["States.ALL"]})),
        ];
        assert_eq!(find_retrier(&rs, "A"), Some(0));
        assert_eq!(find_retrier(&rs, "B"), Some(1));
        assert_eq!(find_retrier(&rs, "States.Runtime"), None);
    }
}
