//! `idpctl eval RESULTS GROUND_TRUTH`: scores results against a ground truth with the class
//! config's evaluation methods (the library is [`crate::eval`]). Exit 0, 1 when
//! `--min-accuracy` is not met, 2 when an input cannot be read.

use crate::cli::EvalArgs;
use crate::error::Hinted;
use crate::exit::ExitStatus;
use crate::settings::Settings;
use crate::ui::{self, OutputFormat, Ui};

/// `0.8`, `80%` or `80` → 0.8.
fn parse_fraction(s: &str) -> Option<f64> {
    let t = s.trim();
    let (num, percent) = match t.strip_suffix('%') {
        Some(n) => (n, true),
        None => (t, false),
    };
    let v: f64 = num.trim().parse().ok()?;
    let v = if percent || v > 1.0 { v / 100.0 } else { v };
    (0.0..=1.0).contains(&v).then_some(v)
}

pub fn run(args: &EvalArgs, settings: &Settings, ui: &Ui) -> anyhow::Result<ExitStatus> {
    let gate = match &args.min_accuracy {
        Some(s) => Some(parse_fraction(s).ok_or_else(|| {
            Hinted::usage(
                format!("--min-accuracy `{s}` is not a share"),
                "give a fraction (0.8) or a percentage (80%)",
            )
        })?),
        None => None,
    };
    let config = crate::pipeline::config::sources::effective(settings).map_err(|e| {
        Hinted::usage(
            format!("the class configuration does not load: {e}"),
            "fix the file, or run `idpctl config validate FILE` to see every finding",
        )
    })?;
    let classes = crate::eval::class_schemas(&config.document);
    let report = crate::eval::run(&args.results, &args.ground_truth, &classes)
        .map_err(|e| Hinted::usage(e.to_string(), e.hint()))?;
    match ui.output {
        OutputFormat::Json => ui::print_json(&report)?,
        OutputFormat::Text => print!("{}", crate::eval::report::text(&report)),
    }
    if let Some(min) = gate {
        let accuracy = report.overall.accuracy();
        if accuracy < min {
            ui.warn(format!(
                "accuracy {:.1}% is below --min-accuracy {:.1}%",
                100.0 * accuracy,
                100.0 * min
            ));
            return Ok(ExitStatus::Findings);
        }
    }
    Ok(ExitStatus::Success)
}

#[cfg(test)]
mod tests {
    use super::parse_fraction;

    #[test]
    fn shares() {
        assert_eq!(parse_fraction("0.8"), Some(0.8));
        assert_eq!(parse_fraction("80%"), Some(0.8));
        assert_eq!(parse_fraction("80"), Some(0.8));
        assert_eq!(parse_fraction("1"), Some(1.0));
        assert_eq!(parse_fraction("120"), None);
        assert_eq!(parse_fraction("x"), None);
    }
}
