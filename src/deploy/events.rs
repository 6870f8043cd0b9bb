//! The stack event stream: which events are new since an operation began, how each prints, the
//! live view on a terminal, and the root cause of a failure — the first resource that failed,
//! not the cascade of cancellations and rollbacks that follows it.

use std::collections::HashSet;

use super::types::StackEvent;
use crate::ui::{Style, paint};

/// Remembers where an operation started and which events were already shown, so polling
/// `DescribeStackEvents` (newest first) yields each event once, oldest first.
#[derive(Debug, Clone, Default)]
pub struct EventStream {
    /// The newest event before the operation began; everything up to it is history.
    marker: Option<String>,
    seen: HashSet<String>,
}

impl EventStream {
    /// Starts after the newest event of this page (or from the beginning for a new stack).
    pub fn after(newest_first: &[StackEvent]) -> Self {
        EventStream {
            marker: newest_first.first().map(|e| e.event_id.clone()),
            seen: HashSet::new(),
        }
    }

    /// The events of this page that are new, oldest first.
    pub fn take_new(&mut self, newest_first: &[StackEvent]) -> Vec<StackEvent> {
        let mut fresh: Vec<StackEvent> = newest_first
            .iter()
            .take_while(|e| Some(&e.event_id) != self.marker.as_ref())
            .filter(|e| !self.seen.contains(&e.event_id))
            .cloned()
            .collect();
        fresh.reverse();
        for e in &fresh {
            self.seen.insert(e.event_id.clone());
        }
        fresh
    }
}

/// `HH:MM:SS` of an RFC 3339 timestamp (UTC as CloudFormation reports it).
fn clock(timestamp: &str) -> &str {
    timestamp.get(11..19).unwrap_or(timestamp)
}

fn status_style(status: &str) -> Option<Style> {
    if status.ends_with("_FAILED") || status.contains("ROLLBACK") {
        Some(Style::Error)
    } else if status.ends_with("_COMPLETE") {
        Some(Style::Good)
    } else {
        None
    }
}

/// One line per event, for logs and pipes.
pub fn format_line(e: &StackEvent, color: bool) -> String {
    let status = format!("{:<28}", e.resource_status);
    let status = match status_style(&e.resource_status) {
        Some(style) => paint(color, style, &status),
        None => status,
    };
    let mut line = format!(
        "{}  {status}  {:<34}  {}",
        clock(&e.timestamp),
        e.resource_type,
        e.logical_resource_id
    );
    if let Some(reason) = e
        .resource_status_reason
        .as_deref()
        .filter(|r| !r.is_empty())
    {
        line.push_str(&format!("  {reason}"));
    }
    line.trim_end().to_string()
}

/// Reasons CloudFormation gives to resources it stopped because something else failed.
fn is_consequence(reason: &str) -> bool {
    let r = reason.to_ascii_lowercase();
    r.contains("cancelled")
        || r.contains("canceled")
        || r.starts_with("the following resource(s) failed")
        || r.contains("rollback requested by user")
}

/// The first failure that is not a consequence of another, oldest first; the stack's own
/// events only when no resource says more.
pub fn root_cause(chronological: &[StackEvent]) -> Option<&StackEvent> {
    let failed = |e: &&StackEvent| e.resource_status.ends_with("_FAILED");
    let reason = |e: &StackEvent| e.resource_status_reason.clone().unwrap_or_default();
    chronological
        .iter()
        .filter(failed)
        .find(|e| e.resource_type != "AWS::CloudFormation::Stack" && !is_consequence(&reason(e)))
        .or_else(|| {
            chronological
                .iter()
                .filter(failed)
                .find(|e| !is_consequence(&reason(e)))
        })
        .or_else(|| chronological.iter().find(failed))
}

/// The live view: one line per resource with its latest status, redrawn in place.
#[derive(Debug, Clone, Default)]
pub struct LiveView {
    rows: Vec<StackEvent>,
}

impl LiveView {
    pub fn apply(&mut self, e: &StackEvent) {
        match self
            .rows
            .iter_mut()
            .find(|r| r.logical_resource_id == e.logical_resource_id)
        {
            Some(row) => *row = e.clone(),
            None => self.rows.push(e.clone()),
        }
    }

    pub fn lines(&self, color: bool) -> Vec<String> {
        self.rows.iter().map(|e| format_line(e, color)).collect()
    }

    pub fn len(&self) -> usize {
        self.rows.len()
    }

    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ev(id: &str, logical: &str, status: &str, reason: Option<&str>) -> StackEvent {
        StackEvent {
            event_id: id.into(),
            logical_resource_id: logical.into(),
            resource_type: "AWS::S3::Bucket".into(),
            timestamp: "2026-11-22T10:11:12.345Z".into(),
            resource_status: status.into(),
            resource_status_reason: reason.map(str::to_string),
            physical_resource_id: None,
        }
    }

    #[test]
    fn only_events_after_the_marker_once_each_oldest_first() {
        let old = vec![ev("1", "S", "UPDATE_COMPLETE", None)];
        let mut stream = EventStream::after(&old);
        let page = vec![
            ev("3", "B", "UPDATE_COMPLETE", None),
            ev("2", "B", "UPDATE_IN_PROGRESS", None),
            old[0].clone(),
        ];
        let ids: Vec<String> = stream
            .take_new(&page)
            .into_iter()
            .map(|e| e.event_id)
            .collect();
        assert_eq!(ids, ["2", "3"]);
        assert!(stream.take_new(&page).is_empty());
    }

    #[test]
    fn a_line_has_time_status_type_id_and_reason() {
        let line = format_line(
            &ev("1", "Docs", "CREATE_FAILED", Some("Access Denied")),
            false,
        );
        assert_eq!(
            line,
            "10:11:12  CREATE_FAILED                 AWS::S3::Bucket                     Docs  Access Denied"
        );
    }

    #[test]
    fn the_live_view_keeps_one_row_per_resource() {
        let mut view = LiveView::default();
        view.apply(&ev("1", "A", "CREATE_IN_PROGRESS", None));
        view.apply(&ev("2", "B", "CREATE_IN_PROGRESS", None));
        view.apply(&ev("3", "A", "CREATE_COMPLETE", None));
        assert_eq!(view.len(), 2);
        assert!(view.lines(false)[0].contains("CREATE_COMPLETE"));
    }
}
