//! Plain data about stacks, change sets and events: what the AWS wrappers return and the pure
//! cores take. Deserializes from the shapes the AWS API (and `aws cloudformation … --output
//! json`) uses, so recorded responses load directly in tests; serializes in snake_case for
//! `--output json`.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// One stack as `DescribeStacks` reports it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(rename_all(deserialize = "PascalCase", serialize = "snake_case"))]
pub struct StackInfo {
    pub stack_id: String,
    pub stack_name: String,
    pub stack_status: String,
    #[serde(default)]
    pub stack_status_reason: Option<String>,
    #[serde(default)]
    pub creation_time: Option<String>,
    #[serde(default)]
    pub last_updated_time: Option<String>,
    #[serde(default, deserialize_with = "de::parameters")]
    pub parameters: BTreeMap<String, String>,
    #[serde(default)]
    pub outputs: Vec<StackOutput>,
    #[serde(default, deserialize_with = "de::tags")]
    pub tags: BTreeMap<String, String>,
}

impl StackInfo {
    /// When the stack last changed: its last update, else its creation.
    pub fn last_change(&self) -> Option<&str> {
        self.last_updated_time
            .as_deref()
            .or(self.creation_time.as_deref())
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(rename_all(deserialize = "PascalCase", serialize = "snake_case"))]
pub struct StackOutput {
    pub output_key: String,
    pub output_value: String,
    #[serde(default)]
    pub description: Option<String>,
}

/// One entry of `DescribeStackEvents`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(rename_all(deserialize = "PascalCase", serialize = "snake_case"))]
pub struct StackEvent {
    pub event_id: String,
    #[serde(default)]
    pub logical_resource_id: String,
    #[serde(default)]
    pub physical_resource_id: Option<String>,
    #[serde(default)]
    pub resource_type: String,
    /// RFC 3339.
    pub timestamp: String,
    pub resource_status: String,
    #[serde(default)]
    pub resource_status_reason: Option<String>,
}

/// One entry of `DescribeStackResources`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(rename_all(deserialize = "PascalCase", serialize = "snake_case"))]
pub struct StackResource {
    pub logical_resource_id: String,
    #[serde(default)]
    pub physical_resource_id: Option<String>,
    pub resource_type: String,
    pub resource_status: String,
}

/// One resource change of a change set, flattened from `Changes[].ResourceChange`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(rename_all(deserialize = "PascalCase", serialize = "snake_case"))]
pub struct ResourceChange {
    pub action: String,
    pub logical_resource_id: String,
    #[serde(default)]
    pub physical_resource_id: Option<String>,
    pub resource_type: String,
    /// `True`, `False` or `Conditional`; absent for additions and removals.
    #[serde(default)]
    pub replacement: Option<String>,
}

/// `DescribeChangeSet`, the parts a deploy needs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(rename_all(deserialize = "PascalCase", serialize = "snake_case"))]
pub struct ChangeSetInfo {
    #[serde(default, alias = "ChangeSetId")]
    pub id: String,
    pub status: String,
    #[serde(default)]
    pub status_reason: Option<String>,
    #[serde(default)]
    pub execution_status: Option<String>,
    #[serde(default, deserialize_with = "de::changes")]
    pub changes: Vec<ResourceChange>,
}

/// A parameter for a change set: a new value, or "keep what is deployed".
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ParameterValue {
    Set(String),
    UsePrevious,
}

/// Everything needed to create one change set.
#[derive(Debug, Clone, PartialEq)]
pub struct ChangeSetRequest {
    pub stack_name: String,
    pub change_set_name: String,
    /// `None` keeps the deployed template (`UsePreviousTemplate`).
    pub template: Option<String>,
    pub parameters: Vec<(String, ParameterValue)>,
    pub tags: BTreeMap<String, String>,
    /// CREATE for a new stack (or one in REVIEW_IN_PROGRESS), else UPDATE.
    pub create: bool,
}

/// The AWS API's list shapes, folded into maps and flat lists.
mod de {
    use std::collections::BTreeMap;

    use serde::{Deserialize, Deserializer};

    use super::ResourceChange;

    #[derive(Deserialize)]
    #[serde(rename_all = "PascalCase")]
    struct Parameter {
        parameter_key: String,
        #[serde(default)]
        parameter_value: String,
    }

    #[derive(Deserialize)]
    #[serde(rename_all = "PascalCase")]
    struct Tag {
        key: String,
        value: String,
    }

    #[derive(Deserialize)]
    #[serde(rename_all = "PascalCase")]
    struct Change {
        resource_change: Option<ResourceChange>,
    }

    pub fn parameters<'de, D: Deserializer<'de>>(
        d: D,
    ) -> Result<BTreeMap<String, String>, D::Error> {
        let list = Vec::<Parameter>::deserialize(d)?;
        Ok(list
            .into_iter()
            .map(|p| (p.parameter_key, p.parameter_value))
            .collect())
    }

    pub fn tags<'de, D: Deserializer<'de>>(d: D) -> Result<BTreeMap<String, String>, D::Error> {
        let list = Vec::<Tag>::deserialize(d)?;
        Ok(list.into_iter().map(|t| (t.key, t.value)).collect())
    }

    pub fn changes<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<ResourceChange>, D::Error> {
        let list = Vec::<Change>::deserialize(d)?;
        Ok(list.into_iter().filter_map(|c| c.resource_change).collect())
    }
}
