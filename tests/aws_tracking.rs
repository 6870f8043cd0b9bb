//! The tracking table's DynamoDB backend against moto: updates are single conditional
//! `UpdateItem` calls, so concurrent updates of one record keep each other's details; a status
//! never moves backwards; a missing record and a repeated create are reported as before; and
//! records written before details became a Map are still read and updated.

mod common;

use std::collections::HashMap;
use std::sync::Arc;

use aws_sdk_dynamodb::types::AttributeValue;
use common::moto::{Moto, sdk_config};
use common::tables::create_tracking_table;
use idpctl::services::aws::DynamoTracking;
use idpctl::services::{StoreError, Tracking, TrackingRecord, TrackingUpdate};
use serde_json::{Value, json};

const TABLE: &str = "idp-test-tracking";

/// A client to moto and the tracking table as the template defines it (id, with the by_batch
/// and by_status indexes).
async fn setup(endpoint: &str) -> aws_sdk_dynamodb::Client {
    let ddb = aws_sdk_dynamodb::Client::new(&sdk_config(endpoint).await);
    create_tracking_table(&ddb, TABLE).await;
    ddb
}

fn record(id: &str, status: &str) -> TrackingRecord {
    TrackingRecord {
        id: id.into(),
        kind: "document".into(),
        batch_id: Some("b1".into()),
        status: status.into(),
        created_at: "2026-01-01T00:00:00.000Z".into(),
        updated_at: "2026-01-01T00:00:00.000Z".into(),
        source: Some("s3://in/a.pdf".into()),
        execution: None,
        reason: None,
        details: json!({"pages": 3}),
    }
}

fn to(status: &str, reason: &str, details: Value, at: &str) -> TrackingUpdate {
    TrackingUpdate {
        status: Some(status.into()),
        reason: Some(reason.into()),
        execution: Some(format!("arn:exec:{status}")),
        details: Some(details),
        updated_at: at.into(),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_updates_keep_every_details_key() {
    let Some(moto) = Moto::start() else { return };
    let tracking = Arc::new(DynamoTracking::new(setup(&moto.endpoint).await, TABLE));
    assert!(tracking.create(&record("d1", "QUEUED")).await.unwrap());
    let writers: Vec<_> = ["a", "b"]
        .into_iter()
        .map(|writer| {
            let tracking = tracking.clone();
            tokio::spawn(async move {
                for i in 0..25 {
                    let update = TrackingUpdate {
                        details: Some(json!({ format!("{writer}{i}"): i })),
                        updated_at: format!("2026-01-01T00:00:{i:02}.000Z"),
                        ..Default::default()
                    };
                    tracking.update("d1", &update).await.unwrap();
                }
            })
        })
        .collect();
    for w in writers {
        w.await.unwrap();
    }
    let r = tracking.get("d1").await.unwrap().unwrap();
    let details = r.details.as_object().unwrap();
    for writer in ["a", "b"] {
        for i in 0..25 {
            assert_eq!(
                details.get(&format!("{writer}{i}")),
                Some(&json!(i)),
                "{r:?}"
            );
        }
    }
    assert_eq!(details.len(), 51, "50 keys and the created `pages`");
    assert_eq!(r.status, "QUEUED");
}

#[tokio::test]
async fn a_status_never_moves_backwards_but_the_rest_applies() {
    let Some(moto) = Moto::start() else { return };
    let tracking = DynamoTracking::new(setup(&moto.endpoint).await, TABLE);
    tracking.create(&record("d1", "QUEUED")).await.unwrap();
    let done = to("COMPLETED", "done", json!({"result": "s3://out/d1"}), "t1");
    tracking.update("d1", &done).await.unwrap();
    let late = to("RUNNING", "retrying", json!({"attempt": 2}), "t2");
    tracking.update("d1", &late).await.unwrap();

    let r = tracking.get("d1").await.unwrap().unwrap();
    assert_eq!(r.status, "COMPLETED");
    assert_eq!(r.reason.as_deref(), Some("done"));
    assert_eq!(r.execution.as_deref(), Some("arn:exec:RUNNING"));
    assert_eq!(r.updated_at, "t2");
    assert_eq!(
        r.details,
        json!({"pages": 3, "result": "s3://out/d1", "attempt": 2})
    );
    assert_eq!(tracking.by_status("COMPLETED").await.unwrap().len(), 1);
    assert!(tracking.by_status("RUNNING").await.unwrap().is_empty());

    // The terminal statuses may replace each other.
    let failed = to("FAILED", "hook failed", json!({}), "t3");
    tracking.update("d1", &failed).await.unwrap();
    let r = tracking.get("d1").await.unwrap().unwrap();
    assert_eq!(
        (r.status.as_str(), r.reason.as_deref()),
        ("FAILED", Some("hook failed"))
    );
    assert_eq!(tracking.by_batch("b1").await.unwrap()[0].status, "FAILED");
}

#[tokio::test]
async fn updating_a_missing_record_is_a_permanent_error() {
    let Some(moto) = Moto::start() else { return };
    let tracking = DynamoTracking::new(setup(&moto.endpoint).await, TABLE);
    for update in [
        TrackingUpdate::default(),
        to("RUNNING", "r", json!({"a": 1}), "t1"),
    ] {
        match tracking.update("nope", &update).await {
            Err(StoreError::Permanent(m)) => {
                assert_eq!(m, "tracking record nope does not exist")
            }
            other => panic!("expected the missing record, got {other:?}"),
        }
    }
    assert_eq!(
        tracking.get("nope").await.unwrap(),
        None,
        "no item appeared"
    );
}

#[tokio::test]
async fn a_second_create_returns_false() {
    let Some(moto) = Moto::start() else { return };
    let tracking = DynamoTracking::new(setup(&moto.endpoint).await, TABLE);
    assert!(tracking.create(&record("d1", "QUEUED")).await.unwrap());
    let mut again = record("d1", "RUNNING");
    again.details = json!({"other": true});
    assert!(!tracking.create(&again).await.unwrap());
    let r = tracking.get("d1").await.unwrap().unwrap();
    assert_eq!(r, record("d1", "QUEUED"));
}

#[tokio::test]
async fn records_from_before_the_map_form_are_read_and_updated() {
    let Some(moto) = Moto::start() else { return };
    let ddb = setup(&moto.endpoint).await;
    // As the read-then-write version stored them: details as JSON text, no status_rank.
    let s = |v: &str| AttributeValue::S(v.into());
    let old = |id: &str, status: &str| -> HashMap<String, AttributeValue> {
        HashMap::from([
            ("id".into(), s(id)),
            ("kind".into(), s("document")),
            ("batch_id".into(), s("b1")),
            ("status".into(), s(status)),
            ("created_at".into(), s("t0")),
            ("updated_at".into(), s("t0")),
            ("details".into(), s(r#"{"pages":3}"#)),
        ])
    };
    for (id, status) in [("done", "COMPLETED"), ("queued", "QUEUED")] {
        ddb.put_item()
            .table_name(TABLE)
            .set_item(Some(old(id, status)))
            .send()
            .await
            .unwrap();
    }
    let tracking = DynamoTracking::new(ddb.clone(), TABLE);
    assert_eq!(
        tracking.get("done").await.unwrap().unwrap().details,
        json!({"pages": 3})
    );

    let late = to("RUNNING", "late", json!({"a": 1}), "t1");
    tracking.update("done", &late).await.unwrap();
    let r = tracking.get("done").await.unwrap().unwrap();
    assert_eq!((r.status.as_str(), r.reason), ("COMPLETED", None));
    assert_eq!(r.details, json!({"pages": 3, "a": 1}));
    tracking.update("queued", &late).await.unwrap();
    let r = tracking.get("queued").await.unwrap().unwrap();
    assert_eq!(r.status, "RUNNING");
    assert_eq!(r.details, json!({"pages": 3, "a": 1}));

    // Both are Maps now, and the updated one has its rank.
    let item = ddb
        .get_item()
        .table_name(TABLE)
        .key("id", s("queued"))
        .send()
        .await
        .unwrap()
        .item
        .unwrap();
    assert!(item["details"].is_m(), "{item:?}");
    assert_eq!(item["status_rank"], AttributeValue::N("1".into()));
}

/// What `status` reads for the documents' usage: completed documents only (no uploads), newest
/// first, from `since`, at most `max`, saying when it stopped at the cap; the metering `finalize`
/// sets as one details key comes back with its numbers.
#[tokio::test]
async fn recent_documents_are_bounded_by_time_and_count() {
    let Some(moto) = Moto::start() else { return };
    let tracking = DynamoTracking::new(setup(&moto.endpoint).await, TABLE);
    for day in 1..=5 {
        let mut r = record(&format!("d{day}"), "COMPLETED");
        r.created_at = format!("2026-01-0{day}T00:00:00.000Z");
        tracking.create(&r).await.unwrap();
        let metering = json!({"metering": {"Extraction/bedrock/amazon.nova-lite-v1:0":
            {"inputTokens": 1000.0 * f64::from(day), "outputTokens": 10.5}}});
        tracking
            .update(
                &r.id,
                &TrackingUpdate {
                    details: Some(metering),
                    updated_at: r.created_at.clone(),
                    ..Default::default()
                },
            )
            .await
            .unwrap();
    }
    let mut upload = record("u1", "COMPLETED");
    upload.kind = "upload".into();
    upload.created_at = "2026-01-09T00:00:00.000Z".into();
    tracking.create(&upload).await.unwrap();
    tracking.create(&record("f1", "FAILED")).await.unwrap();

    let (all, truncated) = tracking
        .recent_documents("COMPLETED", None, 100)
        .await
        .unwrap();
    let ids: Vec<&str> = all.iter().map(|r| r.id.as_str()).collect();
    assert_eq!(
        (ids, truncated),
        (vec!["d5", "d4", "d3", "d2", "d1"], false)
    );
    let m = &all[0].details["metering"]["Extraction/bedrock/amazon.nova-lite-v1:0"];
    assert_eq!(m["inputTokens"].as_f64(), Some(5000.0));
    assert_eq!(m["outputTokens"].as_f64(), Some(10.5));
    assert_eq!(all[0].details["pages"], 3, "the other details keys stay");

    let (since, truncated) = tracking
        .recent_documents("COMPLETED", Some("2026-01-03T00:00:00.000Z"), 100)
        .await
        .unwrap();
    assert_eq!((since.len(), truncated), (3, false));
    let (capped, truncated) = tracking
        .recent_documents("COMPLETED", None, 2)
        .await
        .unwrap();
    let ids: Vec<&str> = capped.iter().map(|r| r.id.as_str()).collect();
    assert_eq!((ids, truncated), (vec!["d5", "d4"], true));
    let (exact, truncated) = tracking
        .recent_documents("COMPLETED", None, 5)
        .await
        .unwrap();
    assert_eq!((exact.len(), truncated), (5, false));
}
