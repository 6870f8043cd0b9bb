//! Fuzzing on stable Rust: property-based tests (proptest) over every parser of user input —
//! ZIP batches, document splitting (PDF, PNG, JPEG, TIFF, DOCX, text), S3/EventBridge/SQS and
//! Step Functions events, profile and class-config YAML, ASL definitions, paths, intrinsic
//! functions, payload templates and JSONata expressions. Each input is generated valid, then
//! mutated (truncated, bytes flipped, lengths and offsets overwritten, nesting deepened), and
//! also thrown at the parser as raw bytes or text.
//!
//! Properties: no panic, no hang (each call on a thread with a deadline), errors that carry a
//! message, and for expanding inputs a measured memory peak (see `memory`). Crashes found are
//! kept as named regression tests in `regressions`, with their inputs in
//! `tests/fixtures/fuzz/` (inline when they are one line); proptest also replays the shrunk
//! inputs it recorded in `tests/proptest-regressions/`.
//!
//! `IDPCTL_FUZZ_CASES` sets the cases per property (default 32; CI raises it).

mod asl;
mod bombs;
mod events;
mod harness;
mod jsonata;
mod memory;
mod mutate;
mod regressions;
mod split;
mod yaml;
mod zip;
