//! What every backend gets around it: retries with back-off for the failures that pass
//! (throttling, an unavailable service, a timed-out attempt), and per-model limits on calls in
//! flight and on requests and tokens per minute (profile `engines.limits`).
//!
//! The retries here are the first line: a call throttled `attempts` times in a row is given up
//! as `ModelThrottled`, and the state machine's Retry backs off the whole step, across every
//! document of the batch. Each answer says how many attempts it took (`ChatResponse::retries`),
//! so metering shows what faults cost. Limits hold per process: the local stack has one; in
//! Lambda each instance has its own, so a fleet-wide limit is the function's reserved
//! concurrency times this one.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use async_trait::async_trait;
use serde::{Deserialize, Serialize};
use tokio::sync::Semaphore;

use super::chat::{ChatModel, ChatRequest, ChatResponse};
use super::error::EngineError;

/// How often a failing call is tried, and how long between tries.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Retry {
    /// Attempts in all for a throttled or unavailable call (1 = no retries).
    pub attempts: u32,
    /// The first back-off; each further one doubles, with full jitter.
    pub base: Duration,
    pub max_delay: Duration,
}

impl Default for Retry {
    fn default() -> Self {
        Retry {
            attempts: 3,
            base: Duration::from_millis(1000),
            max_delay: Duration::from_secs(20),
        }
    }
}

impl Retry {
    /// The pause before attempt `n + 1` (n ≥ 1): uniformly random up to `base · 2^(n-1)`,
    /// capped, so throttled callers spread out instead of coming back together.
    fn delay(&self, n: u32, unit: f64) -> Duration {
        let ceiling = self
            .base
            .saturating_mul(1u32 << (n - 1).min(16))
            .min(self.max_delay);
        ceiling.mul_f64(unit.clamp(0.0, 1.0))
    }
}

/// Limits of one model (profile `engines.limits.<model id>`, or `default`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Limit {
    /// Calls in flight at once.
    pub concurrency: Option<u32>,
    pub requests_per_minute: Option<u32>,
    /// Input plus output tokens per minute (counted after each call, as the service does).
    pub tokens_per_minute: Option<u64>,
}

/// A backend with retries and limits around it.
pub struct Governed {
    inner: Arc<dyn ChatModel>,
    retry: Retry,
    limits: HashMap<String, Limit>,
    state: Mutex<HashMap<String, Arc<ModelState>>>,
}

impl Governed {
    pub fn new(inner: Arc<dyn ChatModel>, retry: Retry, limits: HashMap<String, Limit>) -> Self {
        Governed {
            inner,
            retry,
            limits,
            state: Mutex::new(HashMap::new()),
        }
    }

    fn state(&self, model: &str) -> Arc<ModelState> {
        let mut all = self.state.lock().unwrap_or_else(|p| p.into_inner());
        all.entry(model.to_string())
            .or_insert_with(|| {
                let limit = self
                    .limits
                    .get(model)
                    .or_else(|| self.limits.get("default"))
                    .cloned()
                    .unwrap_or_default();
                Arc::new(ModelState::new(limit))
            })
            .clone()
    }
}

#[async_trait]
impl ChatModel for Governed {
    fn backend(&self) -> &'static str {
        self.inner.backend()
    }

    async fn chat(&self, req: &ChatRequest) -> Result<ChatResponse, EngineError> {
        let state = self.state(&req.model);
        let started = Instant::now();
        let mut failed = 0u32;
        loop {
            let result = {
                let _permit = match &state.in_flight {
                    Some(s) => Some(s.acquire().await.map_err(|_| EngineError::Unavailable {
                        backend: self.inner.backend(),
                        model: req.model.clone(),
                        detail: "the model's call limiter was closed".into(),
                    })?),
                    None => None,
                };
                state.wait_for_budget().await;
                let result = self.inner.chat(req).await;
                if let Ok(answer) = &result {
                    state.spend(answer.input_tokens + answer.output_tokens);
                }
                result
            };
            match result {
                Ok(mut answer) => {
                    answer.retries += failed;
                    answer.millis =
                        u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
                    return Ok(answer);
                }
                Err(e) if self.worth_another(&e, failed + 1) => {
                    failed += 1;
                    tokio::time::sleep(self.retry.delay(failed, fastrand::f64())).await;
                }
                Err(e) => return Err(e),
            }
        }
    }
}

impl Governed {
    /// Whether a call that failed `tried` times with `e` is tried again.
    fn worth_another(&self, e: &EngineError, tried: u32) -> bool {
        match e {
            EngineError::Throttled { .. } | EngineError::Unavailable { .. } => {
                tried < self.retry.attempts
            }
            // A timed-out call is tried once more, unless the backend already did.
            EngineError::Timeout { attempts, .. } => *attempts < 2 && tried < 2,
            _ => false,
        }
    }
}

/// The per-model counters: calls in flight, and requests and tokens spent in the current minute.
struct ModelState {
    limit: Limit,
    in_flight: Option<Semaphore>,
    window: Mutex<Window>,
}

struct Window {
    started: Instant,
    requests: u32,
    tokens: u64,
}

impl ModelState {
    fn new(limit: Limit) -> Self {
        ModelState {
            in_flight: limit.concurrency.map(|n| Semaphore::new(n.max(1) as usize)),
            limit,
            window: Mutex::new(Window {
                started: Instant::now(),
                requests: 0,
                tokens: 0,
            }),
        }
    }

    /// Waits until the current minute has room for one more request (and its tokens), then
    /// counts the request.
    async fn wait_for_budget(&self) {
        if self.limit.requests_per_minute.is_none() && self.limit.tokens_per_minute.is_none() {
            return;
        }
        loop {
            let wait = {
                let mut w = self.window.lock().unwrap_or_else(|p| p.into_inner());
                let elapsed = w.started.elapsed();
                if elapsed >= Duration::from_secs(60) {
                    *w = Window {
                        started: Instant::now(),
                        requests: 0,
                        tokens: 0,
                    };
                }
                let requests_full = self
                    .limit
                    .requests_per_minute
                    .is_some_and(|max| w.requests >= max.max(1));
                let tokens_full = self
                    .limit
                    .tokens_per_minute
                    .is_some_and(|max| w.tokens >= max);
                if requests_full || tokens_full {
                    Some(Duration::from_secs(60).saturating_sub(w.started.elapsed()))
                } else {
                    w.requests += 1;
                    None
                }
            };
            match wait {
                None => return,
                Some(d) => tokio::time::sleep(d.max(Duration::from_millis(10))).await,
            }
        }
    }

    fn spend(&self, tokens: u64) {
        let mut w = self.window.lock().unwrap_or_else(|p| p.into_inner());
        w.tokens += tokens;
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicU32, Ordering};

    use super::*;
    use crate::engines::Finish;

    /// Fails the first `fail` calls with `error`, then answers; tracks calls in flight.
    struct Flaky {
        fail: u32,
        error: fn() -> EngineError,
        calls: AtomicU32,
        in_flight: AtomicU32,
        most_in_flight: AtomicU32,
    }

    impl Flaky {
        fn new(fail: u32, error: fn() -> EngineError) -> Self {
            Flaky {
                fail,
                error,
                calls: AtomicU32::new(0),
                in_flight: AtomicU32::new(0),
                most_in_flight: AtomicU32::new(0),
            }
        }
    }

    #[async_trait]
    impl ChatModel for Flaky {
        fn backend(&self) -> &'static str {
            "bedrock"
        }

        async fn chat(&self, req: &ChatRequest) -> Result<ChatResponse, EngineError> {
            let now = self.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
            self.most_in_flight.fetch_max(now, Ordering::SeqCst);
            tokio::time::sleep(Duration::from_millis(20)).await;
            self.in_flight.fetch_sub(1, Ordering::SeqCst);
            if self.calls.fetch_add(1, Ordering::SeqCst) < self.fail {
                return Err((self.error)());
            }
            Ok(ChatResponse {
                text: "{}".into(),
                model: req.model.clone(),
                input_tokens: 10,
                output_tokens: 5,
                finish: Finish::Stop,
                millis: 20,
                retries: 0,
            })
        }
    }

    fn throttled() -> EngineError {
        EngineError::Throttled {
            backend: "bedrock",
            model: "m".into(),
            detail: "ThrottlingException".into(),
        }
    }

    fn fast() -> Retry {
        Retry {
            attempts: 3,
            base: Duration::from_millis(1),
            max_delay: Duration::from_millis(5),
        }
    }

    #[tokio::test]
    async fn throttled_calls_are_retried_and_counted() {
        let flaky = Arc::new(Flaky::new(2, throttled));
        let governed = Governed::new(flaky.clone(), fast(), HashMap::new());
        let answer = governed.chat(&ChatRequest::new("m")).await.unwrap();
        assert_eq!(answer.retries, 2);
        assert_eq!(flaky.calls.load(Ordering::SeqCst), 3);
    }

    #[tokio::test]
    async fn throttling_past_the_attempts_is_given_to_the_state_machine() {
        let flaky = Arc::new(Flaky::new(3, throttled));
        let governed = Governed::new(flaky.clone(), fast(), HashMap::new());
        let err = governed.chat(&ChatRequest::new("m")).await.unwrap_err();
        assert_eq!(err.error_type(), "idpctl.ModelThrottled");
        assert_eq!(flaky.calls.load(Ordering::SeqCst), 3);
    }

    #[tokio::test]
    async fn other_failures_are_not_retried() {
        let flaky = Arc::new(Flaky::new(1, || EngineError::AccessDenied {
            backend: "bedrock",
            model: "m".into(),
            detail: "no".into(),
        }));
        let governed = Governed::new(flaky.clone(), fast(), HashMap::new());
        assert!(governed.chat(&ChatRequest::new("m")).await.is_err());
        assert_eq!(flaky.calls.load(Ordering::SeqCst), 1);
    }

    #[tokio::test]
    async fn a_timeout_is_tried_once_more_only() {
        let timeout = || EngineError::Timeout {
            backend: "bedrock",
            model: "m".into(),
            after: Duration::from_secs(1),
            attempts: 1,
        };
        let flaky = Arc::new(Flaky::new(5, timeout));
        let governed = Governed::new(flaky.clone(), fast(), HashMap::new());
        assert!(governed.chat(&ChatRequest::new("m")).await.is_err());
        assert_eq!(flaky.calls.load(Ordering::SeqCst), 2);
    }

    #[tokio::test]
    async fn calls_in_flight_stay_within_the_models_limit() {
        let flaky = Arc::new(Flaky::new(0, throttled));
        let limits = HashMap::from([(
            "m".to_string(),
            Limit {
                concurrency: Some(2),
                ..Limit::default()
            },
        )]);
        let governed = Arc::new(Governed::new(flaky.clone(), fast(), limits));
        let mut set = tokio::task::JoinSet::new();
        for _ in 0..8 {
            let g = governed.clone();
            set.spawn(async move { g.chat(&ChatRequest::new("m")).await.map(|_| ()) });
        }
        while let Some(r) = set.join_next().await {
            r.unwrap().unwrap();
        }
        assert_eq!(flaky.most_in_flight.load(Ordering::SeqCst), 2);
    }

    #[tokio::test]
    async fn other_models_use_the_default_limit() {
        let flaky = Arc::new(Flaky::new(0, throttled));
        let limits = HashMap::from([(
            "default".to_string(),
            Limit {
                concurrency: Some(1),
                ..Limit::default()
            },
        )]);
        let governed = Arc::new(Governed::new(flaky.clone(), fast(), limits));
        let mut set = tokio::task::JoinSet::new();
        for _ in 0..4 {
            let g = governed.clone();
            set.spawn(async move { g.chat(&ChatRequest::new("other")).await.map(|_| ()) });
        }
        while let Some(r) = set.join_next().await {
            r.unwrap().unwrap();
        }
        assert_eq!(flaky.most_in_flight.load(Ordering::SeqCst), 1);
    }

    #[test]
    fn back_off_doubles_with_jitter_and_is_capped() {
        let r = Retry {
            attempts: 5,
            base: Duration::from_millis(100),
            max_delay: Duration::from_millis(300),
        };
        assert_eq!(r.delay(1, 1.0), Duration::from_millis(100));
        assert_eq!(r.delay(2, 1.0), Duration::from_millis(200));
        assert_eq!(r.delay(3, 1.0), Duration::from_millis(300));
        assert_eq!(r.delay(2, 0.5), Duration::from_millis(100));
    }

    #[tokio::test]
    async fn the_requests_per_minute_budget_is_counted() {
        let state = ModelState::new(Limit {
            requests_per_minute: Some(2),
            ..Limit::default()
        });
        state.wait_for_budget().await;
        state.wait_for_budget().await;
        let third = tokio::time::timeout(Duration::from_millis(50), state.wait_for_budget()).await;
        assert!(
            third.is_err(),
            "a third request within the minute must wait"
        );
    }
}
