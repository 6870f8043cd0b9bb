//! An error and its causes as one line, for messages that must fit on one line (a status note, an
//! engine's `unavailable` reason). A leaf module: anything may use it without an import circle
//! (`error.rs`, which prints whole chains for people, names every module's error type).

use std::error::Error;

/// `error: cause: cause's cause…`, each cause once: a cause whose text the line already holds
/// (context layers often repeat their source's message) is left out.
pub fn one_line(error: &dyn Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        let next = cause.to_string();
        if !text.contains(&next) {
            text.push_str(": ");
            text.push_str(&next);
        }
        source = cause.source();
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, thiserror::Error)]
    #[error("{text}")]
    struct Link {
        text: &'static str,
        #[source]
        source: Option<Box<Link>>,
    }

    fn link(text: &'static str, source: Option<Link>) -> Link {
        Link {
            text,
            source: source.map(Box::new),
        }
    }

    #[test]
    fn causes_follow_the_error_once_each() {
        let refused = link("Connection refused (os error 111)", None);
        let connect = link("client error (Connect)", Some(refused));
        assert_eq!(
            one_line(&link("request failed", Some(connect))),
            "request failed: client error (Connect): Connection refused (os error 111)"
        );
        // A layer that repeats its cause's message says it once.
        let inner = link("timed out", None);
        assert_eq!(
            one_line(&link("dispatch failure: timed out", Some(inner))),
            "dispatch failure: timed out"
        );
        assert_eq!(one_line(&link("alone", None)), "alone");
    }
}
