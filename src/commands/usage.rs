//! What the stack's documents used and cost, for `status`: the metering `finalize` keeps in each
//! completed document's tracking record (`details.metering`), summed, and its estimated cost.
//! Read from the records `status` reads anyway, never from the results themselves.
//!
//! Bounded in AWS: the completed documents created since `--since` (default the last 24 h),
//! newest first, at most [`MAX_DOCUMENTS`], by one paginated Query of the tracking table's
//! `by_status` index. Each 1 MB page of that Query costs 128 eventually consistent read units
//! (0.5 per 4 KB), so the cap reads about 10 MB: ~1,300 read units, a few hundredths of a cent
//! on demand. Locally the records are in SQLite and every one is read (`--since` still applies).

use serde::Serialize;

use crate::engines::cost::{self, Estimate};
use crate::engines::prices::Prices;
use crate::model::{Metering, metering};
use crate::services::TrackingRecord;

/// Completed documents `status` reads from a deployed tracking table, at most.
pub const MAX_DOCUMENTS: usize = 10_000;

/// The summed metering of a set of completed documents.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Usage {
    /// The earliest creation time counted (RFC 3339, UTC); `null`: every document.
    pub since: Option<String>,
    /// Completed documents read.
    pub documents: u64,
    /// Those whose record carries metering; the others were finalized before idpctl recorded
    /// it there, and are not in the sums.
    pub metered_documents: u64,
    /// The read stopped at [`MAX_DOCUMENTS`]: older documents are not counted.
    pub truncated: bool,
    pub metering: Metering,
    pub cost: Estimate,
    /// What the numbers leave out, one sentence each.
    pub notes: Vec<String>,
}

/// Sums the metering of the completed document records among `records` (created at or after
/// `since` when given); `truncated` says the caller stopped reading at the cap.
pub fn summed(
    records: &[TrackingRecord],
    since: Option<&str>,
    truncated: bool,
    prices: &Prices,
) -> Usage {
    let mut sum = Metering::new();
    let (mut documents, mut metered) = (0, 0);
    let counted = records.iter().filter(|r| {
        r.kind == "document"
            && r.status == "COMPLETED"
            && since.is_none_or(|t| r.created_at.as_str() >= t)
    });
    for r in counted {
        documents += 1;
        let Some(m) = r.details.get("metering").and_then(|m| m.as_object()) else {
            continue;
        };
        metered += 1;
        for (context, units) in m {
            for (unit, amount) in units.as_object().into_iter().flatten() {
                if let Some(n) = amount.as_f64() {
                    metering::add(&mut sum, context, unit, n);
                }
            }
        }
    }
    let mut notes = Vec::new();
    if metered < documents {
        notes.push(format!(
            "{} of {documents} completed documents carry no metering (finalized before idpctl recorded it in the tracking table): they are not in these sums",
            documents - metered
        ));
    }
    if truncated {
        notes.push(format!(
            "only the newest {MAX_DOCUMENTS} completed documents were read: pass a later --since for a complete sum"
        ));
    }
    notes.push("failed documents are not in these sums (their metering is in no record)".into());
    Usage {
        since: since.map(str::to_string),
        documents,
        metered_documents: metered,
        truncated,
        cost: cost::estimate(&sum, prices),
        metering: sum,
        notes,
    }
}

/// The usage as `status` prints it, one line per item; `label` pads the first column.
pub fn text(u: &Usage, pad: usize) -> Vec<String> {
    let mut lines = vec![format!(
        "{:<pad$}{} completed document(s){}, {} with metering",
        "usage",
        u.documents,
        u.since
            .as_ref()
            .map_or_else(String::new, |s| format!(" since {s}")),
        u.metered_documents
    )];
    lines.extend(
        cost::text(&u.cost, &u.metering)
            .into_iter()
            .map(|l| format!("{:pad$}{l}", "")),
    );
    lines.extend(u.notes.iter().map(|n| format!("{:<pad$}{n}", "note")));
    lines
}

/// `--since`: a duration back from `now_millis` (`30m`, `24h`, `7d`), a date or an RFC 3339
/// time, or `all`; the lower bound as the tracking table writes times (RFC 3339 UTC, ms).
pub fn since(arg: &str, now_millis: u64) -> Result<Option<String>, String> {
    let arg = arg.trim();
    if arg == "all" {
        return Ok(None);
    }
    let unit = |c: char| match c {
        'm' => Some(60_000u64),
        'h' => Some(3_600_000),
        'd' => Some(86_400_000),
        _ => None,
    };
    if let Some(last) = arg.chars().last()
        && let Some(ms) = unit(last)
        && let Ok(n) = arg[..arg.len() - 1].parse::<u64>()
    {
        return Ok(Some(crate::services::clock::rfc3339(
            now_millis.saturating_sub(n.saturating_mul(ms)),
        )));
    }
    let full = if arg.len() == 10 {
        format!("{arg}T00:00:00Z")
    } else {
        arg.to_string()
    };
    let t = time::OffsetDateTime::parse(&full, &time::format_description::well_known::Rfc3339)
        .map_err(|_| {
            format!("`{arg}` is not a duration (30m, 24h, 7d), a date (2026-01-31), an RFC 3339 time or `all`")
        })?;
    let millis = u64::try_from(t.unix_timestamp_nanos() / 1_000_000).unwrap_or(0);
    Ok(Some(crate::services::clock::rfc3339(millis)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn record(id: &str, status: &str, created: &str, details: serde_json::Value) -> TrackingRecord {
        TrackingRecord {
            id: id.into(),
            kind: "document".into(),
            batch_id: None,
            status: status.into(),
            created_at: created.into(),
            updated_at: created.into(),
            source: None,
            execution: None,
            reason: None,
            details,
        }
    }

    #[test]
    fn sums_completed_documents_and_says_what_is_left_out() {
        let m = |n: f64| json!({"metering": {"Extraction/bedrock/us.amazon.nova-lite-v1:0": {"inputTokens": n, "outputTokens": n / 10.0, "requests": 1}}});
        let records = vec![
            record("a", "COMPLETED", "2026-01-02T00:00:00.000Z", m(1000.0)),
            record("b", "COMPLETED", "2026-01-03T00:00:00.000Z", m(3000.0)),
            record(
                "c",
                "COMPLETED",
                "2026-01-03T00:00:00.000Z",
                json!({"num_pages": 1}),
            ),
            record("d", "FAILED", "2026-01-03T00:00:00.000Z", m(99.0)),
            record("e", "COMPLETED", "2025-12-31T00:00:00.000Z", m(5.0)),
        ];
        let u = summed(
            &records,
            Some("2026-01-01T00:00:00.000Z"),
            false,
            &Prices::new(),
        );
        assert_eq!((u.documents, u.metered_documents), (3, 2));
        let lite = &u.metering["Extraction/bedrock/us.amazon.nova-lite-v1:0"];
        assert_eq!((lite["inputTokens"], lite["requests"]), (4000.0, 2.0));
        let expected = (4000.0 * 0.06 + 400.0 * 0.24) / 1e6;
        assert!((u.cost.total_usd.unwrap() - expected).abs() < 1e-12);
        assert!(
            u.notes[0].starts_with("1 of 3 completed documents carry no metering"),
            "{:?}",
            u.notes
        );
        let all = summed(&records, None, true, &Prices::new());
        assert_eq!(all.documents, 4);
        assert!(all.notes.iter().any(|n| n.contains("only the newest")));
        assert!(
            text(&u, 12)[0].starts_with("usage       3 completed document(s) since 2026-01-01")
        );
    }

    #[test]
    fn since_takes_durations_dates_and_all() {
        let now = 1_767_225_600_000; // 2026-01-01T00:00:00Z
        assert_eq!(since("all", now).unwrap(), None);
        assert_eq!(
            since("24h", now).unwrap().unwrap(),
            "2025-12-31T00:00:00.000Z"
        );
        assert_eq!(
            since("7d", now).unwrap().unwrap(),
            "2025-12-25T00:00:00.000Z"
        );
        assert_eq!(
            since("30m", now).unwrap().unwrap(),
            "2025-12-31T23:30:00.000Z"
        );
        assert_eq!(
            since("2026-01-31", now).unwrap().unwrap(),
            "2026-01-31T00:00:00.000Z"
        );
        assert_eq!(
            since("2026-01-31T12:00:00+02:00", now).unwrap().unwrap(),
            "2026-01-31T10:00:00.000Z"
        );
        assert!(since("yesterday", now).unwrap_err().contains("`yesterday`"));
    }
}
