//! A chat model for the engines' unit tests: it answers from a script and records what it was
//! asked, so a test can check both the engine's reading of answers and the requests it sends.

use std::sync::Mutex;

use async_trait::async_trait;

use super::chat::{ChatModel, ChatRequest, ChatResponse, Finish};
use super::error::EngineError;

/// Which routed script answers a request, if any (see [`Scripted::routed`]).
type Route = fn(&ChatRequest) -> Option<String>;

/// Answers from a script, in order, recording what it was asked. Every answer reports the same
/// token counts ([`Scripted::tokens`]).
pub struct Scripted {
    /// The answers still to give, the next one last; a test may change one's `Finish`.
    pub answers: Mutex<Vec<(String, Finish)>>,
    pub asked: Mutex<Vec<ChatRequest>>,
    /// Scripts chosen by the request rather than by order: the one `route` names answers, its
    /// answers in the order of the requests routed to it.
    routed: Vec<(String, Vec<&'static str>)>,
    route: Route,
    input_tokens: u64,
    output_tokens: u64,
}

impl Scripted {
    /// `answers` in the order they are given, each a complete (`Stop`) answer of 100 input and
    /// 20 output tokens.
    pub fn new(answers: &[&str]) -> Self {
        Scripted {
            answers: Mutex::new(
                answers
                    .iter()
                    .rev()
                    .map(|a| (a.to_string(), Finish::Stop))
                    .collect(),
            ),
            asked: Mutex::new(Vec::new()),
            routed: Vec::new(),
            route: |_| None,
            input_tokens: 100,
            output_tokens: 20,
        }
    }

    /// Answers each request from the script `route` names for it (`scripts`: name → answers,
    /// in order); there are no answers for a request it names no script for.
    pub fn routed(route: Route, scripts: Vec<(String, Vec<&'static str>)>) -> Self {
        Scripted {
            routed: scripts,
            route,
            ..Scripted::new(&[])
        }
    }

    /// The token counts every answer reports.
    pub fn tokens(self, input_tokens: u64, output_tokens: u64) -> Self {
        Scripted {
            input_tokens,
            output_tokens,
            ..self
        }
    }

    /// The requests so far, in the order they were made.
    pub fn asked(&self) -> Vec<ChatRequest> {
        self.asked.lock().unwrap().clone()
    }
}

#[async_trait]
impl ChatModel for Scripted {
    fn backend(&self) -> &'static str {
        "scripted"
    }

    async fn chat(&self, req: &ChatRequest) -> Result<ChatResponse, EngineError> {
        let (text, finish) = {
            let mut asked = self.asked.lock().unwrap();
            asked.push(req.clone());
            let name = (self.route)(req);
            match self
                .routed
                .iter()
                .find(|(script, _)| Some(script) == name.as_ref())
            {
                Some((script, answers)) => {
                    let earlier = asked[..asked.len() - 1]
                        .iter()
                        .filter(|r| (self.route)(r).as_ref() == Some(script))
                        .count();
                    (answers[earlier].to_string(), Finish::Stop)
                }
                None => self
                    .answers
                    .lock()
                    .unwrap()
                    .pop()
                    .expect("a scripted answer"),
            }
        };
        // Let other calls start, as a server's latency would.
        tokio::task::yield_now().await;
        Ok(ChatResponse {
            text,
            model: req.model.clone(),
            input_tokens: self.input_tokens,
            output_tokens: self.output_tokens,
            finish,
            millis: 1,
            retries: 0,
        })
    }
}
