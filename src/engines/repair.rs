//! One model question whose answer must pass a check, with one repair request: the stages that
//! need a shaped answer (classification, extraction, assessment) ask, check the answer against
//! what the configuration allows, and on a bad answer ask once more, saying what was wrong (and,
//! through the check's message, what is allowed). A second bad answer is an `InvalidAnswer`
//! whose message carries the model's own text, since that is what a person needs to see. What
//! the calls cost is counted as [`Usage`].

use serde_json::Value;

use super::chat::{ChatModel, ChatRequest, ChatResponse, Finish, Part};
use super::error::EngineError;

/// How much of the model's answer a failure reason quotes.
const QUOTED_CHARS: usize = 600;

/// What a model call cost, for metering.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Usage {
    pub calls: u32,
    pub input_tokens: u64,
    pub output_tokens: u64,
    /// Failed attempts (throttled, unavailable, timed out) the retry policy repeated.
    pub retries: u32,
}

impl Usage {
    /// The usage of one answered call.
    pub fn of(answer: &ChatResponse) -> Usage {
        Usage {
            calls: 1,
            input_tokens: answer.input_tokens,
            output_tokens: answer.output_tokens,
            retries: answer.retries,
        }
    }

    /// Counts one more answered call.
    pub fn add(&mut self, answer: &ChatResponse) {
        self.calls += 1;
        self.input_tokens += answer.input_tokens;
        self.output_tokens += answer.output_tokens;
        self.retries += answer.retries;
    }
}

/// Asks `request`; `check` turns the answer's JSON into `T` or says what is wrong with it.
/// Returns `T` and whether it took the repair request. Tokens of every call go into `usage`.
pub async fn ask_checked<T>(
    chat: &dyn ChatModel,
    request: &ChatRequest,
    usage: &mut Usage,
    check: impl Fn(&Value) -> Result<T, String>,
) -> Result<(T, bool), EngineError> {
    let mut current = request.clone();
    let mut first_problem = String::new();
    for attempt in 0..2 {
        let answer = chat.chat(&current).await?;
        usage.add(&answer);
        if matches!(answer.finish, Finish::Length) {
            return Err(EngineError::Truncated {
                text: answer.text,
                max_tokens: current.max_tokens,
            });
        }
        let checked = match answer.json() {
            Ok(value) => check(&value),
            Err(EngineError::InvalidAnswer { reason, .. }) => {
                Err(format!("the answer is {reason}"))
            }
            Err(e) => return Err(e),
        };
        match checked {
            Ok(t) => return Ok((t, attempt > 0)),
            Err(problem) if attempt == 0 => {
                current = with_repair_note(request, &problem, &answer.text);
                first_problem = problem;
            }
            Err(problem) => {
                let again = if problem == first_problem {
                    "the same again after one repair request".to_string()
                } else {
                    format!("after one repair request about: {first_problem}")
                };
                return Err(EngineError::InvalidAnswer {
                    reason: format!(
                        "{problem} ({again}); the model answered: {}",
                        quoted(&answer.text)
                    ),
                    text: answer.text,
                });
            }
        }
    }
    unreachable!("the loop returns on its second attempt")
}

/// The request again, its user turn followed by what was wrong with the answer.
fn with_repair_note(request: &ChatRequest, problem: &str, answer: &str) -> ChatRequest {
    let note = format!(
        "Your previous answer could not be used: {problem}.\nYour previous answer was:\n{answer}\n\nAnswer again with only the JSON object."
    );
    let mut repaired = request.clone();
    match repaired.user.as_mut_slice() {
        // One text part stays one (servers without the parts form take it).
        [Part::Text(text)] => {
            text.push_str("\n\n");
            text.push_str(&note);
        }
        parts => {
            let mut all = parts.to_vec();
            all.push(Part::Text(note));
            repaired.user = all;
        }
    }
    repaired
}

/// The model's text for a failure reason: whole when short, else its start.
pub fn quoted(text: &str) -> String {
    let text = text.trim();
    match text.char_indices().nth(QUOTED_CHARS) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text.to_string(),
    }
}

/// What a JSON value is, in words, for a problem message.
pub fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "an object",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_answers_are_quoted_by_their_start() {
        assert_eq!(quoted("  short "), "short");
        let long = "é".repeat(QUOTED_CHARS + 5);
        let q = quoted(&long);
        assert!(q.ends_with('…'));
        assert_eq!(q.chars().count(), QUOTED_CHARS + 1);
    }

    #[test]
    fn the_repair_note_joins_a_lone_text_part() {
        let mut req = ChatRequest::new("m");
        req.user = vec![Part::Text("classify".into())];
        let r = with_repair_note(&req, "it names `X`", "{\"class\": \"X\"}");
        assert_eq!(r.user.len(), 1);
        let Part::Text(t) = &r.user[0] else { panic!() };
        assert!(t.starts_with("classify\n\nYour previous answer could not be used: it names `X`."));
        assert!(t.contains("{\"class\": \"X\"}"));
    }
}
