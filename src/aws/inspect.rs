//! Looks at a deployed stack: [`deployed_resources`] finds its resources by logical id for the
//! commands that act on them, and [`gather`] collects what `idpctl status` reports: the stack,
//! each component, the hook, alarms, dead-letter queues, recent executions and deployed code
//! hashes. A status check that cannot be made becomes a problem in the report rather than an
//! error, so one missing permission does not hide the rest.

use std::collections::BTreeMap;
use std::time::{Duration, SystemTime};

use aws_sdk_cloudwatch::types::StateValue;
use aws_sdk_sqs::types::QueueAttributeName;
use serde_json::Value;

use super::cfn::StackApi;
use super::{AwsError, Session};
use crate::deploy::HOOK_PARAMETER;
use crate::deploy::flow::FlowError;
use crate::deploy::health::{
    Component, Health, HookReport, QueueDepth, StackSummary, StatusReport,
};
use crate::deploy::template;
use crate::deploy::types::{StackInfo, StackResource};
use crate::diagnose::Hinted;

/// A deployed stack as the commands that act on it see it: its description (status,
/// parameters, outputs) and its resources, looked up by logical id.
#[derive(Debug, Clone)]
pub struct DeployedStack {
    /// The name it was looked up by, as errors name it.
    pub name: String,
    pub info: StackInfo,
    pub resources: Vec<StackResource>,
}

impl DeployedStack {
    /// The physical id of the resource with this logical id, when the stack has one.
    pub fn physical(&self, logical_id: &str) -> Option<&str> {
        self.resources
            .iter()
            .find(|r| r.logical_resource_id == logical_id)
            .and_then(|r| r.physical_resource_id.as_deref())
    }

    /// [`Self::physical`], or an error that names the stack and the missing resource.
    pub fn require(&self, logical_id: &str) -> Result<&str, Hinted> {
        self.physical(logical_id)
            .ok_or_else(|| self.missing(logical_id))
    }

    /// The error for resources this stack lacks, `what` saying which: an older version of the
    /// stack is deployed.
    pub fn missing(&self, what: &str) -> Hinted {
        Hinted::usage(
            format!("stack {} has no {what}", self.name),
            "deploy this version of the stack with `idpctl deploy` first",
        )
    }

    /// A stack parameter's value (empty values included).
    pub fn parameter(&self, key: &str) -> Option<&str> {
        self.info.parameters.get(key).map(String::as_str)
    }

    /// A stack output's value.
    pub fn output(&self, key: &str) -> Option<&str> {
        self.info
            .outputs
            .iter()
            .find(|o| o.output_key == key)
            .map(|o| o.output_value.as_str())
    }
}

/// The stack called `stack` and its resources; [`FlowError::NotDeployed`] when there is none.
pub async fn deployed_resources(
    cfn: &dyn StackApi,
    stack: &str,
) -> Result<DeployedStack, FlowError> {
    let Some(info) = cfn.describe_stack(stack).await? else {
        return Err(FlowError::NotDeployed {
            stack: stack.to_string(),
        });
    };
    let resources = cfn.stack_resources(stack).await?;
    Ok(DeployedStack {
        name: stack.to_string(),
        info,
        resources,
    })
}

/// Decodes IAM's URL-encoded policy documents (`%7B%22Version…`).
pub fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && let Some(v) = s
                .get(i + 1..i + 3)
                .and_then(|h| u8::from_str_radix(h, 16).ok())
        {
            out.push(v);
            i += 3;
            continue;
        }
        // RFC 3986 encoding: `+` is a plus sign, not a space.
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn as_list(v: Option<&Value>) -> Vec<&str> {
    match v {
        Some(Value::String(s)) => vec![s.as_str()],
        Some(Value::Array(items)) => items.iter().filter_map(Value::as_str).collect(),
        _ => vec![],
    }
}

/// Whether a policy document lets its holder call `lambda:InvokeFunction` on `arn` (or on a
/// version or alias of it).
pub fn policy_allows_invoke(doc: &Value, arn: &str) -> bool {
    let statements = match doc.get("Statement") {
        Some(Value::Array(s)) => s.iter().collect::<Vec<_>>(),
        Some(one @ Value::Object(_)) => vec![one],
        _ => return false,
    };
    statements.iter().any(|st| {
        st.get("Effect").and_then(Value::as_str) == Some("Allow")
            && as_list(st.get("Action"))
                .iter()
                .any(|a| matches!(*a, "lambda:InvokeFunction" | "lambda:*" | "*"))
            && as_list(st.get("Resource")).iter().any(|r| {
                *r == arn
                    || *r == format!("{arn}:*")
                    || *r == "*"
                    || r.strip_suffix(":*") == Some(arn)
            })
    })
}

fn alive(r: &StackResource) -> bool {
    !r.resource_status.ends_with("_FAILED") && r.resource_status != "DELETE_COMPLETE"
}

/// The local code `status` compares the functions' with.
#[derive(Debug, Clone, Copy)]
pub enum LocalCode<'a> {
    /// Lambda's `CodeSha256` of the local zip.
    Zip(&'a str),
    /// The local image build's manifest digest (`sha256:…`).
    Image(&'a str),
}

/// The digest of the image a function runs: the one its ImageUri names when it is by digest (as
/// idpctl deploys it), else the one Lambda resolved its tag to.
pub fn deployed_image_digest(code: &aws_sdk_lambda::types::FunctionCodeLocation) -> Option<String> {
    code.image_uri()
        .and_then(super::registry::digest_of)
        .or_else(|| {
            code.resolved_image_uri()
                .and_then(super::registry::digest_of)
        })
        .map(str::to_string)
}

/// Everything `status` needs, gathered; `local_code_sha256` is Lambda's `CodeSha256` of the
/// local artifact, when there is one.
pub async fn gather(
    session: &Session,
    stack_name: &str,
    local_code_sha256: Option<&str>,
) -> Result<StatusReport, AwsError> {
    gather_with(session, stack_name, local_code_sha256.map(LocalCode::Zip)).await
}

/// [`gather`], comparing the functions with a local zip or a local image build.
pub async fn gather_with(
    session: &Session,
    stack_name: &str,
    local: Option<LocalCode<'_>>,
) -> Result<StatusReport, AwsError> {
    let client = session.cloudformation();
    // The trait's methods, not the SDK's inherent ones of the same names.
    let cfn: &dyn StackApi = &client;
    let mut report = StatusReport {
        configuration: None,
        stack_name: stack_name.to_string(),
        region: session.region.clone(),
        stack: None,
        components: vec![],
        hook: HookReport::default(),
        alarms_in_alarm: vec![],
        dead_letter_queues: vec![],
        executions_24h: BTreeMap::new(),
        health: Health::Down,
        problems: vec![],
        notes: vec![],
        unchecked: vec![],
    };
    let Some(stack) = cfn.describe_stack(stack_name).await? else {
        return Ok(report);
    };
    report.stack = Some(StackSummary {
        status: stack.stack_status.clone(),
        status_reason: stack.stack_status_reason.clone(),
        last_change: stack.last_change().map(str::to_string),
    });
    let body = cfn.get_template(&stack.stack_id).await?;
    let template = crate::yaml::parse(&body).unwrap_or(Value::Null);
    let resources = cfn.stack_resources(&stack.stack_id).await?;
    let find = |id: &str| resources.iter().find(|r| r.logical_resource_id == id);

    let lambda = session.lambda();
    let mut deployed_images = std::collections::BTreeSet::new();
    for declared in template::components(&template) {
        let resource = find(&declared.logical_id);
        // A conditional resource the stack does not have was not asked for.
        if declared.condition.is_some() && resource.is_none() {
            continue;
        }
        let mut component = Component {
            kind: template::kind_of(&declared.resource_type).to_string(),
            logical_id: declared.logical_id.clone(),
            physical_id: resource.and_then(|r| r.physical_resource_id.clone()),
            present: resource.is_some_and(alive),
            code_matches_local: None,
        };
        if declared.resource_type == "AWS::Lambda::Function"
            && let Some(name) = component.physical_id.clone()
        {
            match lambda.get_function().function_name(&name).send().await {
                Ok(out) => {
                    component.code_matches_local = match local {
                        Some(LocalCode::Zip(sha)) => out
                            .configuration()
                            .and_then(|c| c.code_sha256())
                            .map(|d| d == sha),
                        Some(LocalCode::Image(digest)) => {
                            let deployed = out.code().and_then(deployed_image_digest);
                            deployed_images.extend(deployed.clone());
                            deployed.map(|d| d == digest)
                        }
                        None => None,
                    };
                }
                Err(e) => {
                    let err = AwsError::from_sdk("GetFunction", e);
                    if err.code() == Some("ResourceNotFoundException") {
                        component.present = false;
                    } else {
                        report.unchecked.push(format!("function {name}: {err}"));
                    }
                }
            }
        }
        report.components.push(component);
    }

    if let Some(LocalCode::Image(local)) = local {
        for deployed in deployed_images.iter().filter(|d| *d != local) {
            report.notes.push(format!(
                "the functions run image {deployed}, the local build is {local}: they differ (`idpctl deploy` pushes the local one)"
            ));
        }
        if deployed_images.iter().all(|d| d == local) && !deployed_images.is_empty() {
            report
                .notes
                .push(format!("the functions run the local build's image {local}"));
        }
    }
    hook(session, &stack.parameters, &resources, &mut report).await;
    alarms(session, stack_name, &resources, &mut report).await;
    dead_letter_queues(session, &template, &resources, &mut report).await;
    executions(session, &resources, &mut report).await;
    Ok(report)
}

async fn hook(
    session: &Session,
    parameters: &BTreeMap<String, String>,
    resources: &[StackResource],
    report: &mut StatusReport,
) {
    let arn = parameters.get(HOOK_PARAMETER).cloned().unwrap_or_default();
    report.hook.enabled = !arn.is_empty();
    report.hook.function_arn = arn.clone();
    if arn.is_empty() {
        return;
    }
    report.hook.function_found = match session
        .lambda()
        .get_function()
        .function_name(&arn)
        .send()
        .await
    {
        Ok(_) => Some(true),
        Err(e) => match AwsError::from_sdk("GetFunction", e) {
            err if err.code() == Some("ResourceNotFoundException") => Some(false),
            err => {
                report.unchecked.push(format!("hook function: {err}"));
                None
            }
        },
    };
    let iam = session.iam();
    for role in resources
        .iter()
        .filter(|r| r.resource_type == "AWS::IAM::Role")
    {
        let Some(name) = role.physical_resource_id.as_deref() else {
            continue;
        };
        let names = match iam.list_role_policies().role_name(name).send().await {
            Ok(out) => out.policy_names().to_vec(),
            Err(e) => {
                report.unchecked.push(format!(
                    "role {name}: {}",
                    AwsError::from_sdk("ListRolePolicies", e)
                ));
                continue;
            }
        };
        for policy in names {
            let Ok(out) = iam
                .get_role_policy()
                .role_name(name)
                .policy_name(&policy)
                .send()
                .await
            else {
                continue;
            };
            let doc: Value = serde_json::from_str(&percent_decode(out.policy_document()))
                .or_else(|_| serde_json::from_str(out.policy_document()))
                .unwrap_or(Value::Null);
            if policy_allows_invoke(&doc, &arn)
                && !report.hook.allowed_by.contains(&role.logical_resource_id)
            {
                report
                    .hook
                    .allowed_by
                    .push(role.logical_resource_id.clone());
            }
        }
    }
}

async fn alarms(
    session: &Session,
    stack_name: &str,
    resources: &[StackResource],
    report: &mut StatusReport,
) {
    let ours: Vec<&str> = resources
        .iter()
        .filter(|r| r.resource_type == "AWS::CloudWatch::Alarm")
        .filter_map(|r| r.physical_resource_id.as_deref())
        .collect();
    let mut pages = session
        .cloudwatch()
        .describe_alarms()
        .state_value(StateValue::Alarm)
        .into_paginator()
        .send();
    while let Some(page) = pages.next().await {
        match page {
            Ok(out) => {
                for alarm in out.metric_alarms() {
                    let name = alarm.alarm_name().unwrap_or_default();
                    if ours.contains(&name) || name.starts_with(&format!("{stack_name}-")) {
                        report.alarms_in_alarm.push(name.to_string());
                    }
                }
            }
            Err(e) => {
                report.unchecked.push(format!(
                    "alarms: {}",
                    AwsError::from_sdk("DescribeAlarms", e)
                ));
                return;
            }
        }
    }
}

async fn dead_letter_queues(
    session: &Session,
    template: &Value,
    resources: &[StackResource],
    report: &mut StatusReport,
) {
    let sqs = session.sqs();
    for id in template::dead_letter_queues(template) {
        let Some(physical) = resources
            .iter()
            .find(|r| r.logical_resource_id == id)
            .and_then(|r| r.physical_resource_id.clone())
        else {
            continue;
        };
        // CloudFormation names a queue by its URL; accept a bare name too.
        let url = if physical.starts_with("http") {
            physical
        } else {
            match sqs.get_queue_url().queue_name(&physical).send().await {
                Ok(out) => out.queue_url().unwrap_or_default().to_string(),
                Err(e) => {
                    report.unchecked.push(format!(
                        "queue {id}: {}",
                        AwsError::from_sdk("GetQueueUrl", e)
                    ));
                    continue;
                }
            }
        };
        let attrs = sqs
            .get_queue_attributes()
            .queue_url(&url)
            .attribute_names(QueueAttributeName::ApproximateNumberOfMessages)
            .attribute_names(QueueAttributeName::ApproximateNumberOfMessagesNotVisible)
            .send()
            .await;
        match attrs {
            Ok(out) => {
                let messages = out
                    .attributes()
                    .map(|a| a.values().filter_map(|v| v.parse::<u64>().ok()).sum())
                    .unwrap_or(0);
                report.dead_letter_queues.push(QueueDepth {
                    logical_id: id,
                    url,
                    messages,
                });
            }
            Err(e) => report.unchecked.push(format!(
                "queue {id}: {}",
                AwsError::from_sdk("GetQueueAttributes", e)
            )),
        }
    }
}

async fn executions(session: &Session, resources: &[StackResource], report: &mut StatusReport) {
    let since = SystemTime::now() - Duration::from_secs(24 * 60 * 60);
    let since = aws_sdk_sfn::primitives::DateTime::from(since);
    let sfn = session.sfn();
    for machine in resources
        .iter()
        .filter(|r| r.resource_type == "AWS::StepFunctions::StateMachine")
    {
        let Some(arn) = machine.physical_resource_id.as_deref() else {
            continue;
        };
        let mut pages = sfn
            .list_executions()
            .state_machine_arn(arn)
            .into_paginator()
            .send();
        'pages: while let Some(page) = pages.next().await {
            match page {
                Ok(out) => {
                    for e in out.executions() {
                        // Newest first: the first older one ends the window.
                        if e.start_date().secs() < since.secs() {
                            break 'pages;
                        }
                        *report
                            .executions_24h
                            .entry(e.status().as_str().to_string())
                            .or_default() += 1;
                    }
                }
                Err(e) => {
                    report.unchecked.push(format!(
                        "executions of {}: {}",
                        machine.logical_resource_id,
                        AwsError::from_sdk("ListExecutions", e)
                    ));
                    break;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn deployed() -> DeployedStack {
        let resource = |logical: &str, physical: Option<&str>| StackResource {
            logical_resource_id: logical.into(),
            physical_resource_id: physical.map(str::to_string),
            resource_type: "AWS::S3::Bucket".into(),
            resource_status: "CREATE_COMPLETE".into(),
        };
        DeployedStack {
            name: "idp-dev".into(),
            info: StackInfo::default(),
            resources: vec![
                resource("WorkingBucket", Some("idp-dev-working-1")),
                resource("PendingBucket", None),
            ],
        }
    }

    #[test]
    fn resources_by_logical_id() {
        let stack = deployed();
        assert_eq!(stack.physical("WorkingBucket"), Some("idp-dev-working-1"));
        assert_eq!(stack.require("WorkingBucket").unwrap(), "idp-dev-working-1");
        assert_eq!(stack.physical("PendingBucket"), None);
        let err = stack.require("ConfigurationTable").unwrap_err();
        assert_eq!(err.to_string(), "stack idp-dev has no ConfigurationTable");
        assert_eq!(
            err.hint,
            "deploy this version of the stack with `idpctl deploy` first"
        );
    }

    #[test]
    fn decodes_iam_documents() {
        assert_eq!(percent_decode("%7B%22a%22%3A1%7D"), r#"{"a":1}"#);
    }

    #[test]
    fn invoke_permission_on_the_arn_or_its_versions() {
        let arn = "arn:aws:lambda:us-east-1:123456789012:function:hook";
        let doc = |resource: Value| json!({"Statement": [{"Effect": "Allow", "Action": ["lambda:InvokeFunction"], "Resource": resource}]});
        assert!(policy_allows_invoke(&doc(json!(arn)), arn));
        assert!(policy_allows_invoke(&doc(json!([format!("{arn}:*")])), arn));
        assert!(!policy_allows_invoke(
            &doc(json!(
                "arn:aws:lambda:us-east-1:123456789012:function:other"
            )),
            arn
        ));
        let deny = json!({"Statement": {"Effect": "Deny", "Action": "lambda:InvokeFunction", "Resource": arn}});
        assert!(!policy_allows_invoke(&deny, arn));
    }
}
