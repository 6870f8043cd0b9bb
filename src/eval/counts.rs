//! The counters and the metrics derived from them, as the accelerator defines them (its
//! `classify_field_comparison` and Stickler's derived metrics). For each leaf field:
//!
//! | expected | actual  | compared   | outcome |
//! |----------|---------|------------|---------|
//! | value    | value   | match      | TP      |
//! | value    | value   | no match   | FD (false discovery: a wrong value) |
//! | value    | empty   |            | FN (missed) |
//! | empty    | value   |            | FA (false alarm: a value where none is expected) |
//! | empty    | empty   |            | TN      |
//!
//! Empty is null, a blank string, `[]` or `{}`. FP = FA + FD. Precision = TP / (TP + FP),
//! recall = TP / (TP + FN), F1 = 2·TP / (2·TP + FP + FN), accuracy = (TP + TN) / (TP + FP +
//! FN + TN); a zero denominator gives 0, as the accelerator's `safe_div` does. Recall does not
//! count a wrong value against it (that is FD, in precision), so we also report the match rate,
//! TP / expected, where `expected` counts every non-empty truth field: the share of the ground
//! truth we got right.
//!
//! A field whose method needs a model (SEMANTIC, LLM) and whose values differ is `unscored`: it
//! is in `expected` (so it lowers the match rate) but in none of TP/FP/FN/TN.

use serde::{Deserialize, Serialize};

/// What one leaf comparison concluded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Outcome {
    Tp,
    Fd,
    Fa,
    Fn,
    Tn,
    Unscored,
}

/// Reads back from the JSON that `Serialize` writes (`fn` for `fn_`; the derived figures are
/// ignored, being recomputed from the counters), so that consumers of `idpctl eval --output
/// json` share this type and its metrics.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(default)]
pub struct Counts {
    pub tp: u64,
    pub fd: u64,
    pub fa: u64,
    #[serde(rename = "fn")]
    pub fn_: u64,
    pub tn: u64,
    pub unscored: u64,
}

/// `num / den`, or 0 for a zero denominator (the accelerator's `safe_div`).
pub fn ratio(num: u64, den: u64) -> f64 {
    if den == 0 {
        0.0
    } else {
        num as f64 / den as f64
    }
}

impl Counts {
    pub fn add(&mut self, outcome: Outcome) {
        match outcome {
            Outcome::Tp => self.tp += 1,
            Outcome::Fd => self.fd += 1,
            Outcome::Fa => self.fa += 1,
            Outcome::Fn => self.fn_ += 1,
            Outcome::Tn => self.tn += 1,
            Outcome::Unscored => self.unscored += 1,
        }
    }

    pub fn merge(&mut self, other: &Counts) {
        self.tp += other.tp;
        self.fd += other.fd;
        self.fa += other.fa;
        self.fn_ += other.fn_;
        self.tn += other.tn;
        self.unscored += other.unscored;
    }

    pub fn fp(&self) -> u64 {
        self.fa + self.fd
    }
    /// Non-empty ground-truth fields.
    pub fn expected(&self) -> u64 {
        self.tp + self.fd + self.fn_ + self.unscored
    }
    pub fn precision(&self) -> f64 {
        ratio(self.tp, self.tp + self.fp())
    }
    pub fn recall(&self) -> f64 {
        ratio(self.tp, self.tp + self.fn_)
    }
    pub fn f1(&self) -> f64 {
        ratio(2 * self.tp, 2 * self.tp + self.fp() + self.fn_)
    }
    pub fn accuracy(&self) -> f64 {
        ratio(self.tp + self.tn, self.tp + self.fp() + self.fn_ + self.tn)
    }
    pub fn match_rate(&self) -> f64 {
        ratio(self.tp, self.expected())
    }
    /// Comparisons that count in accuracy (all but unscored).
    pub fn scored(&self) -> u64 {
        self.tp + self.fp() + self.fn_ + self.tn
    }
}

impl Serialize for Counts {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        #[derive(Serialize)]
        struct Out {
            expected: u64,
            tp: u64,
            fd: u64,
            fa: u64,
            fp: u64,
            #[serde(rename = "fn")]
            fn_: u64,
            tn: u64,
            unscored: u64,
            match_rate: f64,
            accuracy: f64,
            precision: f64,
            recall: f64,
            f1: f64,
        }
        Out {
            expected: self.expected(),
            tp: self.tp,
            fd: self.fd,
            fa: self.fa,
            fp: self.fp(),
            fn_: self.fn_,
            tn: self.tn,
            unscored: self.unscored,
            match_rate: self.match_rate(),
            accuracy: self.accuracy(),
            precision: self.precision(),
            recall: self.recall(),
            f1: self.f1(),
        }
        .serialize(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// 6 right, 2 wrong values, 1 false alarm, 3 missed, 2 correctly empty, 1 unscored.
    fn sample() -> Counts {
        Counts {
            tp: 6,
            fd: 2,
            fa: 1,
            fn_: 3,
            tn: 2,
            unscored: 1,
        }
    }

    #[test]
    fn metrics_by_hand() {
        let c = sample();
        assert_eq!(c.fp(), 3);
        assert_eq!(c.expected(), 12);
        assert!((c.precision() - 6.0 / 9.0).abs() < 1e-12);
        assert!((c.recall() - 6.0 / 9.0).abs() < 1e-12);
        assert!((c.f1() - 12.0 / 18.0).abs() < 1e-12);
        assert!((c.accuracy() - 8.0 / 14.0).abs() < 1e-12);
        assert!((c.match_rate() - 0.5).abs() < 1e-12);
    }

    #[test]
    fn zero_denominators_give_zero() {
        let c = Counts::default();
        assert_eq!(
            (c.precision(), c.recall(), c.f1(), c.accuracy()),
            (0.0, 0.0, 0.0, 0.0)
        );
        let only_tn = Counts {
            tn: 3,
            ..Counts::default()
        };
        assert_eq!(only_tn.accuracy(), 1.0);
        assert_eq!(only_tn.precision(), 0.0);
    }

    #[test]
    fn json_names_the_counters() {
        let c = Counts {
            tp: 1,
            fn_: 1,
            ..Counts::default()
        };
        let v = serde_json::to_value(c).unwrap();
        assert_eq!(v["fn"], 1);
        assert_eq!(v["expected"], 2);
        assert_eq!(v["match_rate"], 0.5);
    }

    #[test]
    fn json_reads_back_into_the_same_counts() {
        let c = sample();
        let back: Counts = serde_json::from_value(serde_json::to_value(c).unwrap()).unwrap();
        assert_eq!(back, c);
        let outcome: Outcome = serde_json::from_value(serde_json::json!("fn")).unwrap();
        assert_eq!(outcome, Outcome::Fn);
    }
}
