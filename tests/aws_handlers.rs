//! The handlers' AWS backend, through the real binary started as the `intake` Lambda (default
//! backend) against moto's S3, DynamoDB and Step Functions: the upload is recorded with a
//! conditional write and exactly one execution is started, however often the event repeats.

mod common;

use common::moto::{Moto, sdk_config};
use common::runtime_api::RuntimeApi;
use common::tables::create_tracking_table;
use common::{command, root, run_cmd};
use serde_json::{Value, json};

const TABLE: &str = "idp-test-tracking";
const BUCKET: &str = "idp-dev-input-123456789012";

async fn setup(endpoint: &str) -> String {
    let config = sdk_config(endpoint).await;
    create_tracking_table(&aws_sdk_dynamodb::Client::new(&config), TABLE).await;
    let s3 = aws_sdk_s3::Client::from_conf(
        aws_sdk_s3::config::Builder::from(&config)
            .force_path_style(true)
            .build(),
    );
    s3.create_bucket().bucket(BUCKET).send().await.unwrap();
    let sfn = aws_sdk_sfn::Client::new(&config);
    let machine = sfn
        .create_state_machine()
        .name("idp-test")
        .role_arn("arn:aws:iam::123456789012:role/idp-test")
        .definition(r#"{"StartAt":"Done","States":{"Done":{"Type":"Succeed"}}}"#)
        .send()
        .await
        .unwrap();
    machine.state_machine_arn().to_string()
}

#[test]
fn intake_records_the_upload_and_starts_one_execution_in_aws() {
    let Some(moto) = Moto::start() else { return };
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let machine = rt.block_on(setup(&moto.endpoint));

    let event: Value = serde_json::from_str(
        &std::fs::read_to_string(
            root().join("tests/fixtures/events/s3-object-created.eventbridge.json"),
        )
        .unwrap(),
    )
    .unwrap();
    let api = RuntimeApi::start(vec![event.clone(), event]);
    let mut cmd = command();
    for (k, v) in moto.env() {
        cmd.env(k, v);
    }
    cmd.env("AWS_LAMBDA_RUNTIME_API", &api.addr)
        .env("AWS_LAMBDA_FUNCTION_NAME", "idp-test-intake")
        .env("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "256")
        .env("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST")
        .env("_HANDLER", "intake")
        .env("INPUT_BUCKET", BUCKET)
        .env("OUTPUT_BUCKET", "idp-test-output")
        .env("WORKING_BUCKET", "idp-test-working")
        .env("TRACKING_TABLE", TABLE)
        .env("STATE_MACHINE_ARN", &machine);
    let run = run_cmd(cmd);
    let replies = api.join();
    assert_eq!(replies.len(), 2, "{replies:#?}\n{}", run.stderr);
    assert_eq!(replies[0].kind, "response", "{:#?}", replies[0]);
    assert_eq!(replies[0].body["uploads"][0]["new"], true);
    let execution = replies[0].body["uploads"][0]["execution"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(
        execution.starts_with("arn:aws:states:us-east-1:123456789012:execution:idp-test:u-"),
        "{execution}"
    );
    assert_eq!(
        replies[1].body["uploads"][0]["new"], false,
        "{:#?}",
        replies[1]
    );

    rt.block_on(async {
        let config = sdk_config(&moto.endpoint).await;
        let ddb = aws_sdk_dynamodb::Client::new(&config);
        let items = ddb.scan().table_name(TABLE).send().await.unwrap();
        assert_eq!(items.count(), 1);
        let item = &items.items()[0];
        assert_eq!(item["status"].as_s().unwrap(), "RUNNING");
        assert_eq!(item["execution"].as_s().unwrap(), &execution);
        let sfn = aws_sdk_sfn::Client::new(&config);
        let executions = sfn
            .list_executions()
            .state_machine_arn(&machine)
            .send()
            .await
            .unwrap();
        assert_eq!(executions.executions().len(), 1, "exactly one execution");
        let _ = json!({});
    });
}
