//! The stack's configuration versions: `config push`, `list`, `activate`, `diff`, and the
//! install step of `deploy` (and of the local stack's `deploy`/`process`).
//!
//! Versions live in the stack itself: the configuration table (and the working bucket for large
//! ones) in AWS, the local stack's database on this machine. Nothing is overwritten; activating
//! moves one pointer, which the functions check every few seconds.
//!
//! `deploy` installs the profile's configuration only when it changed since the last deploy:
//! redeploying code leaves a version someone pushed and activated in place, while a changed
//! profile (`classes:`, `--classes`) takes effect like any other change the deploy makes.

use std::path::PathBuf;
use std::sync::Arc;

use anyhow::Context as _;
use serde::Serialize;
use serde_json::Value;

use crate::aws::inspect::deployed_resources;
use crate::cli::ConfigAction;
use crate::error::Hinted;
use crate::exit::ExitStatus;
use crate::pipeline::config::IdpConfig;
use crate::pipeline::config::diff::{self, Change};
use crate::pipeline::config::sources::Assembled;
use crate::services::config_store::{
    ConfigStore, ConfigVersion, DynamoConfigStore, NewVersion, Origin, SqliteConfigStore,
    body_sha256,
};
use crate::settings::{Settings, Target};
use crate::ui::{self, OutputFormat, Ui};

/// The version store of the profile's stack, and who is acting on it.
pub struct StackConfig {
    pub store: Arc<dyn ConfigStore>,
    pub who: String,
    /// What `list` and messages call the stack.
    pub place: String,
}

/// Opens the store of the deployed stack (or of the local one).
pub async fn open(settings: &Settings) -> anyhow::Result<StackConfig> {
    match settings.target {
        Target::Local => open_local(settings),
        Target::Aws => open_aws(&crate::aws::connect(settings).await?, settings).await,
    }
}

/// The deployed stack's store, through a session the caller already has.
pub async fn open_aws(
    session: &crate::aws::Session,
    settings: &Settings,
) -> anyhow::Result<StackConfig> {
    let stack = deployed_resources(&session.cloudformation(), &settings.stack_name).await?;
    let table = stack.require("ConfigurationTable")?.to_string();
    let bucket = stack.require("WorkingBucket")?.to_string();
    let objects = Arc::new(crate::services::aws::S3Objects::new(session.s3()));
    Ok(StackConfig {
        store: Arc::new(DynamoConfigStore::new(
            aws_sdk_dynamodb::Client::new(&session.config),
            table.clone(),
            objects,
            bucket,
        )),
        who: session.caller_arn.clone(),
        place: format!("stack {} (table {table})", settings.stack_name),
    })
}

/// Says so when the stack's active configuration is not the profile's: results then come from
/// the active one, which may surprise someone who just edited `classes:`.
pub async fn warn_if_stack_differs(stack: &StackConfig, assembled: &Assembled, ui: &Ui) {
    let active = match stack.store.active().await {
        Ok(a) => a,
        Err(e) => {
            ui.debug(format!("cannot read the active configuration: {e}"));
            return;
        }
    };
    let Some(active) = active else {
        ui.warn(format!(
            "{} has no active configuration: its functions use the built-in classes, not the profile's; `idpctl deploy` or `idpctl config push FILE --activate` installs one",
            stack.place
        ));
        return;
    };
    match stack.store.get(active.version).await {
        Ok(Some(v)) if v.meta.sha256 == body_sha256(&assembled.document) => {
            ui.debug(format!("the stack runs the profile's configuration (v{})", active.version))
        }
        Ok(_) => ui.warn(format!(
            "{} runs configuration v{}, not the profile's: these documents are processed with v{}; `idpctl config diff` shows what differs, `idpctl deploy` or `idpctl config push FILE --activate` changes it",
            stack.place, active.version, active.version
        )),
        Err(e) => ui.debug(format!("cannot read configuration v{}: {e}", active.version)),
    }
}

/// The local stack's store, in its state folder's database.
pub fn open_local(settings: &Settings) -> anyhow::Result<StackConfig> {
    let dir = crate::runtime::local::state_dir(settings);
    std::fs::create_dir_all(&dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let layout = crate::services::local::LocalLayout::new(&dir);
    let store = SqliteConfigStore::open(&layout.database())?;
    Ok(StackConfig {
        store: Arc::new(store),
        who: local_user(),
        place: format!("local stack {} ({})", settings.stack_name, dir.display()),
    })
}

fn local_user() -> String {
    let user = std::env::var("USER")
        .or_else(|_| std::env::var("USERNAME"))
        .unwrap_or_else(|_| "unknown".into());
    let host = std::fs::read_to_string("/etc/hostname")
        .map(|h| h.trim().to_string())
        .unwrap_or_default();
    if host.is_empty() {
        user
    } else {
        format!("{user}@{host}")
    }
}

/// What the install step of a deploy did.
#[derive(Debug, Clone, Serialize)]
pub struct Installed {
    /// The version holding the profile's configuration.
    pub version: u64,
    /// Whether this deploy stored it (else an earlier deploy had).
    pub pushed: bool,
    /// The version active now.
    pub active: u64,
    /// The version active before, when it changed.
    pub replaced: Option<u64>,
}

/// Stores the profile's configuration when it changed since the last deploy, and activates it;
/// an unchanged profile leaves the active version alone.
pub async fn install(
    stack: &StackConfig,
    assembled: &Assembled,
    profile: &str,
) -> anyhow::Result<Installed> {
    let store = &stack.store;
    let sha = body_sha256(&assembled.document);
    let versions = store.list().await?;
    let active = store.active().await?.map(|a| a.version);
    let last_deploy = versions.iter().rev().find(|v| v.origin == Origin::Deploy);
    if let Some(v) = last_deploy.filter(|v| v.sha256 == sha) {
        let now = match active {
            Some(a) => a,
            None => store.activate(v.version, &stack.who).await?.version,
        };
        return Ok(Installed {
            version: v.version,
            pushed: false,
            active: now,
            replaced: None,
        });
    }
    let new = store
        .push(
            &assembled.document,
            NewVersion {
                pushed_by: stack.who.clone(),
                origin: Origin::Deploy,
                sources: assembled.sources.clone(),
                description: Some(format!("profile {profile}")),
            },
        )
        .await?;
    // A version pushed into a stack that was never deployed before stays active: the profile
    // has not changed since, there is no earlier profile to change from.
    let pushed_first = last_deploy.is_none()
        && active.is_some_and(|a| {
            versions
                .iter()
                .any(|v| v.version == a && v.origin == Origin::Push)
        });
    if pushed_first {
        return Ok(Installed {
            version: new.version,
            pushed: true,
            active: active.unwrap_or(new.version),
            replaced: None,
        });
    }
    store.activate(new.version, &stack.who).await?;
    Ok(Installed {
        version: new.version,
        pushed: true,
        active: new.version,
        replaced: active.filter(|a| *a != new.version),
    })
}

/// [`install`] on the local stack, for the commands that run it (`deploy`, `process`).
pub fn install_local(
    settings: &Settings,
    assembled: &Assembled,
    ui: &Ui,
) -> anyhow::Result<Installed> {
    let stack = open_local(settings)?;
    let installed = crate::aws::runtime()?
        .block_on(install(&stack, assembled, &settings.profile))
        .with_context(|| format!("cannot install the configuration in {}", stack.place))?;
    if installed.pushed || installed.active != installed.version {
        ui.info(describe(&installed));
    } else {
        ui.debug(describe(&installed));
    }
    Ok(installed)
}

/// One line for people on what [`install`] did.
pub fn describe(installed: &Installed) -> String {
    match (installed.pushed, installed.replaced) {
        (true, _) if installed.active != installed.version => format!(
            "stored the profile's configuration as v{}; v{}, pushed before, stays active (`idpctl config activate {}` to use the profile's)",
            installed.version, installed.active, installed.version
        ),
        (true, Some(old)) => format!(
            "configuration v{} (the profile's, changed since the last deploy) is active; v{old} was",
            installed.version
        ),
        (true, None) => format!(
            "configuration v{} (the profile's) is active",
            installed.version
        ),
        (false, _) if installed.active == installed.version => format!(
            "configuration unchanged: v{} (the profile's) stays active",
            installed.version
        ),
        (false, _) => format!(
            "the profile's configuration is unchanged (v{}); v{}, activated since, stays active (`idpctl config activate {}` to go back)",
            installed.version, installed.active, installed.version
        ),
    }
}

pub fn run(action: &ConfigAction, settings: &Settings, ui: &Ui) -> anyhow::Result<ExitStatus> {
    crate::aws::runtime()?.block_on(async {
        match action {
            ConfigAction::Push {
                files,
                activate,
                message,
            } => push(files, *activate, message.clone(), settings, ui).await,
            ConfigAction::List => list(settings, ui).await,
            ConfigAction::Activate { version } => activate(*version, settings, ui).await,
            ConfigAction::Diff { a, b } => diff_cmd(a.as_deref(), b.as_deref(), settings, ui).await,
            ConfigAction::Validate { .. } | ConfigAction::Show => {
                unreachable!("handled by commands::config")
            }
        }
    })
}

#[derive(Serialize)]
struct Pushed {
    #[serde(flatten)]
    version: ConfigVersion,
    classes: usize,
    active: bool,
}

async fn push(
    files: &[PathBuf],
    activate: bool,
    message: Option<String>,
    settings: &Settings,
    ui: &Ui,
) -> anyhow::Result<ExitStatus> {
    let assembled = super::config::assemble(files, settings.classes_mode, ui)?;
    let classes = assembled.document["classes"].as_array().map_or(0, Vec::len);
    let stack = open(settings).await?;
    let version = stack
        .store
        .push(
            &assembled.document,
            NewVersion {
                pushed_by: stack.who.clone(),
                origin: Origin::Push,
                sources: assembled.sources.clone(),
                description: message,
            },
        )
        .await
        .with_context(|| format!("cannot store the configuration in {}", stack.place))?;
    if activate {
        stack.store.activate(version.version, &stack.who).await?;
    }
    let n = version.version;
    warn_ungranted_models(&assembled.document, n, settings, ui);
    let out = Pushed {
        version,
        classes,
        active: activate,
    };
    if ui.output == OutputFormat::Json {
        ui::print_json(&out)?;
    } else {
        println!("{n}");
        ui.info(if activate {
            format!(
                "stored configuration v{n} ({classes} classes) in {} and activated it; functions use it within seconds",
                stack.place
            )
        } else {
            format!(
                "stored configuration v{n} ({classes} classes) in {}; `idpctl config activate {n}` to use it",
                stack.place
            )
        });
    }
    Ok(ExitStatus::Success)
}

/// A version naming Bedrock models the deployed roles were not granted: deploy grants the
/// models of the profile's configuration, so those of another version are refused by IAM
/// until the stack is deployed with it. Said now, not when documents start failing.
fn warn_ungranted_models(document: &serde_json::Value, version: u64, settings: &Settings, ui: &Ui) {
    use crate::engines::grants::bedrock_models;
    if settings.target == crate::settings::Target::Local {
        return;
    }
    let Ok(pushed) = crate::pipeline::config::IdpConfig::from_document(document.clone()) else {
        return;
    };
    let granted = crate::pipeline::config::sources::effective(settings)
        .map(|c| bedrock_models(settings, &c))
        .unwrap_or_default();
    let missing: Vec<String> = bedrock_models(settings, &pushed)
        .into_iter()
        .flat_map(|(stage, models)| {
            let granted = granted.get(&stage).cloned().unwrap_or_default();
            models
                .into_iter()
                .filter(move |m| !granted.contains(m))
                .map(move |m| format!("{m} ({})", stage.name()))
        })
        .collect();
    if !missing.is_empty() {
        ui.warn(format!(
            "configuration v{version} names models the stack's roles are not granted: {}; documents that need them fail with AccessDenied until you deploy with this configuration in the profile (`classes:`)",
            missing.join(", ")
        ));
    }
}

#[derive(Serialize)]
struct Listed {
    active: Option<u64>,
    activated_by: Option<String>,
    activated_at: Option<String>,
    versions: Vec<ConfigVersion>,
}

async fn list(settings: &Settings, ui: &Ui) -> anyhow::Result<ExitStatus> {
    let stack = open(settings).await?;
    let versions = stack.store.list().await?;
    let active = stack.store.active().await?;
    if ui.output == OutputFormat::Json {
        ui::print_json(&Listed {
            active: active.as_ref().map(|a| a.version),
            activated_by: active.as_ref().map(|a| a.activated_by.clone()),
            activated_at: active.as_ref().map(|a| a.activated_at.clone()),
            versions,
        })?;
        return Ok(ExitStatus::Success);
    }
    if versions.is_empty() {
        ui.info(format!(
            "{} has no configuration versions: its functions use the built-in class library (`idpctl deploy` or `idpctl config push FILE` stores one)",
            stack.place
        ));
        return Ok(ExitStatus::Success);
    }
    println!(
        "{:>7}  {:<6}  {:<20}  {:<7}  {:<12}  {:<30}  SOURCES",
        "VERSION", "ACTIVE", "PUSHED AT", "ORIGIN", "SHA256", "PUSHED BY"
    );
    for v in &versions {
        let is_active = active.as_ref().is_some_and(|a| a.version == v.version);
        println!(
            "{:>7}  {:<6}  {:<20}  {:<7}  {:<12}  {:<30}  {}",
            v.version,
            if is_active { "*" } else { "" },
            v.pushed_at.get(..19).unwrap_or(&v.pushed_at),
            v.origin.as_str(),
            v.sha256.get(..12).unwrap_or(&v.sha256),
            v.pushed_by,
            if v.sources.is_empty() {
                "built-in library".to_string()
            } else {
                v.sources.join(", ")
            }
        );
    }
    if let Some(a) = &active {
        ui.info(format!(
            "v{} active since {} ({})",
            a.version, a.activated_at, a.activated_by
        ));
    }
    Ok(ExitStatus::Success)
}

async fn activate(version: u64, settings: &Settings, ui: &Ui) -> anyhow::Result<ExitStatus> {
    let stack = open(settings).await?;
    let before = stack.store.active().await?.map(|a| a.version);
    // A version that cannot be read would fail every document; refuse it here instead.
    let stored = stack.store.get(version).await?.ok_or_else(|| {
        Hinted::usage(
            format!("{} has no configuration version {version}", stack.place),
            "`idpctl config list` shows the versions there are",
        )
    })?;
    IdpConfig::from_document(stored.body).map_err(|e| {
        Hinted::usage(
            format!("configuration version {version} cannot be used: {e}"),
            "push a corrected configuration with `idpctl config push FILE --activate`",
        )
    })?;
    let active = stack.store.activate(version, &stack.who).await?;
    if ui.output == OutputFormat::Json {
        ui::print_json(
            &serde_json::json!({"active": active.version, "previous": before, "activated_by": active.activated_by, "activated_at": active.activated_at}),
        )?;
    } else {
        ui.info(match before {
            Some(b) if b == version => format!("configuration v{version} was already active"),
            Some(b) => format!(
                "configuration v{version} is active (was v{b}); functions use it within seconds"
            ),
            None => format!("configuration v{version} is active; functions use it within seconds"),
        });
    }
    Ok(ExitStatus::Success)
}

/// A side of a diff, as the user named it.
async fn resolve(
    spec: &str,
    stack: &mut Option<StackConfig>,
    settings: &Settings,
    ui: &Ui,
) -> anyhow::Result<(String, Value)> {
    if spec == "profile" {
        let assembled = super::config::effective(settings, ui)?;
        return Ok(("the profile's configuration".into(), assembled.document));
    }
    let version = match spec {
        "active" | "latest" => None,
        s => match s.strip_prefix('v').unwrap_or(s).parse::<u64>() {
            Ok(n) => Some(n),
            Err(_) => {
                let path = PathBuf::from(spec);
                if !path.exists() {
                    return Err(Hinted::usage(
                        format!("`{spec}` is not a version, `active`, `latest`, `profile` or a file"),
                        "name versions by number (`idpctl config list`), or give a config file's path",
                    )
                    .into());
                }
                let assembled = super::config::assemble(&[path], settings.classes_mode, ui)?;
                return Ok((spec.to_string(), assembled.document));
            }
        },
    };
    if stack.is_none() {
        *stack = Some(open(settings).await?);
    }
    let Some(s) = stack.as_ref() else {
        unreachable!("opened above")
    };
    let n = match (spec, version) {
        (_, Some(n)) => n,
        ("active", _) => match s.store.active().await? {
            Some(a) => a.version,
            None => {
                return Ok((
                    "the built-in library (nothing active)".into(),
                    IdpConfig::builtin().document,
                ));
            }
        },
        _ => s
            .store
            .list()
            .await?
            .last()
            .map(|v| v.version)
            .ok_or_else(|| {
                Hinted::usage(
                    format!("{} has no configuration versions", s.place),
                    "`idpctl config push FILE` stores one",
                )
            })?,
    };
    let stored = s.store.get(n).await?.ok_or_else(|| {
        Hinted::usage(
            format!("{} has no configuration version {n}", s.place),
            "`idpctl config list` shows the versions there are",
        )
    })?;
    Ok((format!("v{n}"), stored.body))
}

#[derive(Serialize)]
struct Diffed {
    a: String,
    b: String,
    changes: Vec<Change>,
}

async fn diff_cmd(
    a: Option<&str>,
    b: Option<&str>,
    settings: &Settings,
    ui: &Ui,
) -> anyhow::Result<ExitStatus> {
    let mut stack = None;
    let (name_a, doc_a) = resolve(a.unwrap_or("active"), &mut stack, settings, ui).await?;
    let (name_b, doc_b) = resolve(b.unwrap_or("profile"), &mut stack, settings, ui).await?;
    let changes = diff::diff(&doc_a, &doc_b);
    let status = if changes.is_empty() {
        ExitStatus::Success
    } else {
        ExitStatus::Findings
    };
    if ui.output == OutputFormat::Json {
        ui::print_json(&Diffed {
            a: name_a,
            b: name_b,
            changes,
        })?;
        return Ok(status);
    }
    if changes.is_empty() {
        ui.info(format!("{name_a} and {name_b} are the same"));
    } else {
        ui.info(format!("from {name_a} to {name_b}:"));
        for c in &changes {
            println!("{c}");
        }
    }
    Ok(status)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pipeline::config::sources;
    use crate::settings::ClassesMode;

    fn stack() -> StackConfig {
        StackConfig {
            store: Arc::new(SqliteConfigStore::in_memory().unwrap()),
            who: "tester".into(),
            place: "test stack".into(),
        }
    }

    fn profile(extra_class: Option<&str>) -> Assembled {
        let files: Vec<_> = extra_class
            .map(|name| {
                sources::parse(
                    "mine.yaml",
                    &format!(
                        "x-aws-idp-document-type: {name}\nproperties:\n  a:\n    type: string\n"
                    ),
                )
                .unwrap()
            })
            .into_iter()
            .collect();
        sources::assemble(ClassesMode::Add, &files)
    }

    async fn push(stack: &StackConfig, body: &Assembled) -> u64 {
        let v = stack
            .store
            .push(
                &body.document,
                NewVersion {
                    pushed_by: "operator".into(),
                    origin: Origin::Push,
                    sources: vec![],
                    description: None,
                },
            )
            .await
            .unwrap();
        stack.store.activate(v.version, "operator").await.unwrap();
        v.version
    }

    #[tokio::test]
    async fn deploy_installs_the_profile_only_when_it_changed() {
        let s = stack();
        let first = install(&s, &profile(None), "p").await.unwrap();
        assert_eq!((first.version, first.pushed, first.active), (1, true, 1));
        let again = install(&s, &profile(None), "p").await.unwrap();
        assert_eq!((again.version, again.pushed, again.active), (1, false, 1));

        // An operator's push survives a redeploy of the same profile...
        let pushed = push(&s, &profile(Some("Invoice"))).await;
        let redeploy = install(&s, &profile(None), "p").await.unwrap();
        assert_eq!((redeploy.pushed, redeploy.active), (false, pushed));
        assert!(describe(&redeploy).contains("stays active"));

        // ...but a changed profile takes effect.
        let changed = install(&s, &profile(Some("Receipt")), "p").await.unwrap();
        assert!(changed.pushed);
        assert_eq!(changed.active, changed.version);
        assert_eq!(changed.replaced, Some(pushed));
    }

    #[tokio::test]
    async fn a_push_before_the_first_deploy_stays_active() {
        let s = stack();
        let pushed = push(&s, &profile(Some("Invoice"))).await;
        let first = install(&s, &profile(None), "p").await.unwrap();
        assert!(first.pushed);
        assert_eq!(first.active, pushed);
        assert!(describe(&first).contains("pushed before, stays active"));
    }
}
