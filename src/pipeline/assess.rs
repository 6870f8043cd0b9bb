//! Assess: compare each field's confidence with its threshold and raise an alert below it.
//!
//! Thresholds resolve like the accelerator's: the field's own `x-aws-idp-confidence-threshold`,
//! else its enclosing object's, else the class's (all resolved when the config is read), else
//! the caller's default (the accelerator's `assessment.default_confidence_threshold`).

use crate::model::{ConfidenceAlert, Section};
use crate::pipeline::config::ClassDef;

/// Fill in thresholds and alerts of an extracted section; returns the number of alerts.
pub fn assess_section(section: &mut Section, class: &ClassDef, default_threshold: f32) -> usize {
    section.confidence_threshold_alerts.clear();
    for (path, field) in section.fields.iter_mut() {
        let threshold = threshold_for(class, path)
            .or(class.threshold)
            .unwrap_or(default_threshold);
        field.confidence_threshold = Some(threshold);
        if field.confidence < threshold {
            section.confidence_threshold_alerts.push(ConfidenceAlert {
                attribute_name: path.clone(),
                confidence: field.confidence,
                confidence_threshold: threshold,
            });
        }
    }
    section.confidence_threshold_alerts.len()
}

/// The configured threshold of a dotted path; table cells (`table[3].col`) use their column's.
fn threshold_for(class: &ClassDef, path: &str) -> Option<f32> {
    if let Some(f) = class.field(path) {
        return f.threshold;
    }
    let (table, rest) = path.split_once('[')?;
    let col = rest.split_once("].")?.1;
    class
        .tables
        .iter()
        .find(|(p, _)| p.join(".") == table)?
        .1
        .iter()
        .find(|c| c.dotted() == col)?
        .threshold
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::FieldResult;
    use crate::pipeline::config::ClassConfig;

    #[test]
    fn fields_below_threshold_raise_alerts() {
        let config = ClassConfig::builtin();
        let w2 = config.class("W2").unwrap();
        let mut s = Section::default();
        let mut ein = FieldResult::missing("");
        ein.confidence = 0.85; // below the EIN's own 0.9
        s.fields.insert("employer_info.ein".into(), ein);
        let mut name = FieldResult::missing("");
        name.confidence = 0.85; // above the class's 0.8
        s.fields.insert("employer_info.employer_name".into(), name);
        let mut cell = FieldResult::missing("");
        cell.confidence = 0.5;
        s.fields
            .insert("state_taxes_table[0].state_name".into(), cell);
        assert_eq!(assess_section(&mut s, w2, 0.9), 2);
        let names: Vec<_> = s
            .confidence_threshold_alerts
            .iter()
            .map(|a| a.attribute_name.as_str())
            .collect();
        assert_eq!(
            names,
            vec!["employer_info.ein", "state_taxes_table[0].state_name"]
        );
        assert_eq!(
            s.fields["employer_info.ein"].confidence_threshold,
            Some(0.9)
        );
        assert_eq!(
            s.fields["employer_info.employer_name"].confidence_threshold,
            Some(0.8)
        );
    }
}
