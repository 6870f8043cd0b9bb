//! The pipeline stages as plain functions over the model: no AWS, no Lambda, no I/O of their own
//! (except OCR, which runs an engine). Handlers and the local runtime call them in this order:
//!
//! [`split::split`] → [`ocr::ocr_page`] (pages that need it) → [`classify::classify`] →
//! [`extract::extract_section`] → [`assess::assess_section`] → [`summarize::summarize`].
//! [`run::process_document`] chains them for the local runtime and the tests.

pub mod assess;
pub mod calendar;
pub mod classify;
pub mod config;
pub mod einvoice;
pub mod extract;
pub mod layout;
pub mod lexicon;
pub mod ocr;
pub(crate) mod pdf_text;
pub mod run;
pub mod split;
pub mod summarize;
pub mod text_layer;
pub mod xml_ref;
