//! The closed set of changes `hacheck fix` can make, as plain data, one file per family of
//! actions (each action's struct and what it says of itself, in one place).
//!
//! Each action says what it changes (before → after), which IAM permissions it needs,
//! whether it is safe, unsafe (moves or restarts things; needs `--unsafe`) or manual
//! (printed, never applied), and which resource it targets. How an action is checked
//! against live state and applied lives in `crate::execute`; nothing here calls AWS.
//!
//! Strings of the form `ref:<step id>` stand for the id or ARN that an earlier step of the
//! same plan creates; the executor resolves them when it applies the step.

use serde::{Deserialize, Serialize};

use crate::inventory::{Index, Inventory, Tags};

mod capacity;
mod databases;
mod dns;
pub mod iac;
mod instances;
mod launch;
mod load_balancers;
mod manual;
mod monitoring;
mod network;
pub mod owner;
mod predicted;
mod security_groups;
#[cfg(test)]
mod tests;

pub use capacity::*;
pub use databases::*;
pub use dns::*;
pub use iac::{Declared, IacEdit, IacValue, NotWritten};
pub use instances::*;
pub use launch::*;
pub use load_balancers::*;
pub use manual::*;
pub use monitoring::*;
pub use network::*;
pub use owner::{Owner, OwnerRecords};
pub use security_groups::*;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Safety {
    Safe,
    /// Changes placement or restarts something; applied only with `--unsafe`.
    Unsafe,
    /// Printed as an instruction; hacheck never applies it.
    Manual,
}

/// The prefix of a reference to another step's output.
pub const REF_PREFIX: &str = "ref:";

/// The tag on everything a plan creates, so that a reader (and the predictor) knows it is
/// hacheck's.
pub const MANAGED_TAG: (&str, &str) = ("hacheck:managed", "true");

/// What every action says of itself, for the plan and its reader: each family file
/// implements it for its actions.
pub trait ActionType {
    /// Stable id of the step this action becomes; equal ids are the same change.
    fn key(&self) -> String;
    fn safety(&self) -> Safety {
        Safety::Safe
    }
    /// What the step adds to the bill, when it does: said beside the step, so that nobody
    /// applies a NAT gateway or a standby database without knowing.
    fn cost(&self) -> Option<&'static str> {
        None
    }
    /// `+` creates, `~` updates, `-` removes (terraform's symbols).
    fn symbol(&self) -> char {
        '~'
    }
    /// The resource the action changes, as people name it.
    fn target(&self) -> String;
    /// A short description: "revoke ingress rule", "set capacity", ….
    fn summary(&self) -> String;
    /// Field changes, before → after.
    fn changes(&self) -> Vec<Change>;
    /// IAM permissions the executor needs for this action (read-backs included).
    fn permissions(&self) -> &'static [&'static str];
    /// Its effect on a copy of the inventory (`plan::predict`), in `region`; what it creates
    /// is called `created` (`ref:<step>`), as the plan's other steps call it. None by
    /// default: alarms, policies, topics, AMIs, templates and whole stacks can only add what
    /// the rules ask for, and the rules judge them again after the apply.
    fn predict(&self, inv: &mut Inventory, region: &str, created: &str) {
        let _ = (inv, region, created);
    }
    /// The tags of the resource it changes, where the inventory has them: they say whether
    /// a stack or an environment owns it (`plan::ownership`). None: it creates what nothing
    /// owns yet, or changes what carries no tags.
    fn owner_tags<'i>(&self, region: &str, index: &'i Index) -> Option<&'i Tags> {
        let _ = (region, index);
        None
    }
    /// Whether it changes a load balancer whose tags could not be read: whether a stack
    /// owns it is not known, so it is not changed here either.
    fn tags_unread(&self, region: &str, index: &Index) -> bool {
        let _ = (region, index);
        false
    }
    /// The step as edits of infrastructure code, which a writer per language applies;
    /// `None` where code cannot say it (a new image, a refresh of running instances).
    fn iac_edits(&self) -> Option<Vec<IacEdit>> {
        None
    }
    /// What to change in the owner's CloudFormation template instead: the property and its
    /// new value.
    fn template_change(&self) -> String {
        self.summary()
    }
    /// The Elastic Beanstalk option that makes the change, where there is one.
    fn beanstalk_option(&self) -> &'static str {
        "the environment's configuration"
    }
}

/// Declares `Action`, one variant per action struct (named alike), and its dispatch to
/// [`ActionType`]: the one list of actions.
macro_rules! actions {
    ($($variant:ident($family:ident),)*) => {
        /// One change of a plan. The plan file stores it as its struct's fields beside
        /// `type`, the variant's name in snake case.
        #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
        #[serde(tag = "type", rename_all = "snake_case")]
        pub enum Action {
            $($variant($family::$variant),)*
        }

        /// Calls `$visit!(Variant, …)` with every action: a module that does something
        /// per action (the executor) matches them all from the one list.
        macro_rules! each_action {
            ($visit:ident) => { $visit!($($variant),*) };
        }
        pub(crate) use each_action;

        impl Action {
            /// The action behind the common trait.
            pub fn kind(&self) -> &dyn ActionType {
                match self {
                    $(Action::$variant(action) => action,)*
                }
            }
        }
    };
}

actions! {
    RevokeIngress(security_groups),
    AuthorizeIngress(security_groups),
    SetCapacity(capacity),
    SetHealthCheck(capacity),
    SetMaintenancePolicy(capacity),
    AttachTargetGroups(load_balancers),
    AttachClassicLoadBalancers(load_balancers),
    EnableCrossZone(load_balancers),
    EnableConnectionDraining(load_balancers),
    EnableTargetGroupCrossZone(load_balancers),
    EnableDeletionProtection(load_balancers),
    SetDeregistrationDelay(load_balancers),
    SetSubnets(capacity),
    ConvertLaunchConfiguration(launch),
    TemplateVersionWithoutPublicIp(launch),
    EnableMultiAz(databases),
    AddClusterReader(databases),
    DisablePublicAccess(databases),
    EnableBackups(databases),
    EnableDbDeletionProtection(databases),
    CreateTopic(monitoring),
    SubscribeEmail(monitoring),
    PutScalingPolicy(monitoring),
    PutCpuAlarm(monitoring),
    EnableAlarmActions(monitoring),
    CreateEventSubscription(monitoring),
    PutHealthAlarm(monitoring),
    UpsertAliasRecord(dns),
    Manual(manual),
    CreateVpc(network),
    CreateSubnet(network),
    CreateInternetGateway(network),
    CreateNatGateway(network),
    CreateRouteTable(network),
    CreateSecurityGroup(security_groups),
    RunBastion(instances),
    StopInstance(instances),
    CreateImage(launch),
    CreateLaunchTemplate(launch),
    NewTemplateVersion(launch),
    StartInstanceRefresh(capacity),
    CreateTargetGroup(load_balancers),
    CreateLoadBalancer(load_balancers),
    SetLoadBalancerSubnets(load_balancers),
    CreateListener(load_balancers),
    CreateAutoScalingGroup(capacity),
    CreateDbSubnetGroup(databases),
    CreateDbInstance(databases),
    AliasToLoadBalancer(dns),
}

/// A change a manual step asks a person to make, stated so that the plan predictor can
/// judge it. Never applied by hacheck.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum Advice {
    /// The listener's default action becomes a forward to the target group.
    ForwardListener {
        listener_arn: String,
        target_group_arn: String,
    },
    /// The listener's default action becomes a redirect to HTTPS on 443.
    RedirectListenerToHttps { listener_arn: String },
}

/// A line of "what changes" for the plan output.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Change {
    pub field: String,
    pub before: String,
    pub after: String,
}

fn change(field: &str, before: impl ToString, after: impl ToString) -> Change {
    Change {
        field: field.to_owned(),
        before: before.to_string(),
        after: after.to_string(),
    }
}

/// What follows `marker` in an ARN (`app/web/0123/80` of a listener), else the whole ARN.
fn arn_tail<'a>(arn: &'a str, marker: &str) -> &'a str {
    arn.split_once(marker).map_or(arn, |(_, tail)| tail)
}

impl Action {
    /// Stable id of the step this action becomes; equal ids are the same change.
    pub fn key(&self) -> String {
        self.kind().key()
    }

    pub fn safety(&self) -> Safety {
        self.kind().safety()
    }

    /// What the step adds to the bill, when it does: said beside the step, so that nobody
    /// applies a NAT gateway or a standby database without knowing.
    pub fn cost(&self) -> Option<&'static str> {
        self.kind().cost()
    }

    /// `+` creates, `~` updates, `-` removes (terraform's symbols).
    pub fn symbol(&self) -> char {
        self.kind().symbol()
    }

    /// The resource the action changes, as people name it.
    pub fn target(&self) -> String {
        self.kind().target()
    }

    /// A short description: "revoke ingress rule", "set capacity", ….
    pub fn summary(&self) -> String {
        self.kind().summary()
    }

    /// Field changes, before → after.
    pub fn changes(&self) -> Vec<Change> {
        self.kind().changes()
    }

    /// IAM permissions the executor needs for this action (read-backs included).
    pub fn permissions(&self) -> &'static [&'static str] {
        self.kind().permissions()
    }

    /// Step ids this action's `ref:` strings point at.
    /// The `ref:` a later action names what this one creates by.
    pub fn reference(&self) -> String {
        format!("{REF_PREFIX}{}", self.key())
    }

    pub fn references(&self) -> Vec<String> {
        let text = serde_json::to_string(self).expect("action serialises");
        let mut found: Vec<String> = text
            .split('"')
            .filter_map(|s| s.strip_prefix(REF_PREFIX))
            .map(str::to_owned)
            .collect();
        found.sort();
        found.dedup();
        found
    }
}
