//! The one index of an inventory: every resource keyed by (account, region, id) and by ARN,
//! and the relations the application model, `whatif`, diagrams and the policy view follow.
//!
//! It is built once per inventory and read by everything above the inventory layer, so that
//! two parts of hacheck cannot disagree about what a name refers to. A lookup by id always
//! names the region (and the index's account): the same group name, alarm name or launch
//! configuration name in two regions, or in two accounts, are different resources.
//! References between resources are resolved in the referring resource's own account and
//! region, the only place AWS resolves them.
//!
//! Positions (`usize`) are indexes into the inventory's collections; the policy view keeps
//! its script values in the same order and maps them back. The index owns its inventory
//! (behind an `Arc`), so a view can hold both for as long as scripts run.

use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;

use super::dns::normalize_dns;
use super::*;

/// A collection of the inventory the index keys.
pub trait Collection: Resource + Sized + 'static {
    /// Its slot among the index's per-kind maps.
    const SLOT: usize;
    fn all(inventory: &Inventory) -> &[Self];
}

macro_rules! collections {
    ($($slot:literal: $ty:ident => $field:ident),* $(,)?) => {
        $(impl Collection for $ty {
            const SLOT: usize = $slot;
            fn all(inventory: &Inventory) -> &[Self] {
                &inventory.$field
            }
        })*
        /// The number of keyed collections.
        pub const SLOTS: usize = [$($slot),*].len();

        /// Calls `$visit!(Type)` for every collection: the index keys all of them.
        macro_rules! each_collection {
            ($visit:ident) => { $($visit!($crate::inventory::$ty);)* };
        }
        pub(crate) use each_collection;

        /// Every collection, in slot order: its kind (`auto_scaling_group`) and the type
        /// that holds one (`AutoScalingGroup`).
        pub const KINDS: &[(&str, &str)] = &[$((<$ty as Resource>::KIND, stringify!($ty))),*];

        /// The resource at `position` of collection `slot`, as JSON (what an edit of code
        /// compares its fields with).
        pub fn json_at(inventory: &Inventory, slot: usize, position: usize) -> Option<serde_json::Value> {
            $(if slot == $slot {
                return inventory.$field.get(position).and_then(|r| serde_json::to_value(r).ok());
            })*
            None
        }

        /// The slot of a kind (`instance`, `security_group`, …), or `None`.
        pub fn slot_of_kind(kind: &str) -> Option<usize> {
            $(if kind == <$ty as Resource>::KIND { return Some($slot); })*
            None
        }
    };
}

collections! {
    0: Vpc => vpcs,
    1: Subnet => subnets,
    2: RouteTable => route_tables,
    3: InternetGateway => internet_gateways,
    4: NatGateway => nat_gateways,
    5: SecurityGroup => security_groups,
    6: Instance => instances,
    7: Image => images,
    8: LaunchTemplate => launch_templates,
    9: LaunchConfiguration => launch_configurations,
    10: AutoScalingGroup => auto_scaling_groups,
    11: ScalingPolicy => scaling_policies,
    12: LoadBalancer => load_balancers,
    13: Listener => listeners,
    14: TargetGroup => target_groups,
    15: DbInstance => db_instances,
    16: DbCluster => db_clusters,
    17: DbSubnetGroup => db_subnet_groups,
    18: HostedZone => hosted_zones,
    19: RecordSet => record_sets,
    20: MetricAlarm => metric_alarms,
    21: SnsTopic => sns_topics,
    22: ClassicLoadBalancer => classic_load_balancers,
    23: Distribution => distributions,
    24: EventSubscription => event_subscriptions,
}

/// What the inventory knows of the AMI a group launches ([`Index::launch_image`]).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum LaunchImage<'a> {
    /// The launch settings name no AMI.
    NoneNamed,
    /// AWS returned it; its `state` says whether it launches.
    Found(&'a Image),
    /// The collector asked for it and AWS did not return it.
    Missing(&'a str),
    /// Not looked up: an inventory collected before hacheck read launch settings' AMIs.
    NotLookedUp(&'a str),
}

/// A relation the index resolves, by the position of its subject.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Relation {
    /// Auto Scaling group → the instances it launched (its list, and their group tag).
    InstancesOfGroup,
    /// Auto Scaling group → its scaling policies.
    PoliciesOfGroup,
    /// Auto Scaling group → the alarms on its `AutoScalingGroupName` dimension, and the
    /// alarms on any other metric (request count, memory) that trigger its scaling policies.
    AlarmsOnGroup,
    /// Load balancer → its listeners.
    ListenersOfLoadBalancer,
    /// Target group → the listeners whose default actions forward to it.
    ListenersForwardingTo,
    /// Target group → the Auto Scaling groups attached to it.
    GroupsOfTargetGroup,
    /// Security group → the security groups whose ingress names it as source.
    GroupsReferencing,
    /// Security group → the instances in it.
    InstancesInGroup,
    /// Classic Load Balancer → the Auto Scaling groups that attach it by name.
    GroupsOfClassicLoadBalancer,
}

const RELATIONS: usize = 9;

impl Relation {
    fn slot(self) -> usize {
        self as usize
    }
}

/// A map keyed by ids and ARNs, hashed with aHash: every rule, the model and zone loss look
/// resources up by them, and SipHash was a tenth of a pack's time (keys come from AWS).
pub type FastMap<K, V> = HashMap<K, V, ahash::RandomState>;

/// Region → id → position, one per collection.
type IdMap = FastMap<String, FastMap<String, u32>>;

/// Who uses one security group.
#[derive(Debug, Clone, Default)]
struct GroupUsers {
    /// What a launch template or configuration launches (instances: `InstancesInGroup`).
    launched: bool,
    /// Positions of the ELBv2 and Classic load balancers that use it.
    load_balancers: Vec<u32>,
    classic_load_balancers: Vec<u32>,
}

pub struct Index {
    inventory: Arc<Inventory>,
    ids: Vec<IdMap>,
    arns: Vec<FastMap<String, u32>>,
    relations: [Vec<Vec<u32>>; RELATIONS],
    records_by_alias: FastMap<String, Vec<u32>>,
    instance_by_public_ip: FastMap<String, u32>,
    /// Subnet position → the route table that governs it (explicit, else the VPC's main one).
    route_table_of_subnet: Vec<Option<u32>>,
    /// Security group position → who uses it beside instances (launch settings; load
    /// balancers of either API).
    security_group_users: Vec<GroupUsers>,
    /// (slot, position) → its declaration, for inventories read from templates.
    sources: FastMap<(usize, u32), u32>,
}

fn position<T>(items: &[T], item: &T) -> usize {
    let size = std::mem::size_of::<T>().max(1);
    let offset = (item as *const T as usize).wrapping_sub(items.as_ptr() as usize);
    let position = offset / size;
    assert!(
        offset.is_multiple_of(size) && position < items.len(),
        "a resource of another inventory was looked up in this index"
    );
    position
}

impl Index {
    pub fn new(inventory: impl Into<Arc<Inventory>>) -> Index {
        let inventory: Arc<Inventory> = inventory.into();
        let account = inventory.account_id.clone();
        let mut index = Index {
            ids: (0..SLOTS).map(|_| IdMap::default()).collect(),
            arns: (0..SLOTS).map(|_| FastMap::default()).collect(),
            relations: Default::default(),
            records_by_alias: FastMap::default(),
            instance_by_public_ip: FastMap::default(),
            route_table_of_subnet: Vec::new(),
            security_group_users: Vec::new(),
            sources: FastMap::default(),
            inventory: inventory.clone(),
        };
        macro_rules! key {
            ($ty:ty) => {{
                let items = <$ty as Collection>::all(&inventory);
                let ids = &mut index.ids[<$ty as Collection>::SLOT];
                let arns = &mut index.arns[<$ty as Collection>::SLOT];
                arns.reserve(items.len());
                // A record set's display id (`name type`) is not unique: it is keyed by ARN only.
                let by_id = <$ty as Resource>::KIND != RecordSet::KIND;
                for (position, item) in items.iter().enumerate() {
                    let position = position as u32;
                    if by_id {
                        ids.entry(item.region().to_owned())
                            .or_default()
                            .insert(item.display_id(), position);
                    }
                    arns.insert(item.arn(&account), position);
                }
            }};
        }
        each_collection!(key);
        for (n, source) in inventory.sources.iter().enumerate() {
            if let Some(slot) = slot_of_kind(&source.kind)
                && let Some(position) = index.position_of_arn(slot, &source.arn)
            {
                index.sources.insert((slot, position as u32), n as u32);
            }
        }
        index.relate();
        index
    }

    /// Whether the inventory was read from templates (its resources have sources).
    pub fn has_sources(&self) -> bool {
        !self.sources.is_empty()
    }

    /// Where the resource at (`slot`, `position`) was declared, for a template's.
    pub fn source_of(&self, slot: usize, position: usize) -> Option<&Source> {
        let n = *self.sources.get(&(slot, position as u32))?;
        self.inventory.sources.get(n as usize)
    }

    fn relate(&mut self) {
        let inv = self.inventory.clone();
        let sized = |n: usize| vec![Vec::new(); n];
        let groups = inv.auto_scaling_groups.len();
        let mut instances_of_group = sized(groups);
        let mut policies_of_group = sized(groups);
        let mut alarms_on_group = sized(groups);
        for (position, group) in inv.auto_scaling_groups.iter().enumerate() {
            for id in &group.instance_ids {
                if let Some(instance) = self.find_position::<Instance>(&group.region, id) {
                    instances_of_group[position].push(instance as u32);
                }
            }
        }
        for (position, instance) in inv.instances.iter().enumerate() {
            if let Some(name) = &instance.auto_scaling_group
                && let Some(group) = self.find_position::<AutoScalingGroup>(&instance.region, name)
                && !instances_of_group[group].contains(&(position as u32))
            {
                instances_of_group[group].push(position as u32);
            }
            if instance.state != "terminated"
                && let Some(ip) = &instance.public_ip
            {
                self.instance_by_public_ip
                    .insert(ip.clone(), position as u32);
            }
        }
        for list in &mut instances_of_group {
            list.sort_unstable();
        }
        for (position, policy) in inv.scaling_policies.iter().enumerate() {
            if let Some(group) =
                self.find_position::<AutoScalingGroup>(&policy.region, &policy.auto_scaling_group)
            {
                policies_of_group[group].push(position as u32);
            }
        }
        for (position, alarm) in inv.metric_alarms.iter().enumerate() {
            let on_dimension = alarm
                .dimensions
                .get("AutoScalingGroupName")
                .and_then(|name| self.find_position::<AutoScalingGroup>(&alarm.region, name));
            let triggered = alarm.alarm_actions.iter().filter_map(|action| {
                let policy = &inv.scaling_policies[self.arn_position::<ScalingPolicy>(action)?];
                self.find_position::<AutoScalingGroup>(&policy.region, &policy.auto_scaling_group)
            });
            for group in on_dimension.into_iter().chain(triggered) {
                if !alarms_on_group[group].contains(&(position as u32)) {
                    alarms_on_group[group].push(position as u32);
                }
            }
        }
        let mut listeners_of_lb = sized(inv.load_balancers.len());
        let mut listeners_to_tg = sized(inv.target_groups.len());
        for (position, listener) in inv.listeners.iter().enumerate() {
            if let Some(lb) = self.arn_position::<LoadBalancer>(&listener.load_balancer_arn) {
                listeners_of_lb[lb].push(position as u32);
            }
            for arn in listener.forwarded_target_groups() {
                if let Some(tg) = self.arn_position::<TargetGroup>(arn) {
                    let listeners: &mut Vec<u32> = &mut listeners_to_tg[tg];
                    if !listeners.contains(&(position as u32)) {
                        listeners.push(position as u32);
                    }
                }
            }
        }
        let mut groups_of_tg = sized(inv.target_groups.len());
        for (position, group) in inv.auto_scaling_groups.iter().enumerate() {
            for arn in &group.target_group_arns {
                if let Some(tg) = self.arn_position::<TargetGroup>(arn) {
                    groups_of_tg[tg].push(position as u32);
                }
            }
        }
        let mut groups_of_classic = sized(inv.classic_load_balancers.len());
        for (position, group) in inv.auto_scaling_groups.iter().enumerate() {
            for name in &group.load_balancer_names {
                if let Some(lb) = self.find_position::<ClassicLoadBalancer>(&group.region, name) {
                    groups_of_classic[lb].push(position as u32);
                }
            }
        }
        let mut instances_in_group = sized(inv.security_groups.len());
        for (position, instance) in inv.instances.iter().enumerate() {
            for id in &instance.security_group_ids {
                if let Some(group) = self.find_position::<SecurityGroup>(&instance.region, id) {
                    instances_in_group[group].push(position as u32);
                }
            }
        }
        let mut groups_referencing = sized(inv.security_groups.len());
        for (position, group) in inv.security_groups.iter().enumerate() {
            let mut sources: Vec<&String> = group
                .ingress
                .iter()
                .filter_map(|r| r.source_group_id.as_ref())
                .collect();
            sources.sort();
            sources.dedup();
            for source in sources {
                if let Some(referenced) = self.find_position::<SecurityGroup>(&group.region, source)
                {
                    groups_referencing[referenced].push(position as u32);
                }
            }
        }
        for (position, record) in inv.record_sets.iter().enumerate() {
            if let Some(alias) = &record.alias_target {
                self.records_by_alias
                    .entry(normalize_dns(&alias.dns_name))
                    .or_default()
                    .push(position as u32);
            }
        }
        // A name aliasing an enabled distribution that answers for it (one of its aliases:
        // CloudFront refuses other names) reaches its origins through it: the load balancer
        // it fronts is aliased by that name too.
        for distribution in inv.distributions.iter().filter(|d| d.enabled) {
            let answers: BTreeSet<String> = distribution
                .aliases
                .iter()
                .map(|a| normalize_dns(a))
                .collect();
            let Some(fronted) = self
                .records_by_alias
                .get(&normalize_dns(&distribution.domain_name))
                .map(|records| {
                    records
                        .iter()
                        .copied()
                        .filter(|&p| {
                            answers.contains(&normalize_dns(&inv.record_sets[p as usize].name))
                        })
                        .collect::<Vec<u32>>()
                })
            else {
                continue;
            };
            for origin in &distribution.origins {
                let records = self
                    .records_by_alias
                    .entry(normalize_dns(origin))
                    .or_default();
                for position in &fronted {
                    if !records.contains(position) {
                        records.push(*position);
                    }
                }
            }
        }
        let mut explicit: HashMap<(&str, &str), u32> = HashMap::new();
        let mut main: HashMap<(&str, &str), u32> = HashMap::new();
        for (position, table) in inv.route_tables.iter().enumerate() {
            for subnet in &table.subnet_ids {
                explicit.insert((&table.region, subnet), position as u32);
            }
            if table.main {
                main.insert((&table.region, &table.vpc_id), position as u32);
            }
        }
        self.route_table_of_subnet = inv
            .subnets
            .iter()
            .map(|s| {
                explicit
                    .get(&(s.region.as_str(), s.id.as_str()))
                    .or_else(|| main.get(&(s.region.as_str(), s.vpc_id.as_str())))
                    .copied()
            })
            .collect();
        self.security_group_users = vec![GroupUsers::default(); inv.security_groups.len()];
        let group_ids = &self.ids[SecurityGroup::SLOT];
        let mut users = |region: &str, ids: &[String], mark: &mut dyn FnMut(&mut GroupUsers)| {
            for id in ids {
                if let Some(position) = group_ids.get(region).and_then(|by_id| by_id.get(id)) {
                    mark(&mut self.security_group_users[*position as usize]);
                }
            }
        };
        for template in &inv.launch_templates {
            for version in &template.versions {
                users(&template.region, &version.security_group_ids, &mut |u| {
                    u.launched = true
                });
            }
        }
        for configuration in &inv.launch_configurations {
            users(
                &configuration.region,
                &configuration.security_group_ids,
                &mut |u| u.launched = true,
            );
        }
        for (position, lb) in inv.load_balancers.iter().enumerate() {
            users(&lb.region, &lb.security_group_ids, &mut |u| {
                u.load_balancers.push(position as u32)
            });
        }
        for (position, lb) in inv.classic_load_balancers.iter().enumerate() {
            users(&lb.region, &lb.security_group_ids, &mut |u| {
                u.classic_load_balancers.push(position as u32)
            });
        }
        self.relations = [
            instances_of_group,
            policies_of_group,
            alarms_on_group,
            listeners_of_lb,
            listeners_to_tg,
            groups_of_tg,
            groups_referencing,
            instances_in_group,
            groups_of_classic,
        ];
    }

    pub fn inventory(&self) -> &Inventory {
        &self.inventory
    }

    /// The shared inventory, for holders that outlive a borrow (the policy view).
    pub fn shared_inventory(&self) -> Arc<Inventory> {
        self.inventory.clone()
    }

    pub fn account(&self) -> &str {
        &self.inventory.account_id
    }

    pub fn all<T: Collection>(&self) -> &[T] {
        T::all(&self.inventory)
    }

    /// The position of the `T` with `id` (its display id) in `region` of this account.
    pub fn find_position<T: Collection>(&self, region: &str, id: &str) -> Option<usize> {
        self.ids[T::SLOT].get(region)?.get(id).map(|&p| p as usize)
    }

    /// The `T` with `id` in `region` of this index's account.
    pub fn find<T: Collection>(&self, region: &str, id: &str) -> Option<&T> {
        self.find_position::<T>(region, id)
            .map(|p| &self.all::<T>()[p])
    }

    /// The `T` with `id` in the account and region of `near`: how AWS resolves a reference
    /// from one resource to another.
    pub fn find_near<T: Collection>(&self, near: &impl Resource, id: &str) -> Option<&T> {
        let region = if T::TYPE.starts_with("AWS::Route53::") {
            GLOBAL_REGION
        } else {
            near.region()
        };
        self.find::<T>(region, id)
    }

    pub fn arn_position<T: Collection>(&self, arn: &str) -> Option<usize> {
        self.arns[T::SLOT].get(arn).map(|&p| p as usize)
    }

    pub fn by_arn<T: Collection>(&self, arn: &str) -> Option<&T> {
        self.arn_position::<T>(arn).map(|p| &self.all::<T>()[p])
    }

    /// Positions of the resources of `slot` whose display id is `id`, in any region: more
    /// than one means the id alone does not name a resource.
    pub fn positions_of_id(&self, slot: usize, id: &str) -> Vec<(&str, usize)> {
        let mut found: Vec<(&str, usize)> = self.ids[slot]
            .iter()
            .filter_map(|(region, ids)| Some((region.as_str(), *ids.get(id)? as usize)))
            .collect();
        found.sort();
        found
    }

    /// The position of a resource of `slot` by ARN.
    pub fn position_of_arn(&self, slot: usize, arn: &str) -> Option<usize> {
        self.arns[slot].get(arn).map(|&p| p as usize)
    }

    /// The position of the resource of `slot` with `id` in `region`.
    /// The resource of `kind` with id `id` in `region`, as JSON (what an edit of code
    /// compares its fields with).
    pub fn json_of(&self, kind: &str, region: &str, id: &str) -> Option<serde_json::Value> {
        let slot = slot_of_kind(kind)?;
        let position = self.position_of_id(slot, region, id)?;
        json_at(self.inventory(), slot, position)
    }

    pub fn position_of_id(&self, slot: usize, region: &str, id: &str) -> Option<usize> {
        self.ids[slot].get(region)?.get(id).map(|&p| p as usize)
    }

    /// The position of `item`, which must be one of this index's resources.
    pub fn position<T: Collection>(&self, item: &T) -> usize {
        position(self.all::<T>(), item)
    }

    /// Positions related to the resource at `subject` (see [`Relation`]).
    pub fn related(&self, relation: Relation, subject: usize) -> &[u32] {
        self.relations[relation.slot()]
            .get(subject)
            .map(Vec::as_slice)
            .unwrap_or(&[])
    }

    fn related_items<T: Collection, S: Collection>(
        &self,
        relation: Relation,
        subject: &S,
    ) -> impl Iterator<Item = &T> + '_ {
        let items = self.all::<T>();
        self.related(relation, self.position(subject))
            .iter()
            .map(move |&p| &items[p as usize])
    }

    pub fn instances_of<'s>(
        &'s self,
        group: &AutoScalingGroup,
    ) -> impl Iterator<Item = &'s Instance> + 's {
        self.related_items(Relation::InstancesOfGroup, group)
    }

    pub fn scaling_policies_of<'s>(
        &'s self,
        group: &AutoScalingGroup,
    ) -> impl Iterator<Item = &'s ScalingPolicy> + 's {
        self.related_items(Relation::PoliciesOfGroup, group)
    }

    pub fn alarms_on<'s>(
        &'s self,
        group: &AutoScalingGroup,
    ) -> impl Iterator<Item = &'s MetricAlarm> + 's {
        self.related_items(Relation::AlarmsOnGroup, group)
    }

    /// The Auto Scaling groups that attach the Classic Load Balancer `lb` by name.
    pub fn groups_of_classic<'s>(
        &'s self,
        lb: &ClassicLoadBalancer,
    ) -> impl Iterator<Item = &'s AutoScalingGroup> + 's {
        self.related_items(Relation::GroupsOfClassicLoadBalancer, lb)
    }

    pub fn listeners_of<'s>(
        &'s self,
        lb: &LoadBalancer,
    ) -> impl Iterator<Item = &'s Listener> + 's {
        self.related_items(Relation::ListenersOfLoadBalancer, lb)
    }

    pub fn listeners_forwarding_to<'s>(
        &'s self,
        target_group: &TargetGroup,
    ) -> impl Iterator<Item = &'s Listener> + 's {
        self.related_items(Relation::ListenersForwardingTo, target_group)
    }

    pub fn groups_of_target_group<'s>(
        &'s self,
        target_group: &TargetGroup,
    ) -> impl Iterator<Item = &'s AutoScalingGroup> + 's {
        self.related_items(Relation::GroupsOfTargetGroup, target_group)
    }

    pub fn groups_referencing<'s>(
        &'s self,
        group: &SecurityGroup,
    ) -> impl Iterator<Item = &'s SecurityGroup> + 's {
        self.related_items(Relation::GroupsReferencing, group)
    }

    pub fn instances_in<'s>(
        &'s self,
        group: &SecurityGroup,
    ) -> impl Iterator<Item = &'s Instance> + 's {
        self.related_items(Relation::InstancesInGroup, group)
    }

    /// Positions of the alias records whose target is `dns` (in any form Route 53 stores).
    pub fn records_aliasing_positions(&self, dns: &str) -> &[u32] {
        self.records_by_alias
            .get(&normalize_dns(dns))
            .map(Vec::as_slice)
            .unwrap_or(&[])
    }

    pub fn records_aliasing<'s>(&'s self, dns: &str) -> impl Iterator<Item = &'s RecordSet> + 's {
        let records = &self.inventory.record_sets;
        self.records_aliasing_positions(dns)
            .iter()
            .map(move |&p| &records[p as usize])
    }

    /// The instance (not terminated) that holds public IPv4 address `ip`.
    pub fn instance_at_public_ip(&self, ip: &str) -> Option<&Instance> {
        self.instance_by_public_ip
            .get(ip)
            .map(|&p| &self.inventory.instances[p as usize])
    }

    /// The route table that governs `subnet`: its explicit association, else its VPC's main
    /// table.
    pub fn route_table_of(&self, subnet: &Subnet) -> Option<&RouteTable> {
        self.route_table_of_subnet[self.position(subnet)]
            .map(|p| &self.inventory.route_tables[p as usize])
    }

    /// The NAT gateway `subnet`'s IPv4 default route goes through, if that is how it gets out.
    pub fn nat_gateway_of(&self, subnet: &Subnet) -> Option<&NatGateway> {
        let table = self.route_table_of(subnet)?;
        let route = table.routes.iter().find(|r| r.destination == "0.0.0.0/0")?;
        self.find_near::<NatGateway>(subnet, &route.target)
    }

    /// The zone of subnet `id` in `near`'s region.
    pub fn zone_of_subnet(&self, near: &impl Resource, id: &str) -> Option<&str> {
        self.find_near::<Subnet>(near, id)
            .map(|s| s.availability_zone.as_str())
    }

    /// The VPC of subnet `id` in `near`'s region.
    pub fn vpc_of_subnet(&self, near: &impl Resource, id: &str) -> Option<&str> {
        self.find_near::<Subnet>(near, id)
            .map(|s| s.vpc_id.as_str())
    }

    /// The VPC an Auto Scaling group launches into (its first known subnet's).
    pub fn vpc_of_group(&self, group: &AutoScalingGroup) -> Option<&str> {
        group
            .subnet_ids
            .iter()
            .find_map(|s| self.vpc_of_subnet(group, s))
    }

    /// The zones a group launches into: its subnets' zones, else its own list.
    pub fn launch_zones<'s>(&'s self, group: &'s AutoScalingGroup) -> BTreeSet<&'s str> {
        let from_subnets: BTreeSet<&str> = group
            .subnet_ids
            .iter()
            .filter_map(|id| self.zone_of_subnet(group, id))
            .collect();
        if !from_subnets.is_empty() {
            return from_subnets;
        }
        group
            .availability_zones
            .iter()
            .map(String::as_str)
            .collect()
    }

    /// The launch template a group launches from, and the version its reference resolves to
    /// (`$Default`, `$Latest` or a number) when the inventory holds that version.
    pub fn launch_template_of(
        &self,
        group: &AutoScalingGroup,
    ) -> Option<(&LaunchTemplate, Option<&LaunchTemplateVersion>)> {
        let reference = group.launch_template.as_ref()?;
        let template = self
            .find_near::<LaunchTemplate>(group, &reference.id)
            .or_else(|| {
                self.all::<LaunchTemplate>()
                    .iter()
                    .find(|t| t.region == group.region && t.name == reference.name)
            })?;
        let wanted = match reference.version.as_str() {
            "$Latest" => Some(template.latest_version),
            "$Default" | "" => Some(template.default_version),
            number => number.parse().ok(),
        };
        Some((template, wanted.and_then(|n| template.version(n))))
    }

    /// The launch-template version a group launches, when it has one and it is known.
    pub fn launch_template_version(
        &self,
        group: &AutoScalingGroup,
    ) -> Option<&LaunchTemplateVersion> {
        self.launch_template_of(group).and_then(|(_, v)| v)
    }

    /// The AMI a group launches (its launch-template version's, else its launch
    /// configuration's), as far as the inventory knows it: `None` when its launch
    /// settings are not in the inventory.
    pub fn launch_image(&self, group: &AutoScalingGroup) -> Option<LaunchImage<'_>> {
        let image_id = if group.launch_template.is_some() {
            self.launch_template_version(group)?.image_id.as_deref()
        } else {
            Some(self.launch_configuration_of(group)?.image_id.as_str())
        };
        let Some(id) = image_id.filter(|id| !id.is_empty()) else {
            return Some(LaunchImage::NoneNamed);
        };
        Some(if let Some(image) = self.find_near::<Image>(group, id) {
            LaunchImage::Found(image)
        } else if crate::inventory::NotFound::listed(
            &self.inventory().missing_images,
            &group.region,
            id,
        ) {
            LaunchImage::Missing(id)
        } else {
            LaunchImage::NotLookedUp(id)
        })
    }

    /// The launch configuration a group launches from.
    pub fn launch_configuration_of(
        &self,
        group: &AutoScalingGroup,
    ) -> Option<&LaunchConfiguration> {
        let name = group.launch_configuration_name.as_deref()?;
        self.find_near::<LaunchConfiguration>(group, name)
    }

    /// The security groups a group's instances launch with (template version or launch
    /// configuration); when those name none, the default group of the group's VPC, which
    /// AWS gives such instances.
    pub fn launch_security_groups<'s>(&'s self, group: &'s AutoScalingGroup) -> Vec<&'s str> {
        let named = if group.launch_template.is_some() {
            self.launch_template_version(group)
                .map(|v| v.security_group_ids.as_slice())
        } else {
            self.launch_configuration_of(group)
                .map(|c| c.security_group_ids.as_slice())
        };
        match named {
            Some(ids) if !ids.is_empty() => ids.iter().map(String::as_str).collect(),
            // Launch settings not read: nothing is known of their groups.
            None => Vec::new(),
            Some(_) => self
                .vpc_of_group(group)
                .and_then(|vpc| {
                    self.all::<SecurityGroup>().iter().find(|g| {
                        g.region == group.region && g.vpc_id == vpc && g.name == "default"
                    })
                })
                .map(|g| vec![g.id.as_str()])
                .unwrap_or_default(),
        }
    }

    /// Whether `group` launches instances whose user data joins an ECS cluster: the
    /// cluster's capacity, whose tasks ECS (not the group) registers with target groups.
    /// (A capacity provider's group also carries the tag `AmazonECSManaged`.)
    pub fn launches_ecs_container_instances(&self, group: &AutoScalingGroup) -> bool {
        match &group.launch_template {
            Some(_) => self
                .launch_template_version(group)
                .is_some_and(|v| v.joins_ecs_cluster),
            None => self
                .launch_configuration_of(group)
                .is_some_and(|c| c.joins_ecs_cluster),
        }
    }

    /// The Auto Scaling group that owns `instance` (its group tag, in its region).
    pub fn group_of_instance(&self, instance: &Instance) -> Option<&AutoScalingGroup> {
        let name = instance.auto_scaling_group.as_deref()?;
        self.find_near::<AutoScalingGroup>(instance, name)
    }

    /// How many load balancers using security group `group` carry traffic on `port`, in
    /// or out: a listener on it, or a listener sending to it (a target group's port, a
    /// target's, a Classic listener's instance port). A load balancer carries nothing else:
    /// a 2222 → 22 listener carries SSH as surely as a 22 one.
    pub fn load_balancers_listening_on(&self, group: &SecurityGroup, port: i32) -> usize {
        let users = &self.security_group_users[self.position(group)];
        let elbv2 = users
            .load_balancers
            .iter()
            .map(|&p| &self.inventory.load_balancers[p as usize])
            .filter(|lb| {
                self.listeners_of(lb).any(|l| {
                    l.port == port
                        || l.forwarded_target_groups().into_iter().any(|arn| {
                            self.by_arn::<TargetGroup>(arn).is_some_and(|tg| {
                                tg.port == Some(port)
                                    || tg.targets.iter().any(|t| t.port == Some(port))
                            })
                        })
                })
            })
            .count();
        let classic = users
            .classic_load_balancers
            .iter()
            .map(|&p| &self.inventory.classic_load_balancers[p as usize])
            .filter(|lb| {
                lb.listeners
                    .iter()
                    .any(|l| l.port == port || l.instance_port == port)
            })
            .count();
        elbv2 + classic
    }

    /// Whether security group `group` is a load balancer's and nothing else's: no instance,
    /// launch template or launch configuration uses it. (Network interfaces of tasks and
    /// functions are not collected: a group no load balancer uses is never called this.)
    pub fn is_used_only_by_load_balancers(&self, group: &SecurityGroup) -> bool {
        let users = &self.security_group_users[self.position(group)];
        let by_load_balancers =
            !users.load_balancers.is_empty() || !users.classic_load_balancers.is_empty();
        by_load_balancers && !users.launched && self.instances_in(group).next().is_none()
    }

    /// The security groups of `ids` that exist, in `near`'s region.
    pub fn security_groups_near<'s>(
        &'s self,
        near: &'s impl Resource,
        ids: &'s [String],
    ) -> impl Iterator<Item = &'s SecurityGroup> + 's {
        ids.iter()
            .filter_map(move |id| self.find_near::<SecurityGroup>(near, id))
    }
}

impl Listener {
    /// Its default actions, then its rules' actions by priority.
    pub fn all_actions(&self) -> impl Iterator<Item = &ListenerAction> {
        self.default_actions
            .iter()
            .chain(self.rules.iter().flat_map(|rule| &rule.actions))
    }

    /// The target groups its default actions and its rules forward to, each once, in order.
    pub fn forwarded_target_groups(&self) -> Vec<&String> {
        let mut forwarded: Vec<&String> = Vec::new();
        for arn in self
            .all_actions()
            .filter(|a| a.action_type == "forward")
            .flat_map(|a| &a.target_group_arns)
        {
            if !forwarded.contains(&arn) {
                forwarded.push(arn);
            }
        }
        forwarded
    }
}

#[cfg(test)]
mod tests;
