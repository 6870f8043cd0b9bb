//! Finding and reading a profile: a path, `./profiles/<name>.yaml`, or one of the profiles built
//! into the binary — so `--profile local` works anywhere, without a checkout.

use std::path::{Path, PathBuf};

use serde_json::Value;

use super::{ConfigError, Layer, Profile, check_layer};
use crate::stack::assets;
use crate::yaml::{self, YamlError};

/// A profile read and checked, before it is merged with the other layers.
#[derive(Debug, Clone)]
pub struct LoadedProfile {
    pub name: String,
    /// A path, or `profiles/<name>.yaml (built-in)`.
    pub source: String,
    pub layer: Layer,
}

/// Profile names a user can pass: those in `<dir>/profiles/` and the built-in ones.
pub fn available_profiles(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = assets::embedded_names("profiles/")
        .filter_map(|n| n.strip_suffix(".yaml").map(str::to_string))
        .collect();
    if let Ok(entries) = std::fs::read_dir(dir.join("profiles")) {
        for e in entries.flatten() {
            let name = e.file_name().to_string_lossy().to_string();
            if let Some(stem) = name.strip_suffix(".yaml") {
                names.push(stem.to_string());
            }
        }
    }
    names.sort();
    names.dedup();
    names
}

/// Resolves `--profile` (a name or a path) relative to `dir`, usually the working directory.
pub fn load_profile(profile: &str, dir: &Path) -> Result<LoadedProfile, ConfigError> {
    let looks_like_path =
        profile.contains('/') || profile.ends_with(".yaml") || profile.ends_with(".yml");
    if looks_like_path {
        let path = dir.join(profile);
        let name = Path::new(profile)
            .file_stem()
            .map(|s| s.to_string_lossy().to_string())
            .unwrap_or_else(|| profile.to_string());
        let text = std::fs::read_to_string(&path).map_err(|source| ConfigError::Read {
            path: PathBuf::from(profile),
            source,
        })?;
        return from_text(name, profile.to_string(), &text);
    }
    let rel = format!("profiles/{profile}.yaml");
    let on_disk = dir.join(&rel);
    if on_disk.is_file() {
        let text = std::fs::read_to_string(&on_disk).map_err(|source| ConfigError::Read {
            path: PathBuf::from(&rel),
            source,
        })?;
        return from_text(profile.to_string(), rel, &text);
    }
    if let Some(text) = assets::embedded(&rel) {
        return from_text(profile.to_string(), format!("{rel} (built-in)"), text);
    }
    Err(ConfigError::ProfileNotFound {
        name: profile.to_string(),
        searched: PathBuf::from(rel),
        available: available_profiles(dir),
    })
}

fn from_text(name: String, source: String, text: &str) -> Result<LoadedProfile, ConfigError> {
    let layer = parse_profile(text, &source)?;
    Ok(LoadedProfile {
        name,
        source,
        layer,
    })
}

/// Parses and checks profile text; `source` labels every error (`profiles/dev.yaml:12`).
pub fn parse_profile(text: &str, source: &str) -> Result<Layer, ConfigError> {
    let value = yaml::parse(text).map_err(|e| match e {
        YamlError::Syntax { message, line, .. } => ConfigError::Syntax {
            origin: with_line(source, line),
            message: strip_location(&message),
        },
        other => ConfigError::Syntax {
            origin: source.to_string(),
            message: other.to_string(),
        },
    })?;
    // An empty file is a profile that sets nothing.
    let value = match value {
        Value::Null => Value::Object(Default::default()),
        Value::Object(_) => value,
        other => {
            let found = match other {
                Value::Array(_) => "a list",
                Value::String(_) => "a single string",
                _ => "a single value",
            };
            return Err(ConfigError::Syntax {
                origin: source.to_string(),
                message: format!("a profile must be a mapping of keys, but this file is {found}"),
            });
        }
    };
    let profile: Profile = serde_path_to_error::deserialize(value).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner().to_string();
        deserialize_error(text, source, &path, &inner)
    })?;
    let layer = Layer::from_profile(profile, &|key| with_line(source, locate_key(text, key)))?;
    check_layer(&layer, &|key| with_line(source, locate_key(text, key)))?;
    Ok(layer)
}

fn with_line(source: &str, line: Option<usize>) -> String {
    match line {
        Some(l) => format!("{source}:{l}"),
        None => source.to_string(),
    }
}

/// yaml_serde appends " at line X column Y"; the origin already says where.
fn strip_location(message: &str) -> String {
    match message.find(" at line ") {
        Some(i) => message[..i].to_string(),
        None => message.to_string(),
    }
}

fn backticked(message: &str) -> Vec<String> {
    message
        .split('`')
        .skip(1)
        .step_by(2)
        .map(str::to_string)
        .collect()
}

fn deserialize_error(text: &str, source: &str, path: &str, message: &str) -> ConfigError {
    let path = if path == "." { "" } else { path };
    if message.starts_with("unknown field") {
        let mut names = backticked(message);
        let unknown = if names.is_empty() {
            String::new()
        } else {
            names.remove(0)
        };
        // serde_path_to_error's path may or may not end in the unknown key itself.
        let parent = path
            .strip_suffix(&unknown)
            .unwrap_or(path)
            .trim_end_matches('.');
        let key = if parent.is_empty() {
            unknown.clone()
        } else {
            format!("{parent}.{unknown}")
        };
        let suggestion = names
            .iter()
            .map(|n| (strsim::jaro_winkler(&unknown, n), n))
            .filter(|(score, _)| *score > 0.8)
            .max_by(|a, b| a.0.total_cmp(&b.0))
            .map(|(_, n)| n.clone());
        return ConfigError::UnknownKey {
            origin: with_line(source, locate_key(text, &key)),
            key,
            suggestion,
            expected: names,
        };
    }
    let key = path.to_string();
    let (what, expected) = match message.split_once(", expected ") {
        Some((what, expected)) => (what.to_string(), expected.to_string()),
        None => (message.to_string(), "a different value".to_string()),
    };
    let (message, fix) = if let Some(found) = what.strip_prefix("unknown variant ") {
        let options = backticked(&expected).join(" or ");
        (
            format!("must be {options}, not {found}"),
            format!("set `{key}` to {options}"),
        )
    } else {
        let found = what.strip_prefix("invalid type: ").unwrap_or(&what);
        let wanted = humanize(&expected);
        (
            format!("must be {wanted}, not {found}"),
            format!("write `{key}` as {wanted}"),
        )
    };
    ConfigError::Invalid {
        origin: with_line(source, locate_key(text, &key)),
        key,
        message,
        fix,
    }
}

/// serde's type names, in the words a profile author uses.
fn humanize(expected: &str) -> String {
    match expected {
        "u32" | "u64" | "u8" | "u16" => "a whole number (0 or more)".into(),
        "a boolean" => "true or false".into(),
        "a string" => "text (quote it if YAML reads it as something else)".into(),
        "a map" | "struct Profile" => "a mapping of keys".into(),
        s if s.starts_with("struct ") => "a mapping of keys".into(),
        other => other.to_string(),
    }
}

/// The 1-based line where a dotted key is written, found by indentation; `None` when the key is
/// not spelled out (an error about a value set elsewhere).
pub fn locate_key(text: &str, dotted: &str) -> Option<usize> {
    let segments: Vec<&str> = dotted.split('.').collect();
    let mut seg = 0;
    let mut min_indent = 0usize;
    for (i, line) in text.lines().enumerate() {
        let trimmed = line.trim_start();
        if trimmed.starts_with('#') || trimmed.is_empty() {
            continue;
        }
        let indent = line.len() - trimmed.len();
        let Some(want) = segments.get(seg) else { break };
        let key_here = trimmed
            .split_once(':')
            .map(|(k, _)| k.trim().trim_matches(|c| c == '"' || c == '\''));
        if indent >= min_indent && key_here == Some(want) {
            seg += 1;
            if seg == segments.len() {
                return Some(i + 1);
            }
            min_indent = indent + 1;
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_key_suggests_the_nearest() {
        let err = parse_profile("region: us-east-1\nstak_name: x\n", "p.yaml").unwrap_err();
        assert_eq!(err.to_string(), "p.yaml:2: unknown key `stak_name`");
        let ConfigError::UnknownKey { suggestion, .. } = err else {
            panic!()
        };
        assert_eq!(suggestion.as_deref(), Some("stack_name"));
    }

    #[test]
    fn unknown_nested_key_has_its_full_path() {
        let err = parse_profile("concurrency:\n  docs: 3\n", "p.yaml").unwrap_err();
        assert_eq!(err.to_string(), "p.yaml:2: unknown key `concurrency.docs`");
    }

    #[test]
    fn wrong_type_says_what_it_takes() {
        let err = parse_profile("page_retries: two\n", "p.yaml").unwrap_err();
        assert_eq!(
            err.to_string(),
            "p.yaml:1: `page_retries` must be a whole number (0 or more), not string \"two\""
        );
    }

    #[test]
    fn locate_nested_keys() {
        let text = "# c\nhook:\n  function_arn: x\nlocal:\n  hook_command: y\n";
        assert_eq!(locate_key(text, "hook.function_arn"), Some(3));
        assert_eq!(locate_key(text, "local.hook_command"), Some(5));
        assert_eq!(locate_key(text, "region"), None);
    }

    #[test]
    fn tesseract_languages_are_checked_where_written() {
        let layer =
            parse_profile("engines:\n  tesseract:\n    languages: eng+deu\n", "p.yaml").unwrap();
        assert_eq!(
            layer.tesseract_languages.map(|l| l.to_string()).as_deref(),
            Some("eng+deu")
        );
        let err =
            parse_profile("engines:\n  tesseract:\n    languages: eng+xx\n", "p.yaml").unwrap_err();
        let msg = err.to_string();
        assert!(msg.starts_with("p.yaml:3:"), "{msg}");
        assert!(
            msg.contains("engines.tesseract.languages") && msg.contains("`xx`"),
            "{msg}"
        );
        let ConfigError::Invalid { fix, .. } = err else {
            panic!("{err:?}")
        };
        assert!(fix.contains("auto") && fix.contains("deu"), "{fix}");
        let err = parse_profile("engines:\n  tesseract:\n    langs: eng\n", "p.yaml").unwrap_err();
        assert!(err.to_string().contains("engines.tesseract.langs"), "{err}");
    }

    #[test]
    fn empty_profile_is_fine() {
        assert_eq!(parse_profile("", "p.yaml").unwrap(), Layer::default());
    }
}
