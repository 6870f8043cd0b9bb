//! A change set as a table a person can judge before saying yes: action, logical id, type and
//! whether the resource is replaced, with replacement or removal of a data store (bucket, table,
//! queue) marked dangerous — those lose data, so they need `--allow-replace` even with `--yes`.

use serde::Serialize;

use super::types::ResourceChange;
use crate::ui::{Style, paint};

/// Resource types that hold data: replacing or removing one loses it.
pub const DATA_TYPES: &[&str] = &[
    "AWS::S3::Bucket",
    "AWS::DynamoDB::Table",
    "AWS::DynamoDB::GlobalTable",
    "AWS::SQS::Queue",
];

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ChangeRow {
    pub action: String,
    pub logical_id: String,
    pub resource_type: String,
    /// `True`, `False`, `Conditional`, or `-` where replacement does not apply.
    pub replacement: String,
    pub dangerous: bool,
}

/// Removal of a data store, or a change that replaces (or may replace) one.
pub fn is_dangerous(change: &ResourceChange) -> bool {
    DATA_TYPES.contains(&change.resource_type.as_str())
        && (change.action == "Remove"
            || matches!(change.replacement.as_deref(), Some("True" | "Conditional")))
}

/// Rows in a stable order: dangerous first, then as CloudFormation listed them.
pub fn rows(changes: &[ResourceChange]) -> Vec<ChangeRow> {
    let mut rows: Vec<ChangeRow> = changes
        .iter()
        .map(|c| ChangeRow {
            action: c.action.clone(),
            logical_id: c.logical_resource_id.clone(),
            resource_type: c.resource_type.clone(),
            replacement: match (c.action.as_str(), c.replacement.as_deref()) {
                ("Modify", Some(r)) => r.to_string(),
                _ => "-".into(),
            },
            dangerous: is_dangerous(c),
        })
        .collect();
    // A stable sort keeps CloudFormation's order inside each group.
    rows.sort_by_key(|r| !r.dangerous);
    rows
}

/// The table as text; `color` paints dangerous rows red.
pub fn render(rows: &[ChangeRow], color: bool) -> String {
    if rows.is_empty() {
        // CloudFormation lists resources only; a change of parameters or outputs alone has none.
        return "the change set lists no resource changes (parameters or outputs change)\n".into();
    }
    let header = ["", "ACTION", "LOGICAL ID", "TYPE", "REPLACEMENT"];
    let cells: Vec<[String; 5]> = rows
        .iter()
        .map(|r| {
            [
                if r.dangerous {
                    "!".into()
                } else {
                    String::new()
                },
                r.action.clone(),
                r.logical_id.clone(),
                r.resource_type.clone(),
                r.replacement.clone(),
            ]
        })
        .collect();
    let mut widths = header.map(str::len);
    for row in &cells {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let line = |cells: &[String]| {
        let mut out = String::new();
        for (i, (cell, w)) in cells.iter().zip(widths).enumerate() {
            if i + 1 == cells.len() {
                out.push_str(cell);
            } else {
                out.push_str(&format!("{cell:<w$}  "));
            }
        }
        out.trim_end().to_string()
    };
    let mut out = line(&header.map(String::from)) + "\n";
    for (row, cells) in rows.iter().zip(&cells) {
        let text = line(cells);
        let text = if row.dangerous {
            paint(color, Style::Error, &text)
        } else {
            text
        };
        out.push_str(&text);
        out.push('\n');
    }
    let dangerous = rows.iter().filter(|r| r.dangerous).count();
    if dangerous > 0 {
        out.push_str(&format!(
            "! {dangerous} change(s) replace or remove a bucket, table or queue: the data in it is lost\n"
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn change(action: &str, id: &str, ty: &str, replacement: Option<&str>) -> ResourceChange {
        ResourceChange {
            action: action.into(),
            logical_resource_id: id.into(),
            resource_type: ty.into(),
            replacement: replacement.map(str::to_string),
            physical_resource_id: None,
        }
    }

    #[test]
    fn danger_is_data_stores_replaced_or_removed() {
        assert!(is_dangerous(&change(
            "Remove",
            "B",
            "AWS::S3::Bucket",
            None
        )));
        assert!(is_dangerous(&change(
            "Modify",
            "T",
            "AWS::DynamoDB::Table",
            Some("True")
        )));
        assert!(is_dangerous(&change(
            "Modify",
            "Q",
            "AWS::SQS::Queue",
            Some("Conditional")
        )));
        assert!(!is_dangerous(&change(
            "Modify",
            "Q",
            "AWS::SQS::Queue",
            Some("False")
        )));
        assert!(!is_dangerous(&change("Add", "B", "AWS::S3::Bucket", None)));
        assert!(!is_dangerous(&change(
            "Remove",
            "F",
            "AWS::Lambda::Function",
            None
        )));
        assert!(!is_dangerous(&change(
            "Modify",
            "F",
            "AWS::Lambda::Function",
            Some("True")
        )));
    }

    #[test]
    fn empty_change_set_says_so() {
        assert!(render(&[], false).starts_with("the change set lists no resource changes"));
    }
}
