//! The configuration versions' DynamoDB store against moto: the stack's `ConfigurationTable`
//! (hash key `id`, nothing else) and a working bucket. Pushes are numbered 1, 2, 3… and never
//! collide, even concurrently; a body over the item limit lives in the working bucket under
//! `config/versions/` and reads back equal; activating a missing version names the highest one.

mod common;

use std::sync::Arc;

use aws_sdk_dynamodb::types::{
    AttributeDefinition, AttributeValue, BillingMode, KeySchemaElement, KeyType,
    ScalarAttributeType,
};
use common::moto::Moto;
use idpctl::services::aws::S3Objects;
use idpctl::services::config_store::INLINE_BODY_LIMIT;
use idpctl::services::{
    CONFIG_OBJECT_PREFIX, ConfigStore, DynamoConfigStore, NewVersion, ObjectStore, Origin,
    StoreError,
};
use serde_json::{Value, json};

const TABLE: &str = "idp-test-configuration";
const BUCKET: &str = "idp-test-working";

struct Stack {
    store: Arc<DynamoConfigStore>,
    ddb: aws_sdk_dynamodb::Client,
    objects: Arc<dyn ObjectStore>,
}

/// The configuration table as `templates/storage.yaml.hbs` defines it, a working bucket, and the
/// store on both.
async fn setup(endpoint: &str) -> Stack {
    let config = aws_config::defaults(aws_config::BehaviorVersion::latest())
        .endpoint_url(endpoint)
        .region(aws_config::Region::new("us-east-1"))
        .credentials_provider(aws_sdk_dynamodb::config::Credentials::new(
            "testing", "testing", None, None, "test",
        ))
        .load()
        .await;
    let ddb = aws_sdk_dynamodb::Client::new(&config);
    ddb.create_table()
        .table_name(TABLE)
        .billing_mode(BillingMode::PayPerRequest)
        .attribute_definitions(
            AttributeDefinition::builder()
                .attribute_name("id")
                .attribute_type(ScalarAttributeType::S)
                .build()
                .unwrap(),
        )
        .key_schema(
            KeySchemaElement::builder()
                .attribute_name("id")
                .key_type(KeyType::Hash)
                .build()
                .unwrap(),
        )
        .send()
        .await
        .unwrap();
    let s3 = aws_sdk_s3::Client::from_conf(
        aws_sdk_s3::config::Builder::from(&config)
            .force_path_style(true)
            .build(),
    );
    s3.create_bucket().bucket(BUCKET).send().await.unwrap();
    let objects: Arc<dyn ObjectStore> = Arc::new(S3Objects::new(s3));
    let store = Arc::new(DynamoConfigStore::new(
        ddb.clone(),
        TABLE.into(),
        objects.clone(),
        BUCKET.into(),
    ));
    Stack {
        store,
        ddb,
        objects,
    }
}

fn new(by: &str) -> NewVersion {
    NewVersion {
        pushed_by: by.into(),
        origin: Origin::Push,
        sources: vec!["classes/w2.yaml".into()],
        description: Some("W-2 only".into()),
    }
}

/// A body whose canonical JSON is over the inline limit.
fn large_body() -> Value {
    let classes: Vec<Value> = (0..3000)
        .map(|i| json!({"name": format!("class-{i:04}"), "description": "x".repeat(100)}))
        .collect();
    json!({"classes": classes})
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn push_get_list_and_activate() {
    let Some(moto) = Moto::start() else { return };
    let Stack { store, ddb, .. } = setup(&moto.endpoint).await;

    assert_eq!(store.active().await.unwrap(), None);
    assert!(store.list().await.unwrap().is_empty());
    assert_eq!(store.get(1).await.unwrap(), None);
    let err = store.activate(1, "ana").await.unwrap_err();
    assert!(matches!(err, StoreError::Permanent(_)), "{err:?}");
    assert_eq!(
        err.to_string(),
        "configuration version 1 does not exist (no version has been pushed)"
    );

    let body1 = json!({"classes": [{"name": "W2", "fields": ["wages"]}], "threshold": 0.8});
    let body2 = json!({"classes": []});
    let v1 = store.push(&body1, new("ana")).await.unwrap();
    let v2 = store
        .push(
            &body2,
            NewVersion {
                origin: Origin::Deploy,
                sources: vec![],
                description: None,
                ..new("deploy")
            },
        )
        .await
        .unwrap();
    assert_eq!((v1.version, v2.version), (1, 2));

    let got = store.get(1).await.unwrap().unwrap();
    assert_eq!((got.meta, got.body), (v1.clone(), body1.clone()));
    let got = store.get(2).await.unwrap().unwrap();
    assert_eq!((got.meta, got.body), (v2.clone(), body2));
    assert_eq!(store.get(3).await.unwrap(), None);

    // Equal bodies hash alike whatever their key order.
    let reordered: Value = serde_json::from_str(
        r#"{"threshold": 0.8, "classes": [{"fields": ["wages"], "name": "W2"}]}"#,
    )
    .unwrap();
    let v3 = store.push(&reordered, new("bo")).await.unwrap();
    assert_eq!((v3.version, &v3.sha256), (3, &v1.sha256));

    assert_eq!(store.list().await.unwrap(), [v1, v2, v3]);

    let err = store.activate(9, "ana").await.unwrap_err();
    assert_eq!(
        err.to_string(),
        "configuration version 9 does not exist (the highest is 3)"
    );
    assert_eq!(store.active().await.unwrap(), None);
    let a = store.activate(2, "ana").await.unwrap();
    assert_eq!((a.version, a.activated_by.as_str()), (2, "ana"));
    assert_eq!(store.active().await.unwrap(), Some(a));
    let b = store.activate(1, "bo").await.unwrap();
    assert_eq!(store.active().await.unwrap(), Some(b));

    // The layout the template's table holds: versions, the counter and the pointer.
    let item = get_item(&ddb, "version#0000000001").await;
    let item = item.item().unwrap();
    assert!(item["body"].is_s() && !item.contains_key("body_key"));
    assert_eq!(item["origin"], AttributeValue::S("push".into()));
    let counter = get_item(&ddb, "counter").await;
    assert_eq!(
        counter.item().unwrap()["latest"],
        AttributeValue::N("3".into())
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_large_body_lives_in_the_working_bucket() {
    let Some(moto) = Moto::start() else { return };
    let Stack {
        store,
        ddb,
        objects,
    } = setup(&moto.endpoint).await;
    let body = large_body();
    store
        .push(&json!({"small": true}), new("ana"))
        .await
        .unwrap();
    let v = store.push(&body, new("ana")).await.unwrap();
    assert_eq!(v.version, 2);
    assert!(
        v.size_bytes as usize > INLINE_BODY_LIMIT,
        "{}",
        v.size_bytes
    );

    let key = format!("{CONFIG_OBJECT_PREFIX}versions/0000000002.json");
    assert_eq!(
        objects.list(BUCKET, CONFIG_OBJECT_PREFIX).await.unwrap(),
        [key.as_str()]
    );
    let item = get_item(&ddb, "version#0000000002").await;
    let item = item.item().unwrap();
    assert_eq!(item["body_key"], AttributeValue::S(key.clone()));
    assert!(!item.contains_key("body"));

    let got = store.get(2).await.unwrap().unwrap();
    assert_eq!(got.body, body);
    assert_eq!(got.meta, v);
    // list reads metadata only, the same for both kinds of item.
    assert_eq!(store.list().await.unwrap()[1], v);

    // A body object that no longer matches its version is reported, not returned.
    objects
        .put(
            BUCKET,
            &key,
            b"{\"classes\":[]}".to_vec(),
            "application/json",
        )
        .await
        .unwrap();
    let err = store.get(2).await.unwrap_err().to_string();
    assert!(
        err.starts_with(&format!(
            "configuration version 2: the body in s3://{BUCKET}/{key} has sha256 "
        )),
        "{err}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_pushes_get_distinct_versions() {
    let Some(moto) = Moto::start() else { return };
    let Stack { store, .. } = setup(&moto.endpoint).await;
    let pushers: Vec<_> = (0..2)
        .map(|p| {
            let store = store.clone();
            tokio::spawn(async move {
                let mut versions = Vec::new();
                for i in 0..10 {
                    let body = json!({"pusher": p, "i": i});
                    versions.push(store.push(&body, new("ci")).await.unwrap().version);
                }
                versions
            })
        })
        .collect();
    let mut all = Vec::new();
    for p in pushers {
        all.extend(p.await.unwrap());
    }
    all.sort();
    assert_eq!(all, (1..=20).collect::<Vec<u64>>());
    let listed: Vec<u64> = store
        .list()
        .await
        .unwrap()
        .iter()
        .map(|v| v.version)
        .collect();
    assert_eq!(listed, all);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_counter_that_fell_behind_never_overwrites_a_version() {
    let Some(moto) = Moto::start() else { return };
    let Stack {
        store,
        ddb,
        objects,
    } = setup(&moto.endpoint).await;
    let small = store.push(&json!({"n": 1}), new("ana")).await.unwrap();
    let large = store.push(&large_body(), new("ana")).await.unwrap();
    let key = format!("{CONFIG_OBJECT_PREFIX}versions/0000000002.json");
    let before = objects.get(BUCKET, &key).await.unwrap();
    ddb.delete_item()
        .table_name(TABLE)
        .key("id", AttributeValue::S("counter".into()))
        .send()
        .await
        .unwrap();

    let next = store.push(&large_body(), new("bo")).await.unwrap();
    assert_eq!(next.version, 3);
    assert_eq!(objects.get(BUCKET, &key).await.unwrap(), before);
    assert_eq!(store.get(1).await.unwrap().unwrap().meta, small);
    assert_eq!(store.get(2).await.unwrap().unwrap().meta, large);
    assert_eq!(store.list().await.unwrap().len(), 3);
}

/// One item of the table, as DynamoDB returns it.
async fn get_item(
    ddb: &aws_sdk_dynamodb::Client,
    id: &str,
) -> aws_sdk_dynamodb::operation::get_item::GetItemOutput {
    ddb.get_item()
        .table_name(TABLE)
        .key("id", AttributeValue::S(id.into()))
        .send()
        .await
        .unwrap()
}
