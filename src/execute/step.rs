//! What every service's executor shares: what a step returns, how an SDK error becomes a
//! step error, and the one way to wait for AWS to finish a change.

use std::time::Duration;

pub enum Done {
    Applied(Option<String>),
    Satisfied(Option<String>),
}

pub enum StepError {
    /// The live target is not what the plan expected.
    Drift(String),
    Failed(String),
}

pub type StepResult = Result<Done, StepError>;

pub(super) fn fail<E: std::fmt::Display>(operation: &'static str) -> impl FnOnce(E) -> StepError {
    move |error| StepError::Failed(format!("{operation}: {error}"))
}

pub(super) fn sdk_fail<E, R>(
    operation: &'static str,
) -> impl FnOnce(aws_sdk_ec2::error::SdkError<E, R>) -> StepError
where
    E: aws_sdk_ec2::error::ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
    R: std::fmt::Debug + Send + Sync + 'static,
{
    move |error| {
        let failure = crate::collect::failed(operation)(error);
        StepError::Failed(failure.to_string())
    }
}

/// A failed read-back of the resource a step changes: AWS's `not_found` code means it is
/// gone since the plan (`Drift`, naming `what`), anything else is a failure.
pub(super) fn gone_or_fail<E, R>(
    operation: &'static str,
    not_found: &'static str,
    what: impl FnOnce() -> String,
) -> impl FnOnce(aws_sdk_ec2::error::SdkError<E, R>) -> StepError
where
    E: aws_sdk_ec2::error::ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
    R: std::fmt::Debug + Send + Sync + 'static,
{
    move |error| {
        let failure = crate::collect::failed(operation)(error);
        if failure.code == not_found {
            StepError::Drift(format!("{} no longer exists", what()))
        } else {
            StepError::Failed(failure.to_string())
        }
    }
}

/// How often, and for how long, a step reads a resource back while AWS changes it.
#[derive(Debug, Clone, Copy)]
pub struct Patience {
    pub every: Duration,
    pub within: Duration,
}

impl Patience {
    /// Instances, AMIs, NAT gateways and new databases.
    pub const RESOURCE: Patience = Patience {
        every: Duration::from_secs(5),
        within: Duration::from_secs(1800),
    };
    /// A DB modification: a Multi-AZ standby or a cluster reader takes minutes on real RDS
    /// (moto changes at once).
    pub const DATABASE: Patience = Patience {
        every: Duration::from_secs(15),
        within: Duration::from_secs(3600),
    };
}

/// Reads with `check` until it returns `Some`; `None` once `patience.within` has passed.
/// The one polling loop of the executor (tokio's clock, so tests can pause it). `check` is
/// a closure returning a future rather than an async closure: the futures must be `Send`.
pub(super) async fn poll<T, F, Fut>(
    patience: Patience,
    mut check: F,
) -> Result<Option<T>, StepError>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<Option<T>, StepError>>,
{
    let deadline = tokio::time::Instant::now() + patience.within;
    loop {
        if let Some(value) = check().await? {
            return Ok(Some(value));
        }
        if tokio::time::Instant::now() >= deadline {
            return Ok(None);
        }
        tokio::time::sleep(patience.every).await;
    }
}

/// [`poll`], failing the step with "`what` did not settle within … s" when it gives up.
pub(super) async fn settle<T, F, Fut>(
    what: &str,
    patience: Patience,
    check: F,
) -> Result<T, StepError>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<Option<T>, StepError>>,
{
    poll(patience, check).await?.ok_or_else(|| {
        StepError::Failed(format!(
            "{what} did not settle within {} s",
            patience.within.as_secs()
        ))
    })
}
