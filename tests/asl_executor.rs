//! Behaviour of the executor beyond single-state data flow: real parallelism and
//! MaxConcurrency, fail-fast and tolerated failures, retry/catch rules, payload limits,
//! timeouts, the Lambda integration, the event hook, and resumption from the journal.

mod asl_support;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use asl_support::{Handlers, error, info, machine, output, run, run_with, single};
use idpctl::asl::{
    ExecutionEvent, ExecutionOutcome, Executor, Journal, JournalError, MemoryJournal, StepKey,
    StepOutcome, TaskError,
};
use serde_json::{Value, json};

/// Tracks how many handler calls run at once.
#[derive(Default)]
struct Gauge {
    now: AtomicUsize,
    max: AtomicUsize,
}

impl Gauge {
    fn enter(&self) {
        let n = self.now.fetch_add(1, Ordering::SeqCst) + 1;
        self.max.fetch_max(n, Ordering::SeqCst);
    }
    fn exit(&self) {
        self.now.fetch_sub(1, Ordering::SeqCst);
    }
}

fn map_def(max_concurrency: u32) -> Value {
    json!({"StartAt": "M", "States": {"M": {"Type": "Map", "MaxConcurrency": max_concurrency,
        "ItemProcessor": {"StartAt": "W", "States": {"W": {"Type": "Task", "Resource": "${WorkArn}", "End": true}}},
        "End": true}}})
}

fn slow_worker(gauge: Arc<Gauge>) -> Handlers {
    Handlers::new().on("${WorkArn}", move |v, _| {
        gauge.enter();
        std::thread::sleep(Duration::from_millis(40));
        gauge.exit();
        Ok(json!(v.as_i64().unwrap() * 10))
    })
}

#[test]
fn map_runs_in_parallel_within_max_concurrency() {
    for (limit, want_max) in [(3u32, 3usize), (1, 1)] {
        let gauge = Arc::new(Gauge::default());
        let h = Arc::new(slow_worker(gauge.clone()));
        let out = run_with(&map_def(limit), json!([1, 2, 3, 4, 5, 6, 7, 8, 9]), h);
        assert_eq!(output(&out), &json!([10, 20, 30, 40, 50, 60, 70, 80, 90]));
        assert_eq!(
            gauge.max.load(Ordering::SeqCst),
            want_max,
            "MaxConcurrency {limit}"
        );
    }
}

#[test]
fn unbounded_map_is_capped_by_max_threads() {
    let gauge = Arc::new(Gauge::default());
    let h = Arc::new(slow_worker(gauge.clone()));
    let out = Executor::new(h)
        .with_clock(asl_support::clock())
        .with_max_threads(4)
        .start(
            &machine(&map_def(0)),
            "sm",
            "run",
            json!((0..12).collect::<Vec<_>>()),
        );
    assert_eq!(output(&out).as_array().unwrap().len(), 12);
    let max = gauge.max.load(Ordering::SeqCst);
    assert!((2..=4).contains(&max), "ran {max} at once");
}

#[test]
fn parallel_branches_run_concurrently() {
    let gauge = Arc::new(Gauge::default());
    let def = json!({"StartAt": "P", "States": {"P": {"Type": "Parallel", "End": true, "Branches": [
        {"StartAt": "A", "States": {"A": {"Type": "Task", "Resource": "${WorkArn}", "End": true}}},
        {"StartAt": "B", "States": {"B": {"Type": "Task", "Resource": "${WorkArn}", "End": true}}},
        {"StartAt": "C", "States": {"C": {"Type": "Task", "Resource": "${WorkArn}", "End": true}}}]}}});
    let out = run_with(&def, json!(1), Arc::new(slow_worker(gauge.clone())));
    assert_eq!(output(&out), &json!([10, 10, 10]));
    assert_eq!(gauge.max.load(Ordering::SeqCst), 3);
}

#[test]
fn a_failed_iteration_fails_the_map_and_can_be_caught() {
    let def = json!({"StartAt": "M", "States": {
        "M": {"Type": "Map", "MaxConcurrency": 1, "ResultPath": "$.r",
              "Catch": [{"ErrorEquals": ["Bad.Item"], "ResultPath": "$.err", "Next": "Caught"}],
              "ItemsPath": "$.items",
              "ItemProcessor": {"StartAt": "W", "States": {"W": {"Type": "Task", "Resource": "${WorkArn}", "End": true}}},
              "End": true},
        "Caught": {"Type": "Pass", "End": true}}});
    let h = Arc::new(Handlers::new().on("${WorkArn}", |v, _| {
        if v == json!(2) {
            Err(TaskError::lambda("Bad.Item", "item 2 is bad"))
        } else {
            Ok(v)
        }
    }));
    let out = run_with(&def, json!({"items": [1, 2, 3, 4]}), h.clone());
    let o = output(&out);
    assert_eq!(o["err"]["Error"], "Bad.Item");
    let cause: Value = serde_json::from_str(o["err"]["Cause"].as_str().unwrap()).unwrap();
    assert_eq!(
        cause,
        json!({"errorMessage": "item 2 is bad", "errorType": "Bad.Item"})
    );
    assert!(o.get("r").is_none());
    // MaxConcurrency 1 runs items in order and stops at the failure.
    assert_eq!(h.count("${WorkArn}"), 2);
}

#[test]
fn tolerated_failures() {
    let def = |pct: f64| {
        json!({"StartAt": "M", "States": {"M": {"Type": "Map", "ToleratedFailurePercentage": pct,
            "ItemProcessor": {"StartAt": "W", "States": {"W": {"Type": "Task", "Resource": "${WorkArn}", "End": true}}},
            "End": true}}})
    };
    let handlers = || {
        Arc::new(Handlers::new().on("${WorkArn}", |v, _| {
            if v.as_i64().unwrap() % 4 == 0 {
                Err(TaskError::new("Odd", "multiple of four"))
            } else {
                Ok(v)
            }
        }))
    };
    let out = run_with(&def(30.0), json!([1, 2, 3, 4]), handlers());
    assert_eq!(
        output(&out),
        &json!([1, 2, 3, {"Error": "Odd", "Cause": "multiple of four"}])
    );
    let out = run_with(&def(20.0), json!([1, 2, 3, 4]), handlers());
    assert_eq!(error(&out).0, "States.ExceedToleratedFailureThreshold");
}

#[test]
fn retry_then_success_counts_in_the_context_object() {
    let def = single(
        json!({"Type": "Task", "Resource": "${FlakyArn}", "End": true,
        "Parameters": {"retry.$": "$$.State.RetryCount"},
        "Retry": [{"ErrorEquals": ["Flaky"], "IntervalSeconds": 2, "MaxAttempts": 5}]}),
    );
    let h = Arc::new(Handlers::new().on("${FlakyArn}", |v, ctx| {
        assert_eq!(v["retry"], json!(ctx.attempt));
        if ctx.attempt < 2 {
            Err(TaskError::new("Flaky", "try again"))
        } else {
            Ok(json!({"done_at": ctx.attempt}))
        }
    }));
    let clock = asl_support::clock();
    let out =
        Executor::new(h)
            .with_clock(clock.clone())
            .start(&machine(&def), "sm", "run", json!({}));
    assert_eq!(output(&out), &json!({"done_at": 2}));
    assert_eq!(
        clock.sleeps(),
        vec![Duration::from_secs(2), Duration::from_secs(4)]
    );
}

#[test]
fn retriers_count_separately_and_the_first_match_decides() {
    let def = single(json!({"Type": "Task", "Resource": "${R}", "End": true,
        "Retry": [{"ErrorEquals": ["A"], "MaxAttempts": 1}, {"ErrorEquals": ["States.ALL"], "MaxAttempts": 5}]}));
    let h = Arc::new(Handlers::new().on("${R}", |_, _| Err(TaskError::new("A", "always A"))));
    let out = run_with(&def, json!({}), h.clone());
    assert_eq!(error(&out).0, "A");
    assert_eq!(
        h.count("${R}"),
        2,
        "retrier A allows one retry; States.ALL is not consulted"
    );
}

#[test]
fn states_all_does_not_catch_runtime_errors() {
    let def = json!({"StartAt": "T", "States": {
        "T": {"Type": "Task", "Resource": "${R}", "InputPath": "$.missing",
              "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "C"}], "End": true},
        "C": {"Type": "Succeed"}}});
    let h = Arc::new(Handlers::new().on("${R}", |v, _| Ok(v)));
    let out = run_with(&def, json!({}), h.clone());
    assert_eq!(error(&out).0, "States.Runtime");
    assert_eq!(h.count("${R}"), 0);
    // A Parameters path that names nothing is also States.Runtime, as on AWS.
    let def = json!({"StartAt": "T", "States": {
        "T": {"Type": "Task", "Resource": "${R}", "Parameters": {"x.$": "$.missing"},
              "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "C"}], "End": true},
        "C": {"Type": "Succeed"}}});
    let out = run_with(&def, json!({}), h);
    assert_eq!(error(&out).0, "States.Runtime");
    assert!(
        error(&out)
            .1
            .contains("The JSONPath '$.missing' specified for the field 'x.$' could not be found")
    );
}

#[test]
fn payload_limit_raises_data_limit_exceeded() {
    let big = "x".repeat(300 * 1024);
    let def = |catch: &str| {
        json!({"StartAt": "T", "States": {
            "T": {"Type": "Task", "Resource": "${Big}", "Catch": [{"ErrorEquals": [catch], "Next": "C"}], "End": true},
            "C": {"Type": "Pass", "Result": "caught", "End": true}}})
    };
    let handlers = || {
        let big = big.clone();
        Arc::new(Handlers::new().on("${Big}", move |_, _| Ok(json!({"text": big}))))
    };
    // States.ALL does not catch the terminal States.DataLimitExceeded ...
    let out = run_with(&def("States.ALL"), json!({}), handlers());
    let (e, cause) = error(&out);
    assert_eq!(e, "States.DataLimitExceeded");
    assert!(
        cause.contains("'${Big}' returned a result with a size exceeding"),
        "{cause}"
    );
    // ... naming it does.
    let out = run_with(&def("States.DataLimitExceeded"), json!({}), handlers());
    assert_eq!(output(&out), &json!("caught"));
    // Execution input and state output are checked too.
    let out = run(&single(json!({"Type": "Succeed"})), json!({"text": big}));
    assert_eq!(error(&out).0, "States.DataLimitExceeded");
    let out = Executor::new(Arc::new(Handlers::new()))
        .with_payload_limit(100)
        .start(
            &machine(&single(
                json!({"Type": "Pass", "Result": "y".repeat(200), "End": true}),
            )),
            "sm",
            "run",
            json!({}),
        );
    assert_eq!(error(&out).0, "States.DataLimitExceeded");
}

#[test]
fn task_timeout() {
    let def =
        single(json!({"Type": "Task", "Resource": "${Sleepy}", "TimeoutSeconds": 1, "End": true}));
    let h = Arc::new(Handlers::new().on("${Sleepy}", |_, ctx| {
        assert_eq!(ctx.timeout, Some(Duration::from_secs(1)));
        std::thread::sleep(Duration::from_secs(3));
        Ok(json!("late"))
    }));
    let started = std::time::Instant::now();
    let out = run_with(&def, json!({}), h);
    assert_eq!(error(&out).0, "States.Timeout");
    assert!(started.elapsed() < Duration::from_millis(2500));
}

#[test]
fn execution_timeout_aborts_and_cannot_be_caught() {
    let def = json!({"StartAt": "W", "TimeoutSeconds": 10, "States": {
        "W": {"Type": "Wait", "Seconds": 60, "Next": "P"},
        "P": {"Type": "Pass", "End": true}}});
    let out = run(&def, json!({}));
    assert_eq!(error(&out).0, "States.Timeout");
}

#[test]
fn lambda_invoke_integration() {
    let def = single(
        json!({"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
        "Parameters": {"FunctionName": "${SplitFunctionArn}", "Payload.$": "$"},
        "OutputPath": "$.Payload", "End": true}),
    );
    let h = Arc::new(Handlers::new().on("${SplitFunctionArn}", |v, ctx| {
        assert_eq!(ctx.definition_resource, "arn:aws:states:::lambda:invoke");
        Ok(json!({"pages": v["pages"]}))
    }));
    let out = run_with(&def, json!({"pages": 3}), h);
    assert_eq!(output(&out), &json!({"pages": 3}));
}

#[test]
fn panicking_handler_is_a_task_failure() {
    let def = json!({"StartAt": "T", "States": {
        "T": {"Type": "Task", "Resource": "${P}", "Catch": [{"ErrorEquals": ["States.TaskFailed"], "Next": "C"}], "End": true},
        "C": {"Type": "Pass", "End": true}}});
    let h = Arc::new(Handlers::new().on("${P}", |_, _| panic!("boom")));
    let out = run_with(&def, json!({}), h);
    assert_eq!(output(&out)["Error"], "States.TaskFailed");
    assert!(output(&out)["Cause"].as_str().unwrap().contains("boom"));
}

#[test]
fn no_choice_matched_fails_the_execution() {
    let def = json!({"StartAt": "C", "States": {
        "C": {"Type": "Choice", "Choices": [{"Variable": "$.v", "StringEquals": "x", "Next": "S"}]},
        "S": {"Type": "Succeed"}}});
    let out = run(&def, json!({"v": "y"}));
    assert_eq!(error(&out).0, "States.NoChoiceMatched");
}

#[test]
fn events_trace_states_with_paths() {
    let log: Arc<Mutex<Vec<String>>> = Arc::default();
    let sink = log.clone();
    let observer = move |e: &ExecutionEvent<'_>| {
        let line = match e {
            ExecutionEvent::StateEntered { name, path, .. } => format!("enter {name} {path}"),
            ExecutionEvent::StateExited { name, .. } => format!("exit {name}"),
            ExecutionEvent::TaskScheduled { key, replayed, .. } => {
                format!("task {key} replayed={replayed}")
            }
            ExecutionEvent::TaskSucceeded {
                name,
                output,
                replayed,
                ..
            } => format!("{name} returned {output} replayed={replayed}"),
            ExecutionEvent::ExecutionSucceeded { .. } => "succeeded".into(),
            _ => return,
        };
        sink.lock().unwrap().push(line);
    };
    let def = json!({"StartAt": "A", "States": {
        "A": {"Type": "Pass", "Next": "M"},
        "M": {"Type": "Map", "MaxConcurrency": 1,
              "ItemProcessor": {"StartAt": "W", "States": {"W": {"Type": "Task", "Resource": "${WorkArn}", "End": true}}},
              "End": true}}});
    let h = Arc::new(Handlers::new().on("${WorkArn}", |v, _| Ok(v)));
    let out = Executor::new(h)
        .with_observer(Arc::new(observer))
        .execute(&machine(&def), &info(json!([7, 8])));
    assert!(matches!(out, ExecutionOutcome::Succeeded(_)));
    let id = "arn:aws:states:local:000000000000:execution:sm:run";
    assert_eq!(
        *log.lock().unwrap(),
        vec![
            "enter A /A".to_string(),
            "exit A".into(),
            "enter M /M".into(),
            "enter W /M[0]/W".into(),
            format!("task {id}/M[0]/W#0 replayed=false"),
            "W returned 7 replayed=false".into(),
            "exit W".into(),
            "enter W /M[1]/W".into(),
            format!("task {id}/M[1]/W#0 replayed=false"),
            "W returned 8 replayed=false".into(),
            "exit W".into(),
            "exit M".into(),
            "succeeded".into(),
        ]
    );
}

#[test]
fn loops_give_each_visit_its_own_step_key() {
    let def = json!({"StartAt": "Work", "States": {
        "Work": {"Type": "Task", "Resource": "${Inc}", "Next": "More?"},
        "More?": {"Type": "Choice", "Choices": [{"Variable": "$.n", "NumericLessThan": 3, "Next": "Work"}], "Default": "Done"},
        "Done": {"Type": "Succeed"}}});
    let h = Arc::new(Handlers::new().on("${Inc}", |v, _| {
        Ok(json!({"n": v["n"].as_i64().unwrap() + 1}))
    }));
    let out = run_with(&def, json!({"n": 0}), h.clone());
    assert_eq!(output(&out), &json!({"n": 3}));
    let keys: Vec<String> = h.calls().into_iter().map(|c| c.2).collect();
    let id = "arn:aws:states:local:000000000000:execution:sm:run";
    assert_eq!(
        keys,
        vec![
            format!("{id}/Work#0"),
            format!("{id}/Work@1#0"),
            format!("{id}/Work@2#0")
        ]
    );
}

/// A journal whose `record` fails for chosen steps: the process "dies" before the outcome of
/// those steps is durable, like a `kill -9` between the invocation and the write.
struct CrashingJournal {
    inner: Arc<MemoryJournal>,
    crash_on: Box<dyn Fn(&StepKey) -> bool + Send + Sync>,
}

impl Journal for CrashingJournal {
    fn lookup(&self, key: &StepKey) -> Result<Option<StepOutcome>, JournalError> {
        self.inner.lookup(key)
    }
    fn record(&self, key: &StepKey, outcome: &StepOutcome) -> Result<(), JournalError> {
        if (self.crash_on)(key) {
            return Err(JournalError("killed".into()));
        }
        self.inner.record(key, outcome)
    }
}

#[test]
fn resume_after_a_crash_reuses_completed_tasks() {
    let def = json!({"StartAt": "Split", "States": {
        "Split": {"Type": "Task", "Resource": "${SplitArn}", "Next": "PerPage"},
        "PerPage": {"Type": "Map", "ItemsPath": "$.pages", "MaxConcurrency": 1, "ResultPath": "$.texts",
            "ItemProcessor": {"StartAt": "Ocr", "States": {"Ocr": {"Type": "Task", "Resource": "${OcrArn}",
                "Retry": [{"ErrorEquals": ["Ocr.Busy"], "MaxAttempts": 2}], "End": true}}},
            "Next": "Join"},
        "Join": {"Type": "Task", "Resource": "${JoinArn}", "End": true}}});
    let busy_once = Arc::new(AtomicUsize::new(0));
    let handlers = |busy: Arc<AtomicUsize>| {
        Arc::new(
            Handlers::new()
                .on("${SplitArn}", |_, _| Ok(json!({"pages": [0, 1, 2, 3]})))
                .on("${OcrArn}", move |v, _| {
                    // Page 1 is busy the first time it is ever tried.
                    if v == json!(1) && busy.fetch_add(1, Ordering::SeqCst) == 0 {
                        return Err(TaskError::new("Ocr.Busy", "try later"));
                    }
                    Ok(json!(format!("text {v}")))
                })
                .on("${JoinArn}", |v, _| {
                    Ok(json!(v["texts"].as_array().unwrap().len()))
                }),
        )
    };
    let store = Arc::new(MemoryJournal::new());
    let machine = machine(&def);
    let info = info(json!({"doc": "a.pdf"}));

    // First run: the process dies while recording page 2.
    let first = handlers(busy_once.clone());
    let crashing = Arc::new(CrashingJournal {
        inner: store.clone(),
        crash_on: Box::new(|k| k.path() == "/PerPage[2]/Ocr"),
    });
    let out = Executor::new(first.clone())
        .with_clock(asl_support::clock())
        .with_journal(crashing)
        .execute(&machine, &info);
    assert_eq!(error(&out).0, "States.Runtime");
    assert_eq!(
        first.count("${OcrArn}"),
        4,
        "pages 0, 1 (twice: busy, then ok), 2"
    );

    // Second run, same execution id and journal: only page 2 onwards is invoked.
    let second = handlers(busy_once);
    let clock = asl_support::clock();
    let out = Executor::new(second.clone())
        .with_clock(clock.clone())
        .with_journal(store.clone())
        .execute(&machine, &info);
    assert_eq!(output(&out), &json!(4));
    assert_eq!(second.count("${SplitArn}"), 0);
    let ocr_inputs: Vec<Value> = second
        .calls()
        .into_iter()
        .filter(|c| c.0 == "${OcrArn}")
        .map(|c| c.1)
        .collect();
    assert_eq!(ocr_inputs, vec![json!(2), json!(3)]);
    assert_eq!(second.count("${JoinArn}"), 1);
    assert!(
        clock.sleeps().is_empty(),
        "the replayed retry does not wait again"
    );

    // The journal holds both attempts of page 1; a third run invokes nothing.
    let keys: Vec<String> = store
        .entries()
        .into_iter()
        .map(|(k, _)| format!("{}#{}", k.path(), k.attempt()))
        .collect();
    assert!(
        keys.contains(&"/PerPage[1]/Ocr#0".to_string())
            && keys.contains(&"/PerPage[1]/Ocr#1".to_string()),
        "{keys:?}"
    );
    let third = handlers(Arc::new(AtomicUsize::new(1)));
    let out = Executor::new(third.clone())
        .with_journal(store)
        .execute(&machine, &info);
    assert_eq!(output(&out), &json!(4));
    assert!(third.calls().is_empty());
}
