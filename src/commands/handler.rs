//! `idpctl handler NAME`: run one handler's Lambda loop (what `bootstrap` does with `_HANDLER`),
//! or `--list` the handlers.

use crate::cli::HandlerArgs;
use crate::error::Hinted;
use crate::exit::ExitStatus;
use crate::handlers::{Handler, names};
use crate::runtime::lambda;
use crate::ui::{self, OutputFormat, Ui};

pub fn run(args: &HandlerArgs, ui: &Ui) -> anyhow::Result<ExitStatus> {
    if args.list {
        match ui.output {
            OutputFormat::Json => ui::print_json(&names())?,
            OutputFormat::Text => names().iter().for_each(|n| println!("{n}")),
        }
        return Ok(ExitStatus::Success);
    }
    let env = |k: &str| std::env::var(k).ok();
    let name = match &args.name {
        Some(n) => n.clone(),
        None => env("_HANDLER").ok_or_else(|| {
            Hinted::usage("no handler named", "pass one (`idpctl handler intake`) or set _HANDLER; `idpctl handler --list` lists them")
        })?,
    };
    let handler: Handler = name.parse()?;
    lambda::run(handler, &env)?;
    Ok(ExitStatus::Success)
}

/// `bootstrap` is started with no arguments; inside Lambda that means "be the `_HANDLER`".
pub fn is_lambda_bootstrap() -> bool {
    std::env::var_os("AWS_LAMBDA_RUNTIME_API").is_some()
}
