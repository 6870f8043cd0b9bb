//! YAML that users write: profiles (`settings::parse_profile`) and class configurations
//! (`config::sources::parse`, then the classes compiled as a run would), from the shipped
//! files mutated line by line and value by value, hostile YAML (aliases that multiply, flow
//! nesting thousands deep), and class schemas whose `$ref`s fan out.

use idpctl::pipeline::config::sources;
use idpctl::pipeline::config::{ClassConfig, IdpConfig};
use idpctl::settings::{ClassesMode, parse_profile};
use proptest::prelude::*;

use crate::harness::{self, explained, run};
use crate::mutate;

fn read(rel: &str) -> String {
    let path = format!("{}/{rel}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&path).expect(&path)
}

fn profile_seeds() -> Vec<String> {
    [
        "profiles/dev.yaml",
        "profiles/prod.yaml",
        "profiles/local.yaml",
    ]
    .iter()
    .map(|p| read(p))
    .collect()
}

fn config_seeds() -> Vec<String> {
    let mut v: Vec<String> = sources::BUILTIN
        .iter()
        .map(|(_, t)| t.to_string())
        .collect();
    v.push(read("configs/classes/w2.yaml"));
    v
}

/// A seed, mutated as text, or parsed, mutated as a value and written back.
fn mutated(seeds: Vec<String>) -> impl Strategy<Value = String> {
    (
        prop::sample::select(seeds),
        mutate::text_mutations(4),
        mutate::json_mutations(3),
        any::<bool>(),
    )
        .prop_map(|(seed, text_m, json_m, as_value)| {
            if as_value && let Ok(mut v) = idpctl::yaml::parse(&seed) {
                mutate::apply_json(&mut v, &json_m);
                return idpctl::yaml::to_string(&v);
            }
            mutate::apply_text(&seed, &text_m)
        })
}

/// `levels` of anchors, each a list of `fanout` aliases of the one before: a few hundred bytes
/// that name `fanout^levels` values.
fn alias_bomb(levels: usize, fanout: usize, key: &str) -> String {
    let mut s = format!("{key}:\n  l0: &l0 [x]\n");
    for l in 1..=levels {
        let refs = vec![format!("*l{}", l - 1); fanout].join(", ");
        s.push_str(&format!("  l{l}: &l{l} [{refs}]\n"));
    }
    s
}

/// A class whose `$defs` chain `depth` levels deep, each level `fanout` properties that all
/// `$ref` the next: `fanout^depth` fields from a few hundred bytes.
pub fn ref_fanout(depth: usize, fanout: usize) -> String {
    let mut s = String::from(
        "classes:\n  - $schema: https://json-schema.org/draft/2020-12/schema\n    $id: Fan\n    \
         x-aws-idp-document-type: Fan\n    type: object\n",
    );
    let props = |target: &str| -> String {
        (0..fanout)
            .map(|k| format!("        p{k}: {{$ref: '#/$defs/{target}'}}\n"))
            .collect()
    };
    s.push_str("    properties:\n");
    s.push_str(&props("D1").replace("        ", "      "));
    s.push_str("    $defs:\n");
    for d in 1..=depth {
        s.push_str(&format!(
            "      D{d}:\n        type: object\n        properties:\n"
        ));
        if d == depth {
            for k in 0..fanout {
                s.push_str(&format!("          f{k}: {{type: string}}\n"));
            }
        } else {
            s.push_str(&props(&format!("D{}", d + 1)).replace("        ", "          "));
        }
    }
    s
}

/// Everything a run does with a class configuration: read and check it, assemble it alone,
/// compile its classes.
fn load_config(text: String) -> Result<Result<usize, String>, String> {
    let file = match sources::parse("fuzz.yaml", &text) {
        Ok(f) => f,
        Err(e) => {
            let msg = e.to_string();
            if !msg.contains("fuzz.yaml") {
                return Err(format!("the error does not name the file: {msg}"));
            }
            return Ok(Err(msg));
        }
    };
    let classes = ClassConfig::from_document(&file.document).map(|c| c.classes.len());
    let assembled = sources::assemble(ClassesMode::Replace, std::slice::from_ref(&file));
    let _ = IdpConfig::from_document(assembled.document);
    Ok(classes.map_err(|e| e.to_string()))
}

proptest! {
    #![proptest_config(harness::config(1))]

    #[test]
    fn profiles_load_or_name_the_file(text in prop_oneof![
        4 => mutated(profile_seeds()),
        1 => ".{0,200}",
        1 => (1usize..10, 2usize..12).prop_map(|(l, f)| alias_bomb(l, f, "tags")),
    ]) {
        let out = run(move || parse_profile(&text, "fuzz.yaml").map(|_| ()).map_err(|e| e.to_string()))?;
        if let Err(e) = out {
            explained(&e)?;
            prop_assert!(e.starts_with("fuzz.yaml"), "the error does not name the file: {e}");
        }
    }

    #[test]
    fn class_configs_load_or_name_the_file(text in prop_oneof![
        4 => mutated(config_seeds()),
        1 => ".{0,200}",
        1 => (1usize..10, 2usize..12).prop_map(|(l, f)| alias_bomb(l, f, "classes")),
    ]) {
        let _refused = run(move || load_config(text))?.map_err(TestCaseError::fail)?;
    }

    #[test]
    fn ref_fan_out_is_bounded(depth in 1usize..8, fanout in 1usize..12) {
        let text = ref_fanout(depth, fanout);
        let out = run(move || ClassConfig::from_yaml(&text).map(|c| c.classes[0].fields.len()))?;
        let expected = fanout.pow(depth as u32 + 1);
        match out {
            Ok(n) => prop_assert_eq!(n, expected),
            Err(e) => {
                explained(&e)?;
                prop_assert!(expected > 1000, "{expected} fields refused: {e}");
            }
        }
    }
}
