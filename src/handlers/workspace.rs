//! Where a document's intermediate state lives in the working bucket, and typed JSON access to
//! it. Each page OCR reads and each section has files of its own, so parallel Map iterations
//! never write the same object and every stage can be retried on its own; the pages read from
//! their text layer are written once, together, by `split`.

use std::any::TypeId;
use std::sync::Arc;

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::HandlerError;
use crate::services::parsed::Parsed;
use crate::services::{Services, StoreError};

/// Keys of one document under `documents/<id>/` in the working bucket.
pub struct Workspace<'a> {
    pub services: &'a Services,
    pub document_id: &'a str,
}

impl<'a> Workspace<'a> {
    pub fn new(services: &'a Services, document_id: &'a str) -> Self {
        Workspace {
            services,
            document_id,
        }
    }

    pub fn key(&self, rel: &str) -> String {
        format!("documents/{}/{rel}", self.document_id)
    }

    pub fn page_split(&self, page: &str) -> String {
        self.key(&format!("pages/{page}.json"))
    }
    pub fn page_image(&self, page: &str) -> String {
        self.key(&format!("pages/{page}.png"))
    }
    /// The page after reading (text layer or OCR): its existence means the page succeeded.
    pub fn page_read(&self, page: &str) -> String {
        self.key(&format!("pages/{page}.read.json"))
    }
    /// Every page that was read, in page order, in one object: the stages after page_check
    /// read one object instead of a HEAD and a GET per page. `split` writes it with the
    /// text-layer pages; page_check merges in the pages OCR read (and leaves it as it is when
    /// there are none).
    pub fn pages(&self) -> String {
        self.key("pages.json")
    }
    pub fn sections(&self) -> String {
        self.key("sections.json")
    }
    /// A section's result after `stage`, beside the document's other files: a folder per
    /// section (and one for them all) cost two `mkdir`s and two inodes per document.
    pub fn section(&self, section: &str, stage: &str) -> String {
        self.key(&format!("section-{section}.{stage}.json"))
    }
    /// Where builds before `section-<n>.<stage>.json` kept a section's result.
    fn legacy_section(&self, section: &str, stage: &str) -> String {
        self.key(&format!("sections/{section}/{stage}.json"))
    }

    /// A section's result after `stage`. A document can be in flight when the binary changes
    /// (a deploy while executions run, a local run resumed by a newer idpctl): a stage written
    /// by an earlier build is found where that build put it, so the document is not failed.
    pub async fn get_section<T: DeserializeOwned>(
        &self,
        section: &str,
        stage: &str,
    ) -> Result<T, HandlerError> {
        let key = self.section(section, stage);
        match self.get_json(&key).await {
            Err(HandlerError::Store(StoreError::NotFound { bucket, key })) => {
                let legacy = self.legacy_section(section, stage);
                match self.get_bytes_if_any(&legacy).await? {
                    Some(bytes) => serde_json::from_slice(&bytes).map_err(|e| {
                        HandlerError::Store(StoreError::Permanent(format!(
                            "{legacy} is not valid: {e}"
                        )))
                    }),
                    None => Err(HandlerError::Store(StoreError::NotFound { bucket, key })),
                }
            }
            other => other,
        }
    }
    pub fn summary(&self) -> String {
        self.key("summary.json")
    }
    /// Where the document's bytes are and what it is called (written by unpack).
    pub fn reference(&self) -> String {
        self.key("ref.json")
    }

    fn bucket(&self) -> &str {
        &self.services.names.working_bucket
    }

    pub async fn get_json<T: DeserializeOwned>(&self, key: &str) -> Result<T, HandlerError> {
        let bytes = self.services.objects.get(self.bucket(), key).await?;
        serde_json::from_slice(&bytes).map_err(|e| {
            HandlerError::Store(StoreError::Permanent(format!("{key} is not valid: {e}")))
        })
    }

    /// [`get_json`](Self::get_json) for an object several steps read (a document's pages): the
    /// local store hands each the value the first one parsed while the object is unchanged
    /// (`services::parsed`); elsewhere it is a get and a parse as before.
    pub async fn get_shared<T>(&self, key: &str) -> Result<Arc<T>, HandlerError>
    where
        T: DeserializeOwned + Send + Sync + 'static,
    {
        let parse = |bytes: &[u8]| -> Result<Parsed, StoreError> {
            let value: T = serde_json::from_slice(bytes)
                .map_err(|e| StoreError::Permanent(format!("{key} is not valid: {e}")))?;
            Ok(Arc::new(value))
        };
        let parsed = self
            .services
            .objects
            .get_parsed(self.bucket(), key, TypeId::of::<T>(), &parse)
            .await?;
        // The store keys values by type, so this holds unless a store breaks that contract.
        parsed.downcast::<T>().map_err(|_| {
            HandlerError::Store(StoreError::Permanent(format!(
                "{key}: the store gave a value of another type"
            )))
        })
    }

    pub async fn put_json<T: Serialize>(&self, key: &str, value: &T) -> Result<(), HandlerError> {
        let body = serde_json::to_vec(value).map_err(|e| StoreError::Permanent(e.to_string()))?;
        Ok(self
            .services
            .objects
            .put(self.bucket(), key, body, "application/json")
            .await?)
    }

    pub async fn exists(&self, key: &str) -> Result<bool, HandlerError> {
        Ok(self.services.objects.exists(self.bucket(), key).await?)
    }

    pub async fn put_bytes(
        &self,
        key: &str,
        body: Vec<u8>,
        content_type: &str,
    ) -> Result<(), HandlerError> {
        Ok(self
            .services
            .objects
            .put(self.bucket(), key, body, content_type)
            .await?)
    }

    pub async fn get_bytes(&self, key: &str) -> Result<Vec<u8>, HandlerError> {
        Ok(self.services.objects.get(self.bucket(), key).await?)
    }

    /// The object's bytes, or `None` when there is no such key (one GET, no HEAD first).
    pub async fn get_bytes_if_any(&self, key: &str) -> Result<Option<Vec<u8>>, HandlerError> {
        match self.services.objects.get(self.bucket(), key).await {
            Ok(bytes) => Ok(Some(bytes)),
            Err(StoreError::NotFound { .. }) => Ok(None),
            Err(e) => Err(e.into()),
        }
    }
}

/// A document of an upload as the workflow passes it on (what the state machine's Map
/// iterates over: small, so a thousand fit in one state). `unpack` makes them; the workspace
/// stores each one as the document's reference.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DocumentRef {
    pub document_id: String,
    pub name: String,
    pub bucket: String,
    pub key: String,
}

/// The state's document: the id the workflow carries, completed from the reference unpack
/// stored (a full reference in the state is used as is).
pub async fn document_ref(
    event: &Value,
    services: &Services,
    handler: &'static str,
) -> Result<DocumentRef, HandlerError> {
    if let Ok(full) = serde_json::from_value(event.get("document").cloned().unwrap_or(Value::Null))
    {
        return Ok(full);
    }
    let id: String = field(event, "/document/document_id", handler)?;
    let ws = Workspace::new(services, &id);
    ws.get_json(&ws.reference()).await
}

/// A field of the state, with an error that names it.
pub fn field<T: DeserializeOwned>(
    event: &Value,
    pointer: &str,
    handler: &'static str,
) -> Result<T, HandlerError> {
    let v = event.pointer(pointer).cloned().unwrap_or(Value::Null);
    serde_json::from_value(v).map_err(|e| {
        HandlerError::invalid(handler, format!("`{pointer}` is missing or malformed: {e}"))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::services::local::{LocalLayout, local_names, services};
    use serde_json::json;

    #[tokio::test]
    async fn a_section_written_by_an_earlier_build_is_still_read() {
        let dir = tempfile::tempdir().unwrap();
        let s = services(&LocalLayout::new(dir.path()), local_names("t", 2)).unwrap();
        let ws = Workspace::new(&s, "d");
        ws.put_json(
            "documents/d/sections/1/extraction.json",
            &json!({"v": "old"}),
        )
        .await
        .unwrap();
        let old: Value = ws.get_section("1", "extraction").await.unwrap();
        assert_eq!(old["v"], "old");

        // The current key wins over the legacy one.
        ws.put_json(&ws.section("1", "extraction"), &json!({"v": "new"}))
            .await
            .unwrap();
        let new: Value = ws.get_section("1", "extraction").await.unwrap();
        assert_eq!(new["v"], "new");

        // Neither: the error names the current key.
        let err = ws.get_section::<Value>("2", "assessed").await.unwrap_err();
        assert!(
            matches!(&err, HandlerError::Store(StoreError::NotFound { key, .. }) if key == "documents/d/section-2.assessed.json"),
            "{err}"
        );
    }
}
