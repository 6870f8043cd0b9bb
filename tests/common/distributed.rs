//! Fixtures of the Distributed Map tests: a local bucket with objects in it, a machine whose
//! one state is a Distributed Map, and every file a run wrote below a folder. The `asl_*`
//! tests include this file alone (`#[path]`), the binary tests through `common`.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::sync::Arc;

use idpctl::asl::distributed::FolderStore;
use serde_json::{Value, json};

/// A bucket `b` with `objects` (key, body) in it, and the store over its parent folder.
pub fn bucket(objects: &[(&str, &str)]) -> (tempfile::TempDir, Arc<FolderStore>) {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("b")).unwrap();
    for (key, body) in objects {
        let path = dir.path().join("b").join(key);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, body).unwrap();
    }
    let store = Arc::new(FolderStore::new(dir.path()));
    (dir, store)
}

/// A JSONPath machine whose Distributed Map state `M` has `extra` fields; each child runs the
/// Task `${WorkArn}` on its input.
pub fn dmap(extra: Value) -> Value {
    let mut m = json!({"Type": "Map",
        "ItemProcessor": {"ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
            "StartAt": "W", "States": {"W": {"Type": "Task", "Resource": "${WorkArn}", "End": true}}},
        "End": true});
    for (k, v) in extra.as_object().unwrap() {
        m[k] = v.clone();
    }
    json!({"StartAt": "M", "States": {"M": m}})
}

/// Every file below `dir`, in no particular order.
pub fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).into_iter().flatten().flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else {
                out.push(p);
            }
        }
    }
    out
}
