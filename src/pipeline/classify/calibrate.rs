//! From a page's evidence to a confidence that means a probability: a logistic model over a few
//! features of the verdict, with weights fitted on development pages (the shipped samples and
//! `evalsets/*/dev`, never a holdout) by [`fit`]; [`reliability`] is the table that checks it
//! (per bin of predicted confidence, how often the class was right).

/// What the confidence of one verdict is computed from.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Features {
    /// Prominence × weight of the class's title on the page (0 when none).
    pub title: f32,
    /// Body evidence of the class, 0–1.
    pub body: f32,
    /// How far ahead of the runner-up the class is, 0–1.
    pub margin: f32,
    /// A headline naming a type no class claims, 0–1.15.
    pub against: f32,
    /// 1 when the page only continues the previous page's class.
    pub continued: f32,
}

impl Features {
    fn x(&self) -> [f32; N] {
        [
            1.0,
            // Titled pages and body-only pages are different regimes: each its own bias.
            if self.title > 0.0 { 1.0 } else { 0.0 },
            self.title,
            self.body,
            self.margin,
            self.against,
            self.continued,
        ]
    }
}

/// Number of weights: bias, titled, title, body, margin, against, continued.
pub const N: usize = 7;

/// Fitted weights: bias, titled, title, body, margin, against, continued (see the module doc; refit
/// with the ignored test `classify_report` in `tests/classify_samples.rs`).
///
/// Fitted 2026-12-06 on 90 dev pages (samples, invoices-real, invoices-synthetic/dev,
/// mixed-synthetic/dev) plus 24 pages re-read with their own class taken out of the config
/// (every verdict there is wrong): reliability ECE 0.15 on that data, see the report. The dev
/// pages hold almost no headline of an unclaimed type beside a claimed one, so `against` kept
/// its prior (-1) rather than the fitted 0.01.
pub const WEIGHTS: [f32; N] = [-0.21, 1.61, 1.50, 2.08, -1.32, -1.0, -0.42];

/// Probability that the verdict is right.
pub fn confidence(f: &Features) -> f32 {
    confidence_with(&WEIGHTS, f)
}

pub fn confidence_with(w: &[f32; N], f: &Features) -> f32 {
    let z: f32 = w.iter().zip(f.x()).map(|(w, x)| w * x).sum();
    1.0 / (1.0 + (-z).exp())
}

/// Logistic regression by gradient descent with a little L2 (few samples, keep weights sane).
pub fn fit(samples: &[(Features, bool)]) -> [f32; N] {
    let mut w = WEIGHTS;
    if samples.is_empty() {
        return w;
    }
    let n = samples.len() as f32;
    for _ in 0..4000 {
        let mut grad = [0.0f32; N];
        for (f, right) in samples {
            let err = confidence_with(&w, f) - if *right { 1.0 } else { 0.0 };
            for (g, x) in grad.iter_mut().zip(f.x()) {
                *g += err * x / n;
            }
        }
        for (i, (wi, g)) in w.iter_mut().zip(grad).enumerate() {
            let l2 = if i == 0 { 0.0 } else { 0.01 * *wi };
            *wi -= 0.5 * (g + l2);
        }
    }
    w
}

/// One row of a reliability table.
#[derive(Debug, Clone, PartialEq)]
pub struct Bin {
    pub from: f32,
    pub to: f32,
    pub count: usize,
    /// Mean predicted confidence of the bin.
    pub predicted: f32,
    /// Share of the bin that was right.
    pub observed: f32,
}

/// Predictions grouped into `bins` equal-width bins of confidence (empty bins left out).
pub fn reliability(preds: &[(f32, bool)], bins: usize) -> Vec<Bin> {
    let bins = bins.max(1);
    let mut rows = Vec::new();
    for b in 0..bins {
        let from = b as f32 / bins as f32;
        let to = (b + 1) as f32 / bins as f32;
        let inside: Vec<&(f32, bool)> = preds
            .iter()
            .filter(|(p, _)| *p >= from && (*p < to || (b + 1 == bins && *p <= to)))
            .collect();
        if inside.is_empty() {
            continue;
        }
        let n = inside.len() as f32;
        rows.push(Bin {
            from,
            to,
            count: inside.len(),
            predicted: inside.iter().map(|(p, _)| p).sum::<f32>() / n,
            observed: inside.iter().filter(|(_, r)| *r).count() as f32 / n,
        });
    }
    rows
}

/// Expected calibration error: the count-weighted gap between predicted and observed.
pub fn ece(rows: &[Bin]) -> f32 {
    let n: usize = rows.iter().map(|r| r.count).sum();
    if n == 0 {
        return 0.0;
    }
    rows.iter()
        .map(|r| r.count as f32 * (r.predicted - r.observed).abs())
        .sum::<f32>()
        / n as f32
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_title_is_confident_and_a_foreign_headline_is_not() {
        let titled = Features {
            title: 1.0,
            body: 0.5,
            margin: 0.8,
            ..Features::default()
        };
        assert!(confidence(&titled) > 0.9);
        let contradicted = Features {
            against: 1.0,
            ..titled
        };
        assert!(confidence(&contradicted) < confidence(&titled));
        // Body evidence alone, just over the bar: a coin toss, not a certainty.
        let body_only = Features {
            body: 0.4,
            margin: 0.25,
            ..Features::default()
        };
        assert!(confidence(&body_only) < 0.7);
    }

    #[test]
    fn fit_learns_which_feature_predicts() {
        // Right exactly when there is a title: the fitted model must separate the two.
        let samples: Vec<(Features, bool)> = (0..40)
            .map(|i| {
                let titled = i % 2 == 0;
                let f = Features {
                    title: if titled { 1.0 } else { 0.0 },
                    body: 0.5,
                    margin: 0.5,
                    ..Features::default()
                };
                (f, titled)
            })
            .collect();
        let w = fit(&samples);
        assert!(confidence_with(&w, &samples[0].0) > 0.9);
        assert!(confidence_with(&w, &samples[1].0) < 0.1);
    }

    #[test]
    fn reliability_bins_and_ece() {
        let preds = [
            (0.95, true),
            (0.9, true),
            (0.85, false),
            (0.1, false),
            (1.0, true),
        ];
        let rows = reliability(&preds, 10);
        assert_eq!(rows.len(), 3);
        let top = rows.last().unwrap();
        assert_eq!((top.count, top.observed), (3, 1.0));
        assert!(ece(&rows) > 0.0 && ece(&rows) < 0.5);
    }
}
