//! Command-line definitions (clap) and nothing else: parsing, not behaviour.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

#[derive(Debug, Parser)]
#[command(
    name = "hacheck",
    version,
    about = "Audit and fix AWS web applications for high availability"
)]
pub struct Cli {
    #[command(flatten)]
    pub output: OutputOptions,
    /// Given before the command (`hacheck --region eu-west-1 scan`): the command's own.
    #[command(flatten)]
    pub aws: AwsOptions,
    #[command(subcommand)]
    pub command: Command,
}

/// What every command prints on stderr.
#[derive(Debug, Clone, Args)]
pub struct OutputOptions {
    /// More log output on stderr (-v info, -vv debug).
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,
    /// Only errors on stderr; no progress display.
    #[arg(short, long, global = true, conflicts_with = "verbose")]
    pub quiet: bool,
}

/// Where AWS is called: only on the commands that call it (`inventory`, `scan`, `fix`,
/// `apply`, `apps`, `whatif`, `graph`), so that the others' help does not offer them.
#[derive(Debug, Clone, Default, Args)]
#[command(next_help_heading = "AWS")]
pub struct AwsOptions {
    /// AWS region to scan; repeat for several (default: from the AWS config chain).
    #[arg(long = "region", value_name = "REGION")]
    pub regions: Vec<String>,
    /// Named profile from the AWS config files.
    #[arg(long, env = "AWS_PROFILE")]
    pub profile: Option<String>,
    /// Send every AWS request to this endpoint (e.g. a local moto server).
    #[arg(long, env = "AWS_ENDPOINT_URL", value_name = "URL")]
    pub endpoint_url: Option<String>,
}

impl AwsOptions {
    /// Options given before the command and after it, as one: regions of both, the
    /// command's profile and endpoint over the earlier ones.
    pub fn merged(&self, command: &AwsOptions) -> AwsOptions {
        AwsOptions {
            regions: self
                .regions
                .iter()
                .chain(&command.regions)
                .cloned()
                .collect(),
            profile: command.profile.clone().or_else(|| self.profile.clone()),
            endpoint_url: command
                .endpoint_url
                .clone()
                .or_else(|| self.endpoint_url.clone()),
        }
    }

    /// Whether any option was given on the command line (an environment variable does
    /// not count: it is set for every command).
    pub fn given_in(matches: &clap::ArgMatches) -> Option<&'static str> {
        [
            ("regions", "--region"),
            ("profile", "--profile"),
            ("endpoint_url", "--endpoint-url"),
        ]
        .into_iter()
        .find(|(id, _)| matches.value_source(id) == Some(clap::parser::ValueSource::CommandLine))
        .map(|(_, flag)| flag)
    }
}

/// What a command that calls AWS runs with.
#[derive(Debug, Clone, Default)]
pub struct GlobalOptions {
    pub regions: Vec<String>,
    pub profile: Option<String>,
    pub endpoint_url: Option<String>,
    pub quiet: bool,
}

impl GlobalOptions {
    pub fn new(aws: AwsOptions, output: &OutputOptions) -> Self {
        GlobalOptions {
            regions: aws.regions,
            profile: aws.profile,
            endpoint_url: aws.endpoint_url,
            quiet: output.quiet,
        }
    }
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Collect the account's inventory and write it as a JSON snapshot.
    Inventory(InventoryArgs),
    /// Evaluate the policies and report (exit 0 clean, 1 failures, 2 error or incomplete).
    Scan(ScanArgs),
    /// List or test policies.
    #[command(subcommand)]
    Policies(PoliciesCommand),
    /// Print the documentation of one rule.
    Explain(ExplainArgs),
    /// List the fields a policy can read on each kind of resource (`inv.members(kind)`),
    /// with their types and meaning.
    Fields(FieldsArgs),
    /// Plan fixes for the failing findings (and apply them with `--apply`).
    Fix(FixArgs),
    /// Join the JSON reports of several scans (the shards of an organisation) into one
    /// report, results deduplicated and the summary and exit status recomputed.
    Merge(MergeArgs),
    /// Print the IAM policy a scan needs (and a plan, with `--plan`), or a CloudFormation
    /// template of the audit role.
    Permissions(PermissionsArgs),
    /// Apply a plan saved with `hacheck fix --out`, exactly as planned.
    Apply(ApplyArgs),
    /// List the applications found in the account, their members, and why each belongs.
    Apps(AppsArgs),
    /// What the loss of an Availability Zone does to each application (exit 1 if one would
    /// be down or below its minimum capacity).
    Whatif(WhatifArgs),
    /// Draw each application's topology with its failing rules (Mermaid or Graphviz DOT).
    Graph(GraphArgs),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum WhatifFormat {
    Table,
    Json,
    Markdown,
}

#[derive(Debug, Args)]
pub struct WhatifArgs {
    #[command(flatten)]
    pub source: InventorySource,
    /// Config file (`[[apps]]`, `[scope]`; default: ./hacheck.toml if present).
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Discover the applications (default), or take the whole account as one.
    #[arg(long, value_enum, default_value = "apps")]
    pub scope: ScopeChoice,
    /// The zone to lose (repeatable), or `each` (the default) for every zone the
    /// applications use, one at a time.
    #[arg(long = "lose-az", value_name = "ZONE", default_value = "each")]
    pub lose_az: Vec<String>,
    /// How to write what losing each zone does.
    #[arg(long, value_enum, default_value = "table")]
    pub format: WhatifFormat,
    /// Write the report to FILE instead of stdout.
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    #[command(flatten)]
    pub accounts: AccountArgs,
    #[command(flatten)]
    pub aws: AwsOptions,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum GraphFormat {
    Mermaid,
    Dot,
}

#[derive(Debug, Args)]
pub struct GraphArgs {
    #[command(flatten)]
    pub source: InventorySource,
    #[command(flatten)]
    pub policy: PolicyOptions,
    /// Discover the applications (default), or take the whole account as one.
    #[arg(long, value_enum, default_value = "apps")]
    pub scope: ScopeChoice,
    /// The diagram's language.
    #[arg(long, value_enum, default_value = "mermaid")]
    pub format: GraphFormat,
    /// Grey out what runs in this zone, as if it were lost.
    #[arg(long = "lose-az", value_name = "ZONE")]
    pub lose_az: Option<String>,
    /// Write the diagram to FILE instead of stdout.
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    #[command(flatten)]
    pub accounts: AccountArgs,
    #[command(flatten)]
    pub aws: AwsOptions,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum AppsFormat {
    Table,
    Json,
}

#[derive(Debug, Args)]
pub struct AppsArgs {
    #[command(flatten)]
    pub source: InventorySource,
    /// Config file (`[[apps]]`, `[scope]`; default: ./hacheck.toml if present).
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Discover the applications (default), or show the whole account as one.
    #[arg(long, value_enum, default_value = "apps")]
    pub scope: ScopeChoice,
    /// How to write the applications and their members.
    #[arg(long, value_enum, default_value = "table")]
    pub format: AppsFormat,
    #[command(flatten)]
    pub accounts: AccountArgs,
    #[command(flatten)]
    pub aws: AwsOptions,
}

#[derive(Debug, Args)]
pub struct MergeArgs {
    /// JSON reports (`scan --format json`), or SARIF logs (`scan --format sarif`, merged
    /// with `--format sarif`).
    #[arg(required = true, value_name = "REPORT")]
    pub reports: Vec<PathBuf>,
    /// The merged report's format (`sarif` merges SARIF files; the others merge JSON reports).
    #[arg(long, value_enum, default_value = "json")]
    pub format: ReportFormat,
    /// Write the report to FILE instead of stdout.
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Lowest severity of an open failure that makes the exit status 1.
    #[arg(long, value_name = "SEVERITY", default_value = "low", value_parser = parse_severity)]
    pub fail_on: crate::finding::Severity,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum PermissionsFormat {
    /// An IAM policy document.
    Iam,
    /// A template of the audit role with that policy (for a StackSet).
    Cloudformation,
}

#[derive(Debug, Args)]
pub struct PermissionsArgs {
    /// Also what applying this saved plan (`fix --out`) calls.
    #[arg(long, value_name = "FILE")]
    pub plan: Option<PathBuf>,
    /// Also what a run over several accounts calls (ListAccounts, AssumeRole).
    #[arg(long)]
    pub organization: bool,
    /// An IAM policy document, or a CloudFormation template of the role.
    #[arg(long, value_enum, default_value = "iam")]
    pub format: PermissionsFormat,
    /// The role the template creates.
    #[arg(long, default_value = "hacheck-audit")]
    pub role_name: String,
    /// The external id the template's trust policy requires.
    #[arg(long, value_name = "ID")]
    pub external_id: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum PlanFormat {
    Text,
    Json,
}

/// How an apply may proceed.
#[derive(Debug, Args)]
pub struct ApplyOptions {
    /// Do not ask for confirmation.
    #[arg(long)]
    pub yes: bool,
    /// Also apply unsafe steps (they move or restart things; never delete data).
    #[arg(long = "unsafe")]
    pub allow_unsafe: bool,
    /// Journal of applied steps, for resuming an interrupted apply (default: beside the plan,
    /// or `.hacheck/journal-<plan>.json`).
    #[arg(long, value_name = "FILE")]
    pub journal: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct FixArgs {
    #[command(flatten)]
    pub source: InventorySource,
    #[command(flatten)]
    pub policy: PolicyOptions,
    /// Judge only the web applications (default), or every resource of the account.
    #[arg(long, value_enum, default_value = "apps")]
    pub scope: ScopeChoice,
    /// Suppressions file: suppressed findings are not fixed.
    #[arg(long, value_name = "FILE")]
    pub suppressions: Option<PathBuf>,
    /// Also build what this stack spec (TOML) describes and the account lacks.
    #[arg(long, value_name = "FILE")]
    pub spec: Option<PathBuf>,
    /// Save the plan as JSON to FILE (apply it later with `hacheck apply FILE`).
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// The plan as people read it, or as the plan file holds it.
    #[arg(long, value_enum, default_value = "text")]
    pub format: PlanFormat,
    /// Apply the plan after showing it.
    #[arg(long, conflicts_with = "write")]
    pub apply: bool,
    /// Fix this account of the organisation (one at a time), entered through `--role`.
    #[arg(long, value_name = "ID", conflicts_with_all = ["inventory", "example", "templates", "terraform_plan"])]
    pub account: Option<String>,
    /// With `--account`: the role assumed there, a name or an ARN with `{account}` in it.
    #[arg(long, value_name = "NAME", default_value = crate::collect::accounts::DEFAULT_ROLE, requires = "account")]
    pub role: String,
    /// With `--account`: the external id the role's trust policy requires.
    #[arg(long, value_name = "ID", requires = "account")]
    pub external_id: Option<String>,
    /// Change resources that a CloudFormation stack or Elastic Beanstalk owns here too
    /// (by default such steps name the stack, logical id and property to change instead).
    #[arg(long)]
    pub override_iac: bool,
    /// A Terraform state (`terraform show -json`, without a plan file): steps on the
    /// resources it manages name the address and attribute to change in the configuration
    /// instead (`--override-iac` changes them here anyway).
    #[arg(long, value_name = "FILE")]
    pub terraform_state: Option<PathBuf>,
    /// With `--template` or `--terraform-plan`: write the plan's edits into the templates
    /// or `.tf` files (else the unified diff is only shown).
    #[arg(long)]
    pub write: bool,
    #[command(flatten)]
    pub apply_options: ApplyOptions,
    #[command(flatten)]
    pub aws: AwsOptions,
}

#[derive(Debug, Args)]
pub struct ApplyArgs {
    /// The plan file.
    pub plan: PathBuf,
    #[command(flatten)]
    pub apply_options: ApplyOptions,
    #[command(flatten)]
    pub aws: AwsOptions,
}

/// Where the inventory comes from: a snapshot, a bundled example, else the live account.
#[derive(Debug, Args)]
pub struct InventorySource {
    /// Read a saved snapshot instead of the live account (`scan`: or a directory of them,
    /// one per account, as `inventory --organization --output DIR` writes).
    #[arg(long, value_name = "FILE", conflicts_with = "example")]
    pub inventory: Option<PathBuf>,
    /// Use a bundled example account: `single-server` or `compliant`.
    #[arg(long, value_name = "NAME", conflicts_with = "templates")]
    pub example: Option<String>,
    /// Judge CloudFormation templates (YAML or JSON) before they are deployed; several
    /// load together, their exports meeting their imports.
    #[arg(long = "template", value_name = "FILE", conflicts_with = "inventory")]
    pub templates: Vec<PathBuf>,
    /// Judge a Terraform plan before it is applied: the JSON of `terraform show -json
    /// PLANFILE` (OpenTofu's too).
    #[arg(
        long,
        value_name = "FILE",
        conflicts_with_all = ["inventory", "example", "templates"]
    )]
    pub terraform_plan: Option<PathBuf>,
    /// With `--terraform-plan`: the configuration's directory, whose `.tf` files give each
    /// result its line and tell what the plan cannot (default: the current directory, else
    /// the plan's, whichever declares the plan's resources).
    #[arg(long, value_name = "DIR", requires = "terraform_plan")]
    pub terraform_dir: Option<PathBuf>,
    /// Template parameters: a file in CloudFormation's
    /// `[{"ParameterKey": …, "ParameterValue": …}]` form, or `Key=Value` (repeatable).
    #[arg(
        long = "parameters",
        value_name = "FILE|KEY=VALUE",
        requires = "templates"
    )]
    pub parameters: Vec<String>,
}

/// What the rules judge.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum ScopeChoice {
    /// The web applications found in the account (and those declared in hacheck.toml).
    #[default]
    Apps,
    /// Every resource of the account, as one application.
    Account,
}

impl From<ScopeChoice> for crate::apps::Scope {
    fn from(choice: ScopeChoice) -> Self {
        match choice {
            ScopeChoice::Apps => crate::apps::Scope::Apps,
            ScopeChoice::Account => crate::apps::Scope::Account,
        }
    }
}

/// Which policies run, with which parameters.
#[derive(Debug, Args)]
pub struct PolicyOptions {
    /// A directory of user policies (repeatable); a user policy with a built-in id replaces it.
    #[arg(long = "policies", value_name = "DIR")]
    pub policy_dirs: Vec<PathBuf>,
    /// Config file with policy parameters (default: ./hacheck.toml if present).
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Run only these rules: ids, globs (`HA01*`) or tags (`database`); comma-separated or
    /// repeated. Replaces `[rules] select` of the config.
    #[arg(long, value_name = "RULES", value_delimiter = ',')]
    pub select: Vec<String>,
    /// Do not run these rules (ids, globs or tags); added to `[rules] ignore` of the config.
    #[arg(long, value_name = "RULES", value_delimiter = ',')]
    pub ignore: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ReportFormat {
    /// A table per application, a row per failing finding, sized to the terminal.
    Table,
    /// One line per failing or unknown finding, where it is first (`file:line:col` of a
    /// template, else region and resource): for editors and `grep`.
    Compact,
    /// The whole report, as `docs/json-output.schema.json` describes it.
    Json,
    /// SARIF 2.1.0, for code scanning.
    Sarif,
    /// A pull-request comment, with diagrams.
    Markdown,
}

#[derive(Debug, Args)]
pub struct ScanArgs {
    #[command(flatten)]
    pub source: InventorySource,
    #[command(flatten)]
    pub policy: PolicyOptions,
    /// Judge only the web applications (default), or every resource of the account.
    #[arg(long, value_enum, default_value = "apps")]
    pub scope: ScopeChoice,
    /// How to write the report (SARIF for code scanning, Markdown for a pull request).
    #[arg(long, value_enum, default_value = "table")]
    pub format: ReportFormat,
    /// Write the report to FILE instead of stdout.
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Lowest severity of an open failure that makes the exit status 1.
    #[arg(long, value_name = "SEVERITY", default_value = "low", value_parser = parse_severity)]
    pub fail_on: crate::finding::Severity,
    /// Suppressions file (TOML): rule, resource, reason, expires.
    #[arg(long, value_name = "FILE")]
    pub suppressions: Option<PathBuf>,
    /// Do not treat collector warnings (unreadable services or regions) as an error.
    #[arg(long)]
    pub allow_partial: bool,
    /// Template paths in reports are relative to DIR (default: the current directory), as
    /// GitHub code scanning expects them relative to the repository's root.
    #[arg(long, value_name = "DIR")]
    pub source_root: Option<PathBuf>,
    /// Exit 1 when a verdict waits for an input nobody gave (a template's parameter without
    /// default, an import no loaded template exports), as for a failure.
    #[arg(long)]
    pub fail_on_unknown: bool,
    #[command(flatten)]
    pub accounts: AccountArgs,
    #[command(flatten)]
    pub aws: AwsOptions,
}

/// Several accounts in one run, each entered through an assumed role.
#[derive(Debug, Args)]
pub struct AccountArgs {
    /// Scan this account (repeatable), entered through `--role`.
    #[arg(long = "account", value_name = "ID", conflicts_with_all = ["inventory", "example"])]
    pub accounts: Vec<String>,
    /// Scan every active account of the organisation (Organizations ListAccounts, from the
    /// management or a delegated administrator account).
    #[arg(long, conflicts_with_all = ["inventory", "example"])]
    pub organization: bool,
    /// Scan the active accounts of this organizational unit and of the units below it
    /// (repeatable; Organizations ListAccountsForParent).
    #[arg(long = "ou", value_name = "OU_ID", conflicts_with_all = ["inventory", "example"])]
    pub ous: Vec<String>,
    /// Scan the accounts of this TOML file: `[[account]]` tables of `id` and optionally
    /// `name`, `regions`, `role` and `external_id`, which override the command line's.
    #[arg(long = "accounts", value_name = "FILE", conflicts_with_all = ["inventory", "example"])]
    pub accounts_file: Option<PathBuf>,
    /// Leave this account out (repeatable).
    #[arg(long = "exclude-account", value_name = "ID")]
    pub exclude_accounts: Vec<String>,
    /// The role assumed in each account: a name, or an ARN with `{account}` in it.
    #[arg(long, value_name = "NAME", default_value = crate::collect::accounts::DEFAULT_ROLE)]
    pub role: String,
    /// The external id the role's trust policy requires.
    #[arg(long, value_name = "ID")]
    pub external_id: Option<String>,
    /// Scan only share K of N of the accounts (a stable, disjoint share per account id), for
    /// a CI matrix; join the shards' JSON reports with `hacheck merge`.
    #[arg(long, value_name = "K/N", value_parser = parse_shard)]
    pub shard: Option<(u64, u64)>,
}

/// Text that is no shard `K/N`.
#[derive(Debug, thiserror::Error)]
#[error("`{0}` is not a shard K/N with 1 <= K <= N")]
pub struct NotAShard(String);

fn parse_shard(text: &str) -> Result<(u64, u64), NotAShard> {
    let bad = || NotAShard(text.to_owned());
    let (k, n) = text.split_once('/').ok_or_else(bad)?;
    let (k, n): (u64, u64) = (k.parse().map_err(|_| bad())?, n.parse().map_err(|_| bad())?);
    if k == 0 || k > n {
        return Err(bad());
    }
    Ok((k, n))
}

impl AccountArgs {
    /// The accounts the arguments select (the `--accounts` file read: a bad one is an error).
    pub fn options(&self) -> anyhow::Result<crate::collect::accounts::AccountOptions> {
        let listed = match &self.accounts_file {
            Some(path) => crate::collect::accounts::read_accounts_file(path)?,
            None => Default::default(),
        };
        Ok(crate::collect::accounts::AccountOptions {
            accounts: self.accounts.clone(),
            organization: self.organization,
            exclude: self.exclude_accounts.clone(),
            role: self.role.clone(),
            external_id: self.external_id.clone(),
            shard: self.shard,
            ous: self.ous.clone(),
            listed,
        })
    }
}

fn parse_severity(text: &str) -> Result<crate::finding::Severity, crate::finding::NotASeverity> {
    text.parse()
}

#[derive(Debug, Subcommand)]
pub enum PoliciesCommand {
    /// Id, severity, title and whether a fix exists, for every policy.
    List(PolicyOptions),
    /// Run the policies' test cases (`<id>.tests.json`).
    Test(PolicyOptions),
}

#[derive(Debug, Args)]
pub struct FieldsArgs {
    /// One kind only, e.g. `auto_scaling_group` (default: every kind).
    pub kind: Option<String>,
}

#[derive(Debug, Args)]
pub struct ExplainArgs {
    /// Rule id, e.g. HA010.
    pub id: String,
    /// Print the rule as JSON.
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    pub policy: PolicyOptions,
}

#[derive(Debug, Args)]
pub struct InventoryArgs {
    /// Write the snapshot to FILE instead of stdout (over several accounts: a directory,
    /// one `<account id>.json` each).
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    #[command(flatten)]
    pub source: InventorySource,
    #[command(flatten)]
    pub accounts: AccountArgs,
    #[command(flatten)]
    pub aws: AwsOptions,
}
