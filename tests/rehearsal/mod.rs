//! The cloud, rehearsed: what AWS does around the deployed stack's functions, done here against
//! moto with IAM enforced, so every function runs exactly as Lambda would run it — its handler
//! named by the deployed `Handler`, its environment as CloudFormation resolved it, and the
//! credentials of its own deployed role (from `sts:AssumeRole`).
//!
//! - EventBridge: events are matched against the rendered template's rules.
//! - S3 → EventBridge: each new object of the input bucket becomes the "Object Created" event.
//! - Step Functions: executions `intake` started on moto run the deployed definition in idpctl's
//!   ASL interpreter; their end becomes the status-change event.
//! - Lambda: synchronous invokes with the 6 MB request and response limits; asynchronous ones
//!   with the 1 MB limit, the function's EventInvokeConfig retries and its on-failure
//!   destination (sent with the function's role, as Lambda does).

#![allow(dead_code)]

pub mod lambda_http;
pub mod setup;

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};

use aws_config::SdkConfig;
use idpctl::asl::{
    ExecutionInfo, ExecutionOutcome, Executor, StateMachine, TaskContext, TaskError,
};
use idpctl::aws::calls::CallLog;
use idpctl::handlers::Handler;
use idpctl::runtime::rules::{self, Rule};
use idpctl::services::Services;
use serde_json::{Value, json};

/// Lambda's payload limits.
pub const SYNC_LIMIT: usize = 6 * 1024 * 1024;
pub const ASYNC_LIMIT: usize = 1024 * 1024;

pub struct Function {
    pub handler: Handler,
    pub logical_id: String,
    pub name: String,
    pub arn: String,
    pub role_arn: String,
    pub env: HashMap<String, String>,
    pub services: Services,
    pub calls: CallLog,
    /// The function's EventInvokeConfig: retries of a failed asynchronous event, and the queue
    /// its on-failure record goes to.
    pub async_retries: u32,
    pub on_failure_queue: Option<String>,
    sqs: aws_sdk_sqs::Client,
}

/// What one execution ended as.
#[derive(Debug, Clone)]
pub struct Finished {
    pub name: String,
    pub status: String,
    pub output: Option<Value>,
    pub error: Option<String>,
}

pub struct Cloud {
    /// Lambda as the state machine's role sees it, and the calls made with it.
    state_machine_lambda: aws_sdk_lambda::Client,
    pub state_machine_calls: CallLog,
    pub admin: SdkConfig,
    pub runtime: tokio::runtime::Runtime,
    pub functions: Vec<Arc<Function>>,
    pub rules: Vec<Rule>,
    pub machine: StateMachine,
    pub state_machine_arn: String,
    pub physical: HashMap<String, String>,
    seen_objects: Mutex<HashSet<String>>,
    seen_executions: Mutex<HashSet<String>>,
    pub finished: Mutex<Vec<Finished>>,
    /// Asynchronous invocations that ended in the on-failure destination.
    pub parked: Mutex<Vec<(String, String)>>,
}

fn get(v: &Value, pointer: &str) -> Option<String> {
    v.pointer(pointer)
        .and_then(Value::as_str)
        .map(str::to_string)
}

impl Cloud {
    /// Reads the deployed stack and gives each function its role's credentials.
    pub fn connect(admin: SdkConfig, endpoint: &str, stack_name: &str, template: &Value) -> Cloud {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        let cfn = aws_sdk_cloudformation::Client::new(&admin);
        let lambda = aws_sdk_lambda::Client::new(&admin);
        let sts = aws_sdk_sts::Client::new(&admin);
        let sfn = aws_sdk_sfn::Client::new(&admin);
        let physical: HashMap<String, String> = runtime.block_on(async {
            cfn.describe_stack_resources()
                .stack_name(stack_name)
                .send()
                .await
                .expect("DescribeStackResources")
                .stack_resources()
                .iter()
                .filter_map(|r| {
                    Some((
                        r.logical_resource_id()?.to_string(),
                        r.physical_resource_id()?.to_string(),
                    ))
                })
                .collect()
        });
        let resources = template["Resources"].as_object().expect("Resources");
        // EventInvokeConfig per function logical id.
        let mut invoke_configs: HashMap<String, (u32, Option<String>)> = HashMap::new();
        for r in resources.values() {
            if r["Type"] == "AWS::Lambda::EventInvokeConfig" {
                let p = &r["Properties"];
                let Some(function) = get(p, "/FunctionName/Ref") else {
                    continue;
                };
                let retries = p["MaximumRetryAttempts"].as_u64().unwrap_or(2) as u32;
                let queue = get(p, "/DestinationConfig/OnFailure/Destination/Fn::GetAtt/0")
                    .and_then(|q| physical.get(&q).cloned());
                invoke_configs.insert(function, (retries, queue));
            }
        }
        let mut functions = Vec::new();
        let mut handlers_by_logical = HashMap::new();
        for (logical_id, r) in resources {
            if r["Type"] != "AWS::Lambda::Function" {
                continue;
            }
            let name = physical
                .get(logical_id)
                .unwrap_or_else(|| panic!("{logical_id} was not deployed"))
                .clone();
            let conf = runtime
                .block_on(
                    lambda
                        .get_function_configuration()
                        .function_name(&name)
                        .send(),
                )
                .expect("GetFunctionConfiguration");
            let handler: Handler = conf
                .handler()
                .unwrap_or_default()
                .parse()
                .unwrap_or_else(|e| panic!("{name}: {e}"));
            handlers_by_logical.insert(logical_id.clone(), handler);
            let role_arn = conf.role().unwrap_or_default().to_string();
            let creds = runtime
                .block_on(
                    sts.assume_role()
                        .role_arn(&role_arn)
                        .role_session_name(handler.name())
                        .send(),
                )
                .expect("AssumeRole")
                .credentials
                .expect("credentials");
            let mut env: HashMap<String, String> = conf
                .environment()
                .and_then(|e| e.variables())
                .cloned()
                .unwrap_or_default();
            // What Lambda adds to every function's environment.
            env.insert("AWS_REGION".into(), "us-east-1".into());
            env.insert("AWS_ENDPOINT_URL".into(), endpoint.into());
            env.insert("AWS_ACCESS_KEY_ID".into(), creds.access_key_id);
            env.insert("AWS_SECRET_ACCESS_KEY".into(), creds.secret_access_key);
            env.insert("AWS_SESSION_TOKEN".into(), creds.session_token);
            env.insert("AWS_LAMBDA_FUNCTION_NAME".into(), name.clone());
            let calls = CallLog::default();
            let lookup = |k: &str| env.get(k).cloned();
            let services = runtime
                .block_on(idpctl::services::aws::services_with(
                    &lookup,
                    Some(calls.clone()),
                ))
                .unwrap_or_else(|e| panic!("{name}: {e}"));
            let sqs = {
                let config = runtime.block_on(idpctl::services::aws::sdk_config(&lookup));
                let conf = aws_sdk_sqs::config::Builder::from(&config)
                    .interceptor(calls.clone())
                    .build();
                aws_sdk_sqs::Client::from_conf(conf)
            };
            let (async_retries, on_failure_queue) =
                invoke_configs.get(logical_id).cloned().unwrap_or((2, None));
            functions.push(Arc::new(Function {
                handler,
                logical_id: logical_id.clone(),
                arn: conf.function_arn().unwrap_or_default().to_string(),
                name,
                role_arn,
                env,
                services,
                calls,
                async_retries,
                on_failure_queue,
                sqs,
            }));
        }
        functions.sort_by_key(|f| Handler::ALL.iter().position(|h| *h == f.handler));
        let state_machine_arn = physical["StateMachine"].clone();
        let mut refs: HashMap<String, String> = physical.clone();
        refs.insert("StateMachine".into(), state_machine_arn.clone());
        let rules = rules::rules(template, &refs, &handlers_by_logical);
        let described = runtime
            .block_on(
                sfn.describe_state_machine()
                    .state_machine_arn(&state_machine_arn)
                    .send(),
            )
            .expect("DescribeStateMachine");
        let definition = described.definition.clone();
        // Step Functions invokes each Task's function with the state machine's role: a DryRun
        // invoke under that role proves the grant before the rehearsal runs the function.
        let state_machine_calls = CallLog::default();
        let state_machine_lambda = {
            let creds = runtime
                .block_on(
                    sts.assume_role()
                        .role_arn(described.role_arn())
                        .role_session_name("states")
                        .send(),
                )
                .expect("AssumeRole of the state machine's role")
                .credentials
                .expect("credentials");
            let env: HashMap<&str, String> = HashMap::from([
                ("AWS_REGION", "us-east-1".to_string()),
                ("AWS_ENDPOINT_URL", endpoint.to_string()),
                ("AWS_ACCESS_KEY_ID", creds.access_key_id),
                ("AWS_SECRET_ACCESS_KEY", creds.secret_access_key),
                ("AWS_SESSION_TOKEN", creds.session_token),
            ]);
            let lookup = |k: &str| env.get(k).cloned();
            let config = runtime.block_on(idpctl::services::aws::sdk_config(&lookup));
            aws_sdk_lambda::Client::from_conf(
                aws_sdk_lambda::config::Builder::from(&config)
                    .interceptor(state_machine_calls.clone())
                    .build(),
            )
        };
        // moto stores the definition without applying DefinitionSubstitutions; CloudFormation
        // does apply them, so the rehearsal does it from the template.
        let arns: HashMap<&str, &str> = functions
            .iter()
            .map(|f| (f.logical_id.as_str(), f.arn.as_str()))
            .collect();
        let mut definition = definition;
        let substitutions = resources
            .values()
            .find(|r| r["Type"] == "AWS::StepFunctions::StateMachine")
            .and_then(|r| r["Properties"]["DefinitionSubstitutions"].as_object())
            .cloned()
            .unwrap_or_default();
        for (name, value) in substitutions {
            let resolved = if let Some(id) = get(&value, "/Fn::GetAtt/0") {
                arns.get(id.as_str()).map(|a| a.to_string())
            } else if let Some(id) = get(&value, "/Ref") {
                physical.get(&id).cloned()
            } else {
                value.as_str().map(str::to_string)
            };
            if let Some(resolved) = resolved {
                definition = definition.replace(&format!("${{{name}}}"), &resolved);
            }
        }
        let machine = StateMachine::from_json(&definition).expect("the deployed definition");
        Cloud {
            state_machine_lambda,
            state_machine_calls,
            admin,
            runtime,
            functions,
            rules,
            machine,
            state_machine_arn,
            physical,
            seen_objects: Mutex::default(),
            seen_executions: Mutex::default(),
            finished: Mutex::default(),
            parked: Mutex::default(),
        }
    }

    pub fn function(&self, handler: Handler) -> Arc<Function> {
        self.functions
            .iter()
            .find(|f| f.handler == handler)
            .cloned()
            .expect("a function for every handler")
    }

    pub fn function_named(&self, name: &str) -> Option<Arc<Function>> {
        self.functions
            .iter()
            .find(|f| f.name == name || f.arn == name)
            .cloned()
    }

    pub fn bucket(&self, logical: &str) -> String {
        self.physical[logical].clone()
    }

    /// A synchronous invoke: Lambda refuses a request or response over 6 MB.
    pub fn invoke_sync(&self, f: &Function, event: Value) -> Result<Value, TaskError> {
        let size = event.to_string().len();
        if size > SYNC_LIMIT {
            return Err(TaskError::lambda(
                "Lambda.RequestTooLargeException",
                format!("{}: request of {size} bytes is over {SYNC_LIMIT}", f.name),
            ));
        }
        let before = f.calls.denied().len();
        let out = self.runtime.block_on(f.handler.invoke(event, &f.services));
        for d in f.calls.denied().iter().skip(before) {
            eprintln!(
                "rehearsal: DENIED {} {}:{}",
                f.handler.name(),
                d.service,
                d.operation
            );
        }
        let out = out.map_err(|e| TaskError::lambda(e.error_type(), e.to_string()))?;
        let size = out.to_string().len();
        if size > SYNC_LIMIT {
            return Err(TaskError::lambda(
                "Lambda.ResponseSizeTooLarge",
                format!("{}: response of {size} bytes is over {SYNC_LIMIT}", f.name),
            ));
        }
        Ok(out)
    }

    /// An asynchronous invoke as Lambda runs it: tries 1 + MaximumRetryAttempts times, then
    /// sends the on-failure record to the destination with the function's own role.
    pub fn invoke_async(&self, f: &Function, event: Value) -> Result<Value, String> {
        let size = event.to_string().len();
        assert!(
            size <= ASYNC_LIMIT,
            "{}: an asynchronous event of {size} bytes is over Lambda's {ASYNC_LIMIT}",
            f.name
        );
        let mut last = None;
        for _ in 0..=f.async_retries {
            match self.invoke_sync(f, event.clone()) {
                Ok(out) => return Ok(out),
                Err(e) => last = Some(e),
            }
        }
        let e = last.expect("at least one attempt");
        let message = format!("{}: {}", e.error, e.cause);
        if let Some(queue) = &f.on_failure_queue {
            let record = json!({
                "version": "1.0",
                "timestamp": idpctl::services::clock::now_rfc3339(),
                "requestContext": {
                    "requestId": format!("rehearsal-{}", idpctl::services::clock::now_millis()),
                    "functionArn": format!("{}:$LATEST", f.arn),
                    "condition": "RetriesExhausted",
                    "approximateInvokeCount": f.async_retries + 1,
                },
                "requestPayload": event,
                "responseContext": {"statusCode": 200, "executedVersion": "$LATEST", "functionError": "Unhandled"},
                "responsePayload": {"errorType": e.error, "errorMessage": e.cause},
            });
            self.runtime
                .block_on(
                    f.sqs
                        .send_message()
                        .queue_url(queue)
                        .message_body(record.to_string())
                        .send(),
                )
                .unwrap_or_else(|e| panic!("{}: on-failure destination: {e:?}", f.name));
        }
        self.parked
            .lock()
            .unwrap()
            .push((f.name.clone(), message.clone()));
        Err(message)
    }

    /// Delivers an event to every function a rule of the template routes it to.
    pub fn put_event(&self, event: &Value) -> Vec<(Handler, Result<Value, String>)> {
        let targets = rules::route(&self.rules, event);
        if targets.is_empty() {
            eprintln!(
                "rehearsal: no rule matches {} {}",
                event["detail-type"], event["detail"]["status"]
            );
        }
        targets
            .into_iter()
            .map(|h| {
                let f = self.function(h);
                (h, self.invoke_async(&f, event.clone()))
            })
            .collect()
    }

    /// New objects of the input bucket become "Object Created" events.
    pub fn pump_uploads(&self) -> usize {
        let bucket = self.bucket("InputBucket");
        let s3 = s3_client(&self.admin);
        // The input bucket is versioned: each version is an upload, and S3's event names it.
        let listed = self
            .runtime
            .block_on(s3.list_object_versions().bucket(&bucket).send())
            .expect("ListObjectVersions");
        let mut n = 0;
        for o in listed.versions() {
            let key = o.key().unwrap_or_default().to_string();
            let version = o.version_id().unwrap_or("null").to_string();
            if !self
                .seen_objects
                .lock()
                .unwrap()
                .insert(format!("{key}\0{version}"))
            {
                continue;
            }
            let event = json!({
                "version": "0",
                "id": format!("rehearsal-{key}"),
                "detail-type": "Object Created",
                "source": "aws.s3",
                "account": "123456789012",
                "time": idpctl::services::clock::now_rfc3339(),
                "region": "us-east-1",
                "resources": [format!("arn:aws:s3:::{bucket}")],
                "detail": {
                    "version": "0",
                    "bucket": {"name": bucket},
                    "object": {"key": key, "size": o.size().unwrap_or(0),
                               "etag": o.e_tag().unwrap_or_default().trim_matches('"'),
                               // S3 names no version in an unversioned bucket's events.
                               "version-id": (version != "null").then_some(&version)},
                    "reason": "PutObject",
                }
            });
            for (h, r) in self.put_event(&event) {
                match r {
                    Err(e) => eprintln!("rehearsal: {} failed on {key}: {e}", h.name()),
                    Ok(v) => eprintln!("rehearsal: {} on {key}: {v}", h.name()),
                }
            }
            n += 1;
        }
        n
    }

    /// Runs every execution started on moto that has not run yet, then routes its end.
    pub fn run_executions(self: &Arc<Self>) -> usize {
        let sfn = aws_sdk_sfn::Client::new(&self.admin);
        let listed = self
            .runtime
            .block_on(
                sfn.list_executions()
                    .state_machine_arn(&self.state_machine_arn)
                    .send(),
            )
            .expect("ListExecutions");
        let mut n = 0;
        for e in listed.executions() {
            let arn = e.execution_arn().to_string();
            if !self.seen_executions.lock().unwrap().insert(arn.clone()) {
                continue;
            }
            let described = self
                .runtime
                .block_on(sfn.describe_execution().execution_arn(&arn).send())
                .expect("DescribeExecution");
            let input: Value =
                serde_json::from_str(described.input().unwrap_or("{}")).expect("input JSON");
            let info = ExecutionInfo {
                id: arn.clone(),
                name: e.name().to_string(),
                input: Arc::new(input.clone()),
                start_time: idpctl::services::clock::now_rfc3339(),
                role_arn: None,
                state_machine_id: self.state_machine_arn.clone(),
                state_machine_name: self.state_machine_arn.rsplit(':').next().unwrap().into(),
            };
            let invoker = Arc::new(CloudInvoker(self.clone()));
            let outcome = Executor::new(invoker).execute(&self.machine, &info);
            let (status, output, error, cause) = match &outcome {
                ExecutionOutcome::Succeeded(v) => ("SUCCEEDED", Some(v.clone()), None, None),
                ExecutionOutcome::Failed(e) => {
                    ("FAILED", None, Some(e.error.clone()), Some(e.cause.clone()))
                }
            };
            let mut detail = json!({
                "executionArn": arn,
                "stateMachineArn": self.state_machine_arn,
                "name": e.name(),
                "status": status,
                "startDate": 0,
                "stopDate": 0,
                "input": input.to_string(),
                "inputDetails": {"included": true},
                "output": output.as_ref().map(Value::to_string),
                "outputDetails": {"included": true},
            });
            if let Some(err) = &error {
                detail["error"] = json!(err);
                detail["cause"] = json!(cause);
            }
            let event = json!({
                "version": "0",
                "id": format!("rehearsal-{}-{status}", e.name()),
                "detail-type": "Step Functions Execution Status Change",
                "source": "aws.states",
                "account": "123456789012",
                "time": idpctl::services::clock::now_rfc3339(),
                "region": "us-east-1",
                "resources": [arn],
                "detail": detail,
            });
            eprintln!(
                "rehearsal: execution {} {status} {error:?} {cause:?}",
                e.name()
            );
            self.finished.lock().unwrap().push(Finished {
                name: e.name().to_string(),
                status: status.into(),
                output,
                error: error.map(|e| format!("{e}: {}", cause.unwrap_or_default())),
            });
            for (h, r) in self.put_event(&event) {
                if let Err(err) = r {
                    eprintln!("rehearsal: {} failed on {}: {err}", h.name(), e.name());
                }
            }
            n += 1;
        }
        n
    }

    /// Until nothing new happens.
    pub fn settle(self: &Arc<Self>) {
        loop {
            let uploads = self.pump_uploads();
            let executions = self.run_executions();
            if uploads == 0 && executions == 0 {
                return;
            }
        }
    }

    pub fn total_calls(&self) -> usize {
        self.functions.iter().map(|f| f.calls.len()).sum()
    }
}

struct CloudInvoker(Arc<Cloud>);

impl idpctl::asl::TaskInvoker for CloudInvoker {
    fn invoke(&self, resource: &str, input: Value, _ctx: &TaskContext) -> Result<Value, TaskError> {
        let f = self.0.function_named(resource).ok_or_else(|| {
            TaskError::lambda(
                "Lambda.ResourceNotFoundException",
                format!("{resource} is not a function of the stack"),
            )
        })?;
        let allowed = self.0.runtime.block_on(
            self.0
                .state_machine_lambda
                .invoke()
                .function_name(&f.arn)
                .invocation_type(aws_sdk_lambda::types::InvocationType::DryRun)
                .send(),
        );
        if let Err(e) = allowed {
            return Err(TaskError::lambda(
                "Lambda.AccessDeniedException",
                format!(
                    "the state machine's role may not invoke {}: {}",
                    f.name,
                    aws_sdk_lambda::error::DisplayErrorContext(&e)
                ),
            ));
        }
        self.0.invoke_sync(&f, input)
    }
}

pub fn s3_client(config: &SdkConfig) -> aws_sdk_s3::Client {
    aws_sdk_s3::Client::from_conf(
        aws_sdk_s3::config::Builder::from(config)
            .force_path_style(true)
            .build(),
    )
}
