//! The stack's tables as the template defines them, created in moto through the SDK.

use aws_sdk_dynamodb::types::{
    AttributeDefinition, BillingMode, GlobalSecondaryIndex, KeySchemaElement, KeyType, Projection,
    ProjectionType, ScalarAttributeType,
};

fn attr(name: &str) -> AttributeDefinition {
    AttributeDefinition::builder()
        .attribute_name(name)
        .attribute_type(ScalarAttributeType::S)
        .build()
        .unwrap()
}

fn key(name: &str, kind: KeyType) -> KeySchemaElement {
    KeySchemaElement::builder()
        .attribute_name(name)
        .key_type(kind)
        .build()
        .unwrap()
}

/// An index on `hash`, newest last (`created_at`), with every attribute projected.
fn by(index: &str, hash: &str) -> GlobalSecondaryIndex {
    GlobalSecondaryIndex::builder()
        .index_name(index)
        .key_schema(key(hash, KeyType::Hash))
        .key_schema(key("created_at", KeyType::Range))
        .projection(
            Projection::builder()
                .projection_type(ProjectionType::All)
                .build(),
        )
        .build()
        .unwrap()
}

/// The tracking table: keyed by `id`, with the `by_batch` and `by_status` indexes.
pub async fn create_tracking_table(ddb: &aws_sdk_dynamodb::Client, name: &str) {
    ddb.create_table()
        .table_name(name)
        .billing_mode(BillingMode::PayPerRequest)
        .attribute_definitions(attr("id"))
        .attribute_definitions(attr("batch_id"))
        .attribute_definitions(attr("status"))
        .attribute_definitions(attr("created_at"))
        .key_schema(key("id", KeyType::Hash))
        .global_secondary_indexes(by("by_batch", "batch_id"))
        .global_secondary_indexes(by("by_status", "status"))
        .send()
        .await
        .unwrap();
}
