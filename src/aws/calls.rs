//! Counts the AWS requests a piece of code makes, and which of them were refused: an SDK
//! interceptor shared by every client of one function. The cloud rehearsal prints these per
//! function (how many calls each role made, how many were denied), and they are what a document
//! costs in requests.

use std::sync::{Arc, Mutex};

use aws_smithy_runtime_api::box_error::BoxError;
use aws_smithy_runtime_api::client::interceptors::Intercept;
use aws_smithy_runtime_api::client::interceptors::context::FinalizerInterceptorContextRef;
use aws_smithy_runtime_api::client::orchestrator::Metadata;
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_types::config_bag::ConfigBag;

/// One HTTP attempt: retries count, as AWS bills them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Call {
    pub service: String,
    pub operation: String,
    /// `None` when no response came back (connection refused, timeout).
    pub status: Option<u16>,
}

impl Call {
    /// Refused by IAM (or a resource policy): AWS answers 403 for both.
    pub fn denied(&self) -> bool {
        self.status == Some(403)
    }
}

/// The requests made through the clients this log was attached to; clones share one list.
#[derive(Debug, Clone, Default)]
pub struct CallLog(Arc<Mutex<Vec<Call>>>);

impl CallLog {
    pub fn calls(&self) -> Vec<Call> {
        self.0.lock().map(|c| c.clone()).unwrap_or_default()
    }

    pub fn len(&self) -> usize {
        self.0.lock().map(|c| c.len()).unwrap_or(0)
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub fn denied(&self) -> Vec<Call> {
        self.calls().into_iter().filter(Call::denied).collect()
    }

    fn push(&self, call: Call) {
        if let Ok(mut calls) = self.0.lock() {
            calls.push(call);
        }
    }
}

impl Intercept for CallLog {
    fn name(&self) -> &'static str {
        "idpctl::aws::calls::CallLog"
    }

    fn read_after_attempt(
        &self,
        context: &FinalizerInterceptorContextRef<'_>,
        _components: &RuntimeComponents,
        cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        let (service, operation) = cfg
            .load::<Metadata>()
            .map(|m| (m.service().to_string(), m.name().to_string()))
            .unwrap_or_else(|| ("unknown".into(), "unknown".into()));
        self.push(Call {
            service,
            operation,
            status: context.response().map(|r| r.status().as_u16()),
        });
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clones_share_the_log_and_403_is_denied() {
        let log = CallLog::default();
        let other = log.clone();
        other.push(Call {
            service: "dynamodb".into(),
            operation: "PutItem".into(),
            status: Some(403),
        });
        log.push(Call {
            service: "s3".into(),
            operation: "GetObject".into(),
            status: Some(200),
        });
        assert_eq!(log.len(), 2);
        assert_eq!(log.denied().len(), 1);
        assert_eq!(log.denied()[0].operation, "PutItem");
    }
}
