//! Which accounts a run covers and how it gets into each: the accounts named with
//! `--account`, or every active account of the organisation (`--organization`, Organizations
//! `ListAccounts` from the management or a delegated administrator account), less
//! `--exclude-account`; each entered through STS `AssumeRole` into `--role` (default
//! `OrganizationAccountAccessRole`), with `--external-id` when the role demands one.
//!
//! Credentials come from aws-config's `AssumeRoleProvider` behind the SDK's identity
//! cache, which renews them before they expire (role chaining caps a session at an hour),
//! one provider per account. An account that cannot be listed, entered or identified is an
//! [`AccountFailure`]; the others are scanned.

use aws_config::sts::AssumeRoleProvider;
use aws_sdk_sts::config::SharedCredentialsProvider;

use super::{AwsContext, CallCounter, CompleteAnswers, failed};

/// The role hacheck assumes in each account unless told otherwise (what Organizations
/// creates in an account it makes).
pub const DEFAULT_ROLE: &str = "OrganizationAccountAccessRole";

/// The session name the accounts' CloudTrail shows for hacheck's calls.
pub const SESSION_NAME: &str = "hacheck-scan";

/// What selects the accounts of a run and enters them.
#[derive(Debug, Clone, Default)]
pub struct AccountOptions {
    pub accounts: Vec<String>,
    pub organization: bool,
    pub exclude: Vec<String>,
    pub role: String,
    pub external_id: Option<String>,
    /// (K, N): only share K of N of the accounts.
    pub shard: Option<(u64, u64)>,
}

impl AccountOptions {
    /// Whether the run covers other accounts than the credentials' own.
    pub fn any(&self) -> bool {
        self.organization || !self.accounts.is_empty()
    }
}

/// An account to scan: its id and, when Organizations gave one, its name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    pub id: String,
    pub name: Option<String>,
}

/// An account left out, and why (a sentence for the report).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountFailure {
    pub account_id: String,
    pub account_name: Option<String>,
    pub reason: String,
}

/// The accounts `options` select, in a stable order (by id), excluded ones removed.
pub async fn targets(
    context: &AwsContext,
    options: &AccountOptions,
) -> Result<Vec<Target>, AccountFailure> {
    let mut found: Vec<Target> = options
        .accounts
        .iter()
        .map(|id| Target {
            id: id.clone(),
            name: None,
        })
        .collect();
    if options.organization {
        let region = context.regions.first().expect("at least one region");
        let config = context.config_for(region);
        let client = aws_sdk_organizations::Client::from_conf(
            aws_sdk_organizations::config::Builder::from(&config)
                .interceptor(context.calls.clone())
                .interceptor(CompleteAnswers)
                .build(),
        );
        // Every page, also an empty one that still carries a token.
        let mut pages = client.list_accounts().into_paginator().send();
        while let Some(page) = pages.next().await {
            let page = page.map_err(|error| {
                let failure = failed("ListAccounts")(error);
                AccountFailure {
                    account_id: "organization".into(),
                    account_name: None,
                    reason: format!(
                        "cannot list the organization's accounts ({}): {}",
                        failure.code, failure.message
                    ),
                }
            })?;
            for account in page.accounts() {
                let active = account
                    .state()
                    .map(|s| s.as_str() == "ACTIVE")
                    .or_else(|| {
                        #[allow(deprecated)]
                        account.status().map(|s| s.as_str() == "ACTIVE")
                    })
                    .unwrap_or(true);
                if let (true, Some(id)) = (active, account.id()) {
                    found.push(Target {
                        id: id.to_owned(),
                        name: account.name().map(str::to_owned),
                    });
                }
            }
        }
    }
    found.retain(|t| !options.exclude.contains(&t.id));
    if let Some((k, n)) = options.shard {
        found.retain(|t| shard_of(&t.id, n) == k - 1);
    }
    found.sort_by(|a, b| a.id.cmp(&b.id));
    // An account named twice (given and listed) is scanned once, with its name.
    found.dedup_by(|later, kept| {
        let same = later.id == kept.id;
        if same && kept.name.is_none() {
            kept.name = later.name.take();
        }
        same
    });
    Ok(found)
}

/// The share (0-based, of `shards`) account `id` belongs to: its number modulo the shard
/// count, so that it never moves while the organisation grows (FNV-1a for an id that is not
/// a number).
pub fn shard_of(id: &str, shards: u64) -> u64 {
    let value = id.parse::<u64>().unwrap_or_else(|_| {
        id.bytes().fold(0xcbf2_9ce4_8422_2325, |hash, byte| {
            (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3)
        })
    });
    value % shards
}

/// The role ARN `options` name in `account`.
pub fn role_arn(options: &AccountOptions, account: &str) -> String {
    if options.role.starts_with("arn:") {
        options.role.replace("{account}", account)
    } else {
        format!("arn:aws:iam::{account}:role/{}", options.role)
    }
}

/// A context whose calls run as `options.role` in `target`'s account (same regions and
/// endpoint; its own call counter is the base's).
pub async fn enter(context: &AwsContext, target: &Target, options: &AccountOptions) -> AwsContext {
    let region = context.regions.first().expect("at least one region");
    let mut provider = AssumeRoleProvider::builder(role_arn(options, &target.id))
        .session_name(SESSION_NAME)
        .configure(&context.config_for(region));
    if let Some(id) = &options.external_id {
        provider = provider.external_id(id);
    }
    let provider = provider.build().await;
    let base = context
        .base
        .to_builder()
        .credentials_provider(SharedCredentialsProvider::new(provider))
        .build();
    AwsContext {
        base,
        regions: context.regions.clone(),
        calls: CallCounter::clone(&context.calls),
    }
}
