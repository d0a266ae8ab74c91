//! The application model: which resources of an account make up its web applications.
//!
//! Rules are about the web application, not about everything an account runs. This module
//! finds the applications in an [`Inventory`] (pure, offline) and says, for every resource
//! that belongs to one, which application and in which *role* (an app instance, the load
//! balancer's security group, the database, a bastion, …) and why it was included. Policies
//! ask the model (`inv.members(role)`, `inv.app_of(r)`) instead of re-deriving it.
//!
//! Discovery starts from **entry points**: internet-facing load balancers, Route 53 records
//! that resolve to an instance's public IP, and instances that serve 80/443 to the internet.
//! From there it follows listeners → target groups → Auto Scaling groups / instances → launch
//! templates, security groups, scaling policies, alarms → topics; then adds the databases
//! whose security groups admit the application's groups, and the bastions of its VPCs.
//! Entry points that share compute are one application.
//!
//! Left out by default, because other systems manage them: EKS, ECS, Karpenter, Batch and EMR
//! capacity (their documented tags) and routing appliances (NAT, VPN: source/destination
//! check off). Explicit scoping wins over all of that: the tag `hacheck:app=<name>` and
//! `[[apps]]` in `hacheck.toml` (include / exclude by tag or by id/name glob).
//!
//! With [`Scope::Account`], the whole account is one application named `account` and nothing
//! is left out: every rule judges every resource, as before the model existed.

mod builder;
mod graph;
mod scoping;
mod seeds;

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet, VecDeque};

use serde::{Deserialize, Serialize};

use crate::inventory::{
    AutoScalingGroup, ClassicLoadBalancer, DbCluster, DbInstance, DbSubnetGroup, Index, Instance,
    Inventory, Listener, LoadBalancer, MetricAlarm, RecordSet, Resource, SecurityGroup, SnsTopic,
    Subnet, Tags, TargetGroup, Vpc,
};

use builder::*;
pub use graph::ipv4_cidr_contains;
use graph::*;
use scoping::*;
pub use scoping::{AppDeclaration, ScopeError, ScopeSettings, Selector};
use seeds::*;

/// The tag that puts any resource into a named application.
pub const APP_TAG: &str = "hacheck:app";
/// The bastion tag unless `[scope] bastion_tag` says otherwise.
pub const DEFAULT_BASTION_TAG: &str = "hacheck:role=bastion";
/// The name of the one application of [`Scope::Account`].
pub const ACCOUNT_APP: &str = "account";

/// What the rules judge.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Scope {
    /// The resources of the web applications found (default).
    #[default]
    Apps,
    /// Every resource of the account, as one application.
    Account,
}

/// The part a resource plays in an application.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    LoadBalancer,
    /// A Classic Load Balancer (`elasticloadbalancing`): listeners and instances in one.
    ClassicLoadBalancer,
    Listener,
    TargetGroup,
    DnsRecord,
    AutoScalingGroup,
    Instance,
    LaunchTemplate,
    LaunchConfiguration,
    AppSecurityGroup,
    LbSecurityGroup,
    ScalingPolicy,
    Alarm,
    Topic,
    /// A standalone DB instance or a DB cluster.
    Database,
    /// An instance of a DB cluster: judged through its cluster.
    ClusterMember,
    DbSecurityGroup,
    /// A bastion host: an instance or an Auto Scaling group.
    Bastion,
    BastionSecurityGroup,
    Vpc,
}

impl Role {
    pub const ALL: [Role; 20] = [
        Role::LoadBalancer,
        Role::ClassicLoadBalancer,
        Role::Listener,
        Role::TargetGroup,
        Role::DnsRecord,
        Role::AutoScalingGroup,
        Role::Instance,
        Role::LaunchTemplate,
        Role::LaunchConfiguration,
        Role::AppSecurityGroup,
        Role::LbSecurityGroup,
        Role::ScalingPolicy,
        Role::Alarm,
        Role::Topic,
        Role::Database,
        Role::ClusterMember,
        Role::DbSecurityGroup,
        Role::Bastion,
        Role::BastionSecurityGroup,
        Role::Vpc,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::LoadBalancer => "load_balancer",
            Role::ClassicLoadBalancer => "classic_load_balancer",
            Role::Listener => "listener",
            Role::TargetGroup => "target_group",
            Role::DnsRecord => "dns_record",
            Role::AutoScalingGroup => "auto_scaling_group",
            Role::Instance => "instance",
            Role::LaunchTemplate => "launch_template",
            Role::LaunchConfiguration => "launch_configuration",
            Role::AppSecurityGroup => "app_security_group",
            Role::LbSecurityGroup => "lb_security_group",
            Role::ScalingPolicy => "scaling_policy",
            Role::Alarm => "alarm",
            Role::Topic => "topic",
            Role::Database => "database",
            Role::ClusterMember => "cluster_member",
            Role::DbSecurityGroup => "db_security_group",
            Role::Bastion => "bastion",
            Role::BastionSecurityGroup => "bastion_security_group",
            Role::Vpc => "vpc",
        }
    }

    pub fn parse(text: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.as_str() == text)
    }
}

/// One resource of an application.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Member {
    /// Inventory kind, e.g. `auto_scaling_group`.
    pub kind: String,
    pub id: String,
    pub arn: String,
    pub role: Role,
    /// Why it belongs: the relation to the member it was reached from.
    pub via: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Application {
    pub name: String,
    /// `discovered`, `tag` (`hacheck:app`), `config` (`[[apps]]`) or `account`.
    pub origin: String,
    /// Ids of the members it was found from.
    pub entry_points: Vec<String>,
    pub members: Vec<Member>,
}

/// A workload (instance, Auto Scaling group, load balancer, database) in no application.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OutOfScope {
    pub kind: String,
    pub id: String,
    pub arn: String,
    pub reason: String,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct AppModel {
    pub scope: Scope,
    pub applications: Vec<Application>,
    pub out_of_scope: Vec<OutOfScope>,
    /// ARN → (application index, role) of every membership.
    #[serde(skip)]
    index: crate::inventory::index::FastMap<String, Vec<(usize, Role)>>,
}

impl AppModel {
    /// Names of the applications `arn` belongs to, in model order.
    pub fn apps_of(&self, arn: &str) -> Vec<&str> {
        let mut names: Vec<&str> = self
            .index
            .get(arn)
            .into_iter()
            .flatten()
            .map(|(app, _)| self.applications[*app].name.as_str())
            .collect();
        names.dedup();
        names
    }

    /// The first application `arn` belongs to (in model order), without listing the others.
    pub fn first_app_of(&self, arn: &str) -> Option<&str> {
        let (app, _) = self.index.get(arn)?.first()?;
        Some(self.applications[*app].name.as_str())
    }

    /// Names of the applications in which `arn` plays `role`, in model order.
    pub fn apps_of_in_role(&self, arn: &str, role: Role) -> Vec<&str> {
        let mut names: Vec<&str> = self
            .index
            .get(arn)
            .into_iter()
            .flatten()
            .filter(|(_, played)| *played == role)
            .map(|(app, _)| self.applications[*app].name.as_str())
            .collect();
        names.dedup();
        names
    }

    /// The roles `arn` plays, in any application.
    pub fn roles_of(&self, arn: &str) -> BTreeSet<Role> {
        self.index
            .get(arn)
            .into_iter()
            .flatten()
            .map(|(_, role)| *role)
            .collect()
    }

    fn reindex(&mut self) {
        self.index.clear();
        for (position, app) in self.applications.iter().enumerate() {
            for member in &app.members {
                self.index
                    .entry(member.arn.clone())
                    .or_default()
                    .push((position, member.role));
            }
        }
    }
}

/// Finds the applications of the inventory behind `index`.
pub fn discover(
    index: &Index,
    scope: Scope,
    settings: &ScopeSettings,
    declared: &[AppDeclaration],
) -> AppModel {
    let graph = Graph::new(index, settings);
    let (applications, left_out) = match scope {
        Scope::Account => (whole_account(&graph), BTreeMap::new()),
        Scope::Apps => applications(&graph, declared),
    };
    let mut model = AppModel {
        scope,
        applications,
        ..Default::default()
    };
    model.reindex();
    model.out_of_scope = out_of_scope(&graph, &model, &left_out);
    model
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cidr_containment() {
        assert!(ipv4_cidr_contains("0.0.0.0/0", "10.0.1.0/24"));
        assert!(ipv4_cidr_contains("10.0.0.0/16", "10.0.1.0/24"));
        assert!(ipv4_cidr_contains("10.0.1.0/24", "10.0.1.7/32"));
        assert!(!ipv4_cidr_contains("10.0.1.0/24", "10.0.0.0/16"));
        assert!(!ipv4_cidr_contains("10.1.0.0/16", "10.0.1.0/24"));
        assert!(!ipv4_cidr_contains("not-a-cidr", "10.0.1.0/24"));
    }

    #[test]
    fn managed_tags_name_their_system() {
        let mut tags = Tags::new();
        assert_eq!(managed_by(&tags), None);
        tags.insert("kubernetes.io/cluster/prod".into(), "owned".into());
        assert_eq!(
            managed_by(&tags).as_deref(),
            Some("managed by Kubernetes (tag `kubernetes.io/cluster/prod`)")
        );
        tags.insert("eks:cluster-name".into(), "prod".into());
        assert_eq!(
            managed_by(&tags).as_deref(),
            Some("managed by EKS (tag `eks:cluster-name`)")
        );
    }

    #[test]
    fn selectors_need_exactly_one_matcher() {
        let both = Selector {
            tag: Some("a=b".into()),
            id: Some("x".into()),
        };
        assert_eq!(
            both.compile("shop").err(),
            Some(ScopeError::Selector { app: "shop".into() })
        );
        assert!(Selector::default().compile("shop").is_err());
        let declaration = AppDeclaration {
            name: "shop".into(),
            include: vec![Selector {
                tag: None,
                id: Some("shop-[".into()),
            }],
            exclude: vec![],
        };
        assert_eq!(
            declaration.validate().unwrap_err().to_string(),
            "[[apps]] `shop`: bad glob `shop-[`: unclosed character class; missing ']'"
        );
    }
}

/// Discovery on whole accounts: what makes an application, and what stays outside one.
#[cfg(test)]
mod discovery_tests {
    use super::*;
    use crate::inventory::{Index, Inventory};

    fn model(inventory: Inventory, scope: Scope) -> AppModel {
        discover(
            &Index::new(inventory),
            scope,
            &ScopeSettings::default(),
            &[],
        )
    }

    fn role_of(app: &Application, id: &str) -> Option<Role> {
        app.members.iter().find(|m| m.id == id).map(|m| m.role)
    }

    /// The compliant example and an instance beside it that nothing reaches (no group, no
    /// load balancer, only the database's security group).
    fn with_stray_instance() -> Inventory {
        let mut inventory = crate::snapshot::example_inventory("compliant");
        let app_instance = inventory.instances.iter().find(|i| i.id == "i-0app0a");
        let mut stray = app_instance.unwrap().clone();
        stray.id = "i-0stray".into();
        stray.tags.clear();
        stray.auto_scaling_group = None;
        stray.security_group_ids = vec!["sg-0db".into()];
        inventory.instances.push(stray);
        inventory
    }

    #[test]
    fn the_reference_architecture_is_one_application_found_from_its_load_balancer() {
        let model = model(crate::snapshot::example_inventory("compliant"), Scope::Apps);
        let [app] = &model.applications[..] else {
            panic!("one application: {:?}", model.applications);
        };
        assert_eq!(
            (app.name.as_str(), app.origin.as_str()),
            ("shop-alb", "discovered")
        );
        assert_eq!(app.entry_points, ["shop-alb"]);
        for (id, role) in [
            ("shop-asg", Role::AutoScalingGroup),
            ("i-0app0a", Role::Instance),
            ("i-0app0b", Role::Instance),
            ("shop-db", Role::Database),
            ("i-0bastion", Role::Bastion),
            ("sg-0bastion", Role::BastionSecurityGroup),
            ("shop-alerts", Role::Topic),
            ("shop.example.com. A", Role::DnsRecord),
        ] {
            assert_eq!(role_of(app, id), Some(role), "{id}");
        }
        assert!(model.out_of_scope.is_empty(), "{:?}", model.out_of_scope);
    }

    #[test]
    fn an_instance_no_entry_point_reaches_is_out_of_scope_and_says_why() {
        let model_of_apps = model(with_stray_instance(), Scope::Apps);
        assert_eq!(role_of(&model_of_apps.applications[0], "i-0stray"), None);
        let [outside] = &model_of_apps.out_of_scope[..] else {
            panic!("{:?}", model_of_apps.out_of_scope);
        };
        assert_eq!(
            (outside.kind.as_str(), outside.id.as_str()),
            ("instance", "i-0stray")
        );
        assert!(
            outside.reason.contains("no internet-facing entry point"),
            "{}",
            outside.reason
        );
        // The account scope leaves nothing out.
        let account = model(with_stray_instance(), Scope::Account);
        assert!(account.out_of_scope.is_empty());
        assert_eq!(
            role_of(&account.applications[0], "i-0stray"),
            Some(Role::Instance)
        );
    }

    #[test]
    fn a_lone_server_named_in_dns_is_an_application_of_its_own() {
        let model = model(
            crate::snapshot::example_inventory("single-server"),
            Scope::Apps,
        );
        let [app] = &model.applications[..] else {
            panic!("one application: {:?}", model.applications);
        };
        assert_eq!(app.name, "swiftcode.example.com");
        assert_eq!(role_of(app, "i-1swiftcode"), Some(Role::Instance));
        assert_eq!(role_of(app, "swiftcode-db"), Some(Role::Database));
    }
}
