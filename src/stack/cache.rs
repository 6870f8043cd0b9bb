//! The local stack's render, kept in its state folder and reused while nothing that went into it
//! changed. `process` deploys the local stack on every run, and rendering the whole template
//! (handlebars compiling every part, the YAML parse and print) was about 8% of its CPU on text
//! PDFs; reading the kept render back as JSON is a small fraction of that.
//!
//! The key is a SHA-256 of everything the render reads: this build of idpctl (its version and
//! the executable's size and modification time, since the handlers' access declarations and
//! the template context are code), the stack definition and every template, the resolved
//! settings, and the models the engine configuration grants. Any change to one of them renders
//! again; a cache file that is missing, unreadable or from another key is ignored and replaced.

use std::path::Path;

use sha2::{Digest, Sha256};

use super::render::{Rendered, engine_models, render_with};
use super::{Assets, RenderError};
use crate::settings::Settings;

/// The cache file's name in the folder the rendered files are written to.
pub const FILE: &str = "render.json";

#[derive(serde::Serialize, serde::Deserialize)]
struct Kept {
    key: String,
    rendered: Rendered,
}

/// Whether [`render_kept`] reused the kept render or rendered afresh.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    Kept,
    Rendered,
}

/// Renders `stack_name` with `settings`, or reads the render kept in `dir` when its key still
/// matches. A fresh render goes to `write` (which writes the files made from it) and is kept
/// only after `write` succeeded, so a kept render never stands for files that were not
/// written. Failing to keep it is not an error (the next run renders again).
pub fn render_kept<E: From<RenderError>>(
    assets: &Assets,
    stack_name: &str,
    settings: &Settings,
    dir: &Path,
    write: impl FnOnce(&Rendered) -> Result<(), E>,
) -> Result<(Rendered, Source), E> {
    let models = engine_models(settings)?;
    let key = key(assets, stack_name, settings, &format!("{models:?}"));
    let path = dir.join(FILE);
    if let Some(kept) = std::fs::read(&path)
        .ok()
        .and_then(|bytes| serde_json::from_slice::<Kept>(&bytes).ok())
        .filter(|k| k.key == key)
    {
        return Ok((kept.rendered, Source::Kept));
    }
    // A kept render of other inputs must not outlive the files being replaced.
    let _ = std::fs::remove_file(&path);
    let rendered = render_with(assets, stack_name, settings, &models)?;
    write(&rendered)?;
    let kept = Kept { key, rendered };
    if let Ok(text) = serde_json::to_vec(&kept) {
        // Written aside and renamed, so a killed run leaves the old file or the new one; the
        // process id keeps two runs deploying the same folder from writing one temporary file.
        let tmp = dir.join(format!("{FILE}.{}.tmp", std::process::id()));
        if std::fs::write(&tmp, text).is_ok() {
            let _ = std::fs::rename(&tmp, &path);
        }
    }
    Ok((kept.rendered, Source::Rendered))
}

/// The hash of every input of a render (see the module's doc).
fn key(assets: &Assets, stack_name: &str, settings: &Settings, models: &str) -> String {
    let mut h = Sha256::new();
    let mut part = |label: &str, bytes: &[u8]| {
        // Lengths delimit the parts, so moving bytes from one part to the next changes the key.
        h.update(label.as_bytes());
        h.update((bytes.len() as u64).to_le_bytes());
        h.update(bytes);
    };
    part("version", env!("CARGO_PKG_VERSION").as_bytes());
    part("build", build_stamp().as_bytes());
    part("stack", stack_name.as_bytes());
    let stack_file = format!("stacks/{stack_name}.yaml");
    part(
        &stack_file,
        assets.get(&stack_file).unwrap_or_default().as_bytes(),
    );
    for name in assets.names_under("templates/") {
        let file = format!("templates/{name}");
        part(&file, assets.get(&file).unwrap_or_default().as_bytes());
    }
    part(
        "settings",
        &serde_json::to_vec(settings).unwrap_or_default(),
    );
    part("models", models.as_bytes());
    hex::encode(h.finalize())
}

/// This executable's size and modification time: a rebuilt or reinstalled idpctl differs in at
/// least one, without hashing megabytes of binary on every run. Empty when unknown, which
/// still keys by everything else.
fn build_stamp() -> String {
    std::env::current_exe()
        .and_then(std::fs::metadata)
        .map(|m| {
            let modified = m
                .modified()
                .ok()
                .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
                .map_or(0, |d| d.as_nanos());
            format!("{} {modified}", m.len())
        })
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn copy_assets(to: &Path) {
        for dir in ["stacks", "templates"] {
            std::fs::create_dir_all(to.join(dir)).unwrap();
            for name in Assets::builtin().names_under(&format!("{dir}/")) {
                let rel = format!("{dir}/{name}");
                std::fs::write(to.join(&rel), Assets::builtin().get(&rel).unwrap().as_ref())
                    .unwrap();
            }
        }
    }

    #[test]
    fn a_kept_render_is_reused_until_an_input_changes() {
        let state = tempfile::tempdir().unwrap();
        let src = tempfile::tempdir().unwrap();
        copy_assets(src.path());
        let assets = Assets::from_dir(src.path());
        let mut settings = Settings::for_tests("local");
        let render = |settings: &Settings| {
            render_kept(
                &assets,
                super::super::DEFAULT_STACK,
                settings,
                state.path(),
                |_| Ok::<_, RenderError>(()),
            )
            .unwrap()
        };

        let (first, source) = render(&settings);
        assert_eq!(source, Source::Rendered);
        let (again, source) = render(&settings);
        assert_eq!(source, Source::Kept);
        assert_eq!(again.template_yaml, first.template_yaml);
        assert_eq!(again.definition, first.definition);
        assert_eq!(again.stack, first.stack);

        // A profile value: rendered again, and the new value is in the template.
        settings.log_retention_days = 731;
        let (changed, source) = render(&settings);
        assert_eq!(source, Source::Rendered);
        assert!(changed.template_yaml.contains("RetentionInDays: 731"));
        assert!(!first.template_yaml.contains("RetentionInDays: 731"));
        assert_eq!(render(&settings).1, Source::Kept);

        // A template: rendered again with the edit.
        let asl = src.path().join("templates/statemachine.asl.json.hbs");
        let text = std::fs::read_to_string(&asl).unwrap();
        let edited = text.replacen("\"Comment\": \"", "\"Comment\": \"edited: ", 1);
        assert_ne!(
            edited, text,
            "the state machine template has a Comment to edit"
        );
        std::fs::write(&asl, edited).unwrap();
        let (changed, source) = render(&settings);
        assert_eq!(source, Source::Rendered);
        assert!(changed.definition_json.contains("edited: "));

        // A render whose files could not be written is not kept.
        settings.page_retries += 1;
        let failed = render_kept(&assets, "idp", &settings, state.path(), |_| {
            Err(RenderError::Output {
                file: "x".into(),
                format: "YAML",
                message: "disk full".into(),
            })
        });
        assert!(failed.is_err());
        assert!(!state.path().join(FILE).exists());
        assert_eq!(render(&settings).1, Source::Rendered);

        // A damaged cache file is rendered over, not trusted.
        std::fs::write(state.path().join(FILE), b"{not json").unwrap();
        assert_eq!(render(&settings).1, Source::Rendered);
        assert_eq!(render(&settings).1, Source::Kept);
    }

    #[test]
    fn the_key_covers_the_class_config_models_and_every_setting() {
        let assets = Assets::builtin();
        let settings = Settings::for_tests("local");
        let base = key(&assets, "idp", &settings, "{}");
        assert_eq!(base, key(&assets, "idp", &settings, "{}"));
        assert_ne!(base, key(&assets, "idp", &settings, "{Extract: {\"m\"}}"));
        let mut retries = settings.clone();
        retries.page_retries += 1;
        assert_ne!(base, key(&assets, "idp", &retries, "{}"));
        let mut classes = settings.clone();
        classes.classes.push("my-classes.yaml".into());
        assert_ne!(base, key(&assets, "idp", &classes, "{}"));
    }
}
