//! Bedrock's Converse as the moto launcher fakes it (tests/fixtures/aws/moto_server.py): a moto
//! server with fault injection from its environment (`IDPCTL_FAKE_BEDROCK_*`), the log of every
//! call it answered, and the check of those answers against botocore's model of Converse.

#![allow(dead_code)]

use std::path::PathBuf;

use serde_json::Value;

use super::moto::Moto;

pub struct FakeBedrock {
    pub moto: Moto,
    pub log: PathBuf,
    _dir: tempfile::TempDir,
}

impl FakeBedrock {
    /// A moto server whose Converse answers with `env` (fault injection) and logs every call;
    /// `None` (after a notice) when moto is not installed and not required.
    pub fn start(env: &[(&str, &str)]) -> Option<FakeBedrock> {
        let dir = tempfile::tempdir().unwrap();
        let log = dir.path().join("bedrock.jsonl");
        let mut all = vec![("IDPCTL_FAKE_BEDROCK_LOG", log.to_str().unwrap())];
        all.extend_from_slice(env);
        let moto = Moto::start_with(&all)?;
        Some(FakeBedrock {
            moto,
            log,
            _dir: dir,
        })
    }

    /// Every call, in order: `{model, request, answer}` or `{model, request, error, status,
    /// error_body}`.
    pub fn calls(&self) -> Vec<Value> {
        std::fs::read_to_string(&self.log)
            .unwrap_or_default()
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect()
    }

    /// Checks the answers and errors against botocore's model of Converse, so the fake cannot
    /// drift from the real API.
    pub fn check_shapes(&self) {
        let script = super::root().join("tests/fixtures/aws/check_fake_bedrock.py");
        let out = std::process::Command::new(&self.moto.python)
            .arg(&script)
            .arg(&self.log)
            .output()
            .expect("run check_fake_bedrock.py");
        assert!(
            out.status.success(),
            "the fake's answers drift from botocore's model of Converse:\n{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }
}
