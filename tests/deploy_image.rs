//! `package: image`: the push through the OCI distribution API to a real registry (Debian's
//! `docker-registry`, the reference implementation, started on 127.0.0.1 by the test), checked
//! with `skopeo inspect`; and `deploy` against moto with IAM enforced — the images stack with
//! the repository, the push (to the local registry: moto's ECR has no registry API, so
//! `IDPCTL_REGISTRY_URL` stands in for the endpoint ECR names), the functions on the image by
//! digest, and a second deploy that uploads and changes nothing.
//!
//! Without `docker-registry`, `skopeo` or `umoci` the tests are skipped with a notice, except
//! under `IDPCTL_REQUIRE_LINTERS=1` (CI), where that is a failure naming the packages.

mod common;
mod rehearsal;

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use common::moto::Moto;
use idpctl::aws::registry::{self, Registry};
use rehearsal::setup::{Env, block_on, bootstrap_admin, config};
use serde_json::Value;

fn tool(name: &str) -> Option<PathBuf> {
    idpctl::validate::external::which(name)
}

/// The tools, or `None` after a notice (a failure when CI requires them).
fn tools() -> Option<()> {
    let missing: Vec<&str> = ["docker-registry", "skopeo", "umoci"]
        .into_iter()
        .filter(|t| tool(t).is_none())
        .collect();
    if missing.is_empty() {
        return Some(());
    }
    let msg = format!(
        "{} not on PATH: `apt-get install -y docker-registry skopeo umoci` (bash .ci/run installs them)",
        missing.join(", ")
    );
    if std::env::var_os("IDPCTL_REQUIRE_LINTERS").is_some() {
        panic!("{msg}");
    }
    eprintln!("skipping: {msg}");
    None
}

/// A reference registry on a free loopback port, storing under a temporary folder; killed on
/// drop.
struct LocalRegistry {
    child: Child,
    url: String,
    _dir: tempfile::TempDir,
}

impl LocalRegistry {
    fn start() -> LocalRegistry {
        let dir = tempfile::tempdir().unwrap();
        let port = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let config = dir.path().join("config.yml");
        std::fs::write(
            &config,
            format!(
                "version: 0.1\nlog:\n  level: warn\nstorage:\n  filesystem:\n    rootdirectory: {}\nhttp:\n  addr: 127.0.0.1:{port}\n",
                dir.path().join("data").display()
            ),
        )
        .unwrap();
        let log = std::fs::File::create(dir.path().join("registry.log")).unwrap();
        let child = Command::new("docker-registry")
            .arg("serve")
            .arg(&config)
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .expect("start docker-registry");
        let mut registry = LocalRegistry {
            child,
            url: format!("http://127.0.0.1:{port}"),
            _dir: dir,
        };
        let started = Instant::now();
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            if registry.child.try_wait().ok().flatten().is_some()
                || started.elapsed() > Duration::from_secs(20)
            {
                let log = std::fs::read_to_string(registry._dir.path().join("registry.log"));
                panic!("docker-registry did not start: {log:?}");
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        registry
    }

    fn host(&self) -> &str {
        self.url.trim_start_matches("http://")
    }
}

impl Drop for LocalRegistry {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `skopeo inspect` of an image in the local registry: (the digest of its raw manifest, the
/// layer digests skopeo reads from it).
fn inspect(registry: &LocalRegistry, reference: &str) -> (String, Vec<String>) {
    let image = format!("docker://{}/{reference}", registry.host());
    let raw = common::run_tool(Command::new("skopeo").args([
        "inspect",
        "--tls-verify=false",
        "--raw",
        &image,
    ]));
    let info: Value = serde_json::from_str(&common::run_tool(Command::new("skopeo").args([
        "inspect",
        "--tls-verify=false",
        &image,
    ])))
    .unwrap();
    assert_eq!(
        info["Digest"].as_str(),
        Some(registry::sha256_digest(raw.as_bytes()).as_str()),
        "{info:#}"
    );
    let layers = info["Layers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l.as_str().unwrap().to_string())
        .collect();
    (registry::sha256_digest(raw.as_bytes()), layers)
}

/// An image made by another tool (umoci), so the pusher is held to the layout format and not
/// to how idpctl writes it: an empty base, then one layer per file.
fn umoci_layout(dir: &Path, files: &[(&str, &str)]) -> PathBuf {
    let layout = dir.join("layout");
    if !layout.exists() {
        common::run_tool(
            Command::new("umoci")
                .args(["init", "--layout"])
                .arg(&layout),
        );
        common::run_tool(
            Command::new("umoci")
                .args(["new", "--image"])
                .arg(format!("{}:t", layout.display())),
        );
    }
    for (name, text) in files {
        let src = dir.join(name);
        std::fs::write(&src, text).unwrap();
        common::run_tool(
            Command::new("umoci")
                .args(["insert", "--image"])
                .arg(format!("{}:t", layout.display()))
                .arg(&src)
                .arg(format!("/{name}")),
        );
    }
    layout
}

#[test]
fn a_layout_is_pushed_blob_by_blob_and_only_what_is_missing_goes_again() {
    if tools().is_none() {
        return;
    }
    let registry = LocalRegistry::start();
    let dir = tempfile::tempdir().unwrap();
    let layout = umoci_layout(dir.path(), &[("one.txt", "one"), ("two.txt", "two")]);
    let image = registry::read_layout(&layout).unwrap();
    let layers: Vec<String> = image.blobs[1..].iter().map(|b| b.digest.clone()).collect();
    assert_eq!(layers.len(), 2, "{:?}", image.blobs);
    // ECR's credentials go along; a registry without auth ignores them.
    let client = Registry::new(&registry.url, Some("Basic QVdTOnRva2Vu".into())).unwrap();
    let tag = registry::tag_for(&image.manifest_digest);

    let first = block_on(client.push("idp-test", &image, &tag)).unwrap();
    assert_eq!(first.uploaded.len(), 3, "config and two layers: {first:#?}");
    assert!(first.skipped.is_empty());
    assert!(first.manifest_uploaded);
    let (digest, pushed_layers) =
        inspect(&registry, &format!("idp-test@{}", image.manifest_digest));
    assert_eq!(digest, image.manifest_digest);
    assert_eq!(pushed_layers, layers);
    assert_eq!(
        inspect(&registry, &format!("idp-test:{tag}")).0,
        image.manifest_digest
    );

    // Nothing changed: nothing is uploaded, not even the manifest.
    let again = block_on(client.push("idp-test", &image, &tag)).unwrap();
    assert!(again.uploaded.is_empty(), "{again:#?}");
    assert_eq!(again.skipped.len(), 3);
    assert!(!again.manifest_uploaded);
    eprintln!(
        "figure: unchanged push of {} blobs: {:.1} ms (first push {:.1} ms)",
        again.skipped.len(),
        again.seconds * 1000.0,
        first.seconds * 1000.0
    );

    // One more layer: it and the new config go up, the two old layers stay.
    let layout = umoci_layout(dir.path(), &[("three.txt", "three")]);
    let grown = registry::read_layout(&layout).unwrap();
    let third = block_on(client.push(
        "idp-test",
        &grown,
        &registry::tag_for(&grown.manifest_digest),
    ))
    .unwrap();
    let uploaded: Vec<&str> = third.uploaded.iter().map(|b| b.digest.as_str()).collect();
    assert_eq!(
        uploaded,
        vec![
            grown.blobs[0].digest.as_str(),
            grown.blobs[3].digest.as_str()
        ]
    );
    assert_eq!(third.skipped.len(), 2);
    assert_eq!(
        inspect(&registry, &format!("idp-test@{}", grown.manifest_digest))
            .1
            .len(),
        3
    );
}

#[test]
fn a_registry_that_refuses_is_named_with_its_answer() {
    if tools().is_none() {
        return;
    }
    let registry = LocalRegistry::start();
    let dir = tempfile::tempdir().unwrap();
    let layout = umoci_layout(dir.path(), &[("one.txt", "one")]);
    let image = registry::read_layout(&layout).unwrap();
    let client = Registry::new(&registry.url, None).unwrap();
    // Upper case is not a repository name the distribution spec allows.
    let err = block_on(client.push("Not-Valid", &image, "t")).unwrap_err();
    let text = err.to_string();
    assert!(text.contains("the registry answered"), "{text}");
    let closed = Registry::new("http://127.0.0.1:9", None).unwrap();
    let err = block_on(closed.push("idp-test", &image, "t")).unwrap_err();
    assert!(
        err.to_string()
            .starts_with("cannot reach the registry at http://127.0.0.1:9"),
        "{err}"
    );
}

/// A small dynamically linked Linux program for this machine, standing in for idpctl in the
/// image: what is pushed and deployed is checked, not run (the debug idpctl is hundreds of MB).
fn stand_in_binary() -> PathBuf {
    ["/usr/bin/true", "/bin/true"]
        .iter()
        .map(PathBuf::from)
        .find(|p| p.is_file())
        .expect("true(1)")
}

fn host_architecture() -> &'static str {
    match std::env::consts::ARCH {
        "aarch64" => "arm64",
        _ => "x86_64",
    }
}

fn deploy(env: &Env, registry: &LocalRegistry) -> (i32, Value, String) {
    let mut cmd = env.command(&[
        "--output",
        "json",
        "deploy",
        "--yes",
        "--artifact",
        stand_in_binary().to_str().unwrap(),
    ]);
    cmd.env("IDPCTL_REGISTRY_URL", &registry.url);
    let run = common::run_cmd(cmd);
    let report = serde_json::from_str(&run.stdout).unwrap_or(Value::Null);
    (run.code, report, run.stderr)
}

#[test]
fn deploy_with_package_image_creates_the_repository_pushes_and_runs_the_image_by_digest() {
    if tools().is_none() {
        return;
    }
    let Some(moto) = Moto::start_with(&[("INITIAL_NO_AUTH_ACTION_COUNT", "3")]) else {
        return;
    };
    let registry = LocalRegistry::start();
    let endpoint = moto.endpoint.clone();
    let (key, secret) = bootstrap_admin(&endpoint);
    let admin = config(&endpoint, &key, &secret);
    let dir = tempfile::tempdir().unwrap();
    let profile = dir.path().join("profile.yaml");
    std::fs::write(
        &profile,
        format!(
            "stack_name: idp-img\nregion: us-east-1\naccount_id: \"123456789012\"\narchitecture: {}\n\
             package: image\nimage:\n  keep: 5\nengines:\n  ocr: none\n",
            host_architecture()
        ),
    )
    .unwrap();
    let env = Env {
        endpoint: endpoint.clone(),
        key,
        secret,
        profile,
        zip: PathBuf::new(),
    };

    let (code, report, stderr) = deploy(&env, &registry);
    assert_eq!(code, 0, "deploy failed:\n{stderr}");
    assert!(report.get("artifact").is_none(), "no zip: {report:#}");
    let image = &report["image"];
    assert_eq!(image["images_stack"]["stack_name"], "idp-img-images");
    assert_eq!(image["images_stack"]["result"], "executed", "{image:#}");
    let repository_uri = image["repository_uri"].as_str().unwrap().to_string();
    assert_eq!(
        repository_uri,
        "123456789012.dkr.ecr.us-east-1.amazonaws.com/idp-img"
    );
    let digest = image["push"]["manifest_digest"]
        .as_str()
        .unwrap()
        .to_string();
    let image_uri = format!("{repository_uri}@{digest}");
    assert_eq!(image["image_uri"], image_uri.as_str());
    let blobs = image["push"]["uploaded"].as_array().unwrap().len();
    assert!(blobs >= 3, "config, base and idpctl layers: {image:#}");
    assert!(stderr.contains("blob(s) uploaded"), "{stderr}");
    assert_eq!(report["result"], "executed", "{report:#}");

    // The repository, as ECR has it. moto keeps the tag mutability of AWS::ECR::Repository but
    // drops its lifecycle and repository policies and reads ScanOnPush under another casing, so
    // those are read from the deployed template, which is what AWS applies.
    let ecr = aws_sdk_ecr::Client::new(&admin);
    let repo = block_on(
        ecr.describe_repositories()
            .repository_names("idp-img")
            .send(),
    )
    .unwrap()
    .repositories()[0]
        .clone();
    assert_eq!(
        repo.image_tag_mutability().map(|m| m.as_str()),
        Some("IMMUTABLE")
    );
    let cfn = aws_sdk_cloudformation::Client::new(&admin);
    let body = block_on(cfn.get_template().stack_name("idp-img-images").send())
        .unwrap()
        .template_body()
        .unwrap()
        .to_string();
    let images_template = idpctl::yaml::parse(&body).unwrap();
    let props = &images_template["Resources"]["Repository"]["Properties"];
    let lifecycle: Value = serde_json::from_str(
        props["LifecyclePolicy"]["LifecyclePolicyText"]
            .as_str()
            .unwrap(),
    )
    .unwrap();
    assert_eq!(lifecycle["rules"][0]["selection"]["countNumber"], 5);
    assert_eq!(props["ImageScanningConfiguration"]["ScanOnPush"], true);
    assert_eq!(props["ImageTagMutability"], "IMMUTABLE");
    assert_eq!(
        props["RepositoryPolicyText"]["Statement"][0]["Principal"]["Service"],
        "lambda.amazonaws.com"
    );

    // What was pushed is what the layout holds, and the functions name it by digest.
    let (pushed, layers) = inspect(&registry, &format!("idp-img@{digest}"));
    assert_eq!(pushed, digest);
    assert_eq!(layers.len(), blobs - 1);
    let body = block_on(cfn.get_template().stack_name("idp-img").send())
        .unwrap()
        .template_body()
        .unwrap()
        .to_string();
    let template = idpctl::yaml::parse(&body).unwrap();
    let resources = block_on(cfn.describe_stack_resources().stack_name("idp-img").send()).unwrap();
    let lambda = aws_sdk_lambda::Client::new(&admin);
    let mut functions = 0;
    for r in resources.stack_resources() {
        if r.resource_type() != Some("AWS::Lambda::Function") {
            continue;
        }
        functions += 1;
        let logical = r.logical_resource_id().unwrap();
        let p = &template["Resources"][logical]["Properties"];
        assert_eq!(p["PackageType"], "Image", "{logical}");
        assert!(
            p.get("Runtime").is_none() && p.get("Handler").is_none(),
            "{logical}: {p:#}"
        );
        let handler = p["Environment"]["Variables"]["IDP_HANDLER"]
            .as_str()
            .unwrap();
        assert_eq!(p["ImageConfig"]["Command"], serde_json::json!([handler]));
        let name = r.physical_resource_id().unwrap();
        let got = block_on(lambda.get_function().function_name(name).send()).unwrap();
        let code = got.code().unwrap();
        assert_eq!(code.repository_type(), Some("ECR"), "{logical}");
        assert_eq!(code.image_uri(), Some(image_uri.as_str()), "{logical}");
    }
    assert!(functions >= 8, "{functions} functions");

    // Nothing changed: nothing uploaded, neither stack changed.
    let (code, report, stderr) = deploy(&env, &registry);
    assert_eq!(code, 0, "second deploy failed:\n{stderr}");
    let push = &report["image"]["push"];
    assert_eq!(push["uploaded"], serde_json::json!([]), "{push:#}");
    assert_eq!(push["skipped"].as_array().unwrap().len(), blobs);
    assert_eq!(push["manifest_uploaded"], false);
    assert_eq!(report["image"]["images_stack"]["result"], "unchanged");
    assert_eq!(report["result"], "unchanged", "{report:#}");
    eprintln!(
        "figure: unchanged deploy push of {blobs} blobs: {:.1} ms",
        push["seconds"].as_f64().unwrap() * 1000.0
    );

    // status compares the functions' image with the local build of the same binary: built
    // once, then its digest is read from the cache (the second status builds nothing).
    let cache_home = tempfile::tempdir().unwrap();
    let cache_file = cache_home.path().join("idpctl/image-digests.json");
    let status = || {
        let mut cmd = env.command(&[
            "--output",
            "json",
            "--verbose",
            "status",
            "--artifact",
            stand_in_binary().to_str().unwrap(),
        ]);
        cmd.env("IDPCTL_REGISTRY_URL", &registry.url);
        cmd.env("XDG_CACHE_HOME", cache_home.path());
        let status = common::run_cmd(cmd);
        let report: Value = serde_json::from_str(&status.stdout)
            .unwrap_or_else(|e| panic!("{e}: {}\n{}", status.stdout, status.stderr));
        (report, status.stderr)
    };
    let (first, stderr) = status();
    assert!(stderr.contains("building the image of"), "{stderr}");
    let cached = std::fs::read_to_string(&cache_file).unwrap();
    assert!(cached.contains(&digest), "{cached}");
    let written = std::fs::metadata(&cache_file).unwrap().modified().unwrap();
    let (second, stderr) = status();
    assert!(
        stderr.contains(&format!(
            "image digest from the cache {}: {digest}",
            cache_file.display()
        )) && !stderr.contains("building the image"),
        "{stderr}"
    );
    assert_eq!(
        std::fs::metadata(&cache_file).unwrap().modified().unwrap(),
        written
    );
    for report in [first, second] {
        let notes = report["notes"].to_string();
        assert!(
            notes.contains(&format!(
                "the functions run the local build's image {digest}"
            )),
            "{notes}"
        );
        let functions_matching = report["components"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|c| c["code_matches_local"] == true)
            .count();
        assert_eq!(functions_matching, functions);
    }
}

/// `status` on an image profile learns the digest `deploy` would push without building the
/// image each time: the first status builds it and records its digests in the cache, the second
/// reads them (and writes nothing), a changed binary builds again. No stack is deployed (status
/// says so, exit 2): the local digest is worked out before AWS is asked.
#[test]
fn status_builds_the_image_once_per_binary_then_reads_its_digest_from_the_cache() {
    let Some(moto) = Moto::start() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let profile = dir.path().join("profile.yaml");
    std::fs::write(
        &profile,
        format!(
            "stack_name: idp-cached\nregion: us-east-1\naccount_id: \"123456789012\"\narchitecture: {}\n\
             package: image\nengines:\n  ocr: none\n",
            host_architecture()
        ),
    )
    .unwrap();
    let cache_home = dir.path().join("cache");
    let cache_file = cache_home.join("idpctl/image-digests.json");
    let status = |binary: &Path| {
        let mut cmd = common::command();
        cmd.envs(moto.env())
            .env("XDG_CACHE_HOME", &cache_home)
            .arg("--profile")
            .arg(&profile)
            .args(["--verbose", "--output", "json", "status", "--artifact"])
            .arg(binary);
        let run = common::run_cmd(cmd);
        assert_eq!(run.code, 2, "not deployed:\n{}", run.stderr);
        run.stderr
    };
    let cached =
        || -> Value { serde_json::from_slice(&std::fs::read(&cache_file).unwrap()).unwrap() };

    let binary = stand_in_binary();
    common::assert_contains(&status(&binary), "building the image of");
    let images = cached()["images"].clone();
    assert_eq!(images.as_array().unwrap().len(), 1, "{images:#}");
    // What the cache holds is the digest `package --image` builds from the same binary.
    let mut package = common::command();
    package
        .arg("--profile")
        .arg(&profile)
        .args(["--output", "json", "package", "--image", "--artifact"])
        .arg(&binary)
        .arg("--out")
        .arg(dir.path().join("layout"));
    let built = common::run_cmd(package);
    assert_eq!(built.code, 0, "{}", built.stderr);
    let built: Value = serde_json::from_str(&built.stdout).unwrap();
    let digest = built["manifest_digest"].as_str().unwrap();
    assert_eq!(images[0]["manifest"], digest, "{images:#}");
    assert_eq!(images[0]["config"], built["config_digest"], "{images:#}");

    let written = std::fs::metadata(&cache_file).unwrap().modified().unwrap();
    let second = status(&binary);
    common::assert_contains(
        &second,
        &format!(
            "image digest from the cache {}: {digest}",
            cache_file.display()
        ),
    );
    assert!(!second.contains("building the image"), "{second}");
    assert_eq!(
        std::fs::metadata(&cache_file).unwrap().modified().unwrap(),
        written,
        "a hit writes nothing"
    );

    // The same program with one more byte: another binary, another image.
    let changed = dir.path().join("true-changed");
    let mut bytes = std::fs::read(&binary).unwrap();
    bytes.push(0);
    std::fs::write(&changed, bytes).unwrap();
    common::assert_contains(&status(&changed), "building the image of");
    let images = cached()["images"].clone();
    assert_eq!(images.as_array().unwrap().len(), 2, "{images:#}");
    assert_ne!(
        images[0]["manifest"], digest,
        "the newest first: {images:#}"
    );
    assert_eq!(images[1]["manifest"], digest);
}

/// An image profile renders to its golden files (`IDPCTL_BLESS=1` rewrites them): the functions
/// on `PackageType: Image` with their command, `ImageUri` instead of the artifact parameters,
/// and the images stack's repository. Its templates pass cfn-lint and checkov, both of them.
#[test]
fn an_image_profile_renders_to_its_golden_files_and_lints_clean() {
    let dir = tempfile::tempdir().unwrap();
    let profile = common::root().join("tests/fixtures/profiles/image.yaml");
    let run = common::idpctl(&[
        "--profile",
        profile.to_str().unwrap(),
        "validate",
        "--no-external",
        "--out",
        dir.path().to_str().unwrap(),
    ]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    let mut failures = Vec::new();
    for file in ["template.yaml", "parameters.json", "images.yaml"] {
        let text = std::fs::read_to_string(dir.path().join(file)).unwrap();
        let path = common::root().join("tests/golden/image").join(file);
        failures.extend(common::golden(&path, &text));
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));

    // `render --out` writes the images stack too, byte for byte what `validate` checked.
    let rendered = tempfile::tempdir().unwrap();
    let run = common::idpctl(&[
        "--profile",
        profile.to_str().unwrap(),
        "render",
        "--out",
        rendered.path().to_str().unwrap(),
    ]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    common::assert_contains(&run.stdout, "images.yaml");
    assert_eq!(
        std::fs::read_to_string(rendered.path().join("images.yaml")).unwrap(),
        std::fs::read_to_string(dir.path().join("images.yaml")).unwrap()
    );

    let linters = ["cfn-lint", "checkov"];
    if let Some(missing) = linters.iter().find(|t| tool(t).is_none()) {
        let msg = format!("{missing} is not on PATH (bash .ci/run installs it)");
        if std::env::var_os("IDPCTL_REQUIRE_LINTERS").is_some() {
            panic!("{msg}");
        }
        eprintln!("skipping the linters: {msg}");
        return;
    }
    let run = common::idpctl(&[
        "--profile",
        profile.to_str().unwrap(),
        "--output",
        "json",
        "validate",
    ]);
    let report: Value = serde_json::from_str(&run.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}{}", run.stdout, run.stderr));
    assert_eq!(report["clean"], true, "{report:#}");
    let ran: Vec<&str> = report["tools"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|t| t["status"] == "ran")
        .map(|t| t["tool"].as_str().unwrap())
        .collect();
    for expected in [
        "cfn-lint",
        "checkov",
        "cfn-lint (images.yaml)",
        "checkov (images.yaml)",
    ] {
        assert!(ran.contains(&expected), "{expected} did not run: {ran:?}");
    }
}
