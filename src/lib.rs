//! idpctl: the deployer and the runtime of a serverless intelligent-document-processing stack.
//!
//! `main.rs` only calls [`run`]; everything testable lives in the modules below.

pub mod asl;
pub mod aws;
pub mod batch;
pub mod causes;
pub mod cli;
pub mod commands;
pub mod deploy;
pub mod diagnose;
pub mod engines;
pub mod error;
pub mod eval;
pub mod exit;
pub mod fsutil;
pub mod handlers;
pub mod model;
pub mod numbers;
pub mod package;
pub mod pipeline;
pub mod runtime;
pub mod services;
pub mod settings;
pub mod stack;
pub mod ui;
pub mod validate;
pub mod yaml;

pub use commands::run;
