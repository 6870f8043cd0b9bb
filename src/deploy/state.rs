//! The decision table: what a deploy must do first, given the stack's current status. Pure, so
//! every CloudFormation status is pinned by a test without an AWS account.

use serde::Serialize;

/// What to do before (or instead of) creating a change set.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum Decision {
    /// No stack (or only the placeholder a CREATE change set leaves): a CREATE change set.
    Create,
    /// A stable stack: an UPDATE change set.
    Update,
    /// The first create failed; such a stack cannot be updated, only deleted and made again.
    Recreate { status: String },
    /// An update's rollback failed; CloudFormation can be asked to continue it.
    ContinueRollback { status: String },
    /// Another operation is running; wait for it and decide again.
    Wait { status: String },
    /// Nothing idpctl can safely do on its own.
    Refuse { status: String, hint: String },
}

/// The table itself. `None` means no stack by that name.
pub fn decide(status: Option<&str>) -> Decision {
    let Some(status) = status else {
        return Decision::Create;
    };
    let owned = || status.to_string();
    match status {
        "DELETE_COMPLETE" | "REVIEW_IN_PROGRESS" => Decision::Create,
        "CREATE_COMPLETE" | "UPDATE_COMPLETE" | "UPDATE_ROLLBACK_COMPLETE" | "IMPORT_COMPLETE"
        | "IMPORT_ROLLBACK_COMPLETE" => Decision::Update,
        // With rollback disabled a failed update stays UPDATE_FAILED, and may be updated again.
        "UPDATE_FAILED" => Decision::Update,
        "ROLLBACK_COMPLETE" | "ROLLBACK_FAILED" | "CREATE_FAILED" => Decision::Recreate { status: owned() },
        "UPDATE_ROLLBACK_FAILED" => Decision::ContinueRollback { status: owned() },
        "DELETE_FAILED" => Decision::Refuse {
            status: owned(),
            hint: "a delete failed half-way: fix what blocked it (see `idpctl status`), then run `idpctl destroy` again"
                .into(),
        },
        s if s.ends_with("_IN_PROGRESS") => Decision::Wait { status: owned() },
        _ => Decision::Refuse {
            status: owned(),
            hint: "look at the stack in the CloudFormation console and settle it before deploying".into(),
        },
    }
}

/// Whether CloudFormation is done with the stack for now.
pub fn is_settled(status: &str) -> bool {
    !status.ends_with("_IN_PROGRESS")
}

/// Whether a settled status means the last operation did what was asked.
pub fn is_success(status: &str) -> bool {
    matches!(
        status,
        "CREATE_COMPLETE" | "UPDATE_COMPLETE" | "DELETE_COMPLETE" | "IMPORT_COMPLETE"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_status_has_a_decision() {
        let table: &[(Option<&str>, &str)] = &[
            (None, "create"),
            (Some("REVIEW_IN_PROGRESS"), "create"),
            (Some("DELETE_COMPLETE"), "create"),
            (Some("CREATE_COMPLETE"), "update"),
            (Some("UPDATE_COMPLETE"), "update"),
            (Some("UPDATE_ROLLBACK_COMPLETE"), "update"),
            (Some("IMPORT_COMPLETE"), "update"),
            (Some("IMPORT_ROLLBACK_COMPLETE"), "update"),
            (Some("UPDATE_FAILED"), "update"),
            (Some("ROLLBACK_COMPLETE"), "recreate"),
            (Some("ROLLBACK_FAILED"), "recreate"),
            (Some("CREATE_FAILED"), "recreate"),
            (Some("UPDATE_ROLLBACK_FAILED"), "continue_rollback"),
            (Some("CREATE_IN_PROGRESS"), "wait"),
            (Some("UPDATE_IN_PROGRESS"), "wait"),
            (Some("UPDATE_COMPLETE_CLEANUP_IN_PROGRESS"), "wait"),
            (Some("UPDATE_ROLLBACK_IN_PROGRESS"), "wait"),
            (Some("UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS"), "wait"),
            (Some("ROLLBACK_IN_PROGRESS"), "wait"),
            (Some("DELETE_IN_PROGRESS"), "wait"),
            (Some("IMPORT_IN_PROGRESS"), "wait"),
            (Some("IMPORT_ROLLBACK_IN_PROGRESS"), "wait"),
            (Some("DELETE_FAILED"), "refuse"),
            (Some("IMPORT_ROLLBACK_FAILED"), "refuse"),
        ];
        for (status, want) in table {
            let got = serde_json::to_value(decide(*status)).unwrap();
            assert_eq!(got["action"], *want, "{status:?}");
        }
    }

    #[test]
    fn settled_and_success() {
        assert!(!is_settled("UPDATE_IN_PROGRESS"));
        assert!(!is_settled("REVIEW_IN_PROGRESS"));
        assert!(is_settled("UPDATE_ROLLBACK_COMPLETE"));
        assert!(is_success("UPDATE_COMPLETE"));
        assert!(!is_success("UPDATE_ROLLBACK_COMPLETE"));
        assert!(!is_success("ROLLBACK_COMPLETE"));
    }
}
