//! Command dispatch: parse, resolve settings once, run the one command asked for, and turn its
//! outcome (or error) into output and an exit code.

mod config;
mod config_versions;
mod deploy;
mod destroy;
mod eval;
mod handler;
mod hook;
mod hook_redrive;
mod hook_test;
mod local;
mod package;
mod process;
mod remote;
mod render;
mod status;
mod usage;
mod validate;

use std::process::ExitCode;

use anyhow::Context as _;
use clap::Parser;

use crate::cli::{Cli, Command, GlobalArgs};
use crate::error;
use crate::exit::ExitStatus;
use crate::settings::{self, Layer, Settings, Target};
use crate::stack::Assets;
use crate::ui::{self, Ui};

/// The whole program: what `main` calls.
pub fn run() -> ExitCode {
    crate::runtime::malloc::cap_arenas();
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        // clap prints help and version to stdout (exit 0) and usage errors to stderr (exit 2).
        Err(e) => e.exit(),
    };
    let ui = Ui::new(cli.global.output, cli.global.verbose, cli.global.quiet);
    match dispatch(&cli, &ui) {
        Ok(status) => status.into(),
        Err(err) => {
            eprintln!("{}", error::render(&err, ui.color));
            error::classify(&err).1.into()
        }
    }
}

fn dispatch(cli: &Cli, ui: &Ui) -> anyhow::Result<ExitStatus> {
    let Some(command) = &cli.command else {
        // `bootstrap` is started with no arguments; inside Lambda that means "be `_HANDLER`".
        if handler::is_lambda_bootstrap() {
            return handler::run(
                &crate::cli::HandlerArgs {
                    name: None,
                    list: false,
                },
                ui,
            );
        }
        return Err(crate::error::Hinted::usage(
            "no command given",
            "run `idpctl --help` to see the commands",
        )
        .into());
    };
    // Handlers run inside Lambda, where there is no profile to read.
    if let Command::Handler(args) = command {
        return handler::run(args, ui);
    }
    let settings = resolve_settings(&cli.global, ui)?;
    if cli.global.print_settings {
        ui::print_json(&settings)?;
        return Ok(ExitStatus::Success);
    }
    let assets = match &cli.global.templates_dir {
        Some(dir) => Assets::from_dir(dir),
        None => Assets::builtin(),
    };
    match command {
        Command::Render(args) => render::run(&assets, args, &settings, ui),
        Command::Validate(args) => validate::run(&assets, args, &settings, ui),
        Command::Process(args) if settings.target != Target::Local => {
            remote::process(args, &settings, ui)
        }
        Command::Process(args) => process::run(&assets, args, &settings, ui),
        Command::Results(args) => remote::results(args, &settings, ui),
        Command::Handler(args) => handler::run(args, ui),
        Command::Deploy(_) if settings.target == Target::Local => {
            local::deploy(&assets, &settings, ui)
        }
        Command::Deploy(args) => deploy::run(&assets, args, &settings, ui),
        Command::Hook(crate::cli::HookArgs {
            action: crate::cli::HookAction::Test { .. },
        }) if settings.target == Target::Local => hook_test::local(&assets, &settings, ui),
        Command::Hook(args) => hook::run(args, &settings, ui),
        Command::Status(args) if settings.target == Target::Local => {
            local::status(&assets, args, &settings, ui)
        }
        Command::Status(args) => status::run(args, &settings, ui),
        Command::Destroy(args) => destroy::run(args, &settings, ui),
        Command::Package(args) => package::run(args, &settings, ui),
        Command::Config(args) => config::run(args, &settings, ui),
        Command::Eval(args) => eval::run(args, &settings, ui),
    }
}

/// Flags > `IDPCTL_*` environment > profile > defaults, each layer checked where it was read.
pub fn resolve_settings(global: &GlobalArgs, ui: &Ui) -> anyhow::Result<Settings> {
    let cwd = std::env::current_dir().context("cannot read the working directory")?;
    let profile = settings::load_profile(&global.profile, &cwd)?;
    let (env, unknown) = settings::from_env(std::env::vars())?;
    for var in unknown {
        ui.warn(format!(
            "ignoring unknown environment variable {var} (known: {})",
            settings::ENV_KEYS
                .iter()
                .map(|(v, _)| *v)
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    let flags = Layer {
        region: global.region.clone(),
        stack_name: global.stack_name.clone(),
        classes: (!global.classes.is_empty()).then(|| global.classes.clone()),
        classes_mode: global
            .classes_mode
            .as_deref()
            .and_then(settings::ClassesMode::parse),
        ..Layer::default()
    };
    settings::check_layer(&flags, &|key| format!("flag --{}", key.replace('_', "-")))?;
    let resolved = settings::resolve(&profile, env, flags);
    ui.debug(format!(
        "profile `{}` from {}",
        resolved.profile, resolved.profile_source
    ));
    Ok(resolved)
}
