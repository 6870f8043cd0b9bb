//! The local model server the `openai` engine's tests run against keeps the OpenAI contract the
//! engine relies on: `response_format: json_schema` gives schema-shaped JSON in
//! `choices[0].message.content`, with `usage` token counts and `finish_reason: stop`.
//! Skipped (with a notice) when `.ci/llama-server.sh` has not run, unless `IDPCTL_REQUIRE_MODEL`.

mod common;

use common::llama::LlamaServer;
use serde_json::{Value, json};
use std::time::Instant;

#[test]
fn chat_completion_with_a_json_schema_answers_schema_shaped_json() {
    let Some(server) = LlamaServer::start() else {
        return;
    };
    let request = json!({
        "model": server.model,
        "temperature": 0,
        "max_tokens": 128,
        "messages": [
            {"role": "system", "content": "You extract fields from documents. Answer in JSON."},
            {"role": "user", "content": "Employer: Acme Corp. Wages: 48500.25. \
                                         Give the employer name and the wages."}
        ],
        "response_format": {
            "type": "json_schema",
            "json_schema": {
                "name": "x",
                "schema": {
                    "type": "object",
                    "properties": {
                        // The tiny model, at temperature 0, repeats itself inside an unbounded
                        // string until `max_tokens` (finish_reason "length").
                        "employer": {"type": "string", "maxLength": 40},
                        "wages": {"type": "number"}
                    },
                    "required": ["employer", "wages"],
                    "additionalProperties": false
                }
            }
        }
    });
    let started = Instant::now();
    let (status, answer) = server.post("/chat/completions", &request);
    let latency = started.elapsed();
    eprintln!(
        "POST {}/chat/completions: {status} in {} ms",
        server.base_url,
        latency.as_millis()
    );
    assert_eq!(status, 200, "answer: {answer}");

    let choice = &answer["choices"][0];
    assert_eq!(choice["finish_reason"], "stop", "answer: {answer}");
    let content = choice["message"]["content"]
        .as_str()
        .unwrap_or_else(|| panic!("no message content: {answer}"));
    eprintln!("content: {}", content.replace('\n', " "));
    let fields: Value = serde_json::from_str(content)
        .unwrap_or_else(|e| panic!("content is not JSON ({e}): {content}"));
    assert!(fields["employer"].is_string(), "employer: {content}");
    assert!(fields["wages"].is_number(), "wages: {content}");

    for key in ["prompt_tokens", "completion_tokens"] {
        let n = answer["usage"][key].as_u64().unwrap_or(0);
        assert!(n > 0, "usage.{key} is {n}: {answer}");
    }
}
