//! `idpctl destroy`: deletes the stack after consent. Buckets and tables the template retains
//! outlive it, and are listed so nobody is surprised by what is left (or billed for it).

use serde_json::Value;

use crate::aws;
use crate::cli::DestroyArgs;
use crate::deploy::flow;
use crate::deploy::template;
use crate::deploy::terminal::Terminal;
use crate::exit::ExitStatus;
use crate::settings::Settings;
use crate::ui::{self, OutputFormat, Ui};

pub fn run(args: &DestroyArgs, settings: &Settings, ui: &Ui) -> anyhow::Result<ExitStatus> {
    aws::runtime()?.block_on(async {
        let session = aws::connect(settings).await?;
        let cfn = session.cloudformation();
        let retained = |body: &str| {
            let parsed = crate::yaml::parse(body).unwrap_or(Value::Null);
            template::retained(&parsed)
                .into_iter()
                .map(|d| (d.logical_id, d.resource_type))
                .collect()
        };
        let outcome = flow::destroy(
            &cfn,
            &settings.stack_name,
            retained,
            args.yes,
            &mut Terminal::new(ui),
            None,
        )
        .await?;
        match ui.output {
            OutputFormat::Json => ui::print_json(&outcome)?,
            OutputFormat::Text if !outcome.deleted => {
                ui.info(format!(
                    "stack {} does not exist; nothing to delete",
                    outcome.stack_name
                ));
            }
            OutputFormat::Text => {
                ui.info(format!("deleted stack {}", outcome.stack_name));
                if !outcome.retained.is_empty() {
                    ui.info("kept (delete them yourself when the data is no longer needed):");
                }
                for r in &outcome.retained {
                    println!(
                        "{}  {}  {}",
                        r.resource_type,
                        r.logical_id,
                        r.physical_id.as_deref().unwrap_or("-")
                    );
                }
            }
        }
        Ok(ExitStatus::Success)
    })
}
