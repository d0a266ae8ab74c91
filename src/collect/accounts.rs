//! Which accounts a run covers and how it gets into each: the accounts named with
//! `--account` or listed in `--accounts FILE` (with their own regions, role and external id),
//! or every active account of the organisation (`--organization`, Organizations
//! `ListAccounts` from the management or a delegated administrator account) or of some of
//! its organizational units and the units below them (`--ou`), less `--exclude-account`;
//! each entered through STS `AssumeRole` into `--role` (default
//! `OrganizationAccountAccessRole`), with `--external-id` when the role demands one.
//!
//! Credentials come from aws-config's `AssumeRoleProvider` behind the SDK's identity
//! cache, which renews them before they expire (role chaining caps a session at an hour),
//! one provider per account. Sessions may still end before the expiry they announced (a
//! clock off, credentials revoked): an account whose calls answer that its credentials
//! expired is entered anew and collected again, once. An account that cannot be listed,
//! entered, identified or read with fresh credentials is an [`AccountFailure`]; the others
//! are scanned.

use std::collections::BTreeMap;
use std::path::Path;

use aws_config::sts::AssumeRoleProvider;
use aws_sdk_ec2::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_sts::config::SharedCredentialsProvider;
use serde::Deserialize;

use super::{AwsContext, CallCounter, CompleteAnswers, failed};
use crate::inventory::{CollectorWarning, Inventory};

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
    /// Organizational units whose accounts (and their child units') the run covers.
    pub ous: Vec<String>,
    /// Accounts of an `--accounts` file, by id, with what they set for themselves.
    pub listed: BTreeMap<String, AccountEntry>,
}

impl AccountOptions {
    /// Whether the run covers other accounts than the credentials' own.
    pub fn any(&self) -> bool {
        self.organization
            || !self.accounts.is_empty()
            || !self.ous.is_empty()
            || !self.listed.is_empty()
    }

    /// The regions of `account`: its own from the accounts file, else `default`.
    pub fn regions_of<'a>(&'a self, account: &str, default: &'a [String]) -> &'a [String] {
        match self.listed.get(account).and_then(|e| e.regions.as_deref()) {
            Some(regions) if !regions.is_empty() => regions,
            _ => default,
        }
    }
}

/// One account of an `--accounts` file.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AccountEntry {
    pub id: String,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub regions: Option<Vec<String>>,
    #[serde(default)]
    pub role: Option<String>,
    #[serde(default)]
    pub external_id: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AccountsFile {
    #[serde(default)]
    account: Vec<AccountEntry>,
}

#[derive(Debug, thiserror::Error)]
pub enum AccountsFileError {
    #[error("cannot read accounts file `{path}`: {source}")]
    Read {
        path: String,
        source: std::io::Error,
    },
    #[error("accounts file `{path}`: {message}")]
    Syntax { path: String, message: String },
}

/// Reads an `--accounts` file: `[[account]]` tables of `id` (twelve digits) and optionally
/// `name`, `regions`, `role` (a name or an ARN) and `external_id`.
pub fn read_accounts_file(
    path: &Path,
) -> Result<BTreeMap<String, AccountEntry>, AccountsFileError> {
    let shown = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|source| AccountsFileError::Read {
        path: shown.clone(),
        source,
    })?;
    let syntax = |message: String| AccountsFileError::Syntax {
        path: shown.clone(),
        message,
    };
    let file: AccountsFile = toml::from_str(&text).map_err(|e| {
        let line = e
            .span()
            .map(|span| text[..span.start].lines().count().max(1));
        let message = e.message().trim().to_owned();
        syntax(match line {
            Some(line) => format!("line {line}: {message}"),
            None => message,
        })
    })?;
    let mut listed = BTreeMap::new();
    for entry in file.account {
        if entry.id.len() != 12 || !entry.id.bytes().all(|b| b.is_ascii_digit()) {
            return Err(syntax(format!(
                "`{}` is not an account id (twelve digits)",
                entry.id
            )));
        }
        if listed.insert(entry.id.clone(), entry.clone()).is_some() {
            return Err(syntax(format!("account `{}` is listed twice", entry.id)));
        }
    }
    if listed.is_empty() {
        return Err(syntax("no `[[account]]` in it".to_owned()));
    }
    Ok(listed)
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
    found.extend(options.listed.values().map(|entry| Target {
        id: entry.id.clone(),
        name: entry.name.clone(),
    }));
    let region = context.regions.first().expect("at least one region");
    let config = context.config_for(region);
    let client = aws_sdk_organizations::Client::from_conf(
        aws_sdk_organizations::config::Builder::from(&config)
            .interceptor(context.calls.clone())
            .interceptor(CompleteAnswers)
            .build(),
    );
    if !options.ous.is_empty() {
        found.extend(accounts_under(&client, &options.ous).await?);
    } else if options.organization {
        // Every page, also an empty one that still carries a token.
        let mut pages = client.list_accounts().into_paginator().send();
        while let Some(page) = pages.next().await {
            let page = page.map_err(cannot_list("ListAccounts", "the organization's accounts"))?;
            for account in page.accounts().iter().filter(|a| is_active(a)) {
                if let Some(id) = account.id() {
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

fn cannot_list<'w, E, R>(
    operation: &'static str,
    what: &'w str,
) -> impl Fn(SdkError<E, R>) -> AccountFailure + 'w
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
    R: std::fmt::Debug + Send + Sync + 'static,
{
    move |error| {
        let failure = failed(operation)(error);
        AccountFailure {
            account_id: "organization".into(),
            account_name: None,
            reason: format!("cannot list {what} ({}): {}", failure.code, failure.message),
        }
    }
}

fn is_active(account: &aws_sdk_organizations::types::Account) -> bool {
    account
        .state()
        .map(|s| s.as_str() == "ACTIVE")
        .or_else(|| {
            #[allow(deprecated)]
            account.status().map(|s| s.as_str() == "ACTIVE")
        })
        .unwrap_or(true)
}

/// The active accounts of the organizational units `ous` and of every unit below them
/// (ListAccountsForParent and ListOrganizationalUnitsForParent, every page).
async fn accounts_under(
    client: &aws_sdk_organizations::Client,
    ous: &[String],
) -> Result<Vec<Target>, AccountFailure> {
    let mut found = Vec::new();
    let mut pending: Vec<String> = ous.to_vec();
    let mut seen = std::collections::BTreeSet::new();
    while let Some(parent) = pending.pop() {
        if !seen.insert(parent.clone()) {
            continue;
        }
        let what = format!("the accounts of `{parent}`");
        let mut pages = client
            .list_accounts_for_parent()
            .parent_id(&parent)
            .into_paginator()
            .send();
        while let Some(page) = pages.next().await {
            let page = page.map_err(cannot_list("ListAccountsForParent", &what))?;
            for account in page.accounts().iter().filter(|a| is_active(a)) {
                if let Some(id) = account.id() {
                    found.push(Target {
                        id: id.to_owned(),
                        name: account.name().map(str::to_owned),
                    });
                }
            }
        }
        let what = format!("the units below `{parent}`");
        let mut pages = client
            .list_organizational_units_for_parent()
            .parent_id(&parent)
            .into_paginator()
            .send();
        while let Some(page) = pages.next().await {
            let page = page.map_err(cannot_list("ListOrganizationalUnitsForParent", &what))?;
            pending.extend(
                page.organizational_units()
                    .iter()
                    .filter_map(|unit| unit.id().map(str::to_owned)),
            );
        }
    }
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

/// The role ARN and external id that enter `account`: its own from the accounts file, else
/// the command line's.
pub fn entry_point<'o>(options: &'o AccountOptions, account: &str) -> (String, Option<&'o str>) {
    let entry = options.listed.get(account);
    let role = match entry.and_then(|e| e.role.clone()) {
        Some(role) => role_arn(
            &AccountOptions {
                role,
                ..AccountOptions::default()
            },
            account,
        ),
        None => role_arn(options, account),
    };
    let external_id = entry
        .and_then(|e| e.external_id.as_deref())
        .or(options.external_id.as_deref());
    (role, external_id)
}

/// A context whose calls run as `options.role` in `target`'s account (same regions and
/// endpoint; its own call counter is the base's).
pub async fn enter(context: &AwsContext, target: &Target, options: &AccountOptions) -> AwsContext {
    let region = context.regions.first().expect("at least one region");
    let (role, external_id) = entry_point(options, &target.id);
    let mut provider = AssumeRoleProvider::builder(role)
        .session_name(SESSION_NAME)
        .configure(&context.config_for(region));
    if let Some(id) = external_id {
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
        regions: options.regions_of(&target.id, &context.regions).to_vec(),
        calls: CallCounter::clone(&context.calls),
        account: Some(target.id.clone()),
    }
}

/// What AWS answers a call whose session credentials have expired: EC2 `RequestExpired`,
/// the query and REST services `ExpiredToken`, the JSON ones `ExpiredTokenException`.
const EXPIRED_CREDENTIALS: &[&str] = &["ExpiredToken", "ExpiredTokenException", "RequestExpired"];

/// The first warning of `inventory` saying that its credentials expired.
fn expired_credentials(inventory: &Inventory) -> Option<&CollectorWarning> {
    inventory
        .warnings
        .iter()
        .find(|w| EXPIRED_CREDENTIALS.contains(&w.code.as_str()))
}

/// The inventory of `target`, entered through its role; entered anew and collected again
/// when its credentials expire mid-scan.
pub async fn collect(
    context: &AwsContext,
    target: &Target,
    options: &AccountOptions,
) -> Result<Inventory, AccountFailure> {
    let failure = |reason: String| AccountFailure {
        account_id: target.id.clone(),
        account_name: target.name.clone(),
        reason,
    };
    let quiet = |_: usize, _: usize, _: &str, _: &str| {};
    let mut renewed = false;
    loop {
        let entered = enter(context, target, options).await;
        let inventory = super::collect(&entered, &quiet)
            .await
            .map_err(|error| failure(error.to_string()))?;
        if inventory.account_id != target.id {
            return Err(failure(format!(
                "the role's credentials are for account `{}`",
                inventory.account_id
            )));
        }
        match expired_credentials(&inventory) {
            None => return Ok(inventory),
            Some(warning) if renewed => {
                return Err(failure(format!(
                    "its credentials expired mid-scan, and renewed ones too (`{}` from `{}` in {})",
                    warning.code, warning.operation, warning.region
                )));
            }
            Some(warning) => {
                tracing::info!(
                    account = target.id,
                    code = warning.code,
                    "credentials expired mid-scan; entering the account again"
                );
                renewed = true;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_accounts_file_sets_each_accounts_role_and_regions() {
        let dir = std::env::temp_dir().join(format!("hacheck-accounts-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("accounts.toml");
        std::fs::write(
            &path,
            "[[account]]\nid = \"111111111111\"\nrole = \"HacheckAudit\"\nexternal_id = \"x-1\"\nregions = [\"eu-west-1\"]\n\n[[account]]\nid = \"222222222222\"\n",
        )
        .unwrap();
        let options = AccountOptions {
            role: DEFAULT_ROLE.into(),
            external_id: Some("default-id".into()),
            listed: read_accounts_file(&path).unwrap(),
            ..AccountOptions::default()
        };
        std::fs::remove_dir_all(&dir).ok();
        assert_eq!(
            entry_point(&options, "111111111111"),
            (
                "arn:aws:iam::111111111111:role/HacheckAudit".to_owned(),
                Some("x-1")
            )
        );
        assert_eq!(
            entry_point(&options, "222222222222"),
            (
                format!("arn:aws:iam::222222222222:role/{DEFAULT_ROLE}"),
                Some("default-id")
            )
        );
        let default = vec!["us-east-1".to_owned()];
        assert_eq!(options.regions_of("111111111111", &default), ["eu-west-1"]);
        assert_eq!(options.regions_of("222222222222", &default), ["us-east-1"]);
        assert!(options.any());
    }
}
