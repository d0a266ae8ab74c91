//! Collection: reads a live AWS account into an [`Inventory`].
//!
//! This module and `crate::execute` are the only places that know the AWS SDK. Collection is
//! split into independent *units* (one chain of paginated describe calls each, e.g. "EC2
//! security groups in eu-west-1"); units of every service and region run concurrently, with a
//! bound. A unit that fails (AccessDenied, a region that is switched off, …) becomes a
//! [`CollectorWarning`] and the others go on; only failing to identify the account at all is
//! fatal, because then nothing can be trusted.
//!
//! Throttling is handled by the SDK's standard retry strategy (exponential back-off with
//! jitter), configured once in [`AwsOptions::load`].

/// A client of `$sdk` in us-east-1 that only the `aws_smithy_mocks` rule `$rule` answers:
/// what the collectors' unit tests inject AWS's answers with.
#[cfg(test)]
macro_rules! answering {
    ($sdk:ident, $rule:expr) => {
        $sdk::Client::from_conf(
            $sdk::Config::builder()
                .behavior_version($sdk::config::BehaviorVersion::latest())
                .region($sdk::config::Region::new("us-east-1"))
                .credentials_provider($sdk::config::Credentials::for_tests())
                .http_client(aws_smithy_mocks::create_mock_http_client())
                .interceptor(aws_smithy_mocks::MockResponseInterceptor::new().with_rule($rule))
                .build(),
        )
    };
}

pub mod accounts;
pub(crate) mod autoscaling;
mod cloudfront;
mod cloudwatch;
mod ec2;
mod elb;
mod elbv2;
mod rds;
mod route53;
mod sns;

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use aws_config::retry::RetryConfig;
use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_sdk_ec2::error::{ProvideErrorMetadata, SdkError};
use futures::StreamExt;

use crate::inventory::{CollectorWarning, GLOBAL_REGION, Inventory};

/// How many collection units run at once. AWS rate limits are per API, so this mostly bounds
/// open connections and memory; 16 keeps every service of two regions in flight.
const CONCURRENT_UNITS: usize = 16;

/// Attempts per request (first try included) before a throttled call is given up.
const MAX_ATTEMPTS: u32 = 6;

#[derive(Debug, thiserror::Error)]
pub enum CollectError {
    #[error("no AWS region: pass `--region` or set `AWS_REGION` or a region in your AWS profile")]
    NoRegion,
    #[error("cannot identify the AWS account ({code}): {message}")]
    Identity { code: String, message: String },
    #[error(
        "no AWS credentials found: set `AWS_PROFILE` (or `--profile`), `AWS_ACCESS_KEY_ID` and `AWS_SECRET_ACCESS_KEY`, or run `aws sso login`; to try hacheck without an account: `hacheck scan --example single-server`"
    )]
    NoCredentials,
    #[error("unknown region `{given}`: did you mean `{suggestion}`?")]
    UnknownRegion { given: String, suggestion: String },
}

/// AWS's commercial regions (2026), for suggestions only: a name close to one of these and
/// not itself one is a typo; a region AWS opens later is far from them all and passes.
const KNOWN_REGIONS: &[&str] = &[
    "af-south-1",
    "ap-east-1",
    "ap-east-2",
    "ap-northeast-1",
    "ap-northeast-2",
    "ap-northeast-3",
    "ap-south-1",
    "ap-south-2",
    "ap-southeast-1",
    "ap-southeast-2",
    "ap-southeast-3",
    "ap-southeast-4",
    "ap-southeast-5",
    "ap-southeast-6",
    "ap-southeast-7",
    "ca-central-1",
    "ca-west-1",
    "eu-central-1",
    "eu-central-2",
    "eu-north-1",
    "eu-south-1",
    "eu-south-2",
    "eu-west-1",
    "eu-west-2",
    "eu-west-3",
    "il-central-1",
    "me-central-1",
    "me-south-1",
    "mx-central-1",
    "sa-east-1",
    "us-east-1",
    "us-east-2",
    "us-west-1",
    "us-west-2",
    "us-gov-east-1",
    "us-gov-west-1",
    "cn-north-1",
    "cn-northwest-1",
];

/// The known region `given` is a typo of (at most two edits away), if it is not one itself.
fn misspelt_region(given: &str) -> Option<&'static str> {
    if KNOWN_REGIONS.contains(&given) || well_formed_region(given) {
        return None;
    }
    KNOWN_REGIONS
        .iter()
        .map(|known| (edit_distance(given, known), *known))
        .filter(|(distance, _)| *distance <= 2)
        .min()
        .map(|(_, known)| known)
}

/// `eu-west-4`: a known area prefix, a known direction and a number, as AWS names a region it
/// opens (so that a new region is never taken for a typo).
fn well_formed_region(name: &str) -> bool {
    const DIRECTIONS: &[&str] = &[
        "east",
        "west",
        "north",
        "south",
        "central",
        "northeast",
        "northwest",
        "southeast",
        "southwest",
    ];
    let parts: Vec<&str> = name.split('-').collect();
    let (area, rest) = match parts.as_slice() {
        [area, "gov", rest @ ..] | [area, rest @ ..] => (*area, rest),
        _ => return false,
    };
    KNOWN_REGIONS
        .iter()
        .any(|known| known.starts_with(&format!("{area}-")))
        && matches!(rest, [direction, number] if DIRECTIONS.contains(direction) && number.parse::<u8>().is_ok())
}

/// Levenshtein distance between two short ASCII names.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut previous = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let substitution = previous + usize::from(ca != *cb);
            previous = row[j + 1];
            row[j + 1] = substitution.min(row[j] + 1).min(previous + 1);
        }
    }
    row[b.len()]
}

/// The SDK's standard retry strategy (exponential back-off with jitter on throttling and
/// transient errors), with more attempts than its default 3 for large accounts.
pub fn retry_config() -> RetryConfig {
    RetryConfig::standard().with_max_attempts(MAX_ATTEMPTS)
}

/// Where and as whom to connect. Everything unset falls back to the AWS config chain
/// (environment, profile, SSO, instance metadata) exactly as the AWS CLI does.
#[derive(Debug, Clone, Default)]
pub struct AwsOptions {
    pub regions: Vec<String>,
    pub profile: Option<String>,
    pub endpoint_url: Option<String>,
}

/// An SDK configuration per region, plus a counter of HTTP requests (retries included).
#[derive(Clone)]
pub struct AwsContext {
    pub base: SdkConfig,
    pub regions: Vec<String>,
    pub calls: CallCounter,
    /// The account a role entered (`None`: the credentials' own). Its clients get retry
    /// budgets of their own: the SDK otherwise shares one retry token bucket between every
    /// client of a service and region in the process, so that an account failing
    /// persistently would spend the retries of every other account scanned beside it.
    pub account: Option<String>,
}

/// The HTTP client of every AWS call: the SDK's hyper client with rustls over *ring*
/// (HTTPS, and plain HTTP for a local endpoint such as moto). Not the SDK's default client,
/// whose aws-lc crypto is a C library a fresh clone would build first (Cargo.toml).
pub fn https_client() -> aws_smithy_runtime_api::client::http::SharedHttpClient {
    use aws_smithy_http_client::tls::{Provider, rustls_provider::CryptoMode};
    aws_smithy_http_client::Builder::new()
        .tls_provider(Provider::Rustls(CryptoMode::Ring))
        .build_https()
}

impl AwsOptions {
    pub async fn load(&self) -> Result<AwsContext, CollectError> {
        let mut loader = aws_config::defaults(BehaviorVersion::latest())
            .http_client(https_client())
            .retry_config(retry_config());
        if let Some(profile) = &self.profile {
            loader = loader.profile_name(profile);
        }
        if let Some(url) = &self.endpoint_url {
            loader = loader.endpoint_url(url);
        }
        if let Some(first) = self.regions.first() {
            loader = loader.region(Region::new(first.clone()));
        }
        let base = loader.load().await;
        let regions = if self.regions.is_empty() {
            vec![base.region().ok_or(CollectError::NoRegion)?.to_string()]
        } else {
            self.regions.clone()
        };
        // A local endpoint (moto, LocalStack) takes any region name.
        if self.endpoint_url.is_none()
            && let Some((given, suggestion)) = regions
                .iter()
                .find_map(|r| misspelt_region(r).map(|s| (r.clone(), s.to_owned())))
        {
            return Err(CollectError::UnknownRegion { given, suggestion });
        }
        Ok(AwsContext {
            base,
            regions,
            calls: CallCounter::default(),
            account: None,
        })
    }
}

impl AwsContext {
    /// The SDK configuration for one region.
    pub fn config_for(&self, region: &str) -> SdkConfig {
        self.base
            .to_builder()
            .region(Region::new(region.to_owned()))
            .build()
    }

    /// The retry budget (the SDK's retry partition) of `service`'s client in `region`: the
    /// SDK's own (`ec2-us-east-1`) for the credentials' account, one per account else.
    pub fn retry_partition(
        &self,
        service: &str,
        region: &str,
    ) -> aws_sdk_ec2::config::retry::RetryPartition {
        let name = match &self.account {
            Some(account) => format!("{service}-{region}-{account}"),
            None => format!("{service}-{region}"),
        };
        aws_sdk_ec2::config::retry::RetryPartition::new(name)
    }
}

/// Counts HTTP attempts sent to AWS, for the benchmark and `-v` output, and records which
/// operations were called (as IAM actions: `ec2:DescribeVpcs`), so that a test can hold
/// [`READ_ACTIONS`] to what a scan really calls.
#[derive(Debug, Clone, Default)]
pub struct CallCounter {
    attempts: Arc<AtomicU64>,
    operations: Arc<std::sync::Mutex<std::collections::BTreeSet<String>>>,
}

impl CallCounter {
    pub fn get(&self) -> u64 {
        self.attempts.load(Ordering::Relaxed)
    }

    /// The IAM actions of the operations called so far.
    pub fn operations(&self) -> Vec<String> {
        self.operations
            .lock()
            .expect("operations")
            .iter()
            .cloned()
            .collect()
    }
}

/// The IAM action prefix of an SDK service name (`Elastic Load Balancing v2` →
/// `elasticloadbalancing`: both load balancer APIs share one).
fn iam_prefix(service: &str) -> String {
    match service {
        "Auto Scaling" => "autoscaling".to_owned(),
        "Elastic Load Balancing" | "Elastic Load Balancing v2" => "elasticloadbalancing".to_owned(),
        other => other.to_lowercase().replace(' ', ""),
    }
}

/// Every IAM action a scan of one account calls (sorted), for `hacheck permissions`.
/// `sts:GetCallerIdentity` needs no permission and is not listed. A test collects a seeded
/// moto account and checks that every call made is here.
pub const READ_ACTIONS: &[&str] = &[
    "autoscaling:DescribeAutoScalingGroups",
    "autoscaling:DescribeLaunchConfigurations",
    "autoscaling:DescribePolicies",
    "cloudfront:ListDistributions",
    "cloudwatch:DescribeAlarms",
    "ec2:DescribeImages",
    "ec2:DescribeInstances",
    "ec2:DescribeInternetGateways",
    "ec2:DescribeKeyPairs",
    "ec2:DescribeLaunchTemplateVersions",
    "ec2:DescribeLaunchTemplates",
    "ec2:DescribeNatGateways",
    "ec2:DescribeNetworkInterfaces",
    "ec2:DescribeRouteTables",
    "ec2:DescribeSecurityGroups",
    "ec2:DescribeSubnets",
    "ec2:DescribeVpcs",
    "ec2:GetManagedPrefixListEntries",
    "elasticloadbalancing:DescribeListeners",
    "elasticloadbalancing:DescribeLoadBalancerAttributes",
    "elasticloadbalancing:DescribeLoadBalancers",
    "elasticloadbalancing:DescribeRules",
    "elasticloadbalancing:DescribeTags",
    "elasticloadbalancing:DescribeTargetGroupAttributes",
    "elasticloadbalancing:DescribeTargetGroups",
    "elasticloadbalancing:DescribeTargetHealth",
    "rds:DescribeDBClusters",
    "rds:DescribeDBInstances",
    "rds:DescribeDBSubnetGroups",
    "rds:DescribeEventSubscriptions",
    "route53:ListHostedZones",
    "route53:ListResourceRecordSets",
    "sns:ListSubscriptions",
    "sns:ListTopics",
];

/// What a run over several accounts also calls from the account it starts in.
pub const ORGANIZATION_ACTIONS: &[&str] = &[
    "organizations:ListAccounts",
    "organizations:ListAccountsForParent",
    "organizations:ListOrganizationalUnitsForParent",
    "sts:AssumeRole",
];

impl aws_sdk_ec2::config::Intercept for CallCounter {
    fn name(&self) -> &'static str {
        "hacheck-call-counter"
    }

    fn read_before_attempt(
        &self,
        _context: &aws_sdk_ec2::config::interceptors::BeforeTransmitInterceptorContextRef<'_>,
        _components: &aws_sdk_ec2::config::RuntimeComponents,
        cfg: &mut aws_sdk_ec2::config::ConfigBag,
    ) -> Result<(), aws_sdk_ec2::error::BoxError> {
        self.attempts.fetch_add(1, Ordering::Relaxed);
        if let Some(metadata) = cfg.load::<aws_smithy_runtime_api::client::orchestrator::Metadata>()
        {
            let action = format!("{}:{}", iam_prefix(metadata.service()), metadata.name());
            self.operations.lock().expect("operations").insert(action);
        }
        Ok(())
    }
}

/// Refuses an XML answer that ends before its root element does. The SDK's XML reader
/// takes a document cut short for a complete one with fewer resources, and an inventory
/// that silently misses resources is worse than a warning.
#[derive(Debug, Clone, Default)]
pub struct CompleteAnswers;

impl aws_sdk_ec2::config::Intercept for CompleteAnswers {
    fn name(&self) -> &'static str {
        "hacheck-complete-answers"
    }

    fn read_after_deserialization(
        &self,
        context: &aws_sdk_ec2::config::interceptors::AfterDeserializationInterceptorContextRef<'_>,
        _components: &aws_sdk_ec2::config::RuntimeComponents,
        _cfg: &mut aws_sdk_ec2::config::ConfigBag,
    ) -> Result<(), aws_sdk_ec2::error::BoxError> {
        let response = context.response();
        let body = response.body().bytes().unwrap_or_default();
        if is_web_page(body) {
            // An endpoint that does not implement the operation (moto, a proxy) answers with
            // a web page: say so, rather than how that page fails to be AWS's XML.
            return Err(format!(
                "the endpoint answered HTTP {} with a web page, not AWS's format: it does not implement this operation (or is not an AWS endpoint)",
                response.status().as_u16()
            )
            .into());
        }
        match unterminated_xml_root(body) {
            Some(root) => Err(format!("the answer was cut short: it has no `</{root}>`").into()),
            None => Ok(()),
        }
    }
}

/// Whether `body` is an HTML page (`<!doctype html>`, `<html>`).
fn is_web_page(body: &[u8]) -> bool {
    let start: String = String::from_utf8_lossy(&body[..body.len().min(64)])
        .trim_start()
        .to_ascii_lowercase();
    start.starts_with("<!doctype html") || start.starts_with("<html")
}

/// The root element of an XML document that does not end by closing it; `None` for a
/// complete document or for anything that is not XML.
fn unterminated_xml_root(body: &[u8]) -> Option<String> {
    let text = String::from_utf8_lossy(body);
    let mut rest = text.trim();
    if !rest.starts_with('<') {
        return None;
    }
    if rest.starts_with("<?") {
        rest = rest[rest.find("?>").map_or(rest.len(), |end| end + 2)..].trim_start();
    }
    let root: String = rest
        .trim_start_matches('<')
        .chars()
        .take_while(|c| !c.is_whitespace() && !matches!(c, '>' | '/'))
        .collect();
    let self_closed = rest.ends_with("/>") && rest.matches('<').count() == 1;
    let closed = rest.ends_with(&format!("</{root}>"));
    (!root.is_empty() && !self_closed && !closed).then_some(root)
}

/// The service clients of one region.
#[derive(Clone, Debug)]
pub struct RegionClients {
    pub region: String,
    pub ec2: aws_sdk_ec2::Client,
    pub autoscaling: aws_sdk_autoscaling::Client,
    pub elbv2: aws_sdk_elasticloadbalancingv2::Client,
    /// Classic Load Balancers.
    pub elb: aws_sdk_elasticloadbalancing::Client,
    pub rds: aws_sdk_rds::Client,
    pub cloudwatch: aws_sdk_cloudwatch::Client,
    pub sns: aws_sdk_sns::Client,
}

/// Builds a service client of `context` in `region` whose requests are counted and whose
/// retries draw on the budget of its account, service and region.
macro_rules! counted_client {
    ($krate:ident, $context:expr, $region:expr) => {{
        let context: &AwsContext = $context;
        let region: &str = $region;
        $krate::Client::from_conf(
            $krate::config::Builder::from(&context.config_for(region))
                .interceptor(context.calls.clone())
                .interceptor(CompleteAnswers)
                .retry_partition(context.retry_partition(stringify!($krate), region))
                .build(),
        )
    }};
}

impl RegionClients {
    pub fn new(context: &AwsContext, region: &str) -> Self {
        RegionClients {
            region: region.to_owned(),
            ec2: counted_client!(aws_sdk_ec2, context, region),
            autoscaling: counted_client!(aws_sdk_autoscaling, context, region),
            elbv2: counted_client!(aws_sdk_elasticloadbalancingv2, context, region),
            elb: counted_client!(aws_sdk_elasticloadbalancing, context, region),
            rds: counted_client!(aws_sdk_rds, context, region),
            cloudwatch: counted_client!(aws_sdk_cloudwatch, context, region),
            sns: counted_client!(aws_sdk_sns, context, region),
        }
    }
}

/// A failed AWS call inside a unit, before it becomes a warning.
#[derive(Debug)]
pub struct CallFailure {
    pub operation: &'static str,
    pub code: String,
    pub message: String,
}

impl fmt::Display for CallFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} failed ({}): {}",
            self.operation, self.code, self.message
        )
    }
}

/// Turns an SDK error into a [`CallFailure`] for `operation`; use as `.map_err(failed("Op"))`.
pub(crate) fn failed<E, R>(operation: &'static str) -> impl FnOnce(SdkError<E, R>) -> CallFailure
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
    R: fmt::Debug + Send + Sync + 'static,
{
    move |error| {
        let code = error.code().map(str::to_owned).unwrap_or_else(|| {
            match &error {
                SdkError::DispatchFailure(_) => "DispatchFailure",
                SdkError::TimeoutError(_) => "Timeout",
                SdkError::ResponseError(_) => "ResponseError",
                SdkError::ConstructionFailure(_) => "ConstructionFailure",
                _ => "ServiceError",
            }
            .to_owned()
        });
        let message = error
            .message()
            .map(str::to_owned)
            .unwrap_or_else(|| crate::error_line(&error));
        CallFailure {
            operation,
            code,
            message: crate::one_line(&message),
        }
    }
}

pub(crate) use ec2::split_permission;

pub(crate) type UnitResult = Result<Inventory, CallFailure>;
type Unit = Pin<Box<dyn Future<Output = (&'static str, String, UnitResult)> + Send>>;

fn unit<F>(service: &'static str, region: &str, work: F) -> Unit
where
    F: Future<Output = UnitResult> + Send + 'static,
{
    let region = region.to_owned();
    Box::pin(async move { (service, region, work.await) })
}

/// Every collection unit of one region.
fn region_units(clients: &RegionClients, account_id: &str) -> Vec<Unit> {
    let r = &clients.region;
    let c = clients;
    vec![
        unit("ec2", r, ec2::vpcs(c.ec2.clone(), r.clone())),
        unit("ec2", r, ec2::subnets(c.ec2.clone(), r.clone())),
        unit("ec2", r, ec2::route_tables(c.ec2.clone(), r.clone())),
        unit("ec2", r, ec2::internet_gateways(c.ec2.clone(), r.clone())),
        unit("ec2", r, ec2::nat_gateways(c.ec2.clone(), r.clone())),
        unit("ec2", r, ec2::security_groups(c.ec2.clone(), r.clone())),
        unit(
            "ec2",
            r,
            ec2::instances_and_images(c.ec2.clone(), r.clone()),
        ),
        unit("ec2", r, ec2::launch_templates(c.ec2.clone(), r.clone())),
        unit(
            "autoscaling",
            r,
            autoscaling::groups(c.autoscaling.clone(), r.clone()),
        ),
        unit(
            "autoscaling",
            r,
            autoscaling::policies(c.autoscaling.clone(), r.clone()),
        ),
        unit(
            "autoscaling",
            r,
            autoscaling::launch_configurations(c.autoscaling.clone(), r.clone()),
        ),
        unit(
            "elbv2",
            r,
            elbv2::load_balancers(c.elbv2.clone(), r.clone()),
        ),
        unit(
            "elbv2",
            r,
            elbv2::target_groups(c.elbv2.clone(), c.ec2.clone(), r.clone()),
        ),
        unit(
            "elb",
            r,
            elb::classic_load_balancers(c.elb.clone(), r.clone(), account_id.to_owned()),
        ),
        unit("rds", r, rds::db_instances(c.rds.clone(), r.clone())),
        unit("rds", r, rds::db_clusters(c.rds.clone(), r.clone())),
        unit("rds", r, rds::db_subnet_groups(c.rds.clone(), r.clone())),
        unit("rds", r, rds::event_subscriptions(c.rds.clone(), r.clone())),
        unit(
            "cloudwatch",
            r,
            cloudwatch::metric_alarms(c.cloudwatch.clone(), r.clone()),
        ),
        unit("sns", r, sns::topics(c.sns.clone(), r.clone())),
    ]
}

/// Told after each collection unit: (units done, units in all, service, region).
pub type Progress<'a> = &'a (dyn Fn(usize, usize, &str, &str) + Sync);

/// Collects the whole account described by `context`.
pub async fn collect(
    context: &AwsContext,
    progress: Progress<'_>,
) -> Result<Inventory, CollectError> {
    let account_id = account_id(context).await?;
    let clients: Vec<RegionClients> = context
        .regions
        .iter()
        .map(|region| RegionClients::new(context, region))
        .collect();
    let global = GlobalClients::new(context);
    let mut inventory = collect_with(account_id, &clients, Some(global), progress).await;
    inventory.regions = context.regions.clone();
    inventory.normalize();
    Ok(inventory)
}

/// Clients of the global services, whose resources carry the region `global`.
pub struct GlobalClients {
    pub route53: aws_sdk_route53::Client,
    pub cloudfront: aws_sdk_cloudfront::Client,
}

impl GlobalClients {
    /// Route 53's and CloudFront's APIs live in us-east-1 whatever regions are scanned.
    pub fn new(context: &AwsContext) -> Self {
        GlobalClients {
            route53: counted_client!(aws_sdk_route53, context, "us-east-1"),
            cloudfront: counted_client!(aws_sdk_cloudfront, context, "us-east-1"),
        }
    }
}

/// Collects with ready-made clients: the seam the tests use to inject faults.
pub async fn collect_with(
    account_id: String,
    clients: &[RegionClients],
    global: Option<GlobalClients>,
    progress: Progress<'_>,
) -> Inventory {
    let mut units: Vec<Unit> = clients
        .iter()
        .flat_map(|c| region_units(c, &account_id))
        .collect();
    if let Some(global) = global {
        units.push(unit(
            "route53",
            GLOBAL_REGION,
            route53::zones_and_records(global.route53),
        ));
        units.push(unit(
            "cloudfront",
            GLOBAL_REGION,
            cloudfront::distributions(global.cloudfront),
        ));
    }
    let regions = clients.iter().map(|c| c.region.clone()).collect();
    let mut inventory = Inventory::new(account_id, regions);
    let total = units.len();
    let mut results = futures::stream::iter(units).buffer_unordered(CONCURRENT_UNITS);
    let mut done = 0;
    while let Some((service, region, result)) = results.next().await {
        done += 1;
        progress(done, total, service, &region);
        match result {
            Ok(part) => inventory.absorb(part),
            Err(failure) => warn(&mut inventory, service, region, failure),
        }
    }
    for client in clients {
        let region = &client.region;
        if let Err(failure) =
            ec2::pinned_launch_template_versions(&client.ec2, &mut inventory, region).await
        {
            warn(&mut inventory, "ec2", region.clone(), failure);
        }
        if let Err(failure) = ec2::launch_images(&client.ec2, &mut inventory, region).await {
            warn(&mut inventory, "ec2", region.clone(), failure);
        }
        if let Err(failure) = ec2::launch_security_groups(&client.ec2, &mut inventory, region).await
        {
            warn(&mut inventory, "ec2", region.clone(), failure);
        }
        if let Err(failure) = ec2::launch_key_pairs(&client.ec2, &mut inventory, region).await {
            warn(&mut inventory, "ec2", region.clone(), failure);
        }
        if let Err(failure) =
            elbv2::named_target_groups(&client.elbv2, &mut inventory, region).await
        {
            warn(&mut inventory, "elbv2", region.clone(), failure);
        }
        if let Err(failure) = elb::named_load_balancers(&client.elb, &mut inventory, region).await {
            warn(&mut inventory, "elb", region.clone(), failure);
        }
    }
    inventory.derive_subnet_publicity();
    inventory.collected_at = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    inventory.normalize();
    inventory
}

/// What `region`'s Auto Scaling groups name through `named` (target group ARNs, Classic
/// Load Balancer names) and `held` lacks, once each: what a post-step asks AWS for by id.
fn named_by_groups_not_held(
    inventory: &Inventory,
    region: &str,
    named: impl Fn(&crate::inventory::AutoScalingGroup) -> &[String],
    held: &std::collections::BTreeSet<&str>,
) -> Vec<String> {
    let wanted: std::collections::BTreeSet<&str> = inventory
        .auto_scaling_groups
        .iter()
        .filter(|group| group.region == region)
        .flat_map(|group| named(group).iter().map(String::as_str))
        .filter(|id| !held.contains(id))
        .collect();
    wanted.into_iter().map(str::to_owned).collect()
}

/// Asks AWS for each of `wanted` (in `region`) with `exists`, one at a time (one unknown id
/// fails a call naming several), and records in `missing` those it answers it does not
/// have; any other failure ends the lookup and is returned, recording nothing more.
async fn record_not_found<Fut>(
    wanted: Vec<String>,
    region: &str,
    missing: &mut Vec<crate::inventory::NotFound>,
    exists: impl Fn(String) -> Fut,
) -> Result<(), CallFailure>
where
    Fut: Future<Output = Result<bool, CallFailure>>,
{
    for id in wanted {
        if !exists(id.clone()).await? {
            missing.push(crate::inventory::NotFound {
                id,
                region: region.to_owned(),
            });
        }
    }
    Ok(())
}

/// A call that failed, kept as a warning of the inventory (the rest is collected).
/// DescribeTags' largest batch, in both load-balancer APIs.
const TAGGED_PER_CALL: usize = 20;

/// Reads the tags of `items` in DescribeTags' batches: `describe` answers (key, tags) for a
/// batch's keys (`key` of each item), `set` stores them. When a call fails, that batch and
/// the rest are marked `unread` (who owns them is not known: steps on them are handed over)
/// and the failure is returned.
pub(crate) async fn tags_in_batches<T, Fut>(
    items: &mut [T],
    key: impl Fn(&T) -> String,
    describe: impl Fn(Vec<String>) -> Fut,
    set: impl Fn(&mut T, crate::inventory::Tags),
    unread: impl Fn(&mut T),
) -> Result<(), CallFailure>
where
    Fut: Future<Output = Result<Vec<(String, crate::inventory::Tags)>, CallFailure>>,
{
    for start in (0..items.len()).step_by(TAGGED_PER_CALL) {
        let end = (start + TAGGED_PER_CALL).min(items.len());
        let answer = match describe(items[start..end].iter().map(&key).collect()).await {
            Ok(answer) => answer,
            Err(failure) => {
                items[start..].iter_mut().for_each(&unread);
                return Err(failure);
            }
        };
        for (described, tags) in answer {
            if let Some(item) = items[start..end].iter_mut().find(|i| key(i) == described) {
                set(item, tags);
            }
        }
    }
    Ok(())
}

fn warn(inventory: &mut Inventory, service: &str, region: String, failure: CallFailure) {
    tracing::debug!(service, region, "{failure}");
    inventory.warnings.push(CollectorWarning {
        service: service.to_owned(),
        region,
        operation: failure.operation.to_owned(),
        code: failure.code,
        message: failure.message,
    });
}

async fn account_id(context: &AwsContext) -> Result<String, CollectError> {
    let region = context.regions.first().expect("at least one region");
    let sts = counted_client!(aws_sdk_sts, context, region);
    let identity = sts.get_caller_identity().send().await.map_err(|error| {
        let failure = failed("GetCallerIdentity")(error);
        if failure.message.contains("no credentials found") {
            return CollectError::NoCredentials;
        }
        CollectError::Identity {
            code: failure.code,
            message: failure.message,
        }
    })?;
    Ok(identity.account().unwrap_or_default().to_owned())
}

/// The `Name` tag and other tags of an EC2 resource, as a sorted map.
pub(crate) fn ec2_tags(tags: &[aws_sdk_ec2::types::Tag]) -> crate::inventory::Tags {
    tag_map(tags, |tag| (tag.key(), tag.value()))
}

/// Any service's tags as the inventory keeps them (a tag without a key is dropped, one
/// without a value has the empty one): `pair` reads a tag's key and value.
pub(crate) fn tag_map<T>(
    tags: &[T],
    pair: impl Fn(&T) -> (Option<&str>, Option<&str>),
) -> crate::inventory::Tags {
    tags.iter()
        .filter_map(|tag| {
            let (key, value) = pair(tag);
            Some((key?.to_owned(), value.unwrap_or_default().to_owned()))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::{
        CallFailure, Ordering, is_web_page, misspelt_region, tags_in_batches, unterminated_xml_root,
    };

    /// Tags come in batches of 20; a refused batch leaves it and the rest unread.
    #[tokio::test]
    async fn tags_are_read_in_batches_and_a_refusal_marks_the_rest_unread() {
        let mut items: Vec<(String, crate::inventory::Tags, bool)> = (0..45)
            .map(|n| (format!("lb-{n}"), Default::default(), false))
            .collect();
        let calls = std::sync::atomic::AtomicUsize::new(0);
        let result = tags_in_batches(
            &mut items,
            |(key, _, _)| key.clone(),
            |keys: Vec<String>| {
                let call = calls.fetch_add(1, Ordering::SeqCst);
                async move {
                    assert!(keys.len() <= 20);
                    if call == 1 {
                        return Err(CallFailure {
                            operation: "DescribeTags",
                            code: "AccessDenied".into(),
                            message: "no".into(),
                        });
                    }
                    Ok(keys
                        .into_iter()
                        .map(|k| (k.clone(), [("owner".to_owned(), k)].into()))
                        .collect())
                }
            },
            |(_, tags, _), read| *tags = read,
            |(_, _, unread)| *unread = true,
        )
        .await;
        assert!(result.is_err());
        assert_eq!(items[19].1["owner"], "lb-19");
        assert!(!items[19].2);
        assert!(
            items[20..]
                .iter()
                .all(|(_, tags, unread)| tags.is_empty() && *unread)
        );
    }

    #[test]
    fn a_misspelt_region_is_named_and_a_new_one_passes() {
        assert_eq!(misspelt_region("eu-wset-1"), Some("eu-west-1"));
        assert_eq!(misspelt_region("us-east1"), Some("us-east-1"));
        assert_eq!(misspelt_region("eu-west-1"), None);
        assert_eq!(misspelt_region("xx-future-9"), None);
        assert_eq!(misspelt_region("eu-west-4"), None, "a region AWS may open");
    }

    #[test]
    fn a_web_page_is_told_from_an_answer() {
        assert!(is_web_page(
            b"<!DOCTYPE html>\n<html><title>404 Not Found</title>"
        ));
        assert!(is_web_page(b"  <html><body>500</body></html>"));
        assert!(!is_web_page(
            b"<?xml version=\"1.0\"?><DescribeVpcsResponse/>"
        ));
    }

    #[test]
    fn an_xml_answer_must_close_its_root() {
        let complete =
            r#"<?xml version="1.0"?><DescribeResponse xmlns="x"><A/></DescribeResponse>"#;
        assert_eq!(unterminated_xml_root(complete.as_bytes()), None);
        assert_eq!(unterminated_xml_root(b"<Empty/>\n"), None);
        assert_eq!(unterminated_xml_root(b"{\"json\": true}"), None, "not XML");
        assert_eq!(
            unterminated_xml_root(&complete.as_bytes()[..complete.len() - 3]).as_deref(),
            Some("DescribeResponse")
        );
    }
}
