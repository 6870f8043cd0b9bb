//! Numbers for evaluation: the crate's one locale-aware reader ([`crate::numbers`]), so a value
//! extracted as `1.234,56` and a truth written `1234.56` compare equal.

pub use crate::numbers::{candidates, parse, same};
