//! CloudFormation behind a small trait: the calls a deploy makes, in idpctl's own types. The SDK
//! client implements it for real; tests implement it with recorded responses, so the polling,
//! rollback and failure paths run without AWS.

use async_trait::async_trait;
use aws_sdk_cloudformation::Client;
use aws_sdk_cloudformation::primitives::{DateTime, DateTimeFormat};
use aws_sdk_cloudformation::types::{Capability, ChangeSetType, Parameter, Tag};

use super::error::AwsError;
use crate::deploy::types::{
    ChangeSetInfo, ChangeSetRequest, ParameterValue, ResourceChange, StackEvent, StackInfo,
    StackOutput, StackResource,
};

/// What `CreateChangeSet` answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Created {
    /// The change set's id and the id of the stack it belongs to (new for a CREATE).
    ChangeSet { id: String, stack_id: String },
    /// Some implementations (moto) refuse an unchanged update at once instead of creating a
    /// FAILED change set; both mean the same.
    NoChanges,
}

#[async_trait]
pub trait StackApi: Send + Sync {
    /// `None` when no stack has this name (or id).
    async fn describe_stack(&self, name: &str) -> Result<Option<StackInfo>, AwsError>;
    /// The deployed template as it was submitted.
    async fn get_template(&self, name: &str) -> Result<String, AwsError>;
    async fn create_change_set(&self, request: &ChangeSetRequest) -> Result<Created, AwsError>;
    async fn describe_change_set(&self, id: &str) -> Result<ChangeSetInfo, AwsError>;
    async fn execute_change_set(&self, id: &str) -> Result<(), AwsError>;
    async fn delete_change_set(&self, id: &str) -> Result<(), AwsError>;
    /// The most recent events, newest first (one page is enough to follow one operation when
    /// polled often).
    async fn stack_events(&self, name: &str) -> Result<Vec<StackEvent>, AwsError>;
    async fn stack_resources(&self, name: &str) -> Result<Vec<StackResource>, AwsError>;
    async fn delete_stack(&self, name: &str) -> Result<(), AwsError>;
    async fn continue_update_rollback(&self, name: &str) -> Result<(), AwsError>;
}

fn time(t: Option<&DateTime>) -> Option<String> {
    t.and_then(|t| t.fmt(DateTimeFormat::DateTime).ok())
}

fn no_changes(reason: &str) -> bool {
    reason.contains("didn't contain changes")
        || reason.contains("No updates are to be performed")
        || reason.contains("does not contain changes")
}

/// Whether a failed change set failed only because it would change nothing.
pub fn is_no_changes(info: &ChangeSetInfo) -> bool {
    info.status == "FAILED" && info.status_reason.as_deref().is_some_and(no_changes)
}

#[async_trait]
impl StackApi for Client {
    async fn describe_stack(&self, name: &str) -> Result<Option<StackInfo>, AwsError> {
        let out = match self.describe_stacks().stack_name(name).send().await {
            Ok(out) => out,
            Err(e) => {
                let err = AwsError::from_sdk("DescribeStacks", e);
                if err.code() == Some("ValidationError") && err.message().contains("does not exist")
                {
                    return Ok(None);
                }
                return Err(err);
            }
        };
        Ok(out.stacks().first().map(|s| StackInfo {
            stack_id: s.stack_id().unwrap_or_default().to_string(),
            stack_name: s.stack_name().unwrap_or_default().to_string(),
            stack_status: s
                .stack_status()
                .map(|x| x.as_str().to_string())
                .unwrap_or_default(),
            stack_status_reason: s.stack_status_reason().map(str::to_string),
            creation_time: time(s.creation_time()),
            last_updated_time: time(s.last_updated_time()),
            parameters: s
                .parameters()
                .iter()
                .map(|p| {
                    (
                        p.parameter_key().unwrap_or_default().to_string(),
                        p.parameter_value().unwrap_or_default().to_string(),
                    )
                })
                .collect(),
            outputs: s
                .outputs()
                .iter()
                .map(|o| StackOutput {
                    output_key: o.output_key().unwrap_or_default().to_string(),
                    output_value: o.output_value().unwrap_or_default().to_string(),
                    description: o.description().map(str::to_string),
                })
                .collect(),
            tags: s
                .tags()
                .iter()
                .map(|t| {
                    (
                        t.key().unwrap_or_default().to_string(),
                        t.value().unwrap_or_default().to_string(),
                    )
                })
                .collect(),
        }))
    }

    async fn get_template(&self, name: &str) -> Result<String, AwsError> {
        let out = self
            .get_template()
            .stack_name(name)
            .template_stage(aws_sdk_cloudformation::types::TemplateStage::Original)
            .send()
            .await
            .map_err(|e| AwsError::from_sdk("GetTemplate", e))?;
        Ok(out.template_body().unwrap_or_default().to_string())
    }

    async fn create_change_set(&self, r: &ChangeSetRequest) -> Result<Created, AwsError> {
        let mut call = self
            .create_change_set()
            .stack_name(&r.stack_name)
            .change_set_name(&r.change_set_name)
            .change_set_type(if r.create {
                ChangeSetType::Create
            } else {
                ChangeSetType::Update
            })
            .capabilities(Capability::CapabilityIam)
            .capabilities(Capability::CapabilityNamedIam)
            .capabilities(Capability::CapabilityAutoExpand)
            .description("created by idpctl");
        call = match &r.template {
            Some(body) => call.template_body(body),
            None => call.use_previous_template(true),
        };
        for (key, value) in &r.parameters {
            let p = Parameter::builder().parameter_key(key);
            let p = match value {
                ParameterValue::Set(v) => p.parameter_value(v),
                ParameterValue::UsePrevious => p.use_previous_value(true),
            };
            call = call.parameters(p.build());
        }
        for (k, v) in &r.tags {
            call = call.tags(Tag::builder().key(k).value(v).build());
        }
        match call.send().await {
            Ok(out) => Ok(Created::ChangeSet {
                id: out.id().unwrap_or(&r.change_set_name).to_string(),
                stack_id: out.stack_id().unwrap_or(&r.stack_name).to_string(),
            }),
            Err(e) => {
                let err = AwsError::from_sdk("CreateChangeSet", e);
                if err.code() == Some("ValidationError") && no_changes(&err.message()) {
                    return Ok(Created::NoChanges);
                }
                Err(err)
            }
        }
    }

    async fn describe_change_set(&self, id: &str) -> Result<ChangeSetInfo, AwsError> {
        let mut changes = Vec::new();
        let mut token: Option<String> = None;
        loop {
            let out = self
                .describe_change_set()
                .change_set_name(id)
                .set_next_token(token.clone())
                .send()
                .await
                .map_err(|e| AwsError::from_sdk("DescribeChangeSet", e))?;
            changes.extend(
                out.changes()
                    .iter()
                    .filter_map(|c| c.resource_change())
                    .map(|rc| ResourceChange {
                        action: rc
                            .action()
                            .map(|a| a.as_str().to_string())
                            .unwrap_or_default(),
                        logical_resource_id: rc
                            .logical_resource_id()
                            .unwrap_or_default()
                            .to_string(),
                        physical_resource_id: rc.physical_resource_id().map(str::to_string),
                        resource_type: rc.resource_type().unwrap_or_default().to_string(),
                        replacement: rc.replacement().map(|x| x.as_str().to_string()),
                    }),
            );
            token = out.next_token().map(str::to_string);
            if token.is_none() {
                return Ok(ChangeSetInfo {
                    id: out.change_set_id().unwrap_or(id).to_string(),
                    status: out
                        .status()
                        .map(|s| s.as_str().to_string())
                        .unwrap_or_default(),
                    status_reason: out.status_reason().map(str::to_string),
                    execution_status: out.execution_status().map(|s| s.as_str().to_string()),
                    changes,
                });
            }
        }
    }

    async fn execute_change_set(&self, id: &str) -> Result<(), AwsError> {
        self.execute_change_set()
            .change_set_name(id)
            .send()
            .await
            .map_err(|e| AwsError::from_sdk("ExecuteChangeSet", e))?;
        Ok(())
    }

    async fn delete_change_set(&self, id: &str) -> Result<(), AwsError> {
        self.delete_change_set()
            .change_set_name(id)
            .send()
            .await
            .map_err(|e| AwsError::from_sdk("DeleteChangeSet", e))?;
        Ok(())
    }

    async fn stack_events(&self, name: &str) -> Result<Vec<StackEvent>, AwsError> {
        let out = self
            .describe_stack_events()
            .stack_name(name)
            .send()
            .await
            .map_err(|e| AwsError::from_sdk("DescribeStackEvents", e))?;
        Ok(out
            .stack_events()
            .iter()
            .map(|e| StackEvent {
                event_id: e.event_id().unwrap_or_default().to_string(),
                logical_resource_id: e.logical_resource_id().unwrap_or_default().to_string(),
                physical_resource_id: e.physical_resource_id().map(str::to_string),
                resource_type: e.resource_type().unwrap_or_default().to_string(),
                timestamp: time(e.timestamp()).unwrap_or_default(),
                resource_status: e
                    .resource_status()
                    .map(|s| s.as_str().to_string())
                    .unwrap_or_default(),
                resource_status_reason: e.resource_status_reason().map(str::to_string),
            })
            .collect())
    }

    async fn stack_resources(&self, name: &str) -> Result<Vec<StackResource>, AwsError> {
        let out = self
            .describe_stack_resources()
            .stack_name(name)
            .send()
            .await
            .map_err(|e| AwsError::from_sdk("DescribeStackResources", e))?;
        Ok(out
            .stack_resources()
            .iter()
            .map(|r| StackResource {
                logical_resource_id: r.logical_resource_id().unwrap_or_default().to_string(),
                physical_resource_id: r.physical_resource_id().map(str::to_string),
                resource_type: r.resource_type().unwrap_or_default().to_string(),
                resource_status: r
                    .resource_status()
                    .map(|s| s.as_str().to_string())
                    .unwrap_or_default(),
            })
            .collect())
    }

    async fn delete_stack(&self, name: &str) -> Result<(), AwsError> {
        self.delete_stack()
            .stack_name(name)
            .send()
            .await
            .map_err(|e| AwsError::from_sdk("DeleteStack", e))?;
        Ok(())
    }

    async fn continue_update_rollback(&self, name: &str) -> Result<(), AwsError> {
        self.continue_update_rollback()
            .stack_name(name)
            .send()
            .await
            .map_err(|e| AwsError::from_sdk("ContinueUpdateRollback", e))?;
        Ok(())
    }
}
