//! What a handler's code does in AWS, declared once beside that code. Every handler module has
//! `pub const ACCESS: &[Access]`: one entry per IAM action on one resource of the stack, for
//! each call its code path makes through [`Services`](crate::services::Services). Two things
//! read the declarations, so they cannot drift from the code:
//!
//! - rendering: each function's role gets [`statements`] of its handler's declaration
//!   (`stack::context`), instead of a hand-written list;
//! - local runs: the runtime gives a handler services that refuse any call its declaration lacks
//!   (`runtime::guard`), so every local and end-to-end test proves the declaration covers the code.
//!
//! What the [`Services`](crate::services::Services) methods need in AWS:
//!
//! | call | IAM |
//! | --- | --- |
//! | `objects.get`, `download` | `s3:GetObject` on the bucket's objects |
//! | `objects.exists` (HeadObject) | `s3:GetObject` on the objects, and `s3:ListBucket` on the bucket: without it S3 answers a missing key with 403, not 404, and `exists` fails instead of saying `false` |
//! | `objects.list` (ListObjectsV2) | `s3:ListBucket` on the bucket |
//! | `objects.put`, `upload` | `s3:PutObject` on the bucket's objects |
//! | `tracking.create` / `update` / `get` | `dynamodb:PutItem` / `UpdateItem` / `GetItem` on the table |
//! | `tracking.by_batch`, `by_status` | `dynamodb:Query` on that index |
//! | `executions.start` | `states:StartExecution` on the state machine |
//! | `config.current` / `version` | `dynamodb:GetItem` on the configuration table (and `s3:GetObject` on the working bucket for a version stored there) |
//!
//! Only calls of the handler's own code belong here. Permissions that exist because of wiring
//! (logs, the stack key, X-Ray, queues Lambda writes to on a function's behalf, invoking the
//! post-processing hook) are granted by the template part that does the wiring.
//!
//! Declarations are built with const constructors that accept only meaningful pairs
//! (`Access::s3(Action::UpdateItem, …)` in an `ACCESS` fails to compile: the constant cannot be
//! evaluated), so every declaration is a valid policy.

use std::fmt;

use serde_json::{Value, json};

/// A bucket of the stack (templates/storage.yaml.hbs).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Bucket {
    /// Uploads; read-only to the pipeline.
    Input,
    /// Pages, OCR text and intermediate results: scratch space that expires.
    Working,
    /// Final per-document results.
    Output,
}

impl Bucket {
    pub const ALL: [Bucket; 3] = [Bucket::Input, Bucket::Working, Bucket::Output];

    /// The bucket's logical id in the template.
    pub const fn logical_id(self) -> &'static str {
        match self {
            Bucket::Input => "InputBucket",
            Bucket::Working => "WorkingBucket",
            Bucket::Output => "OutputBucket",
        }
    }
}

/// A global secondary index of the tracking table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Index {
    ByBatch,
    ByStatus,
}

impl Index {
    /// The index name, as the table defines it and queries use it.
    pub const fn name(self) -> &'static str {
        match self {
            Index::ByBatch => "by_batch",
            Index::ByStatus => "by_status",
        }
    }
}

/// A resource of the stack that a handler's code reaches.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Resource {
    /// The objects of a bucket: `${Bucket.Arn}/*`.
    Objects(Bucket),
    /// A bucket itself (listing): `Bucket.Arn`.
    Bucket(Bucket),
    /// The tracking table: `TrackingTable.Arn`.
    TrackingTable,
    /// An index of the tracking table: `${TrackingTable.Arn}/index/<name>`.
    TrackingIndex(Index),
    /// The workflow: `!Ref StateMachine` (its ARN).
    StateMachine,
    /// The configuration table (versions and the active pointer): `ConfigurationTable.Arn`.
    ConfigurationTable,
}

impl Resource {
    /// Where its statement goes in a role: buckets in data-flow order, each bucket's objects
    /// before the bucket itself, then the table, its indexes and the state machine.
    fn rank(self) -> (u8, u8) {
        match self {
            Resource::Objects(b) => (b as u8, 0),
            Resource::Bucket(b) => (b as u8, 1),
            Resource::TrackingTable => (3, 0),
            Resource::TrackingIndex(i) => (4, i as u8),
            Resource::StateMachine => (5, 0),
            Resource::ConfigurationTable => (6, 0),
        }
    }

    /// The policy `Resource` value, in the long form the template parser turns `!Sub`, `!GetAtt`
    /// and `!Ref` into.
    pub fn arn(self) -> Value {
        match self {
            Resource::Objects(b) => json!({"Fn::Sub": format!("${{{}.Arn}}/*", b.logical_id())}),
            Resource::Bucket(b) => json!({"Fn::GetAtt": [b.logical_id(), "Arn"]}),
            Resource::TrackingTable => json!({"Fn::GetAtt": ["TrackingTable", "Arn"]}),
            Resource::TrackingIndex(i) => {
                json!({"Fn::Sub": format!("${{TrackingTable.Arn}}/index/{}", i.name())})
            }
            Resource::StateMachine => json!({"Ref": "StateMachine"}),
            Resource::ConfigurationTable => json!({"Fn::GetAtt": ["ConfigurationTable", "Arn"]}),
        }
    }
}

impl Ord for Resource {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.rank().cmp(&other.rank())
    }
}

impl PartialOrd for Resource {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl fmt::Display for Resource {
    /// As messages name it: the logical id, which with the action says which ARN is meant.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Resource::Objects(b) | Resource::Bucket(b) => f.write_str(b.logical_id()),
            Resource::TrackingTable => f.write_str("TrackingTable"),
            Resource::TrackingIndex(i) => write!(f, "TrackingTable index {}", i.name()),
            Resource::StateMachine => f.write_str("StateMachine"),
            Resource::ConfigurationTable => f.write_str("ConfigurationTable"),
        }
    }
}

/// An IAM action a handler's code needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Action {
    GetObject,
    PutObject,
    ListBucket,
    GetItem,
    PutItem,
    UpdateItem,
    Query,
    StartExecution,
}

impl Action {
    /// The action as IAM names it.
    pub const fn iam(self) -> &'static str {
        match self {
            Action::GetObject => "s3:GetObject",
            Action::PutObject => "s3:PutObject",
            Action::ListBucket => "s3:ListBucket",
            Action::GetItem => "dynamodb:GetItem",
            Action::PutItem => "dynamodb:PutItem",
            Action::UpdateItem => "dynamodb:UpdateItem",
            Action::Query => "dynamodb:Query",
            Action::StartExecution => "states:StartExecution",
        }
    }
}

impl fmt::Display for Action {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.iam())
    }
}

/// One action on one resource.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Access {
    action: Action,
    resource: Resource,
}

impl Access {
    /// An S3 action on a bucket: object actions apply to its objects, `ListBucket` to the bucket.
    pub const fn s3(action: Action, bucket: Bucket) -> Access {
        let resource = match action {
            Action::GetObject | Action::PutObject => Resource::Objects(bucket),
            Action::ListBucket => Resource::Bucket(bucket),
            _ => panic!("Access::s3 takes s3:GetObject, s3:PutObject or s3:ListBucket"),
        };
        Access { action, resource }
    }

    /// An item action (or a query of the primary key) on the tracking table.
    pub const fn tracking(action: Action) -> Access {
        match action {
            Action::GetItem | Action::PutItem | Action::UpdateItem | Action::Query => Access {
                action,
                resource: Resource::TrackingTable,
            },
            _ => panic!("Access::tracking takes a dynamodb action"),
        }
    }

    /// `dynamodb:Query` on an index of the tracking table.
    pub const fn query(index: Index) -> Access {
        Access {
            action: Action::Query,
            resource: Resource::TrackingIndex(index),
        }
    }

    /// `states:StartExecution` on the stack's state machine.
    /// Reading the configuration: the active pointer and versions are items of the
    /// configuration table (a large version's body is in the working bucket, which the
    /// handlers that read configuration already read).
    pub const fn configuration() -> Access {
        Access {
            action: Action::GetItem,
            resource: Resource::ConfigurationTable,
        }
    }

    pub const fn start_execution() -> Access {
        Access {
            action: Action::StartExecution,
            resource: Resource::StateMachine,
        }
    }

    pub const fn action(self) -> Action {
        self.action
    }

    pub const fn resource(self) -> Resource {
        self.resource
    }
}

/// Whether a declaration covers `action` on `resource`.
pub fn allows(declared: &[Access], action: Action, resource: Resource) -> bool {
    declared
        .iter()
        .any(|a| a.action == action && a.resource == resource)
}

/// The IAM statements of a declaration: one `Allow` per resource (buckets, each bucket's objects
/// before the bucket itself, then the table, its indexes and the state machine), with its actions
/// sorted by name and without repeats. Same declaration, same statements.
pub fn statements(declared: &[Access]) -> Vec<Value> {
    let mut by_resource: std::collections::BTreeMap<Resource, std::collections::BTreeSet<&str>> =
        Default::default();
    for a in declared {
        by_resource
            .entry(a.resource)
            .or_default()
            .insert(a.action.iam());
    }
    by_resource
        .into_iter()
        .map(|(resource, actions)| {
            json!({
                "Effect": "Allow",
                "Action": actions.into_iter().collect::<Vec<_>>(),
                "Resource": resource.arn(),
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::handlers::Handler;

    #[test]
    fn a_declaration_becomes_one_statement_per_resource() {
        const DECLARED: &[Access] = &[
            Access::tracking(Action::UpdateItem),
            Access::s3(Action::PutObject, Bucket::Working),
            Access::start_execution(),
            Access::s3(Action::GetObject, Bucket::Working),
            Access::query(Index::ByBatch),
            Access::s3(Action::ListBucket, Bucket::Working),
            Access::tracking(Action::GetItem),
            Access::s3(Action::PutObject, Bucket::Output),
            Access::s3(Action::GetObject, Bucket::Working),
        ];
        assert_eq!(
            statements(DECLARED),
            vec![
                json!({"Effect": "Allow", "Action": ["s3:GetObject", "s3:PutObject"],
                       "Resource": {"Fn::Sub": "${WorkingBucket.Arn}/*"}}),
                json!({"Effect": "Allow", "Action": ["s3:ListBucket"],
                       "Resource": {"Fn::GetAtt": ["WorkingBucket", "Arn"]}}),
                json!({"Effect": "Allow", "Action": ["s3:PutObject"],
                       "Resource": {"Fn::Sub": "${OutputBucket.Arn}/*"}}),
                json!({"Effect": "Allow", "Action": ["dynamodb:GetItem", "dynamodb:UpdateItem"],
                       "Resource": {"Fn::GetAtt": ["TrackingTable", "Arn"]}}),
                json!({"Effect": "Allow", "Action": ["dynamodb:Query"],
                       "Resource": {"Fn::Sub": "${TrackingTable.Arn}/index/by_batch"}}),
                json!({"Effect": "Allow", "Action": ["states:StartExecution"],
                       "Resource": {"Ref": "StateMachine"}}),
            ]
        );
    }

    #[test]
    fn the_resource_values_are_what_the_template_parser_makes_of_the_short_forms() {
        let parsed = crate::yaml::parse(
            "- !Sub \"${InputBucket.Arn}/*\"\n- !GetAtt OutputBucket.Arn\n- !GetAtt TrackingTable.Arn\n- !Sub \"${TrackingTable.Arn}/index/by_status\"\n- !Ref StateMachine\n",
        )
        .unwrap();
        let ours: Vec<Value> = [
            Resource::Objects(Bucket::Input),
            Resource::Bucket(Bucket::Output),
            Resource::TrackingTable,
            Resource::TrackingIndex(Index::ByStatus),
            Resource::StateMachine,
        ]
        .into_iter()
        .map(Resource::arn)
        .collect();
        assert_eq!(parsed, Value::Array(ours));
    }

    #[test]
    fn every_handler_declares_named_actions_without_repeats() {
        for h in Handler::ALL {
            let declared = h.access();
            assert!(!declared.is_empty(), "{} declares no access", h.name());
            let mut seen = std::collections::HashSet::new();
            for a in declared {
                assert!(seen.insert(*a), "{} declares {a:?} twice", h.name());
                assert!(!a.action().iam().contains('*'));
            }
            for s in statements(declared) {
                assert!(
                    s["Action"]
                        .as_array()
                        .is_some_and(|a| !a.is_empty() && a.iter().all(Value::is_string))
                );
            }
        }
    }

    /// The docs' per-function table, as the declarations say it should read.
    fn permissions_table() -> String {
        let mut out = String::from("| function | actions | on |\n| --- | --- | --- |\n");
        for h in Handler::ALL {
            let mut by_resource: std::collections::BTreeMap<Resource, Vec<&str>> =
                Default::default();
            for a in h.access() {
                by_resource
                    .entry(a.resource())
                    .or_default()
                    .push(a.action().iam());
            }
            for (i, (resource, mut actions)) in by_resource.into_iter().enumerate() {
                actions.sort();
                let on = match resource {
                    Resource::Objects(b) => format!("{}/*", b.logical_id()),
                    Resource::Bucket(b) => b.logical_id().to_string(),
                    Resource::TrackingIndex(i) => format!("TrackingTable/index/{}", i.name()),
                    other => other.to_string(),
                };
                let name = if i == 0 { h.name() } else { "" };
                let actions: Vec<String> = actions.iter().map(|a| format!("`{a}`")).collect();
                out.push_str(&format!("| {name} | {} | {on} |\n", actions.join(", ")));
            }
        }
        out
    }

    #[test]
    fn the_docs_list_what_the_declarations_grant() {
        let docs =
            std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/stack.md")).unwrap();
        let table = permissions_table();
        assert!(
            docs.contains(&table),
            "docs/stack.md's function permissions differ from the handlers' ACCESS; replace the table with:\n{table}"
        );
    }
}
