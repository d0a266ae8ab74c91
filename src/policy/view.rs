//! The inventory as policies see it: a read-only Rhai object (`inv`) over the inventory's one
//! index ([`crate::inventory::Index`]), built once per run.
//!
//! Every resource is a [`Res`]: a handle (collection and position) whose fields scripts read
//! as `r.field` or `r["field"]`, each read from the typed resource when asked for
//! ([`super::field`]): a rule that judges nothing costs nothing, and nothing of a large
//! account is converted that no rule reads. Handing arrays of handles to scripts copies
//! pointers, not data. Each resource also answers `_kind`, `_type`, `_id` and
//! `_arn`, which `pass`/`fail` use to name it in a finding.
//!
//! Lookups go through the index, keyed by account, region and id: `inv.get(kind, arn)`,
//! `inv.get(near, kind, id)` (in `near`'s account and region, where AWS resolves a
//! reference), and relations that take a resource (`inv.alarms_on(group)`). An id that
//! names resources in several regions is an error in `inv.get(kind, id)`, never a guess.
//!
//! The application model ([`crate::apps`]) comes with the view: `inv.apps`,
//! `inv.app_of(r)`, `inv.members(role)` and `inv.has_role(r, role)`; `inv.zone_loss(app)` is
//! what losing each of its zones does to it (the computation of `hacheck whatif`), computed
//! on first use.

use std::collections::HashMap;
use std::sync::{Arc, OnceLock};

use rhai::{Array, Dynamic, Engine, EvalAltResult, INT, ImmutableString, Map};

use crate::apps::{AppModel, Role};
use crate::inventory::index::{Relation, SLOTS, slot_of_kind};
use crate::inventory::{
    AutoScalingGroup, Collection, Index, Inventory, LoadBalancer, Resource, SecurityGroup,
    TargetGroup,
};

#[derive(Clone)]
pub struct InventoryView(Arc<ViewData>);

struct ViewData {
    index: Arc<Index>,
    /// Per slot: every resource's handle, in inventory order.
    resources: Vec<Vec<Res>>,
    /// Collection name (`instances`) → slot.
    collection_slots: HashMap<&'static str, usize>,
    /// Per slot: the resources as a script array (made on first use).
    collections: Vec<OnceLock<Array>>,
    resource_count: usize,
    /// The application model, and its members per role as script values (by ARN).
    model: AppModel,
    members_by_role: HashMap<Role, Array>,
    /// `inv.apps`, converted on first use.
    apps: OnceLock<Array>,
    /// Application name → what losing each of its zones does (see [`crate::whatif`]).
    zone_loss: OnceLock<HashMap<String, Dynamic>>,
}

/// A read-only inventory resource as scripts see it: its place in the index. A field is
/// read from the typed resource when a script asks for it ([`super::field`]), so a rule
/// that judges nothing costs nothing and nothing is converted twice or kept. Each resource
/// has its own cell, so that scripts on several threads copying handles never contend for
/// one reference count.
#[derive(Clone)]
pub struct Res(Arc<Cell>);

struct Cell {
    index: Arc<Index>,
    slot: u8,
    position: u32,
}

thread_local! {
    /// The fields scripts read, in order, while a policy runs over an inventory read from
    /// templates (else empty): which verdict read what decides where it points and whether
    /// it waits for an unknown input (lookups made in Rust note the fields they follow).
    static READS: std::cell::RefCell<Vec<FieldRead>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// A script's read of a field: (slot, position, field).
pub type FieldRead = (u8, u32, String);

fn note_read(slot: u8, position: u32, field: &str) {
    READS.with(|reads| reads.borrow_mut().push((slot, position, field.to_owned())));
}

/// How many reads this thread's run has made so far.
pub fn reads_so_far() -> usize {
    READS.with(|reads| reads.borrow().len())
}

/// The run's reads, leaving none.
pub fn take_reads() -> Vec<FieldRead> {
    READS.with(|reads| std::mem::take(&mut *reads.borrow_mut()))
}

/// The names a script reads beside a resource's own fields.
const COMPUTED_FIELDS: [&str; 4] = ["_kind", "_type", "_id", "_arn"];

/// Field `name` of `resource`: its own fields, and `_kind`, `_type`, `_id` and `_arn`;
/// `None` when it has no such field.
fn read_field<R: Resource>(resource: &R, account_id: &str, name: &str) -> Option<Dynamic> {
    Some(match name {
        "_kind" => R::KIND.into(),
        "_type" => R::TYPE.into(),
        "_id" => resource.display_id().into(),
        "_arn" => resource.arn(account_id).into(),
        _ => return super::field::pick(resource, name),
    })
}

/// How a finding names `resource`: type, id and ARN from the typed resource, the region as
/// its `region` field reads (empty for Route 53's, which have none).
fn reference_of<R: Resource>(resource: &R, account_id: &str) -> crate::finding::ResourceRef {
    let region = super::field::pick(resource, "region").unwrap_or(Dynamic::UNIT);
    crate::finding::ResourceRef {
        resource_type: R::TYPE.to_owned(),
        id: resource.display_id(),
        arn: resource.arn(account_id),
        region: if region.is_unit() {
            String::new()
        } else {
            region.to_string()
        },
    }
}

impl Cell {
    fn reference(&self) -> crate::finding::ResourceRef {
        let (index, slot, position) = (&self.index, self.slot as usize, self.position as usize);
        macro_rules! name {
            ($ty:ty) => {
                if slot == <$ty as Collection>::SLOT {
                    return reference_of(&index.all::<$ty>()[position], index.account());
                }
            };
        }
        crate::inventory::index::each_collection!(name);
        unreachable!("slot {slot} is a collection")
    }

    /// Field `name`, `None` when the resource has no such field.
    fn field(&self, name: &str) -> Option<Dynamic> {
        let (index, slot, position) = (&self.index, self.slot as usize, self.position as usize);
        if index.has_sources() {
            note_read(self.slot, self.position, name);
        }
        macro_rules! read {
            ($ty:ty) => {
                if slot == <$ty as Collection>::SLOT {
                    return read_field(&index.all::<$ty>()[position], index.account(), name);
                }
            };
        }
        crate::inventory::index::each_collection!(read);
        unreachable!("slot {slot} is a collection")
    }

    /// The names of the resource's fields, for an error naming them.
    fn field_names(&self) -> Vec<&'static str> {
        let (index, slot, position) = (&self.index, self.slot as usize, self.position as usize);
        macro_rules! names {
            ($ty:ty) => {
                if slot == <$ty as Collection>::SLOT {
                    let mut names = super::field::names(&index.all::<$ty>()[position]);
                    names.extend(COMPUTED_FIELDS);
                    return names;
                }
            };
        }
        crate::inventory::index::each_collection!(names);
        unreachable!("slot {slot} is a collection")
    }
}

impl Res {
    fn new(index: &Arc<Index>, slot: usize, position: usize) -> Res {
        Res(Arc::new(Cell {
            index: index.clone(),
            slot: slot as u8,
            position: position as u32,
        }))
    }

    fn slot(&self) -> usize {
        self.0.slot as usize
    }

    fn position(&self) -> usize {
        self.0.position as usize
    }

    /// Field `name` (`()` when absent or when the resource has no such field).
    pub fn field(&self, name: &str) -> Dynamic {
        self.0.field(name).unwrap_or(Dynamic::UNIT)
    }

    /// Field `name` as a script reads it: a field the resource does not have is the
    /// script's error, naming the kind and the fields it has (a misspelt field would
    /// otherwise read as `()` and pass silently).
    fn script_field(&self, name: &str) -> ScriptResult<Dynamic> {
        self.0.field(name).map_or_else(
            || {
                script_error(format!(
                    "{} has no field `{name}` (its fields: {})",
                    self.text("_kind"),
                    self.0.field_names().join(", ")
                ))
            },
            Ok,
        )
    }

    /// How a finding names this resource (one lookup, not one per part).
    pub fn reference(&self) -> crate::finding::ResourceRef {
        self.0.reference()
    }

    /// A field as text (empty when absent or unit).
    pub fn text(&self, name: &str) -> String {
        let value = self.field(name);
        if value.is_unit() {
            String::new()
        } else {
            value.to_string()
        }
    }

    /// Notes that Rust code read the resource's `field` for a script (a lookup).
    fn note_read(&self, field: &str) {
        if self.0.index.has_sources() {
            note_read(self.0.slot, self.0.position, field);
        }
    }

    /// The index slot and position of the resource.
    pub fn key(&self) -> (usize, usize) {
        (self.0.slot as usize, self.0.position as usize)
    }

    /// The typed resource behind the handle, when it is a `T`.
    fn typed<T: Collection>(&self) -> Option<&T> {
        (self.slot() == T::SLOT).then(|| &self.0.index.all::<T>()[self.position()])
    }
}

/// A role by name (an unknown role is a script error naming the known ones).
fn parse_role(role: &str) -> ScriptResult<Role> {
    Role::parse(role).map_or_else(
        || {
            let known: Vec<&str> = Role::ALL.iter().map(|r| r.as_str()).collect();
            script_error(format!(
                "unknown role `{role}` (roles: {})",
                known.join(", ")
            ))
        },
        Ok,
    )
}

/// Whether two script values of a plain type (string, number, boolean, unit) are equal.
fn same_value(a: &Dynamic, b: &Dynamic) -> bool {
    if let (Some(a), Some(b)) = (
        a.read_lock::<ImmutableString>(),
        b.read_lock::<ImmutableString>(),
    ) {
        return *a == *b;
    }
    if let (Ok(a), Ok(b)) = (a.as_int(), b.as_int()) {
        return a == b;
    }
    if let (Ok(a), Ok(b)) = (a.as_bool(), b.as_bool()) {
        return a == b;
    }
    if let (Ok(a), Ok(b)) = (a.as_float(), b.as_float()) {
        return a == b;
    }
    a.is_unit() && b.is_unit()
}

type ScriptResult<T> = Result<T, Box<EvalAltResult>>;

fn script_error<T>(message: String) -> ScriptResult<T> {
    Err(message.into())
}

impl InventoryView {
    pub fn new(index: Arc<Index>, model: &AppModel) -> Self {
        let counts = index.inventory().resource_counts();
        let resources: Vec<Vec<Res>> = counts
            .iter()
            .enumerate()
            .map(|(slot, (_, count))| (0..*count).map(|p| Res::new(&index, slot, p)).collect())
            .collect();
        let collection_slots = counts
            .iter()
            .enumerate()
            .map(|(slot, (name, _))| (*name, slot))
            .collect();
        let mut members_by_role: HashMap<Role, Vec<(&str, Dynamic)>> = HashMap::new();
        let mut seen = std::collections::HashSet::new();
        for member in model.applications.iter().flat_map(|a| &a.members) {
            if !seen.insert((member.role, member.arn.as_str())) {
                continue;
            }
            if let Some(slot) = slot_of_kind(&member.kind)
                && let Some(position) = index.position_of_arn(slot, &member.arn)
            {
                members_by_role.entry(member.role).or_default().push((
                    &member.arn,
                    Dynamic::from(resources[slot][position].clone()),
                ));
            }
        }
        // Members in a stable order whatever the discovery order: by ARN.
        let members_by_role = members_by_role
            .into_iter()
            .map(|(role, mut members)| {
                members.sort_by(|a, b| a.0.cmp(b.0));
                (role, members.into_iter().map(|(_, value)| value).collect())
            })
            .collect();
        let data = ViewData {
            resource_count: counts.iter().map(|(_, n)| n).sum(),
            collection_slots,
            collections: (0..SLOTS).map(|_| OnceLock::new()).collect(),
            model: model.clone(),
            members_by_role,
            apps: OnceLock::new(),
            zone_loss: OnceLock::new(),
            resources,
            index,
        };
        InventoryView(Arc::new(data))
    }

    pub fn index(&self) -> &Index {
        &self.0.index
    }

    /// The inventory the view reads (for the remediations' builders).
    pub(crate) fn inventory(&self) -> &Inventory {
        self.0.index.inventory()
    }

    /// Number of resources, which scales the operation budget of a policy run.
    pub fn resource_count(&self) -> usize {
        self.0.resource_count
    }

    fn handle(&self, slot: usize, position: usize) -> Dynamic {
        Dynamic::from(self.0.resources[slot][position].clone())
    }

    fn collection(&self, slot: usize) -> Array {
        self.0.collections[slot]
            .get_or_init(|| {
                crate::memory::uncounted(|| {
                    self.0.resources[slot]
                        .iter()
                        .map(|r| Dynamic::from(r.clone()))
                        .collect()
                })
            })
            .clone()
    }

    fn apps(&self) -> Array {
        self.0
            .apps
            .get_or_init(|| {
                crate::memory::uncounted(|| {
                    self.0
                        .model
                        .applications
                        .iter()
                        .map(|app| {
                            rhai::serde::to_dynamic(app).expect("applications convert to Rhai")
                        })
                        .collect()
                })
            })
            .clone()
    }

    fn handles(&self, slot: usize, positions: &[u32]) -> Array {
        positions
            .iter()
            .map(|&p| self.handle(slot, p as usize))
            .collect()
    }

    /// Members of the applications in `role` (an unknown role is a script error).
    fn members(&self, role: &str) -> ScriptResult<Array> {
        let role = parse_role(role)?;
        Ok(self
            .0
            .members_by_role
            .get(&role)
            .cloned()
            .unwrap_or_default())
    }

    fn has_role(&self, resource: &Res, role: &str) -> bool {
        Role::parse(role).is_some_and(|role| {
            self.0
                .model
                .roles_of(&resource.text("_arn"))
                .contains(&role)
        })
    }

    fn apps_of(&self, resource: &Res) -> Array {
        self.0
            .model
            .apps_of(&resource.text("_arn"))
            .into_iter()
            .map(|name| Dynamic::from(name.to_owned()))
            .collect()
    }

    /// `inv.apps_of(r, role)`: the applications in which `r` plays `role`.
    fn apps_of_in_role(&self, resource: &Res, role: &str) -> ScriptResult<Array> {
        let role = parse_role(role)?;
        Ok(self
            .0
            .model
            .apps_of_in_role(&resource.text("_arn"), role)
            .into_iter()
            .map(|name| Dynamic::from(name.to_owned()))
            .collect())
    }

    fn slot(kind: &str) -> ScriptResult<usize> {
        slot_of_kind(kind).map_or_else(|| script_error(format!("unknown kind `{kind}`")), Ok)
    }

    /// `inv.get(kind, key)`: by ARN, or by an id that names one resource of the inventory.
    fn get(&self, kind: &str, key: &str) -> ScriptResult<Dynamic> {
        let slot = Self::slot(kind)?;
        if let Some(position) = self.index().position_of_arn(slot, key) {
            return Ok(self.handle(slot, position));
        }
        let found = self.index().positions_of_id(slot, key);
        match found.as_slice() {
            [] => Ok(Dynamic::UNIT),
            [(_, position)] => Ok(self.handle(slot, *position)),
            several => {
                let regions: Vec<&str> = several.iter().map(|(region, _)| *region).collect();
                script_error(format!(
                    "`{key}` names a {kind} in each of {}: look it up by ARN, or beside a resource with inv.get(resource, \"{kind}\", id)",
                    regions.join(", ")
                ))
            }
        }
    }

    /// `inv.get(near, kind, id)`: the `kind` named `id` in `near`'s account and region.
    fn get_near(&self, near: &Res, kind: &str, id: &str) -> ScriptResult<Dynamic> {
        let slot = Self::slot(kind)?;
        if let Some(position) = self.index().position_of_arn(slot, id) {
            return Ok(self.handle(slot, position));
        }
        let region = if kind == "hosted_zone" || kind == "record_set" {
            crate::inventory::GLOBAL_REGION.to_owned()
        } else {
            near.text("region")
        };
        Ok(self
            .index()
            .position_of_id(slot, &region, id)
            .map_or(Dynamic::UNIT, |position| self.handle(slot, position)))
    }

    /// The resources `relation` gives for `subject`, which must be a `S`.
    fn related<S: Collection, T: Collection>(
        &self,
        relation: Relation,
        subject: &Res,
    ) -> ScriptResult<Array> {
        if subject.typed::<S>().is_none() {
            return script_error(format!(
                "expected a {}, got {} `{}`",
                S::KIND,
                subject.text("_kind"),
                subject.text("_id")
            ));
        }
        // A relation follows ids and names, which templates always know: no field read.
        Ok(self.handles(T::SLOT, self.index().related(relation, subject.position())))
    }

    /// The listeners forwarding to the target group with `arn`.
    fn listeners_forwarding_to_arn(&self, arn: &str) -> Array {
        match self.index().arn_position::<TargetGroup>(arn) {
            Some(position) => self.handles(
                crate::inventory::Listener::SLOT,
                self.index()
                    .related(Relation::ListenersForwardingTo, position),
            ),
            None => Array::new(),
        }
    }

    /// The alias records whose target is the load balancer `lb` (any form Route 53 stores).
    /// The subnet of `near`'s region and VPC (`vpc_id`) whose IPv4 block holds `address`.
    fn subnet_of_address(&self, near: &Res, address: &str) -> Dynamic {
        let (region, vpc_id) = (near.text("region"), near.text("vpc_id"));
        let host = format!("{address}/32");
        self.inventory()
            .subnets
            .iter()
            .position(|subnet| {
                subnet.region == region.as_str()
                    && subnet.vpc_id == vpc_id.as_str()
                    && crate::apps::ipv4_cidr_contains(&subnet.cidr_block, &host)
            })
            .map_or(Dynamic::UNIT, |position| {
                self.handle(crate::inventory::Subnet::SLOT, position)
            })
    }

    fn records_aliasing(&self, lb: &Res) -> ScriptResult<Array> {
        lb.note_read("dns_name");
        let dns_name = match (
            lb.typed::<LoadBalancer>(),
            lb.typed::<crate::inventory::ClassicLoadBalancer>(),
        ) {
            (Some(lb), _) => &lb.dns_name,
            (None, Some(lb)) => &lb.dns_name,
            (None, None) => {
                return script_error(format!(
                    "expected a load_balancer or classic_load_balancer, got {} `{}`",
                    lb.text("_kind"),
                    lb.text("_id")
                ));
            }
        };
        Ok(self.handles(
            crate::inventory::RecordSet::SLOT,
            self.index().records_aliasing_positions(dns_name),
        ))
    }

    /// The launch-template version an Auto Scaling group launches: its `$Default`,
    /// `$Latest` or numbered version, or `()` when the group has none or it was not found.
    fn launch_template_version(&self, group: &Res) -> Dynamic {
        group.note_read("launch_template");
        let Some(group) = group.typed::<AutoScalingGroup>() else {
            return Dynamic::UNIT;
        };
        self.index()
            .launch_template_version(group)
            .map_or(Dynamic::UNIT, |version| {
                rhai::serde::to_dynamic(version).expect("versions convert to Rhai")
            })
    }

    /// The AMI `group` launches ([`Index::launch_image`]): `()` when its launch settings
    /// are not known, else `#{ image_id, image, missing }` — `image` the AMI AWS returned
    /// (else `()`), `missing` whether AWS was asked for it and did not return it.
    fn launch_image(&self, group: &Res) -> Dynamic {
        use crate::inventory::index::LaunchImage;
        group.note_read("launch_template");
        group.note_read("launch_configuration_name");
        let Some(asg) = group.typed::<AutoScalingGroup>() else {
            return Dynamic::UNIT;
        };
        let index = self.index();
        let Some(found) = index.launch_image(asg) else {
            return Dynamic::UNIT;
        };
        let (image_id, image, missing) = match found {
            LaunchImage::NoneNamed => (Dynamic::UNIT, Dynamic::UNIT, false),
            LaunchImage::Found(image) => (
                image.id.clone().into(),
                self.handle(crate::inventory::Image::SLOT, index.position(image)),
                false,
            ),
            LaunchImage::Missing(id) => (id.into(), Dynamic::UNIT, true),
            LaunchImage::NotLookedUp(id) => (id.into(), Dynamic::UNIT, false),
        };
        let mut map = Map::new();
        map.insert("image_id".into(), image_id);
        map.insert("image".into(), image);
        map.insert("missing".into(), missing.into());
        map.into()
    }

    /// `inv.not_found(near, kind, id)`: whether the collector asked AWS for the `kind` `id`
    /// in `near`'s region and AWS said it does not exist ([`crate::inventory::NotFound`]).
    /// `false` says nothing: the resource may be collected, or never looked up.
    fn not_found(&self, near: &Res, kind: &str, id: &str) -> ScriptResult<bool> {
        let inventory = self.index().inventory();
        let list = match kind {
            "image" => &inventory.missing_images,
            "target_group" => &inventory.missing_target_groups,
            "classic_load_balancer" => &inventory.missing_classic_load_balancers,
            "security_group" => &inventory.missing_security_groups,
            "key_pair" => &inventory.missing_key_pairs,
            _ => {
                return script_error(format!(
                    "inv.not_found answers for kind `image`, `target_group`, `classic_load_balancer`, `security_group` or `key_pair`, not `{kind}`"
                ));
            }
        };
        Ok(crate::inventory::NotFound::listed(
            list,
            &near.text("region"),
            id,
        ))
    }

    /// `inv.vpc_of_group(group)`: the VPC an Auto Scaling group launches into
    /// ([`Index::vpc_of_group`]), or `()` when none of its subnets is known.
    fn vpc_of_group(&self, group: &Res) -> ScriptResult<Dynamic> {
        let index = self.index();
        let vpc = group
            .typed::<AutoScalingGroup>()
            .and_then(|asg| index.vpc_of_group(asg));
        vpc.map_or(Ok(Dynamic::UNIT), |vpc| self.get_near(group, "vpc", vpc))
    }

    /// `inv.call_failed(near, operation)`: whether the collection of `near`'s region has a
    /// warning of AWS operation `operation` (`DescribeKeyPairs`): what it would have read
    /// there is not known.
    fn call_failed(&self, near: &Res, operation: &str) -> bool {
        let region = near.text("region");
        self.index()
            .inventory()
            .warnings
            .iter()
            .any(|w| w.region == region && w.operation == operation)
    }

    /// The security groups `group`'s instances launch with ([`Index::launch_security_groups`]).
    /// The launch settings' own field is noted as read: a template's launch template whose
    /// groups wait for an input makes the verdict wait too.
    fn launch_security_groups(&self, group: &Res) -> Array {
        group.note_read("launch_template");
        group.note_read("launch_configuration_name");
        let Some(asg) = group.typed::<AutoScalingGroup>() else {
            return Array::new();
        };
        let index = self.index();
        if index.has_sources() {
            if let Some((template, _)) = index.launch_template_of(asg) {
                note_read(
                    crate::inventory::LaunchTemplate::SLOT as u8,
                    index.position(template) as u32,
                    "versions",
                );
            } else if let Some(configuration) = index.launch_configuration_of(asg) {
                note_read(
                    crate::inventory::LaunchConfiguration::SLOT as u8,
                    index.position(configuration) as u32,
                    "security_group_ids",
                );
            }
        }
        index
            .launch_security_groups(asg)
            .into_iter()
            .map(|id| Dynamic::from(id.to_owned()))
            .collect()
    }

    fn zone_loss(&self, app: &str) -> Dynamic {
        // What a zone's loss does follows from where the application's members are: for a
        // template's, those fields are read (a zone that waits for an input makes the
        // verdict wait too).
        if self.index().has_sources()
            && let Some(app) = self.0.model.applications.iter().find(|a| a.name == app)
        {
            for member in &app.members {
                if let Some(slot) = slot_of_kind(&member.kind)
                    && let Some(position) = self.index().position_of_arn(slot, &member.arn)
                {
                    for field in [
                        "availability_zones",
                        "subnet_ids",
                        "availability_zone",
                        "subnet_id",
                    ] {
                        note_read(slot as u8, position as u32, field);
                    }
                }
            }
        }
        self.0
            .zone_loss
            .get_or_init(|| {
                crate::memory::uncounted(|| zone_loss(self, self.index(), &self.0.model))
            })
            .get(app)
            .cloned()
            .unwrap_or(Dynamic::UNIT)
    }

    /// Registers the `inv` type, its collections and its lookups with `engine`.
    pub fn register(engine: &mut Engine) {
        engine.register_type_with_name::<InventoryView>("Inventory");
        engine.register_type_with_name::<Res>("Resource");
        // `r.field` falls back to this indexer, so every field reads like a map's.
        engine.register_indexer_get(|resource: &mut Res, name: &str| resource.script_field(name));
        // `items.where_in(field, values)`: the items (resources or maps) whose `field` is one
        // of `values` (strings, numbers, booleans or `()`). A filter without a script call
        // per item: HA001, HA002 and HA011 pick running instances out of 55,000.
        engine.register_fn(
            "where_in",
            |items: &mut Array, field: &str, values: Array| -> Array {
                items
                    .iter()
                    .filter(|item| {
                        let keep = |value: &Dynamic| values.iter().any(|v| same_value(v, value));
                        if let Some(resource) = item.read_lock::<Res>() {
                            keep(&resource.field(field))
                        } else if let Some(map) = item.read_lock::<Map>() {
                            keep(map.get(field).unwrap_or(&Dynamic::UNIT))
                        } else {
                            false
                        }
                    })
                    .cloned()
                    .collect()
            },
        );
        engine.register_fn("to_string", |resource: &mut Res| resource.text("_id"));
        engine.register_fn("to_debug", |resource: &mut Res| {
            format!("{}:{}", resource.text("_kind"), resource.text("_id"))
        });
        engine.register_fn("==", |a: Res, b: Res| Arc::ptr_eq(&a.0, &b.0));
        engine.register_fn("!=", |a: Res, b: Res| !Arc::ptr_eq(&a.0, &b.0));
        for (name, _) in Inventory::default().resource_counts() {
            engine.register_get(name, move |view: &mut InventoryView| {
                view.collection(view.0.collection_slots[name])
            });
        }
        engine.register_get(
            "account_id",
            |view: &mut InventoryView| -> ImmutableString { view.index().account().into() },
        );
        engine.register_get("apps", |view: &mut InventoryView| view.apps());
        // The inventory is read from templates: a fix is a template edit, and what it
        // cannot write is said in template terms.
        engine.register_get("from_template", |view: &mut InventoryView| {
            view.index().has_sources()
        });
        // The names alone: `inv.apps` converts every member of every application.
        engine.register_get("app_names", |view: &mut InventoryView| -> Array {
            view.0
                .model
                .applications
                .iter()
                .map(|app| Dynamic::from(app.name.clone()))
                .collect()
        });
        engine.register_get("scope", |view: &mut InventoryView| {
            match view.0.model.scope {
                crate::apps::Scope::Apps => "apps",
                crate::apps::Scope::Account => "account",
            }
        });
        engine.register_fn("members", |view: &mut InventoryView, role: &str| {
            view.members(role)
        });
        engine.register_fn(
            "has_role",
            |view: &mut InventoryView, resource: Res, role: &str| view.has_role(&resource, role),
        );
        engine.register_fn("apps_of", |view: &mut InventoryView, resource: Res| {
            view.apps_of(&resource)
        });
        engine.register_fn(
            "apps_of",
            |view: &mut InventoryView, resource: Res, role: &str| {
                view.apps_of_in_role(&resource, role)
            },
        );
        engine.register_fn("app_of", |view: &mut InventoryView, resource: Res| {
            view.apps_of(&resource)
                .into_iter()
                .next()
                .unwrap_or(Dynamic::UNIT)
        });
        engine.register_fn("zone_loss", |view: &mut InventoryView, app: &str| {
            view.zone_loss(app)
        });
        engine.register_fn("get", |view: &mut InventoryView, kind: &str, key: &str| {
            view.get(kind, key)
        });
        engine.register_fn(
            "get",
            |view: &mut InventoryView, near: Res, kind: &str, id: &str| {
                view.get_near(&near, kind, id)
            },
        );
        macro_rules! relation {
            ($name:literal, $relation:ident, $subject:ty, $target:ty) => {
                engine.register_fn($name, |view: &mut InventoryView, subject: Res| {
                    view.related::<$subject, $target>(Relation::$relation, &subject)
                });
            };
        }
        use crate::inventory::{
            ClassicLoadBalancer, Instance, Listener, MetricAlarm, ScalingPolicy,
        };
        relation!("instances_of", InstancesOfGroup, AutoScalingGroup, Instance);
        relation!(
            "scaling_policies_of",
            PoliciesOfGroup,
            AutoScalingGroup,
            ScalingPolicy
        );
        relation!("alarms_on", AlarmsOnGroup, AutoScalingGroup, MetricAlarm);
        relation!(
            "listeners_of",
            ListenersOfLoadBalancer,
            LoadBalancer,
            Listener
        );
        relation!(
            "listeners_forwarding_to",
            ListenersForwardingTo,
            TargetGroup,
            Listener
        );
        relation!(
            "groups_of_target_group",
            GroupsOfTargetGroup,
            TargetGroup,
            AutoScalingGroup
        );
        relation!(
            "groups_of_classic",
            GroupsOfClassicLoadBalancer,
            ClassicLoadBalancer,
            AutoScalingGroup
        );
        relation!(
            "groups_referencing",
            GroupsReferencing,
            SecurityGroup,
            SecurityGroup
        );
        // A group's `target_group_arns` are ARNs: unique keys, not names.
        engine.register_fn(
            "listeners_forwarding_to",
            |view: &mut InventoryView, arn: &str| view.listeners_forwarding_to_arn(arn),
        );
        // +1 for a scaling policy that adds capacity, -1 for one that removes it, 0 else:
        // `ScalingPolicy::direction`, for rules and remediations alike.
        engine.register_fn("scaling_direction", |policy: Res| -> INT {
            policy
                .typed::<crate::inventory::ScalingPolicy>()
                .map_or(0, |p| INT::from(p.direction()))
        });
        // How CloudWatch names load balancers' metrics, for rules and remediations alike:
        // `crate::inventory::metric_namespace` (`()` for a type AWS adds later) and
        // `metric_dimension`.
        engine.register_fn("elb_metric_namespace", |lb_type: &str| -> Dynamic {
            crate::inventory::metric_namespace(lb_type)
                .map_or(Dynamic::UNIT, |namespace| namespace.into())
        });
        engine.register_fn("elb_metric_dimension", |arn: &str| {
            crate::inventory::metric_dimension(arn)
        });
        // `AutoScalingGroup::size_unit`: `()` when the sizes count instances.
        engine.register_fn("size_unit", |group: Res| -> Dynamic {
            group.note_read("desired_capacity_type");
            group.note_read("override_launch_templates");
            group
                .typed::<AutoScalingGroup>()
                .and_then(AutoScalingGroup::size_unit)
                .map_or(Dynamic::UNIT, |unit| Dynamic::from(unit.to_owned()))
        });
        // `AutoScalingGroup::other_launch_templates`, by id (else name).
        engine.register_fn("other_launch_templates", |group: Res| -> Array {
            group.note_read("override_launch_templates");
            group
                .typed::<AutoScalingGroup>()
                .map_or_else(Array::new, |g| {
                    g.other_launch_templates()
                        .map(|t| {
                            Dynamic::from(if t.id.is_empty() {
                                t.name.clone()
                            } else {
                                t.id.clone()
                            })
                        })
                        .collect()
                })
        });
        // A load balancer's own security group lets in only its listeners' ports.
        engine.register_fn(
            "load_balancers_listening_on",
            |view: &mut InventoryView, group: Res, port: INT| -> INT {
                group
                    .typed::<crate::inventory::SecurityGroup>()
                    .map_or(0, |g| {
                        view.index().load_balancers_listening_on(g, port as i32) as INT
                    })
            },
        );
        engine.register_fn(
            "launch_security_groups",
            |view: &mut InventoryView, group: Res| view.launch_security_groups(&group),
        );
        engine.register_fn(
            "is_used_only_by_load_balancers",
            |view: &mut InventoryView, group: Res| -> bool {
                group
                    .typed::<crate::inventory::SecurityGroup>()
                    .is_some_and(|g| view.index().is_used_only_by_load_balancers(g))
            },
        );
        engine.register_fn(
            "subnet_of_address",
            |view: &mut InventoryView, near: Res, address: &str| {
                view.subnet_of_address(&near, address)
            },
        );
        engine.register_fn("records_aliasing", |view: &mut InventoryView, lb: Res| {
            view.records_aliasing(&lb)
        });
        engine.register_fn(
            "instance_at_public_ip",
            |view: &mut InventoryView, ip: &str| {
                view.index()
                    .instance_at_public_ip(ip)
                    .map_or(Dynamic::UNIT, |instance| {
                        view.handle(Instance::SLOT, view.index().position(instance))
                    })
            },
        );
        engine.register_fn("vpc_of_group", |view: &mut InventoryView, group: Res| {
            view.vpc_of_group(&group)
        });
        engine.register_fn(
            "call_failed",
            |view: &mut InventoryView, near: Res, operation: &str| {
                view.call_failed(&near, operation)
            },
        );
        engine.register_fn("launch_image", |view: &mut InventoryView, group: Res| {
            view.launch_image(&group)
        });
        engine.register_fn(
            "not_found",
            |view: &mut InventoryView, near: Res, kind: &str, id: &str| {
                view.not_found(&near, kind, id)
            },
        );
        engine.register_fn(
            "launch_template_version",
            |view: &mut InventoryView, group: Res| view.launch_template_version(&group),
        );
    }
}

/// For each application: `#{ resource, zones }`, where `resource` is the member findings
/// name it by (its first entry point, else its first load balancer, record, group or
/// instance) and `zones` holds one [`crate::whatif::Outcome`] per zone it uses.
fn zone_loss(view: &InventoryView, index: &Index, model: &AppModel) -> HashMap<String, Dynamic> {
    let topology = crate::whatif::Topology::new(index);
    let preference = [
        Role::LoadBalancer,
        Role::ClassicLoadBalancer,
        Role::DnsRecord,
        Role::AutoScalingGroup,
        Role::Instance,
    ];
    model
        .applications
        .iter()
        .map(|app| {
            let named = app
                .entry_points
                .iter()
                .find_map(|id| app.members.iter().find(|m| &m.id == id))
                .or_else(|| {
                    preference
                        .iter()
                        .find_map(|role| app.members.iter().find(|m| m.role == *role))
                });
            let resource = named
                .and_then(|m| {
                    let slot = slot_of_kind(&m.kind)?;
                    Some(view.handle(slot, index.position_of_arn(slot, &m.arn)?))
                })
                .unwrap_or(Dynamic::UNIT);
            let app_zones: Vec<String> = topology.app_zones(app).into_iter().collect();
            let zones: Array = topology
                .lose_zones(app, &app_zones)
                .into_iter()
                .map(|outcome| rhai::serde::to_dynamic(outcome).expect("outcomes convert to Rhai"))
                .collect();
            let mut entry = Map::new();
            entry.insert("resource".into(), resource);
            entry.insert("zones".into(), zones.into());
            (app.name.clone(), Dynamic::from(entry))
        })
        .collect()
}
