//! `idpctl package --image`, with the real binary: the OCI layout is reproducible (two builds,
//! one digest; a changed binary changes only its own layer), `skopeo` reads it, and the image
//! unpacked with `umoci` runs its entrypoint in a `chroot` against a mock Runtime API: the `ocr`
//! handler reads a scanned page with nothing but what the image holds, in the environment the
//! rendered template gives the function. There is no AWS here, so the function's services are
//! the local backend (`IDPCTL_BACKEND=local`) with its state inside the unpacked root.
//! Needs root (chroot), skopeo and umoci; skips with a notice without them, except under
//! `IDPCTL_REQUIRE_LINTERS=1` (CI), where that is a failure.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::ocr_pages;
use common::runtime_api::RuntimeApi;
use common::{assert_contains, command, run_cmd, run_tool};
use serde_json::{Value, json};

fn on_path(tool: &str) -> bool {
    Command::new("sh")
        .args(["-c", &format!("command -v {tool}")])
        .output()
        .is_ok_and(|o| o.status.success())
}

fn full_path(tool: &str) -> String {
    let out = Command::new("sh")
        .args(["-c", &format!("command -v {tool}")])
        .output()
        .unwrap();
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
}

/// Whether the tools are here; without them, skip (or fail in CI).
fn tools(needed: &[&str], need_root: bool) -> bool {
    let mut missing: Vec<String> = needed
        .iter()
        .filter(|t| !on_path(t))
        .map(|t| t.to_string())
        .collect();
    if need_root && !is_root() {
        missing.push("root (for chroot)".into());
    }
    if missing.is_empty() {
        return true;
    }
    let msg = format!(
        "missing {}: `apt-get install -y skopeo umoci tesseract-ocr` and run as root (bash .ci/run does)",
        missing.join(", ")
    );
    if std::env::var_os("IDPCTL_REQUIRE_LINTERS").is_some() {
        panic!("{msg}");
    }
    eprintln!("skipping: {msg}");
    false
}

fn host_arch() -> &'static str {
    match std::env::consts::ARCH {
        "aarch64" => "arm64",
        _ => "x86_64",
    }
}

/// The test binary without its debug info (the debug build is ~800 MB, nearly all DWARF): the
/// same program, small enough to pack several times per test. Written into the test's own
/// temporary folder, so nothing is left behind.
fn small_binary(dir: &Path) -> PathBuf {
    let out = dir.join("idpctl");
    let stripped = Command::new("objcopy")
        .args(["--strip-debug", env!("CARGO_BIN_EXE_idpctl")])
        .arg(&out)
        .status()
        .is_ok_and(|s| s.success());
    if !stripped {
        std::fs::copy(env!("CARGO_BIN_EXE_idpctl"), &out).unwrap();
    }
    out
}

/// `package --image` of `binary` into `out`, for `architecture`.
fn package_command(binary: &Path, out: &Path, architecture: &str) -> Command {
    let mut cmd = command();
    cmd.args(["--profile", "local", "package", "--image", "--artifact"])
        .arg(binary)
        .arg("--out")
        .arg(out)
        .env("IDPCTL_ARCHITECTURE", architecture);
    cmd
}

/// `package --image --output json` for the host's architecture with the `tesseract` engine.
fn package(binary: &Path, out: &Path, extra_env: &[(&str, &str)]) -> (i32, Value, String) {
    let mut cmd = package_command(binary, out, host_arch());
    cmd.args(["--output", "json"])
        .env("IDPCTL_ENGINE_OCR", "tesseract")
        .envs(extra_env.iter().copied());
    let run = run_cmd(cmd);
    let json = serde_json::from_str(&run.stdout).unwrap_or(Value::Null);
    (run.code, json, run.stderr)
}

/// The test binary packed into `<dir>/img`: the layout and the image as `package` reports it.
fn packaged(dir: &Path) -> (PathBuf, Value) {
    let layout = dir.join("img");
    let (code, image, err) = package(&small_binary(dir), &layout, &[]);
    assert_eq!(code, 0, "{err}");
    (layout, image)
}

/// The language packs of this machine's Tesseract.
fn installed_packs() -> Vec<String> {
    idpctl::pipeline::ocr::packs::installed("tesseract")
}

fn layer_whats(image: &Value) -> Vec<String> {
    image["layers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["what"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn same_inputs_same_digest_and_a_new_binary_changes_only_its_layer() {
    if !tools(&["tesseract"], false) {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let bin = small_binary(dir.path());
    let (code, a, err) = package(&bin, &dir.path().join("a"), &[]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(layer_whats(&a), ["base", "tesseract", "idpctl"]);
    for l in a["layers"].as_array().unwrap() {
        assert!(l["size"].as_u64().unwrap() > 0 && l["uncompressed"].as_u64().unwrap() > 0);
    }
    assert!(a["env"].as_array().unwrap().contains(&json!(
        "TESSDATA_PREFIX=/usr/share/tesseract-ocr/5/tessdata"
    )));

    let (code, b, err) = package(&bin, &dir.path().join("b"), &[]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(a["manifest_digest"], b["manifest_digest"]);
    assert_eq!(a["layers"], b["layers"]);

    // The same program with one more byte at the end: only the last layer moves.
    let changed = dir.path().join("idpctl-changed");
    let mut bytes = std::fs::read(&bin).unwrap();
    bytes.push(0);
    std::fs::write(&changed, bytes).unwrap();
    let (code, c, err) = package(&changed, &dir.path().join("c"), &[]);
    assert_eq!(code, 0, "{err}");
    assert_ne!(a["manifest_digest"], c["manifest_digest"]);
    assert_eq!(a["layers"][0], c["layers"][0]);
    assert_eq!(a["layers"][1], c["layers"][1]);
    assert_ne!(a["layers"][2]["digest"], c["layers"][2]["digest"]);
}

#[test]
fn the_language_setting_decides_which_packs_go_in() {
    if !tools(&["tesseract"], false) {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let bin = small_binary(dir.path());
    let packs = |image: &Value| -> Vec<String> {
        serde_json::from_value(image["ocr_languages"].clone()).unwrap()
    };

    // `auto`: every pack the detector knows that this machine has.
    let (code, auto, err) = package(&bin, &dir.path().join("auto"), &[]);
    assert_eq!(code, 0, "{err}");
    let installed = installed_packs();
    let known: Vec<String> = idpctl::pipeline::ocr::language::packs()
        .filter(|p| installed.iter().any(|i| i == p))
        .map(String::from)
        .collect();
    assert_eq!(packs(&auto)[..2], ["eng", "osd"]);
    assert_eq!(packs(&auto)[2..], known[..]);

    // Named packs: those and no others.
    let (code, english, err) = package(
        &bin,
        &dir.path().join("eng"),
        &[("IDPCTL_TESSERACT_LANGUAGES", "eng")],
    );
    assert_eq!(code, 0, "{err}");
    assert_eq!(packs(&english), ["eng", "osd"]);
    if !known.is_empty() {
        assert_ne!(auto["manifest_digest"], english["manifest_digest"]);
    }

    // A named pack this machine lacks is refused with the fix, naming the pack; `auto` with
    // the same data takes what is there.
    let data = dir.path().join("tessdata");
    std::fs::create_dir_all(data.join("configs")).unwrap();
    let system = Path::new("/usr/share/tesseract-ocr/5/tessdata");
    if !system.join("eng.traineddata").is_file() {
        return;
    }
    for f in ["eng.traineddata", "osd.traineddata", "configs/tsv"] {
        std::fs::copy(system.join(f), data.join(f)).unwrap();
    }
    let prefix = data.display().to_string();
    let (code, _, err) = package(
        &bin,
        &dir.path().join("missing"),
        &[
            ("TESSDATA_PREFIX", &prefix),
            ("IDPCTL_TESSERACT_LANGUAGES", "eng+deu"),
        ],
    );
    assert_eq!(code, 2, "{err}");
    assert_contains(&err, "asks for `deu`");
    assert_contains(&err, "apt-get install tesseract-ocr-deu");
    let (code, only, err) = package(
        &bin,
        &dir.path().join("only"),
        &[("TESSDATA_PREFIX", &prefix)],
    );
    assert_eq!(code, 0, "{err}");
    assert_eq!(packs(&only), ["eng", "osd"]);
}

#[test]
fn an_engine_without_a_program_has_no_tesseract_layer_and_text_output_names_the_layers() {
    let dir = tempfile::tempdir().unwrap();
    let bin = small_binary(dir.path());
    let (code, image, err) = package(
        &bin,
        &dir.path().join("t"),
        &[("IDPCTL_ENGINE_OCR", "textract")],
    );
    assert_eq!(code, 0, "{err}");
    assert_eq!(layer_whats(&image), ["base", "idpctl"]);

    let mut cmd = package_command(&bin, &dir.path().join("t"), host_arch());
    cmd.env("IDPCTL_ENGINE_OCR", "none");
    let run = run_cmd(cmd);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(
        run.stdout.trim(),
        dir.path().join("t").display().to_string()
    );
    for says in ["base ", "idpctl ", "unpacked"] {
        assert_contains(&run.stderr, says);
    }
}

#[test]
fn refuses_a_binary_of_another_architecture_and_foreign_tesseract_with_the_fix() {
    let dir = tempfile::tempdir().unwrap();
    let bin = small_binary(dir.path());
    let other = if host_arch() == "x86_64" {
        "arm64"
    } else {
        "x86_64"
    };
    let run = run_cmd(package_command(&bin, &dir.path().join("x"), other));
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert_contains(
        &run.stderr,
        &format!("but the image is for {other} functions"),
    );
    assert_contains(&run.stderr, &format!("hint: build idpctl for {other}"));

    // A static binary of the other architecture gets past its own check; this machine's
    // Tesseract is the next thing that cannot run there.
    if !on_path("tesseract") {
        return;
    }
    let machine: u16 = if other == "arm64" { 183 } else { 62 };
    let mut elf = vec![0u8; 64];
    elf[..7].copy_from_slice(b"\x7fELF\x02\x01\x01");
    elf[16] = 2;
    elf[18..20].copy_from_slice(&machine.to_le_bytes());
    let fake = dir.path().join("static-other");
    std::fs::write(&fake, elf).unwrap();
    let mut cmd = package_command(&fake, &dir.path().join("y"), other);
    cmd.env("IDPCTL_ENGINE_OCR", "tesseract");
    let run = run_cmd(cmd);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert_contains(&run.stderr, "this machine's Tesseract");
    assert_contains(
        &run.stderr,
        &format!("hint: set `architecture: {}`", host_arch()),
    );
}

#[test]
fn skopeo_reads_the_layout() {
    if !tools(&["skopeo", "tesseract"], false) {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let (layout, image) = packaged(dir.path());
    let out = run_tool(
        Command::new("skopeo")
            .arg("inspect")
            .arg(format!("oci:{}:latest", layout.display())),
    );
    let seen: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(seen["Digest"], image["manifest_digest"]);
    assert_eq!(
        seen["Architecture"],
        if host_arch() == "x86_64" {
            "amd64"
        } else {
            "arm64"
        }
    );
    assert_eq!(seen["Os"], "linux");
    let digests: Vec<&Value> = image["layers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| &l["digest"])
        .collect();
    let seen_layers: Vec<&Value> = seen["Layers"].as_array().unwrap().iter().collect();
    assert_eq!(seen_layers, digests);
}

/// The `ocr` function's environment as `render` writes it into the template, with each
/// reference (`!Ref WorkingBucket`) given a stand-in name.
fn ocr_function_environment() -> Vec<(String, String)> {
    let run = run_cmd({
        let mut c = command();
        c.args(["--profile", "dev", "render"])
            .env("IDPCTL_ENGINE_OCR", "tesseract");
        c
    });
    assert_eq!(run.code, 0, "{}", run.stderr);
    let template: yaml_serde::Value = yaml_serde::from_str(&run.stdout).unwrap();
    let resources = template["Resources"].as_mapping().unwrap();
    let vars = resources
        .values()
        .map(|r| &r["Properties"]["Environment"]["Variables"])
        .find(|v| v["IDP_HANDLER"].as_str() == Some("ocr"))
        .expect("an ocr function in the template");
    vars.as_mapping()
        .unwrap()
        .iter()
        .map(|(k, v)| {
            let key = k.as_str().unwrap().to_string();
            let value = match v {
                yaml_serde::Value::String(s) => s.clone(),
                yaml_serde::Value::Number(n) => n.to_string(),
                yaml_serde::Value::Bool(b) => b.to_string(),
                other => {
                    format!("idp-test-{}", key.to_lowercase().replace('_', "-"))
                        + if matches!(other, yaml_serde::Value::Null) {
                            "-null"
                        } else {
                            ""
                        }
                }
            };
            (key, value)
        })
        .collect()
}

/// Writes a scanned page where `split` would have put it, in the local backend's folders.
fn store_scanned_page(
    state: &Path,
    working_bucket: &str,
    document: &str,
    page_id: &str,
    mut page: idpctl::model::PageContent,
) {
    let image = page.image.take().unwrap();
    let dir = state
        .join("buckets")
        .join(working_bucket)
        .join("documents")
        .join(document)
        .join("pages");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join(format!("{page_id}.png")), &image.bytes).unwrap();
    let stored = json!({
        "content": page,
        "image": {"width": image.width, "height": image.height, "dpi": image.dpi},
    });
    std::fs::write(
        dir.join(format!("{page_id}.json")),
        serde_json::to_vec(&stored).unwrap(),
    )
    .unwrap();
}

#[test]
fn the_unpacked_image_reads_a_scanned_page_in_a_chroot() {
    if !tools(&["umoci", "tesseract", "chroot"], true) {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let (layout, image) = packaged(dir.path());
    let rootfs = dir.path().join("rootfs");
    run_tool(
        Command::new("umoci")
            .args(["raw", "unpack", "--image"])
            .arg(format!("{}:latest", layout.display()))
            .arg(&rootfs),
    );

    let env = ocr_function_environment();
    let var = |k: &str| env.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone());
    assert_eq!(var("OCR_ENGINE").as_deref(), Some("tesseract"));
    let working = var("WORKING_BUCKET").unwrap();
    std::fs::create_dir_all(rootfs.join("var/state")).unwrap();
    let state = rootfs.join("var/state");
    store_scanned_page(&state, &working, "doc-1", "1", ocr_pages::scanned_page());
    // A French page, which the image reads again with its French pack (`auto` took every pack
    // installed here; CI installs French).
    let french = installed_packs().contains(&"fra".to_string());
    let mut events = vec![json!({
        "document": {"document_id": "doc-1"},
        "page": {"page_id": "1"},
    })];
    if french {
        assert!(
            image["ocr_languages"]
                .as_array()
                .unwrap()
                .contains(&json!("fra")),
            "{image}"
        );
        assert_eq!(var("TESSERACT_LANGUAGES").as_deref(), Some("auto"));
        let page = ocr_pages::first_page(ocr_pages::FRENCH_SCAN);
        store_scanned_page(&state, &working, "doc-1", "2", page);
        events.push(json!({
            "document": {"document_id": "doc-1"},
            "page": {"page_id": "2"},
        }));
    }
    let api = RuntimeApi::start(events.clone());
    // Nothing from this machine's environment: the image config's, Lambda's, the template's.
    // By its full path: the child's PATH is the image's, which has no sbin.
    let mut cmd = Command::new(full_path("chroot"));
    cmd.arg(&rootfs).env_clear();
    for e in image["env"].as_array().unwrap() {
        let (k, v) = e.as_str().unwrap().split_once('=').unwrap();
        cmd.env(k, v);
    }
    for (k, v) in &env {
        cmd.env(k, v);
    }
    cmd.args(
        image["entrypoint"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s.as_str().unwrap()),
    )
    .arg("ocr")
    .env("AWS_LAMBDA_RUNTIME_API", &api.addr)
    .env("AWS_LAMBDA_FUNCTION_NAME", "idp-dev-ocr")
    .env("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "1024")
    .env("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST")
    .env("AWS_REGION", "us-east-1")
    .env("IDPCTL_BACKEND", "local")
    .env("IDPCTL_STATE_DIR", "/var/state");
    let run = run_cmd(cmd);
    let replies = api.join();
    assert_eq!(
        replies.len(),
        events.len(),
        "stderr: {}\nstdout: {}",
        run.stderr,
        run.stdout
    );
    let reply = &replies[0];
    assert_eq!(reply.kind, "response", "{:#?}\n{}", reply.body, run.stderr);
    assert_eq!(reply.body["engine"], "tesseract");
    assert!(reply.body["words"].as_u64().unwrap() > 50, "{}", reply.body);

    let read = |page: &str| -> String {
        let path = state
            .join("buckets")
            .join(&working)
            .join(format!("documents/doc-1/pages/{page}.read.json"));
        String::from_utf8(std::fs::read(path).unwrap()).unwrap()
    };
    let text = read("1");
    assert!(
        text.contains("1099-B") || text.contains("Proceeds"),
        "{text:.2000}"
    );
    if french {
        assert_eq!(replies[1].kind, "response", "{:#?}", replies[1].body);
        let text = read("2");
        // Read with `eng` alone, the accent goes (`REGLER`).
        assert!(text.contains("RÉGLER"), "{text:.3000}\n{}", run.stderr);
    }
}
