//! Pushing an OCI image layout (a directory: `index.json` → manifest → blobs) to a registry
//! through the OCI distribution API, without Docker: HEAD each blob and skip the ones the
//! registry has, upload the others monolithically (POST for an upload session, PUT with the
//! digest), then PUT the manifest under a tag unless the tag already names this digest.
//!
//! The layout on disk is the contract with whoever built the image, so it is read here from the
//! files, not from the builder's in-memory types. ECR answers with basic auth (the token of
//! `GetAuthorizationToken`, see `ecr.rs`); a plain registry (tests, a private mirror) needs none.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use http_body_util::{BodyExt as _, Full, Limited};
use hyper::body::Bytes;
use hyper::{Method, Request, StatusCode, header};
use hyper_rustls::{ConfigBuilderExt as _, HttpsConnector, HttpsConnectorBuilder};
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use serde::Serialize;
use serde_json::Value;
use sha2::{Digest as _, Sha256};

use crate::causes::one_line;
use crate::diagnose::Diagnose;
use crate::exit::ExitStatus;

const OCI_MANIFEST: &str = "application/vnd.oci.image.manifest.v1+json";
const DOCKER_MANIFEST: &str = "application/vnd.docker.distribution.manifest.v2+json";
/// A registry's answers other than blobs are small; more is not a registry talking.
const MAX_ANSWER_BYTES: usize = 1 << 20;
/// One request, an upload of the largest layer included.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(15 * 60);

#[derive(Debug, thiserror::Error)]
pub enum RegistryError {
    #[error("{path}: {message}")]
    Layout { path: PathBuf, message: String },
    #[error("registry URL `{url}` is not usable: {message}")]
    Url { url: String, message: String },
    #[error("cannot reach the registry at {url}: {detail}")]
    Unreachable { url: String, detail: String },
    #[error("{what}: the registry answered {status}: {body}")]
    Refused {
        what: String,
        status: u16,
        body: String,
    },
    #[error("the registry stored the manifest as {got}, but the layout's manifest is {want}")]
    DigestMismatch { want: String, got: String },
}

impl Diagnose for RegistryError {
    fn hint(&self) -> Option<String> {
        Some(match self {
            RegistryError::Layout { .. } => {
                "build the image again (`idpctl package --image`); the layout on disk is incomplete or was changed".into()
            }
            RegistryError::Url { .. } => {
                "set image.registry_url (or IDPCTL_REGISTRY_URL) to the registry's base URL, e.g. http://127.0.0.1:5000, or unset it to use ECR's endpoint".into()
            }
            RegistryError::Unreachable { .. } => {
                "check the network and image.registry_url / IDPCTL_REGISTRY_URL if you set it".into()
            }
            RegistryError::Refused { status: 401 | 403, .. } => {
                "the credentials may not push to this repository: they need ecr:GetAuthorizationToken and the ecr:*LayerUpload*, ecr:PutImage and ecr:BatchCheckLayerAvailability actions on it".into()
            }
            RegistryError::Refused { .. } => {
                "look at the registry's message; `idpctl deploy` again retries only what is missing".into()
            }
            RegistryError::DigestMismatch { .. } => {
                "the registry rewrote the manifest; push to an OCI-compliant registry (ECR is one)".into()
            }
        })
    }

    fn status(&self) -> ExitStatus {
        match self {
            RegistryError::Url { .. } => ExitStatus::Usage,
            _ => ExitStatus::Findings,
        }
    }
}

/// One blob of the image: the config or a layer.
#[derive(Debug, Clone, Serialize)]
pub struct Blob {
    pub digest: String,
    pub size: u64,
    pub media_type: String,
}

/// An image as its layout holds it: the manifest's exact bytes and the blobs it names.
#[derive(Debug, Clone)]
pub struct Image {
    pub dir: PathBuf,
    pub manifest: Vec<u8>,
    pub manifest_digest: String,
    pub manifest_media_type: String,
    /// The config first, then the layers in the manifest's order.
    pub blobs: Vec<Blob>,
}

impl Image {
    fn blob_path(&self, digest: &str) -> PathBuf {
        blob_path(&self.dir, digest)
    }
}

fn blob_path(dir: &Path, digest: &str) -> PathBuf {
    let (algorithm, hex) = digest.split_once(':').unwrap_or(("sha256", digest));
    dir.join("blobs").join(algorithm).join(hex)
}

pub fn sha256_digest(bytes: &[u8]) -> String {
    format!("sha256:{}", hex::encode(Sha256::digest(bytes)))
}

fn is_sha256_digest(d: &str) -> bool {
    d.strip_prefix("sha256:")
        .is_some_and(|h| h.len() == 64 && h.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// Reads an OCI image layout: the one manifest `index.json` names (the first, when it names
/// several), checked against its digest, and its config and layers, which must all be there.
pub fn read_layout(dir: &Path) -> Result<Image, RegistryError> {
    let bad = |path: &Path, message: String| RegistryError::Layout {
        path: path.to_path_buf(),
        message,
    };
    let read =
        |path: &Path| std::fs::read(path).map_err(|e| bad(path, format!("cannot read it ({e})")));
    let json = |path: &Path, bytes: &[u8]| -> Result<Value, RegistryError> {
        serde_json::from_slice(bytes).map_err(|e| bad(path, format!("is not JSON ({e})")))
    };
    let index_path = dir.join("index.json");
    let index = json(&index_path, &read(&index_path)?)?;
    let entry = index["manifests"]
        .as_array()
        .and_then(|m| m.first())
        .ok_or_else(|| bad(&index_path, "names no manifest".into()))?;
    let digest = entry["digest"]
        .as_str()
        .filter(|d| is_sha256_digest(d))
        .ok_or_else(|| bad(&index_path, "its manifest has no sha256 digest".into()))?
        .to_string();
    let manifest_path = blob_path(dir, &digest);
    let manifest = read(&manifest_path)?;
    if sha256_digest(&manifest) != digest {
        return Err(bad(
            &manifest_path,
            format!("does not hash to {digest}, the digest index.json gives it"),
        ));
    }
    let value = json(&manifest_path, &manifest)?;
    let media_type = value["mediaType"]
        .as_str()
        .or(entry["mediaType"].as_str())
        .unwrap_or(OCI_MANIFEST)
        .to_string();
    if media_type != OCI_MANIFEST && media_type != DOCKER_MANIFEST {
        return Err(bad(
            &manifest_path,
            format!(
                "is a `{media_type}`, not an image manifest (an index of several images cannot be a Lambda image)"
            ),
        ));
    }
    let descriptor = |v: &Value, what: &str| -> Result<Blob, RegistryError> {
        let digest = v["digest"]
            .as_str()
            .filter(|d| is_sha256_digest(d))
            .ok_or_else(|| bad(&manifest_path, format!("its {what} has no sha256 digest")))?;
        let size = v["size"]
            .as_u64()
            .ok_or_else(|| bad(&manifest_path, format!("its {what} has no size")))?;
        let path = blob_path(dir, digest);
        let on_disk = std::fs::metadata(&path)
            .map_err(|e| bad(&path, format!("the {what} blob is missing ({e})")))?
            .len();
        if on_disk != size {
            return Err(bad(
                &path,
                format!("the {what} blob has {on_disk} bytes, the manifest says {size}"),
            ));
        }
        Ok(Blob {
            digest: digest.to_string(),
            size,
            media_type: v["mediaType"].as_str().unwrap_or_default().to_string(),
        })
    };
    let mut blobs = vec![descriptor(&value["config"], "config")?];
    for (i, layer) in value["layers"].as_array().into_iter().flatten().enumerate() {
        blobs.push(descriptor(layer, &format!("layer {i}"))?);
    }
    Ok(Image {
        dir: dir.to_path_buf(),
        manifest,
        manifest_digest: digest,
        manifest_media_type: media_type,
        blobs,
    })
}

/// What one push did.
#[derive(Debug, Clone, Serialize)]
pub struct PushReport {
    pub registry: String,
    pub repository: String,
    pub tag: String,
    pub manifest_digest: String,
    pub uploaded: Vec<Blob>,
    pub skipped: Vec<Blob>,
    pub uploaded_bytes: u64,
    /// False when the tag already named this manifest.
    pub manifest_uploaded: bool,
    pub seconds: f64,
}

impl PushReport {
    /// One line for the person deploying.
    pub fn summary(&self) -> String {
        format!(
            "pushed {}/{}:{} ({}): {} blob(s) uploaded ({} bytes), {} already there, manifest {} ({:.2} s)",
            self.registry,
            self.repository,
            self.tag,
            self.manifest_digest,
            self.uploaded.len(),
            self.uploaded_bytes,
            self.skipped.len(),
            if self.manifest_uploaded {
                "uploaded"
            } else {
                "already tagged"
            },
            self.seconds
        )
    }
}

/// A registry endpoint and how to authenticate to it.
pub struct Registry {
    base: String,
    /// The `Authorization` header value, if any (`Basic …` for ECR).
    authorization: Option<String>,
    client: Client<HttpsConnector<HttpConnector>, Full<Bytes>>,
}

impl std::fmt::Debug for Registry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never the token.
        f.debug_struct("Registry")
            .field("base", &self.base)
            .finish()
    }
}

impl Registry {
    /// `base` is `https://host[:port]` (or `http://` for a local registry).
    pub fn new(base: &str, authorization: Option<String>) -> Result<Registry, RegistryError> {
        let base = base.trim_end_matches('/').to_string();
        let url_error = |message: String| RegistryError::Url {
            url: base.clone(),
            message,
        };
        if !crate::settings::is_registry_url(&base) {
            return Err(url_error(
                "it must be http(s)://host[:port] with no path".into(),
            ));
        }
        let tls = rustls::ClientConfig::builder_with_provider(Arc::new(
            rustls::crypto::aws_lc_rs::default_provider(),
        ))
        .with_safe_default_protocol_versions()
        .map_err(|e| url_error(format!("TLS set-up failed ({e})")))?;
        let tls = if base.starts_with("https://") {
            tls.with_native_roots()
                .map_err(|e| url_error(format!("no CA certificates to check it with ({e})")))?
        } else {
            tls.with_root_certificates(rustls::RootCertStore::empty())
        };
        let connector = HttpsConnectorBuilder::new()
            .with_tls_config(tls.with_no_client_auth())
            .https_or_http()
            .enable_http1()
            .build();
        Ok(Registry {
            base,
            authorization,
            client: Client::builder(TokioExecutor::new()).build(connector),
        })
    }

    pub fn base(&self) -> &str {
        &self.base
    }

    /// Absolute URL of a path (`/v2/…`) or of a `Location` the registry gave (relative or not).
    fn url(&self, path_or_url: &str) -> String {
        if path_or_url.starts_with("http://") || path_or_url.starts_with("https://") {
            path_or_url.to_string()
        } else {
            format!("{}{path_or_url}", self.base)
        }
    }

    async fn send(
        &self,
        method: Method,
        url: &str,
        headers: &[(header::HeaderName, &str)],
        body: Bytes,
    ) -> Result<(StatusCode, hyper::HeaderMap, Bytes), RegistryError> {
        let mut request = Request::builder()
            .method(method)
            .uri(url)
            .header(
                header::USER_AGENT,
                concat!("idpctl/", env!("CARGO_PKG_VERSION")),
            )
            .header(header::CONTENT_LENGTH, body.len());
        if let Some(auth) = &self.authorization {
            request = request.header(header::AUTHORIZATION, auth);
        }
        for (k, v) in headers {
            request = request.header(k, *v);
        }
        let request = request
            .body(Full::new(body))
            .map_err(|e| RegistryError::Url {
                url: url.to_string(),
                message: e.to_string(),
            })?;
        let unreachable = |detail: String| RegistryError::Unreachable {
            url: self.base.clone(),
            detail,
        };
        let response = tokio::time::timeout(REQUEST_TIMEOUT, self.client.request(request))
            .await
            .map_err(|_| unreachable(format!("no answer in {} s", REQUEST_TIMEOUT.as_secs())))?
            .map_err(|e| unreachable(one_line(&e)))?;
        let status = response.status();
        let headers = response.headers().clone();
        let body = Limited::new(response.into_body(), MAX_ANSWER_BYTES)
            .collect()
            .await
            .map_err(|e| unreachable(format!("the answer broke off: {e}")))?
            .to_bytes();
        Ok((status, headers, body))
    }

    fn refused(what: String, status: StatusCode, body: &[u8]) -> RegistryError {
        let text = String::from_utf8_lossy(body);
        let flat: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
        RegistryError::Refused {
            what,
            status: status.as_u16(),
            body: flat.chars().take(300).collect(),
        }
    }

    /// Whether the repository has this blob.
    async fn has_blob(&self, repository: &str, digest: &str) -> Result<bool, RegistryError> {
        let url = self.url(&format!("/v2/{repository}/blobs/{digest}"));
        let (status, _, body) = self.send(Method::HEAD, &url, &[], Bytes::new()).await?;
        match status {
            StatusCode::OK => Ok(true),
            StatusCode::NOT_FOUND => Ok(false),
            s => Err(Self::refused(format!("HEAD blob {digest}"), s, &body)),
        }
    }

    /// Uploads one blob in one piece: POST opens an upload, PUT with `?digest=` closes it.
    async fn upload_blob(
        &self,
        repository: &str,
        digest: &str,
        bytes: Bytes,
    ) -> Result<(), RegistryError> {
        let url = self.url(&format!("/v2/{repository}/blobs/uploads/"));
        let (status, headers, body) = self.send(Method::POST, &url, &[], Bytes::new()).await?;
        if status != StatusCode::ACCEPTED {
            return Err(Self::refused(
                format!("start the upload of {digest}"),
                status,
                &body,
            ));
        }
        let location = headers
            .get(header::LOCATION)
            .and_then(|v| v.to_str().ok())
            .ok_or_else(|| RegistryError::Refused {
                what: format!("start the upload of {digest}"),
                status: status.as_u16(),
                body: "no Location header in the answer".into(),
            })?;
        let sep = if location.contains('?') { '&' } else { '?' };
        let put = format!("{}{sep}digest={digest}", self.url(location));
        let (status, _, body) = self
            .send(
                Method::PUT,
                &put,
                &[(header::CONTENT_TYPE, "application/octet-stream")],
                bytes,
            )
            .await?;
        if status != StatusCode::CREATED {
            return Err(Self::refused(format!("upload {digest}"), status, &body));
        }
        Ok(())
    }

    /// The digest the tag names now, if the repository has it.
    async fn tagged(
        &self,
        repository: &str,
        tag: &str,
        media_type: &str,
    ) -> Result<Option<String>, RegistryError> {
        let url = self.url(&format!("/v2/{repository}/manifests/{tag}"));
        let (status, headers, body) = self
            .send(
                Method::HEAD,
                &url,
                &[(header::ACCEPT, media_type)],
                Bytes::new(),
            )
            .await?;
        match status {
            StatusCode::OK => Ok(headers
                .get("docker-content-digest")
                .and_then(|v| v.to_str().ok())
                .map(str::to_string)),
            StatusCode::NOT_FOUND => Ok(None),
            s => Err(Self::refused(format!("HEAD manifest {tag}"), s, &body)),
        }
    }

    /// Pushes the image: missing blobs, then the manifest under `tag`.
    pub async fn push(
        &self,
        repository: &str,
        image: &Image,
        tag: &str,
    ) -> Result<PushReport, RegistryError> {
        let started = Instant::now();
        let mut uploaded = Vec::new();
        let mut skipped = Vec::new();
        for blob in &image.blobs {
            if self.has_blob(repository, &blob.digest).await? {
                skipped.push(blob.clone());
                continue;
            }
            let path = image.blob_path(&blob.digest);
            let bytes = std::fs::read(&path).map_err(|e| RegistryError::Layout {
                path: path.clone(),
                message: format!("cannot read it ({e})"),
            })?;
            // The registry checks the digest too, but a corrupt layout is ours to name.
            if sha256_digest(&bytes) != blob.digest {
                return Err(RegistryError::Layout {
                    path,
                    message: format!("does not hash to {}", blob.digest),
                });
            }
            self.upload_blob(repository, &blob.digest, Bytes::from(bytes))
                .await?;
            uploaded.push(blob.clone());
        }
        let current = self
            .tagged(repository, tag, &image.manifest_media_type)
            .await?;
        let manifest_uploaded = current.as_deref() != Some(image.manifest_digest.as_str());
        if manifest_uploaded {
            let url = self.url(&format!("/v2/{repository}/manifests/{tag}"));
            let (status, headers, body) = self
                .send(
                    Method::PUT,
                    &url,
                    &[(header::CONTENT_TYPE, image.manifest_media_type.as_str())],
                    Bytes::from(image.manifest.clone()),
                )
                .await?;
            if status != StatusCode::CREATED {
                return Err(Self::refused(format!("put manifest {tag}"), status, &body));
            }
            if let Some(got) = headers
                .get("docker-content-digest")
                .and_then(|v| v.to_str().ok())
                .filter(|got| *got != image.manifest_digest)
            {
                return Err(RegistryError::DigestMismatch {
                    want: image.manifest_digest.clone(),
                    got: got.to_string(),
                });
            }
        }
        Ok(PushReport {
            registry: self.base.clone(),
            repository: repository.to_string(),
            tag: tag.to_string(),
            manifest_digest: image.manifest_digest.clone(),
            uploaded_bytes: uploaded.iter().map(|b: &Blob| b.size).sum(),
            uploaded,
            skipped,
            manifest_uploaded,
            seconds: started.elapsed().as_secs_f64(),
        })
    }
}

/// The tag an image is pushed under: derived from its digest, so the same image always gets
/// the same tag and an immutable-tags repository never sees one tag asked to move.
pub fn tag_for(manifest_digest: &str) -> String {
    let hex = manifest_digest.trim_start_matches("sha256:");
    format!("idpctl-{}", &hex[..hex.len().min(16)])
}

/// `123456789012.dkr.ecr.us-east-1.amazonaws.com/idp-dev` → (`…amazonaws.com`, `idp-dev`).
pub fn split_repository_uri(uri: &str) -> Option<(&str, &str)> {
    let (host, name) = uri.split_once('/')?;
    (!host.is_empty() && !name.is_empty()).then_some((host, name))
}

/// The `sha256:…` digest an image URI names (`repo@sha256:…`), if it names one.
pub fn digest_of(image_uri: &str) -> Option<&str> {
    image_uri
        .rsplit_once('@')
        .map(|(_, d)| d)
        .filter(|d| is_sha256_digest(d))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write_layout(dir: &Path, layer: &[u8]) -> String {
        let blobs = dir.join("blobs/sha256");
        std::fs::create_dir_all(&blobs).unwrap();
        let put = |bytes: &[u8]| {
            let d = sha256_digest(bytes);
            std::fs::write(blobs.join(d.trim_start_matches("sha256:")), bytes).unwrap();
            d
        };
        let config =
            br#"{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":[]}}"#;
        let config_digest = put(config);
        let layer_digest = put(layer);
        let manifest = serde_json::json!({
            "schemaVersion": 2, "mediaType": OCI_MANIFEST,
            "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": config_digest, "size": config.len()},
            "layers": [{"mediaType": "application/vnd.oci.image.layer.v1.tar+gzip", "digest": layer_digest, "size": layer.len()}],
        })
        .to_string();
        let manifest_digest = put(manifest.as_bytes());
        std::fs::write(
            dir.join("index.json"),
            serde_json::json!({"schemaVersion": 2, "manifests": [{"mediaType": OCI_MANIFEST, "digest": manifest_digest, "size": manifest.len()}]}).to_string(),
        )
        .unwrap();
        manifest_digest
    }

    #[test]
    fn a_layout_is_read_from_its_files_and_checked() {
        let dir = tempfile::tempdir().unwrap();
        let digest = write_layout(dir.path(), b"layer bytes");
        let image = read_layout(dir.path()).unwrap();
        assert_eq!(image.manifest_digest, digest);
        assert_eq!(image.blobs.len(), 2);
        assert_eq!(image.blobs[1].size, 11);
        // A blob cut short is named, not pushed.
        let layer = image.blob_path(&image.blobs[1].digest);
        std::fs::write(&layer, b"short").unwrap();
        let err = read_layout(dir.path()).unwrap_err().to_string();
        assert!(
            err.contains("the layer 0 blob has 5 bytes, the manifest says 11"),
            "{err}"
        );
        // A manifest that is not what the index says.
        std::fs::write(image.blob_path(&digest), b"{}").unwrap();
        let err = read_layout(dir.path()).unwrap_err().to_string();
        assert!(err.contains("does not hash to"), "{err}");
    }

    #[test]
    fn uris_and_tags() {
        let d = format!("sha256:{}", "ab".repeat(32));
        assert_eq!(tag_for(&d), "idpctl-abababababababab");
        assert_eq!(
            split_repository_uri("1.dkr.ecr.us-east-1.amazonaws.com/idp-dev"),
            Some(("1.dkr.ecr.us-east-1.amazonaws.com", "idp-dev"))
        );
        assert_eq!(digest_of(&format!("h/r@{d}")), Some(d.as_str()));
        assert_eq!(digest_of("h/r:latest"), None);
        assert!(Registry::new("http://127.0.0.1:5000/", None).is_ok());
        assert!(Registry::new("127.0.0.1:5000", None).is_err());
    }
}
