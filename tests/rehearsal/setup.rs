//! What every rehearsal does first: a deployer user made while moto still lets requests through
//! unauthenticated, SDK configurations for it, a stand-in artifact, and the deployer running the
//! real binary with a profile; then objects in and results out.

use std::io::Write as _;

use aws_config::{BehaviorVersion, SdkConfig};
use serde_json::{Value, json};

use super::Cloud;
use crate::common::{Run, command, root, run_cmd};

pub fn samples() -> std::path::PathBuf {
    root().join("../shared/samples")
}

pub fn config(endpoint: &str, key: &str, secret: &str) -> SdkConfig {
    tokio::runtime::Runtime::new().unwrap().block_on(
        aws_config::defaults(BehaviorVersion::latest())
            .region(aws_config::Region::new("us-east-1"))
            .endpoint_url(endpoint)
            .credentials_provider(aws_sdk_s3::config::Credentials::new(
                key,
                secret,
                None,
                None,
                "rehearsal",
            ))
            .load(),
    )
}

pub fn block_on<F: std::future::Future>(f: F) -> F::Output {
    tokio::runtime::Runtime::new().unwrap().block_on(f)
}

/// The deployer: an IAM user with every permission, made in moto's unauthenticated requests.
pub fn bootstrap_admin(endpoint: &str) -> (String, String) {
    let anyone = config(endpoint, "bootstrap", "bootstrap");
    let iam = aws_sdk_iam::Client::new(&anyone);
    block_on(async {
        iam.create_user()
            .user_name("deployer")
            .send()
            .await
            .unwrap();
        iam.put_user_policy()
            .user_name("deployer")
            .policy_name("deploy-anything")
            .policy_document(
                json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]})
                    .to_string(),
            )
            .send()
            .await
            .unwrap();
        let key = iam
            .create_access_key()
            .user_name("deployer")
            .send()
            .await
            .unwrap()
            .access_key
            .unwrap();
        (key.access_key_id, key.secret_access_key)
    })
}

pub fn fake_arm64_zip(dir: &std::path::Path) -> std::path::PathBuf {
    let mut h = b"\x7fELF\x02\x01\x01\0".to_vec();
    h.resize(16, 0);
    h.extend_from_slice(&2u16.to_le_bytes());
    h.extend_from_slice(&183u16.to_le_bytes());
    h.resize(64, 0);
    let zip = dir.join("bootstrap.zip");
    std::fs::write(&zip, idpctl::package::archive::zip_bootstrap(&h).unwrap()).unwrap();
    zip
}

pub fn zip_of(members: &[(&str, Vec<u8>)]) -> Vec<u8> {
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for (name, bytes) in members {
        w.start_file(*name, zip::write::SimpleFileOptions::default())
            .unwrap();
        w.write_all(bytes).unwrap();
    }
    w.finish().unwrap().into_inner()
}

pub struct Env {
    pub endpoint: String,
    pub key: String,
    pub secret: String,
    pub profile: std::path::PathBuf,
    pub zip: std::path::PathBuf,
}

impl Env {
    pub fn idpctl(&self, args: &[&str]) -> Run {
        run_cmd(self.command(args))
    }

    pub fn command(&self, args: &[&str]) -> std::process::Command {
        let mut cmd = command();
        for (k, _) in std::env::vars() {
            if k.starts_with("AWS_") {
                cmd.env_remove(k);
            }
        }
        cmd.envs([
            ("AWS_ENDPOINT_URL", self.endpoint.as_str()),
            ("AWS_REGION", "us-east-1"),
            ("AWS_ACCESS_KEY_ID", self.key.as_str()),
            ("AWS_SECRET_ACCESS_KEY", self.secret.as_str()),
            ("AWS_EC2_METADATA_DISABLED", "true"),
            ("AWS_CONFIG_FILE", "/nonexistent/idpctl-test/config"),
            (
                "AWS_SHARED_CREDENTIALS_FILE",
                "/nonexistent/idpctl-test/credentials",
            ),
        ]);
        cmd.arg("--profile").arg(&self.profile).args(args);
        cmd.stdin(std::process::Stdio::null());
        cmd
    }
}

/// Deploys `profile` (written into `dir`) as the user `key`/`secret` with a stand-in artifact,
/// then renders it: the deployer, and the template as it was deployed.
pub fn deploy(
    endpoint: &str,
    (key, secret): (String, String),
    dir: &std::path::Path,
    profile: &str,
) -> (Env, Value) {
    let path = dir.join("profile.yaml");
    std::fs::write(&path, profile).unwrap();
    let env = Env {
        endpoint: endpoint.to_string(),
        key,
        secret,
        profile: path,
        zip: fake_arm64_zip(dir),
    };
    let deployed = env.idpctl(&["deploy", "--yes", "--artifact", env.zip.to_str().unwrap()]);
    assert_eq!(deployed.code, 0, "deploy failed:\n{}", deployed.stderr);
    let out = dir.join("rendered");
    let rendered = env.idpctl(&["render", "--out", out.to_str().unwrap()]);
    assert_eq!(rendered.code, 0, "{}", rendered.stderr);
    let template =
        idpctl::yaml::parse(&std::fs::read_to_string(out.join("template.yaml")).unwrap()).unwrap();
    (env, template)
}

pub fn get_json(cloud: &Cloud, bucket: &str, key: &str) -> Value {
    let s3 = super::s3_client(&cloud.admin);
    let body = cloud
        .runtime
        .block_on(async { s3.get_object().bucket(bucket).key(key).send().await })
        .unwrap_or_else(|e| panic!("s3://{bucket}/{key}: {e:?}"))
        .body;
    let bytes = cloud.runtime.block_on(body.collect()).unwrap().into_bytes();
    serde_json::from_slice(&bytes).unwrap()
}

pub fn upload(cloud: &Cloud, key: &str, bytes: Vec<u8>) {
    let s3 = super::s3_client(&cloud.admin);
    cloud
        .runtime
        .block_on(
            s3.put_object()
                .bucket(cloud.bucket("InputBucket"))
                .key(key)
                .body(bytes.into())
                .send(),
        )
        .unwrap();
}
