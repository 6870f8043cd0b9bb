//! The report as a person reads it: per class (documents, fields, matched, accuracy,
//! precision, recall, F1), the overall line, page classification, then the worst fields.

use std::fmt::Write as _;

use super::{Counts, Report};

/// How many of the worst fields the table lists.
pub const WORST: usize = 10;

fn pct(x: f64) -> String {
    format!("{:.1}%", 100.0 * x)
}

fn line(out: &mut String, name: &str, docs: u64, c: &Counts) {
    let _ = writeln!(
        out,
        "{name:<28} {docs:>5} {:>7} {:>8} {:>9} {:>9} {:>10} {:>8} {:>7}",
        c.expected(),
        c.tp,
        pct(c.match_rate()),
        pct(c.accuracy()),
        pct(c.precision()),
        pct(c.recall()),
        format!("{:.3}", c.f1()),
    );
}

fn short(v: &serde_json::Value) -> String {
    let s = match v {
        serde_json::Value::String(s) => format!("{s:?}"),
        other => other.to_string(),
    };
    if s.chars().count() > 32 {
        format!("{}…", s.chars().take(31).collect::<String>())
    } else {
        s
    }
}

/// The terminal table.
pub fn text(r: &Report) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{:<28} {:>5} {:>7} {:>8} {:>9} {:>9} {:>10} {:>8} {:>7}",
        "CLASS", "DOCS", "FIELDS", "MATCHED", "MATCH", "ACCURACY", "PRECISION", "RECALL", "F1"
    );
    for g in &r.classes {
        line(&mut out, &g.name, g.documents, &g.counts);
    }
    line(&mut out, "OVERALL", r.documents.len() as u64, &r.overall);
    let c = &r.overall;
    let _ = writeln!(
        out,
        "fields: {} expected (non-empty in the truth); TP {} FD {} FA {} FN {} TN {}{}",
        c.expected(),
        c.tp,
        c.fd,
        c.fa,
        c.fn_,
        c.tn,
        if c.unscored > 0 {
            format!(", unscored {}", c.unscored)
        } else {
            String::new()
        }
    );
    if r.pages.pages > 0 {
        let _ = writeln!(
            out,
            "pages: {}/{} classified as the truth says ({})",
            r.pages.correct,
            r.pages.pages,
            pct(r.pages.accuracy)
        );
        for m in &r.pages.misses {
            let _ = writeln!(
                out,
                "  {} page {}: expected {}, got {}",
                m.document,
                m.page,
                m.expected,
                m.actual.as_deref().unwrap_or("nothing")
            );
        }
    }
    let mut worst: Vec<_> = r
        .fields
        .iter()
        .filter(|f| f.counts.tp < f.counts.expected() || f.counts.fa > 0)
        .collect();
    worst.sort_by(|a, b| {
        a.counts
            .match_rate()
            .total_cmp(&b.counts.match_rate())
            .then(b.counts.fp().cmp(&a.counts.fp()))
            .then(a.name.cmp(&b.name))
    });
    if !worst.is_empty() {
        let _ = writeln!(
            out,
            "\nworst fields ({} of {} with errors):",
            worst.len().min(WORST),
            worst.len()
        );
        let width = worst
            .iter()
            .take(WORST)
            .map(|f| f.class.as_deref().unwrap_or("").len() + 2 + f.name.len())
            .max()
            .unwrap_or(5)
            .clamp(5, 64);
        let _ = writeln!(
            out,
            "{:<width$} {:>9} {:>4} {:>4} {:>4}  example",
            "FIELD", "MATCHED", "FD", "FN", "FA"
        );
        for f in worst.iter().take(WORST) {
            let class = f.class.as_deref().unwrap_or("");
            let example = r
                .rows
                .iter()
                .find(|row| {
                    row.class == class
                        && row.key == f.name
                        && matches!(
                            row.outcome,
                            super::Outcome::Fd
                                | super::Outcome::Fn
                                | super::Outcome::Fa
                                | super::Outcome::Unscored
                        )
                })
                .map(|row| {
                    format!(
                        "{}: want {}, got {}",
                        row.document,
                        short(&row.expected),
                        short(&row.actual)
                    )
                })
                .unwrap_or_default();
            let _ = writeln!(
                out,
                "{:<width$} {:>9} {:>4} {:>4} {:>4}  {example}",
                format!("{class}: {}", f.name),
                format!("{}/{}", f.counts.tp, f.counts.expected()),
                f.counts.fd,
                f.counts.fn_,
                f.counts.fa,
            );
        }
    }
    if !r.missing_results.is_empty() {
        let _ = writeln!(
            out,
            "\nno result for (all fields missed): {}",
            r.missing_results.join(", ")
        );
    }
    if !r.results_without_truth.is_empty() {
        let _ = writeln!(
            out,
            "\nno ground truth for (not scored): {}",
            r.results_without_truth.join(", ")
        );
    }
    for n in &r.notes {
        let _ = writeln!(out, "note: {n}");
    }
    out
}
