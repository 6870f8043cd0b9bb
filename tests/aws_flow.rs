//! The deploy cores and flows on recorded API responses (`tests/fixtures/aws/*.json`, in the
//! shape `aws cloudformation … --output json` prints): the state decision table, the change-set
//! table, the event stream and root cause, and the polling, rollback and failure paths moto
//! cannot produce (its stacks go straight to *_COMPLETE), through a scripted [`StackApi`].

use std::collections::VecDeque;
use std::sync::Mutex;

use async_trait::async_trait;
use idpctl::aws::AwsError;
use idpctl::aws::cfn::{Created, StackApi};
use idpctl::deploy::changes::{self, ChangeRow};
use idpctl::deploy::events::{self, EventStream};
use idpctl::deploy::flow::{
    self, DeployOptions, DeployOutcome, DeployResult, FlowError, Interaction, Poll, Target,
};
use idpctl::deploy::state::{Decision, decide};
use idpctl::deploy::types::{
    ChangeSetInfo, ChangeSetRequest, ParameterValue, StackEvent, StackInfo, StackResource,
};
use serde_json::Value;

fn fixture(name: &str) -> Value {
    let path = format!("{}/tests/fixtures/aws/{name}", env!("CARGO_MANIFEST_DIR"));
    serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap()
}

fn stack(name: &str) -> StackInfo {
    serde_json::from_value(fixture(name)["Stacks"][0].clone()).unwrap()
}

fn with_status(mut s: StackInfo, status: &str) -> StackInfo {
    s.stack_status = status.into();
    s
}

fn change_set(name: &str) -> ChangeSetInfo {
    serde_json::from_value(fixture(name)).unwrap()
}

fn events_newest_first(name: &str) -> Vec<StackEvent> {
    serde_json::from_value(fixture(name)["StackEvents"].clone()).unwrap()
}

// ---------------------------------------------------------------- pure cores on recordings

#[test]
fn decision_table_on_recorded_stacks() {
    let cases = [
        ("describe-stacks-update-complete.json", Decision::Update),
        (
            "describe-stacks-rollback-complete.json",
            Decision::Recreate {
                status: "ROLLBACK_COMPLETE".into(),
            },
        ),
        (
            "describe-stacks-update-rollback-failed.json",
            Decision::ContinueRollback {
                status: "UPDATE_ROLLBACK_FAILED".into(),
            },
        ),
        (
            "describe-stacks-update-in-progress.json",
            Decision::Wait {
                status: "UPDATE_IN_PROGRESS".into(),
            },
        ),
    ];
    for (file, want) in cases {
        let s = stack(file);
        assert_eq!(decide(Some(&s.stack_status)), want, "{file}");
    }
    assert_eq!(decide(None), Decision::Create);
    let recorded = stack("describe-stacks-update-complete.json");
    assert_eq!(
        recorded.parameters["PostProcessingLambdaHookFunctionArn"],
        ""
    );
    assert_eq!(recorded.tags["project"], "idp");
    assert_eq!(recorded.outputs[0].output_key, "InputBucket");
}

#[test]
fn change_set_table_marks_replaced_and_removed_data_stores() {
    let info = change_set("describe-change-set-replaces-table.json");
    assert_eq!(info.status, "CREATE_COMPLETE");
    let rows = changes::rows(&info.changes);
    let table = changes::render(&rows, false);
    assert_eq!(
        table,
        "   ACTION  LOGICAL ID     TYPE                   REPLACEMENT\n\
         !  Modify  TrackingTable  AWS::DynamoDB::Table   True\n\
         !  Remove  LegacyBucket   AWS::S3::Bucket        -\n   \
         Modify  OcrFunction    AWS::Lambda::Function  False\n   \
         Add     ReviewQueue    AWS::SQS::Queue        -\n\
         ! 2 change(s) replace or remove a bucket, table or queue: the data in it is lost\n"
    );
    let coloured = changes::render(&rows, true);
    assert!(coloured.contains("\x1b[1;31m!  Modify  TrackingTable"));
}

#[test]
fn a_recorded_no_changes_answer_is_recognised() {
    let info = change_set("describe-change-set-no-changes.json");
    assert!(idpctl::aws::cfn::is_no_changes(&info));
    assert!(!idpctl::aws::cfn::is_no_changes(&change_set(
        "describe-change-set-replaces-table.json"
    )));
}

#[test]
fn event_stream_prints_each_new_event_once_and_names_the_root_cause() {
    let page = events_newest_first("describe-stack-events-update-rollback.json");
    // The operation began after the last event of the previous update (e2).
    let mut stream = EventStream::after(&page[page.len() - 1..]);
    let fresh = stream.take_new(&page);
    let lines: Vec<String> = fresh
        .iter()
        .map(|e| events::format_line(e, false))
        .collect();
    assert_eq!(lines.len(), 7);
    assert_eq!(
        lines[0],
        "13:00:58  UPDATE_IN_PROGRESS            AWS::CloudFormation::Stack          idp-dev  User Initiated"
    );
    assert!(lines[3].starts_with("13:01:11  UPDATE_FAILED                 AWS::Lambda::Function"));
    assert!(
        stream.take_new(&page).is_empty(),
        "a second poll shows nothing again"
    );
    let cause = events::root_cause(&fresh).unwrap();
    assert_eq!(cause.logical_resource_id, "TrackingTable");
    assert!(
        cause
            .resource_status_reason
            .as_deref()
            .unwrap()
            .contains("custom-named resource")
    );
}

// ---------------------------------------------------------------- flows over a scripted API

/// A CloudFormation that answers from scripts and records every call.
#[derive(Default)]
struct Replay {
    /// Successive DescribeStacks answers; the last one repeats.
    stacks: Mutex<VecDeque<Option<StackInfo>>>,
    events: Mutex<VecDeque<Vec<StackEvent>>>,
    change_sets: Mutex<VecDeque<ChangeSetInfo>>,
    template: String,
    calls: Mutex<Vec<String>>,
}

impl Replay {
    fn new(stacks: Vec<Option<StackInfo>>) -> Self {
        Replay {
            stacks: Mutex::new(stacks.into()),
            ..Replay::default()
        }
    }

    /// A stack whose deployed template is `template`.
    fn on(template: &str, stacks: Vec<Option<StackInfo>>) -> Self {
        Replay {
            template: template.into(),
            ..Replay::new(stacks)
        }
    }

    fn call(&self, what: String) {
        self.calls.lock().unwrap().push(what);
    }

    fn calls(&self) -> Vec<String> {
        self.calls.lock().unwrap().clone()
    }

    fn next<T: Clone>(queue: &Mutex<VecDeque<T>>) -> Option<T> {
        let mut q = queue.lock().unwrap();
        if q.len() > 1 {
            q.pop_front()
        } else {
            q.front().cloned()
        }
    }
}

#[async_trait]
impl StackApi for Replay {
    async fn describe_stack(&self, _name: &str) -> Result<Option<StackInfo>, AwsError> {
        Ok(Replay::next(&self.stacks).flatten())
    }
    async fn get_template(&self, _name: &str) -> Result<String, AwsError> {
        self.call("GetTemplate".into());
        Ok(self.template.clone())
    }
    async fn create_change_set(&self, r: &ChangeSetRequest) -> Result<Created, AwsError> {
        self.call(format!(
            "CreateChangeSet {}",
            if r.create { "CREATE" } else { "UPDATE" }
        ));
        Ok(Created::ChangeSet {
            id: "cs-1".into(),
            stack_id: "stack-1".into(),
        })
    }
    async fn describe_change_set(&self, _id: &str) -> Result<ChangeSetInfo, AwsError> {
        Ok(Replay::next(&self.change_sets).unwrap_or_default())
    }
    async fn execute_change_set(&self, id: &str) -> Result<(), AwsError> {
        self.call(format!("ExecuteChangeSet {id}"));
        Ok(())
    }
    async fn delete_change_set(&self, id: &str) -> Result<(), AwsError> {
        self.call(format!("DeleteChangeSet {id}"));
        Ok(())
    }
    async fn stack_events(&self, _name: &str) -> Result<Vec<StackEvent>, AwsError> {
        Ok(Replay::next(&self.events).unwrap_or_default())
    }
    async fn stack_resources(&self, _name: &str) -> Result<Vec<StackResource>, AwsError> {
        Ok(vec![])
    }
    async fn delete_stack(&self, _name: &str) -> Result<(), AwsError> {
        self.call("DeleteStack".into());
        Ok(())
    }
    async fn continue_update_rollback(&self, _name: &str) -> Result<(), AwsError> {
        self.call("ContinueUpdateRollback".into());
        Ok(())
    }
}

/// A person who answers from a script (or cannot be asked), and what they were shown.
#[derive(Default)]
struct Person {
    answers: VecDeque<bool>,
    terminal: bool,
    asked: Vec<String>,
    shown: Vec<ChangeRow>,
    events: Vec<String>,
}

impl Interaction for Person {
    fn confirm(&mut self, question: &str, flag: &'static str) -> Result<bool, FlowError> {
        self.asked.push(question.to_string());
        if !self.terminal {
            return Err(FlowError::NeedsConsent {
                question: question.into(),
                flag,
            });
        }
        Ok(self.answers.pop_front().unwrap_or(false))
    }
    fn show_changes(&mut self, rows: &[ChangeRow]) {
        self.shown = rows.to_vec();
    }
    fn event(&mut self, event: &StackEvent) {
        self.events.push(events::format_line(event, false));
    }
    fn note(&mut self, _message: &str) {}
}

fn target(template: &str, artifact_key: &str) -> Target {
    let base = stack("describe-stacks-update-complete.json");
    let mut parameters: Vec<(String, ParameterValue)> = base
        .parameters
        .iter()
        .map(|(k, v)| (k.clone(), ParameterValue::Set(v.clone())))
        .collect();
    for (k, v) in &mut parameters {
        if k == "ArtifactKey" {
            *v = ParameterValue::Set(artifact_key.into());
        }
    }
    Target {
        stack_name: "idp-dev".into(),
        template: Some(template.into()),
        parameters,
        tags: base.tags.clone(),
    }
}

fn opts() -> DeployOptions {
    DeployOptions {
        poll: Some(Poll::immediate()),
        ..DeployOptions::default()
    }
}

/// [`opts`] with `--yes`.
fn yes() -> DeployOptions {
    DeployOptions {
        yes: true,
        ..opts()
    }
}

/// `flow::deploy` of `template` with the deployed artifact.
fn deploy(
    api: &Replay,
    template: &str,
    options: &DeployOptions,
    person: &mut Person,
) -> Result<DeployOutcome, FlowError> {
    run(flow::deploy(
        api,
        &target(template, DEPLOYED_KEY),
        options,
        person,
    ))
}

/// The recorded change set, its functions only (no replacement to consent to).
fn functions_change_set() -> ChangeSetInfo {
    let mut cs = change_set("describe-change-set-replaces-table.json");
    cs.changes
        .retain(|c| c.resource_type == "AWS::Lambda::Function");
    cs
}

fn run<T>(f: impl std::future::Future<Output = T>) -> T {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(f)
}

const DEPLOYED_KEY: &str = "idpctl/5d41402abc4b2a76b9719d911017c592.zip";

fn ev(id: &str, logical: &str, ty: &str, status: &str, reason: Option<&str>) -> StackEvent {
    StackEvent {
        event_id: id.into(),
        logical_resource_id: logical.into(),
        resource_type: ty.into(),
        timestamp: format!("2026-10-24T13:00:0{}.000Z", id.len() % 10),
        resource_status: status.into(),
        resource_status_reason: reason.map(str::to_string),
        physical_resource_id: None,
    }
}

#[test]
fn an_unchanged_stack_gets_no_change_set_at_all() {
    let api = Replay::on(
        "T",
        vec![Some(stack("describe-stacks-update-complete.json"))],
    );
    let mut person = Person::default();
    let out = deploy(&api, "T", &opts(), &mut person).unwrap();
    assert_eq!(out.result, DeployResult::Unchanged);
    assert_eq!(
        api.calls(),
        ["GetTemplate"],
        "nothing but the comparison was sent"
    );
    assert_eq!(out.outputs.len(), 2, "outputs still shown");
}

#[test]
fn a_new_artifact_is_a_change_executed_after_consent_with_outputs() {
    let done = stack("describe-stacks-update-complete.json");
    let api = Replay::on(
        "T",
        vec![
            Some(done.clone()),
            Some(with_status(done.clone(), "UPDATE_IN_PROGRESS")),
            Some(done),
        ],
    );
    *api.change_sets.lock().unwrap() =
        vec![change_set("describe-change-set-replaces-table.json")].into();
    let mut person = Person {
        terminal: true,
        answers: vec![true].into(),
        ..Person::default()
    };
    let options = DeployOptions {
        yes: true,
        allow_replace: true,
        ..opts()
    };
    let out = run(flow::deploy(
        &api,
        &target("T", "idpctl/new.zip"),
        &options,
        &mut person,
    ))
    .unwrap();
    assert_eq!(out.result, DeployResult::Executed);
    assert_eq!(
        api.calls(),
        [
            "GetTemplate",
            "CreateChangeSet UPDATE",
            "ExecuteChangeSet cs-1"
        ]
    );
    assert!(
        person.asked.is_empty(),
        "--yes and --allow-replace answer everything"
    );
    assert_eq!(person.shown.len(), 4);
    assert_eq!(out.outputs[1].output_key, "StateMachineArn");
}

#[test]
fn dangerous_changes_still_ask_with_yes_and_fail_without_a_terminal() {
    let done = stack("describe-stacks-update-complete.json");
    let api = Replay::on("old", vec![Some(done)]);
    *api.change_sets.lock().unwrap() =
        vec![change_set("describe-change-set-replaces-table.json")].into();
    let mut person = Person::default();
    let err = deploy(&api, "new", &yes(), &mut person).unwrap_err();
    match &err {
        FlowError::NeedsConsent { flag, .. } => assert_eq!(*flag, "--allow-replace"),
        other => panic!("unexpected {other}"),
    }
    assert!(person.asked[0].starts_with("2 change(s) replace or remove"));
    assert!(
        !api.calls()
            .iter()
            .any(|c| c.starts_with("ExecuteChangeSet"))
    );
}

#[test]
fn declining_deletes_the_change_set_and_changes_nothing() {
    let api = Replay::on(
        "old",
        vec![Some(stack("describe-stacks-update-complete.json"))],
    );
    *api.change_sets.lock().unwrap() = vec![functions_change_set()].into();
    let mut person = Person {
        terminal: true,
        answers: vec![false].into(),
        ..Person::default()
    };
    let err = deploy(&api, "new", &opts(), &mut person).unwrap_err();
    assert!(matches!(err, FlowError::Declined));
    assert_eq!(
        api.calls(),
        [
            "GetTemplate",
            "CreateChangeSet UPDATE",
            "DeleteChangeSet cs-1"
        ]
    );
}

#[test]
fn a_failed_update_names_the_first_failed_resource_as_root_cause() {
    let done = stack("describe-stacks-update-complete.json");
    let recorded = events_newest_first("describe-stack-events-update-rollback.json");
    let before = recorded[recorded.len() - 1..].to_vec();
    let api = Replay::on(
        "old",
        vec![
            Some(done.clone()),
            Some(with_status(done.clone(), "UPDATE_IN_PROGRESS")),
            Some(with_status(done.clone(), "UPDATE_ROLLBACK_IN_PROGRESS")),
            Some(with_status(done, "UPDATE_ROLLBACK_COMPLETE")),
        ],
    );
    // Before execution the newest event is the previous update's; then the rollback arrives
    // over two polls.
    *api.events.lock().unwrap() = vec![before, recorded[3..].to_vec(), recorded.clone()].into();
    *api.change_sets.lock().unwrap() = vec![functions_change_set()].into();
    let mut person = Person::default();
    let err = deploy(&api, "new", &yes(), &mut person).unwrap_err();
    let text = err.to_string();
    assert!(
        text.starts_with("stack idp-dev ended in UPDATE_ROLLBACK_COMPLETE"),
        "{text}"
    );
    assert!(
        text.contains("root cause: TrackingTable (AWS::DynamoDB::Table) UPDATE_FAILED: CloudFormation cannot update"),
        "{text}"
    );
    assert_eq!(
        person.events.len(),
        7,
        "each event printed once: {:#?}",
        person.events
    );
}

#[test]
fn rollback_complete_is_deleted_and_created_again_with_consent() {
    let failed = stack("describe-stacks-rollback-complete.json");
    let created = with_status(failed.clone(), "CREATE_COMPLETE");
    let api = Replay::new(vec![
        Some(failed.clone()),
        Some(with_status(failed.clone(), "DELETE_IN_PROGRESS")),
        Some(with_status(failed, "DELETE_COMPLETE")),
        None,
        Some(with_status(created.clone(), "REVIEW_IN_PROGRESS")),
        Some(created),
    ]);
    *api.change_sets.lock().unwrap() =
        vec![change_set("describe-change-set-replaces-table.json")].into();
    let mut person = Person {
        terminal: true,
        answers: vec![true, true].into(),
        ..Person::default()
    };
    let options = DeployOptions {
        allow_replace: true,
        ..opts()
    };
    let out = deploy(&api, "T", &options, &mut person).unwrap();
    assert_eq!(out.result, DeployResult::Executed);
    assert!(person.asked[0].contains("ROLLBACK_COMPLETE: its first create failed"));
    assert_eq!(
        api.calls(),
        [
            "DeleteStack",
            "CreateChangeSet CREATE",
            "ExecuteChangeSet cs-1"
        ]
    );
}

#[test]
fn update_rollback_failed_continues_the_rollback_then_updates() {
    let stuck = stack("describe-stacks-update-rollback-failed.json");
    let api = Replay::on(
        "old",
        vec![
            Some(stuck.clone()),
            Some(with_status(stuck.clone(), "UPDATE_ROLLBACK_IN_PROGRESS")),
            Some(with_status(stuck.clone(), "UPDATE_ROLLBACK_COMPLETE")),
            Some(with_status(stuck.clone(), "UPDATE_ROLLBACK_COMPLETE")),
            Some(with_status(stuck.clone(), "UPDATE_IN_PROGRESS")),
            Some(with_status(stuck, "UPDATE_COMPLETE")),
        ],
    );
    *api.change_sets.lock().unwrap() = vec![functions_change_set()].into();
    let mut person = Person::default();
    let out = deploy(&api, "new", &yes(), &mut person).unwrap();
    assert_eq!(out.result, DeployResult::Executed);
    assert_eq!(
        api.calls(),
        [
            "ContinueUpdateRollback",
            "GetTemplate",
            "CreateChangeSet UPDATE",
            "ExecuteChangeSet cs-1"
        ]
    );
}

#[test]
fn an_operation_in_progress_is_waited_for_or_refused_with_no_wait() {
    let busy = stack("describe-stacks-update-in-progress.json");
    let api = Replay::new(vec![Some(busy.clone())]);
    let options = DeployOptions {
        no_wait: true,
        ..opts()
    };
    let err = deploy(&api, "T", &options, &mut Person::default()).unwrap_err();
    assert!(matches!(err, FlowError::Busy { .. }), "{err}");
    assert!(
        idpctl::error::Diagnose::hint(&err)
            .unwrap()
            .contains("without --no-wait")
    );

    let done = stack("describe-stacks-update-complete.json");
    let api = Replay::on(
        "T",
        vec![
            Some(busy.clone()),
            Some(busy),
            Some(done.clone()),
            Some(done),
        ],
    );
    let out = deploy(&api, "T", &opts(), &mut Person::default()).unwrap();
    assert_eq!(out.result, DeployResult::Unchanged);
}

#[test]
fn a_change_set_without_changes_is_success_and_is_removed() {
    let api = Replay::on(
        "old",
        vec![Some(stack("describe-stacks-update-complete.json"))],
    );
    *api.change_sets.lock().unwrap() =
        vec![change_set("describe-change-set-no-changes.json")].into();
    let out = deploy(&api, "new", &opts(), &mut Person::default()).unwrap();
    assert_eq!(out.result, DeployResult::NoChanges);
    assert_eq!(
        api.calls(),
        [
            "GetTemplate",
            "CreateChangeSet UPDATE",
            "DeleteChangeSet cs-1"
        ]
    );
}

#[test]
fn the_hook_flow_keeps_the_template_and_needs_a_deployed_stack() {
    let mut t = target("unused", DEPLOYED_KEY);
    t.template = None;
    let api = Replay::new(vec![None]);
    let err = run(flow::deploy(&api, &t, &opts(), &mut Person::default())).unwrap_err();
    assert!(matches!(err, FlowError::NotDeployed { .. }));
    assert_eq!(idpctl::error::Diagnose::status(&err).code(), 2);

    let api = Replay::new(vec![Some(stack("describe-stacks-update-complete.json"))]);
    let mut cs = change_set("describe-change-set-replaces-table.json");
    cs.changes.clear();
    *api.change_sets.lock().unwrap() = vec![cs].into();
    let options = DeployOptions {
        no_execute: true,
        ..opts()
    };
    let out = run(flow::deploy(&api, &t, &options, &mut Person::default())).unwrap();
    assert_eq!(out.result, DeployResult::NotExecuted);
    assert_eq!(
        api.calls(),
        ["CreateChangeSet UPDATE"],
        "no template comparison with UsePreviousTemplate"
    );
}

#[test]
fn destroy_lists_what_the_template_retains() {
    let done = stack("describe-stacks-update-complete.json");
    let api = Replay {
        template: "Resources:\n  Docs: {Type: AWS::S3::Bucket, DeletionPolicy: Retain}\n".into(),
        ..Replay::new(vec![
            Some(done.clone()),
            Some(with_status(done, "DELETE_COMPLETE")),
        ])
    };
    let retained = |body: &str| {
        let v = idpctl::yaml::parse(body).unwrap();
        idpctl::deploy::template::retained(&v)
            .into_iter()
            .map(|d| (d.logical_id, d.resource_type))
            .collect()
    };
    let mut person = Person {
        terminal: true,
        answers: vec![true].into(),
        ..Person::default()
    };
    let out = run(flow::destroy(
        &api,
        "idp-dev",
        retained,
        false,
        &mut person,
        Some(Poll::immediate()),
    ))
    .unwrap();
    assert!(out.deleted);
    assert_eq!(out.retained[0].logical_id, "Docs");
    assert!(person.asked[0].contains("1 data store(s) are kept"));
}

#[test]
fn events_a_flow_sees_are_formatted_on_one_line_each() {
    let e = ev(
        "x",
        "InputBucket",
        "AWS::S3::Bucket",
        "CREATE_FAILED",
        Some("Bucket name taken"),
    );
    let line = events::format_line(&e, false);
    assert!(line.ends_with("InputBucket  Bucket name taken"), "{line}");
    assert!(!line.contains('\n'));
}
