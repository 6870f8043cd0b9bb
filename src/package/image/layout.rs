//! The OCI image layout on disk (`oci-layout`, `index.json`, `blobs/sha256/<hex>`): layers are
//! streamed file → tar → gzip → blob while both digests are computed (the uncompressed `diff_id`
//! and the compressed blob digest), so a large binary is never held in memory. Gzip headers
//! carry no timestamp or file name, and JSON is written with a fixed key order, so the same
//! inputs give the same bytes.

use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::os::unix::fs::PermissionsExt as _;
use std::path::{Path, PathBuf};

use flate2::{Compression, GzBuilder};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use super::contents::{Plan, Source};
use super::tar::{Kind, Writer};
use super::{ImageError, LayerInfo};
use crate::package::FileError;

pub const MANIFEST: &str = "application/vnd.oci.image.manifest.v1+json";
pub const CONFIG: &str = "application/vnd.oci.image.config.v1+json";
pub const INDEX: &str = "application/vnd.oci.image.index.v1+json";
pub const LAYER: &str = "application/vnd.oci.image.layer.v1.tar+gzip";
/// Annotations on each layer descriptor: what the layer holds and its unpacked size.
pub const WHAT: &str = "dev.idpctl.layer";
pub const UNCOMPRESSED: &str = "dev.idpctl.layer.uncompressed-size";
/// The tag the layout's one manifest carries (`umoci unpack --image DIR:latest`).
pub const TAG: &str = "latest";

/// Counts and hashes what passes through.
struct Hashing<W> {
    inner: W,
    hasher: Sha256,
    count: u64,
}

impl<W: Write> Write for Hashing<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.hasher.update(&buf[..n]);
        self.count += n as u64;
        Ok(n)
    }
    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

impl<W> Hashing<W> {
    fn new(inner: W) -> Self {
        Hashing {
            inner,
            hasher: Sha256::new(),
            count: 0,
        }
    }
    fn digest(&self) -> String {
        format!("sha256:{}", hex::encode(self.hasher.clone().finalize()))
    }
}

pub fn blobs_dir(layout: &Path) -> PathBuf {
    layout.join("blobs").join("sha256")
}

fn blob_path(layout: &Path, digest: &str) -> PathBuf {
    blobs_dir(layout).join(digest.trim_start_matches("sha256:"))
}

/// Streams one layer into the layout's blobs; the blob is named by its digest.
pub fn write_layer(layout: &Path, plan: &Plan, level: u32) -> Result<LayerInfo, ImageError> {
    let dir = blobs_dir(layout);
    let tmp = tempfile::NamedTempFile::new_in(&dir).map_err(FileError::write(&dir))?;
    let file = tmp.reopen().map_err(FileError::write(tmp.path()))?;
    // mtime 0, no name, OS byte "unknown": nothing of this machine or moment in the header.
    let gz = GzBuilder::new()
        .mtime(0)
        .write(Hashing::new(BufWriter::new(file)), Compression::new(level));
    let mut tar = Writer::new(Hashing::new(gz));
    for (path, entry) in &plan.entries {
        match &entry.source {
            Source::Dir => tar.append(path, entry.mode, &Kind::Dir, None),
            Source::Symlink(target) => tar.append(
                path,
                entry.mode,
                &Kind::Symlink {
                    target: target.clone(),
                },
                None,
            ),
            Source::File(host) => {
                let read_err = FileError::read(host);
                let mut f = File::open(host).map_err(&read_err)?;
                let size = f.metadata().map_err(&read_err)?.len();
                tar.append(path, entry.mode, &Kind::File { size }, Some(&mut f))
            }
        }
        .map_err(FileError::write(tmp.path()))?;
    }
    let uncompressed = tar.finish().map_err(FileError::write(tmp.path()))?;
    let diff_id = uncompressed.digest();
    let compressed = uncompressed
        .inner
        .finish()
        .map_err(FileError::write(tmp.path()))?;
    let digest = compressed.digest();
    let size = compressed.count;
    compressed
        .inner
        .into_inner()
        .map_err(|e| FileError::write(tmp.path())(e.into_error()))?
        .sync_all()
        .map_err(FileError::write(tmp.path()))?;
    let path = blob_path(layout, &digest);
    // A temporary file is private (0600); a layout is read by other tools and users.
    std::fs::set_permissions(tmp.path(), std::fs::Permissions::from_mode(0o644))
        .map_err(FileError::write(tmp.path()))?;
    tmp.persist(&path)
        .map_err(|e| FileError::write(&path)(e.error))?;
    Ok(LayerInfo {
        digest,
        diff_id,
        size,
        uncompressed: uncompressed.count,
        media_type: LAYER.into(),
        what: plan.what.clone(),
    })
}

/// Writes a JSON document as a blob; gives its descriptor's digest and size.
pub fn write_json(layout: &Path, value: &Value) -> Result<(String, u64), ImageError> {
    let bytes = serde_json::to_vec(value).expect("a JSON value serializes");
    let digest = format!("sha256:{}", hex::encode(Sha256::digest(&bytes)));
    let path = blob_path(layout, &digest);
    std::fs::write(&path, &bytes).map_err(FileError::write(&path))?;
    Ok((digest, bytes.len() as u64))
}

/// The layout's top-level files: `oci-layout` and an index naming the one manifest.
pub fn write_index(
    layout: &Path,
    manifest: &str,
    size: u64,
    platform: &Value,
) -> Result<(), ImageError> {
    let marker = layout.join("oci-layout");
    std::fs::write(&marker, br#"{"imageLayoutVersion":"1.0.0"}"#)
        .map_err(FileError::write(&marker))?;
    let index = json!({
        "schemaVersion": 2,
        "mediaType": INDEX,
        "manifests": [{
            "mediaType": MANIFEST,
            "digest": manifest,
            "size": size,
            "platform": platform,
            "annotations": {"org.opencontainers.image.ref.name": TAG}
        }]
    });
    let path = layout.join("index.json");
    std::fs::write(&path, serde_json::to_vec(&index).expect("serializes"))
        .map_err(FileError::write(&path))?;
    Ok(())
}

/// Removes blobs no longer referenced (layers of an earlier build into the same folder).
pub fn remove_unreferenced(layout: &Path, keep: &[&str]) -> Result<(), ImageError> {
    let dir = blobs_dir(layout);
    let entries = std::fs::read_dir(&dir).map_err(FileError::read(&dir))?;
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        if !keep.iter().any(|k| k.trim_start_matches("sha256:") == name) {
            std::fs::remove_file(entry.path()).map_err(FileError::write(&entry.path()))?;
        }
    }
    Ok(())
}

fn not_layout(dir: &Path, message: impl Into<String>) -> ImageError {
    ImageError::NotALayout {
        path: dir.to_path_buf(),
        message: message.into(),
    }
}

/// Reads a JSON blob and checks it has the digest it is named by.
pub fn read_blob(layout: &Path, digest: &str) -> Result<Value, ImageError> {
    let path = blob_path(layout, digest);
    let bytes = std::fs::read(&path).map_err(FileError::read(&path))?;
    let actual = format!("sha256:{}", hex::encode(Sha256::digest(&bytes)));
    if actual != digest {
        return Err(not_layout(
            layout,
            format!("blob {digest} has digest {actual}"),
        ));
    }
    serde_json::from_slice(&bytes)
        .map_err(|e| not_layout(layout, format!("blob {digest} is not JSON ({e})")))
}

/// The index's manifest descriptor: the one tagged [`TAG`], else the only one.
pub fn read_index(layout: &Path) -> Result<(String, u64), ImageError> {
    let path = layout.join("index.json");
    let bytes = std::fs::read(&path).map_err(FileError::read(&path))?;
    let index: Value = serde_json::from_slice(&bytes)
        .map_err(|e| not_layout(layout, format!("index.json is not JSON ({e})")))?;
    let manifests = index["manifests"]
        .as_array()
        .ok_or_else(|| not_layout(layout, "index.json has no manifests"))?;
    let tagged = manifests
        .iter()
        .find(|m| m["annotations"]["org.opencontainers.image.ref.name"] == TAG);
    let one = match (tagged, manifests.as_slice()) {
        (Some(m), _) => m,
        (None, [m]) => m,
        _ => {
            return Err(not_layout(
                layout,
                format!(
                    "index.json lists {} manifests and none is tagged `{TAG}`",
                    manifests.len()
                ),
            ));
        }
    };
    let digest = one["digest"]
        .as_str()
        .ok_or_else(|| not_layout(layout, "the manifest descriptor has no digest"))?;
    Ok((digest.to_string(), one["size"].as_u64().unwrap_or(0)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read as _;

    #[test]
    fn a_layer_blob_is_named_by_its_digest_and_unzips_to_its_diff_id() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(blobs_dir(dir.path())).unwrap();
        let host = dir.path().join("f");
        std::fs::write(&host, b"hello").unwrap();
        let mut plan = Plan::new("t");
        plan.file("/etc/f", &host).unwrap();
        let plan = plan.with_parents();
        let a = write_layer(dir.path(), &plan, 6).unwrap();
        let b = write_layer(dir.path(), &plan, 6).unwrap();
        assert_eq!(a, b, "the same plan gives the same blob");
        let blob = std::fs::read(blob_path(dir.path(), &a.digest)).unwrap();
        assert_eq!(blob.len() as u64, a.size);
        assert_eq!(&blob[4..8], &[0, 0, 0, 0], "no mtime in the gzip header");
        let mut tar = Vec::new();
        flate2::read::GzDecoder::new(&blob[..])
            .read_to_end(&mut tar)
            .unwrap();
        assert_eq!(
            a.diff_id,
            format!("sha256:{}", hex::encode(Sha256::digest(&tar)))
        );
        assert_eq!(tar.len() as u64, a.uncompressed);
    }
}
