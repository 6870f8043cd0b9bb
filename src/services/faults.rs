//! Fault injection for tests: `IDPCTL_FAULTS=storage:0.2,ocr:0.2,model:0.2[,seed:N]` makes that
//! fraction of the local stack's handler calls fail with the error a real transient failure
//! gives, so the tests can show that retries (the state machine's, the model policy's) carry
//! every document through and that nothing is done twice.
//!
//! Injected at the service boundary, so no handler knows: a [`Layer`] around the stores, and
//! decorators of the OCR engine and the model backend:
//! - storage: object `get`/`put`/`download`/`upload` fail as a 5xx does in S3
//!   (`StoreError::Transient`), tracking `create`/`update` as a busy database does. Half of
//!   the failed writes fail after the write landed (the answer was lost on the way back), so a
//!   retry repeats a write that was done: what "nothing twice" has to survive;
//! - OCR: the engine's `recognize` is throttled (`EngineError::Throttled`, Textract's kind);
//! - model: the backend's `chat` is throttled (HTTP 429), beneath the retry policy of
//!   `engines::policy`, so both that policy and the state machine's Retry are exercised.
//!
//! Never in production: only the local stack reads the variable (`runtime::local`); the
//! deployed functions build AWS services and never look at it. Each injected fault is one line
//! on stderr (`idpctl: fault injected …`), so a run says loudly that it was tampered with, and
//! tests count the faults from it.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use async_trait::async_trait;

use super::layer::{self, Call, Layer, Op};
use super::{Services, StoreError};
use crate::engines::{ChatModel, ChatRequest, ChatResponse, EngineError};
use crate::model::page::PageImage;
use crate::pipeline::config::sections::OcrSection;
use crate::pipeline::ocr::{OcrEngine, OcrError, Recognized};

/// The variable that turns fault injection on.
pub const VAR: &str = "IDPCTL_FAULTS";

/// Where faults are injected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Storage,
    Ocr,
    Model,
}

impl Kind {
    const ALL: [Kind; 3] = [Kind::Storage, Kind::Ocr, Kind::Model];

    pub const fn name(self) -> &'static str {
        match self {
            Kind::Storage => "storage",
            Kind::Ocr => "ocr",
            Kind::Model => "model",
        }
    }
}

/// A value of [`VAR`] that is not a fault specification.
#[derive(Debug, thiserror::Error)]
#[error("{VAR}: {message}")]
pub struct FaultsError {
    pub message: String,
}

impl crate::diagnose::Diagnose for FaultsError {
    fn hint(&self) -> Option<String> {
        Some(format!(
            "write it as storage:0.2,ocr:0.2,model:0.2,seed:7 (each part optional, rates from 0 \
             to 1), or unset {VAR}"
        ))
    }
}

/// What [`VAR`] asks for: a failure rate per kind and the random seed.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Spec {
    pub storage: f64,
    pub ocr: f64,
    pub model: f64,
    /// `None`: a seed from the clock, printed so a run can be repeated.
    pub seed: Option<u64>,
}

impl Spec {
    pub fn parse(text: &str) -> Result<Spec, FaultsError> {
        let bad = |message: String| FaultsError { message };
        let mut spec = Spec {
            storage: 0.0,
            ocr: 0.0,
            model: 0.0,
            seed: None,
        };
        for part in text.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let (key, value) = part
                .split_once(':')
                .ok_or_else(|| bad(format!("`{part}` is not `name:value`")))?;
            let (key, value) = (key.trim(), value.trim());
            if key == "seed" {
                spec.seed = Some(
                    value
                        .parse()
                        .map_err(|_| bad(format!("seed `{value}` is not a whole number")))?,
                );
                continue;
            }
            let rate: f64 = value
                .parse()
                .ok()
                .filter(|r: &f64| (0.0..=1.0).contains(r))
                .ok_or_else(|| bad(format!("{key} rate `{value}` is not between 0 and 1")))?;
            match key {
                "storage" => spec.storage = rate,
                "ocr" => spec.ocr = rate,
                "model" => spec.model = rate,
                other => {
                    return Err(bad(format!(
                        "`{other}` is not a kind of fault (storage, ocr, model, seed)"
                    )));
                }
            }
        }
        Ok(spec)
    }

    fn rate(&self, kind: Kind) -> f64 {
        match kind {
            Kind::Storage => self.storage,
            Kind::Ocr => self.ocr,
            Kind::Model => self.model,
        }
    }
}

/// The faults of one process: the rates, the random source, and counts of calls and faults.
pub struct Faults {
    spec: Spec,
    rng: Mutex<fastrand::Rng>,
    calls: [AtomicU64; 3],
    injected: [AtomicU64; 3],
}

impl Faults {
    /// Reads [`VAR`] once; `None` when it is unset or empty.
    pub fn from_env(
        get: impl Fn(&str) -> Option<String>,
    ) -> Result<Option<Arc<Faults>>, FaultsError> {
        let Some(text) = get(VAR).filter(|v| !v.trim().is_empty()) else {
            return Ok(None);
        };
        let faults = Faults::new(Spec::parse(&text)?);
        eprintln!(
            "idpctl: fault injection is on ({VAR}, for tests): storage {}, ocr {}, model {}, seed {}",
            faults.spec.storage,
            faults.spec.ocr,
            faults.spec.model,
            faults.spec.seed.unwrap_or_default()
        );
        Ok(Some(Arc::new(faults)))
    }

    pub fn new(mut spec: Spec) -> Faults {
        let seed = *spec.seed.get_or_insert_with(|| fastrand::u64(..));
        Faults {
            spec,
            rng: Mutex::new(fastrand::Rng::with_seed(seed)),
            calls: Default::default(),
            injected: Default::default(),
        }
    }

    /// Faults injected so far, by kind.
    pub fn injected(&self, kind: Kind) -> u64 {
        self.injected[kind as usize].load(Ordering::Relaxed)
    }

    /// Calls seen so far, by kind.
    pub fn calls(&self, kind: Kind) -> u64 {
        self.calls[kind as usize].load(Ordering::Relaxed)
    }

    /// Whether this call of `kind` fails; when it does, says so on stderr with `what` it was.
    fn strike(&self, kind: Kind, what: impl FnOnce() -> String) -> bool {
        let rate = self.spec.rate(kind);
        let calls = self.calls[kind as usize].fetch_add(1, Ordering::Relaxed) + 1;
        if rate <= 0.0 {
            return false;
        }
        let roll = self.rng.lock().unwrap_or_else(|p| p.into_inner()).f64();
        if roll >= rate {
            return false;
        }
        let n = self.injected[kind as usize].fetch_add(1, Ordering::Relaxed) + 1;
        eprintln!(
            "idpctl: fault injected: {} {} ({n} of {calls} {} calls)",
            kind.name(),
            what(),
            kind.name()
        );
        true
    }

    /// `services` with faults at their boundary: objects, tracking and the OCR engine. The
    /// model engines get theirs where they are built ([`Faults::chat`] beneath the retry
    /// policy), so it is not repeated here.
    pub fn wrap(self: &Arc<Self>, services: &Services) -> Services {
        Services {
            objects: layer::wrap(&services.objects, self),
            tracking: layer::wrap(&services.tracking, self),
            ocr: Arc::new(FaultyOcr {
                faults: self.clone(),
                inner: services.ocr.clone(),
            }),
            ..services.clone()
        }
    }

    /// A model backend whose calls are throttled at the model rate.
    pub fn chat(self: &Arc<Self>, inner: Arc<dyn ChatModel>) -> Arc<dyn ChatModel> {
        Arc::new(FaultyChat {
            faults: self.clone(),
            inner,
        })
    }

    /// For a write that fails: whether it fails after landing (its answer lost) rather than
    /// before.
    fn lost_answer(&self) -> bool {
        self.rng.lock().unwrap_or_else(|p| p.into_inner()).bool()
    }

    fn store_error(&self, op: &str, bucket: &str, key: &str) -> Option<StoreError> {
        self.strike(Kind::Storage, || format!("{op} {bucket}/{key}"))
            .then(|| {
                // What `aws::sdk_error` makes of S3's 503 SlowDown.
                StoreError::Transient(format!(
                    "{op}: service error: SlowDown: Please reduce your request rate (injected by {VAR})"
                ))
            })
    }

    fn table_error(&self, op: &str, id: &str) -> Option<StoreError> {
        self.strike(Kind::Storage, || format!("tracking {op} {id}"))
            .then(|| {
                // What `StoreError::sqlite` makes of SQLITE_BUSY.
                StoreError::Transient(format!(
                    "tracking database busy: database is locked (injected by {VAR})"
                ))
            })
    }
}

impl std::fmt::Debug for Faults {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut d = f.debug_struct("Faults");
        d.field("spec", &self.spec);
        for kind in Kind::ALL {
            d.field(kind.name(), &(self.injected(kind), self.calls(kind)));
        }
        d.finish()
    }
}

/// Object `get`/`put`/`download`/`upload` and tracking `create`/`update` fail at the storage
/// rate; existence checks, listings and tracking reads are reads of metadata that S3 and the
/// table rarely refuse, and the brief of this switch is the data path, so they pass through.
impl Layer for Faults {
    async fn around<T: Send>(&self, op: Op<'_>, mut call: impl Call<T>) -> Result<T, StoreError> {
        let fault = match op {
            Op::GetObject { bucket, key } | Op::Download { bucket, key } => {
                self.store_error("GetObject", bucket, key)
            }
            Op::PutObject { bucket, key } | Op::Upload { bucket, key } => {
                self.store_error("PutObject", bucket, key)
            }
            Op::CreateRecord { id } => self.table_error("create", id),
            Op::UpdateRecord { id } => self.table_error("update", id),
            _ => None,
        };
        let Some(error) = fault else {
            return call().await;
        };
        if op.writes() && self.lost_answer() {
            call().await?;
        }
        Err(error)
    }
}

struct FaultyOcr {
    faults: Arc<Faults>,
    inner: Arc<dyn OcrEngine>,
}

#[async_trait]
impl OcrEngine for FaultyOcr {
    fn name(&self) -> &str {
        self.inner.name()
    }

    async fn recognize(
        &self,
        image: &PageImage,
        page_number: u32,
        settings: &OcrSection,
    ) -> Result<Recognized, OcrError> {
        let engine = self.inner.name();
        if self
            .faults
            .strike(Kind::Ocr, || format!("{engine} page {page_number}"))
        {
            // What Textract's ProvisionedThroughputExceededException becomes.
            return Err(OcrError::Model(EngineError::Throttled {
                backend: "ocr",
                model: engine.to_string(),
                detail: format!("rate exceeded (injected by {VAR})"),
            }));
        }
        self.inner.recognize(image, page_number, settings).await
    }
}

struct FaultyChat {
    faults: Arc<Faults>,
    inner: Arc<dyn ChatModel>,
}

#[async_trait]
impl ChatModel for FaultyChat {
    fn backend(&self) -> &'static str {
        self.inner.backend()
    }

    async fn chat(&self, req: &ChatRequest) -> Result<ChatResponse, EngineError> {
        let backend = self.inner.backend();
        if self
            .faults
            .strike(Kind::Model, || format!("{backend} chat {}", req.model))
        {
            // What a 429 (OpenAI-compatible) or ThrottlingException (Bedrock) becomes.
            return Err(EngineError::Throttled {
                backend,
                model: req.model.clone(),
                detail: format!("429 Too Many Requests (injected by {VAR})"),
            });
        }
        self.inner.chat(req).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::services::TrackingUpdate;
    use crate::services::local::{LocalLayout, local_names, services};

    #[test]
    fn specifications_parse_and_bad_ones_name_the_part() {
        let s = Spec::parse("storage:0.2, ocr:0.5,model:1,seed:7").unwrap();
        assert_eq!(
            (s.storage, s.ocr, s.model, s.seed),
            (0.2, 0.5, 1.0, Some(7))
        );
        assert_eq!(Spec::parse("ocr:0.1").unwrap().storage, 0.0);
        for (bad, says) in [
            ("storage", "is not `name:value`"),
            ("storage:1.5", "between 0 and 1"),
            ("storage:x", "between 0 and 1"),
            ("disk:0.2", "`disk` is not a kind of fault"),
            ("seed:-1", "not a whole number"),
        ] {
            let e = Spec::parse(bad).unwrap_err().to_string();
            assert!(
                e.starts_with("IDPCTL_FAULTS: ") && e.contains(says),
                "{bad}: {e}"
            );
        }
        assert!(Faults::from_env(|_| Some(" ".into())).unwrap().is_none());
        assert!(Faults::from_env(|_| None).unwrap().is_none());
    }

    #[test]
    fn a_seeded_rate_fails_about_that_fraction_and_the_same_calls_each_time() {
        let pattern = |seed| {
            let f = Faults::new(Spec {
                storage: 0.2,
                ocr: 0.0,
                model: 0.0,
                seed: Some(seed),
            });
            let hits: Vec<bool> = (0..2000)
                .map(|_| f.strike(Kind::Storage, String::new))
                .collect();
            assert_eq!(f.calls(Kind::Storage), 2000);
            assert_eq!(
                f.injected(Kind::Storage),
                hits.iter().filter(|h| **h).count() as u64
            );
            hits
        };
        let hits = pattern(7);
        let rate = hits.iter().filter(|h| **h).count() as f64 / 2000.0;
        assert!((0.17..0.23).contains(&rate), "{rate}");
        assert_eq!(hits, pattern(7));
        assert_ne!(hits, pattern(8));
    }

    #[tokio::test]
    async fn injected_failures_are_the_retryable_kinds_and_reads_of_metadata_pass() {
        let dir = tempfile::tempdir().unwrap();
        let base = services(&LocalLayout::new(dir.path()), local_names("t", 2)).unwrap();
        let always = Arc::new(Faults::new(Spec {
            storage: 1.0,
            ocr: 1.0,
            model: 1.0,
            seed: Some(1),
        }));
        let s = always.wrap(&base);
        let put = s.objects.put("t-working", "k", b"x".to_vec(), "text/plain");
        assert!(matches!(put.await, Err(StoreError::Transient(_))));
        let handler_error =
            crate::handlers::HandlerError::from(s.objects.get("t-working", "k").await.unwrap_err());
        assert_eq!(handler_error.error_type(), "idpctl.Transient");
        // The put may have landed (a lost answer); either way, looking is not refused.
        assert!(s.objects.exists("t-working", "k").await.is_ok());
        assert!(s.objects.list("t-working", "").await.unwrap().is_empty());
        let update = s.tracking.update("id", &TrackingUpdate::default()).await;
        assert!(matches!(update, Err(StoreError::Transient(_))));
        assert!(s.tracking.get("id").await.unwrap().is_none());

        let image = PageImage {
            bytes: Vec::new(),
            width: 1,
            height: 1,
            dpi: Some(150),
        };
        let ocr = s.ocr.recognize(&image, 3, &OcrSection::default()).await;
        match ocr {
            Err(OcrError::Model(e)) => assert_eq!(e.error_type(), "idpctl.ModelThrottled"),
            other => panic!("{other:?}"),
        }
        assert_eq!(always.injected(Kind::Storage), 3);
        assert_eq!(always.injected(Kind::Ocr), 1);
    }

    #[tokio::test]
    async fn throttled_model_calls_are_retried_by_the_engine_policy_and_metered() {
        use crate::engines::policy::{Governed, Retry};
        let answers = vec!["{}"; 40];
        let model = Arc::new(crate::engines::testing::Scripted::new(&answers));
        let faults = Arc::new(Faults::new(Spec {
            storage: 0.0,
            ocr: 0.0,
            model: 0.2,
            seed: Some(3),
        }));
        let retry = Retry {
            attempts: 20,
            base: std::time::Duration::from_millis(1),
            max_delay: std::time::Duration::from_millis(2),
        };
        let governed = Governed::new(faults.chat(model.clone()), retry, Default::default());
        let mut retries = 0;
        for _ in 0..40 {
            let answer = governed.chat(&ChatRequest::new("m")).await.unwrap();
            retries += u64::from(answer.retries);
        }
        assert!(faults.injected(Kind::Model) > 0);
        assert_eq!(
            retries,
            faults.injected(Kind::Model),
            "each fault cost one retry"
        );
        assert_eq!(model.asked().len(), 40, "the backend saw each request once");
    }
}
