//! Cost and time bookkeeping.
//!
//! `Metering` keeps the accelerator's shape — `"<Stage>/<service>/<model>": {"<unit>": n}` — so
//! the same cost reports work; `Timings` are milliseconds per stage, ours only.

use std::collections::BTreeMap;

/// `{"OCR/tesseract/5": {"pages": 3}}`
pub type Metering = BTreeMap<String, BTreeMap<String, f64>>;

/// Add `amount` of `unit` under `context`, creating both as needed.
pub fn add(metering: &mut Metering, context: &str, unit: &str, amount: f64) {
    *metering
        .entry(context.to_string())
        .or_default()
        .entry(unit.to_string())
        .or_insert(0.0) += amount;
}

/// Milliseconds spent per stage (`split`, `ocr`, `classify`, `extract`, ...).
pub type Timings = BTreeMap<String, u64>;

#[cfg(test)]
mod tests {
    #[test]
    fn add_accumulates() {
        let mut m = super::Metering::new();
        super::add(&mut m, "OCR/tesseract/5", "pages", 2.0);
        super::add(&mut m, "OCR/tesseract/5", "pages", 1.0);
        assert_eq!(m["OCR/tesseract/5"]["pages"], 3.0);
    }
}
