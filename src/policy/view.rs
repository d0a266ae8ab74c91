//! The inventory as policies see it: a read-only Rhai object (`inv`) built once per run.
//!
//! Every resource becomes a [`Res`]: an immutable map behind an `Arc`, read in scripts as
//! `r.field` or `r["field"]`. Handing arrays of them to scripts copies pointers, not data (a
//! plain `Dynamic` map deep-copies when cloned, and Rhai's shared values cannot sit inside
//! arrays when data-size limits are on). Relations that rules
//! follow (security group → groups that reference it, alarm → ASG, target group → listeners,
//! DNS name → alias records) are indexed here once, so a script asks instead of rescanning.
//!
//! Each resource map also carries `_kind`, `_type`, `_id` and `_arn`, which `pass`/`fail`
//! use to name the resource in a finding.
//!
//! The application model ([`crate::apps`]) comes with the view: `inv.apps`,
//! `inv.app_of(r)`, `inv.members(role)` and `inv.has_role(r, role)` tell a policy what the
//! application is, so that no policy re-derives it; `inv.zone_loss(app)` is what losing each
//! of its zones does to it, the computation of `hacheck whatif`.

use std::collections::HashMap;
use std::sync::Arc;

use rhai::{Array, Dynamic, Engine, ImmutableString, Map};

use crate::apps::{AppModel, Role};
use crate::inventory::{Inventory, Resource};

#[derive(Clone)]
pub struct InventoryView(Arc<ViewData>);

#[derive(Default)]
struct ViewData {
    account_id: ImmutableString,
    collections: HashMap<&'static str, Array>,
    /// `kind/id` and `kind/ARN` → resource.
    by_key: HashMap<String, Dynamic>,
    instances_by_asg: HashMap<String, Array>,
    policies_by_asg: HashMap<String, Array>,
    alarms_by_asg: HashMap<String, Array>,
    listeners_by_lb: HashMap<String, Array>,
    listeners_by_target_group: HashMap<String, Array>,
    groups_referencing: HashMap<String, Array>,
    records_by_alias: HashMap<String, Array>,
    resource_count: usize,
    /// The application model, and its members per role as script values (inventory order).
    model: AppModel,
    /// (ARN, resource) of every member, per role.
    members_by_role: HashMap<Role, Vec<(String, Dynamic)>>,
    apps: Array,
    /// Application name → what losing each of its zones does (see [`crate::whatif`]).
    zone_loss: HashMap<String, Dynamic>,
}

/// Lower-case DNS name without a `dualstack.` prefix or trailing dot: how Route 53 alias
/// targets and load-balancer DNS names are compared.
pub fn normalize_dns(name: &str) -> String {
    let lower = name.trim_end_matches('.').to_ascii_lowercase();
    lower
        .strip_prefix("dualstack.")
        .map(str::to_owned)
        .unwrap_or(lower)
}

/// A read-only inventory resource as scripts see it.
#[derive(Clone)]
pub struct Res(pub Arc<Map>);

impl Res {
    pub fn field(&self, name: &str) -> Dynamic {
        self.0.get(name).cloned().unwrap_or(Dynamic::UNIT)
    }

    /// A field as text (empty when absent or unit).
    pub fn text(&self, name: &str) -> String {
        match self.0.get(name) {
            Some(value) if !value.is_unit() => value.to_string(),
            _ => String::new(),
        }
    }
}

fn shared<R: Resource>(resource: &R, account_id: &str) -> Dynamic {
    let mut map: Map = rhai::serde::to_dynamic(resource)
        .expect("inventory resources convert to Rhai")
        .cast::<Map>();
    map.insert("_kind".into(), R::KIND.into());
    map.insert("_type".into(), R::TYPE.into());
    map.insert("_id".into(), resource.display_id().into());
    map.insert("_arn".into(), resource.arn(account_id).into());
    Dynamic::from(Res(Arc::new(map)))
}

fn push_role(
    index: &mut HashMap<Role, Vec<(String, Dynamic)>>,
    role: Role,
    arn: &str,
    value: &Dynamic,
) {
    index
        .entry(role)
        .or_default()
        .push((arn.to_owned(), value.clone()));
}

fn push(index: &mut HashMap<String, Array>, key: &str, value: &Dynamic) {
    index.entry(key.to_owned()).or_default().push(value.clone());
}

impl InventoryView {
    pub fn new(inventory: &Inventory, model: &AppModel) -> Self {
        let account = inventory.account_id.as_str();
        let mut data = ViewData {
            account_id: account.into(),
            model: model.clone(),
            ..Default::default()
        };

        // Every resource as a shared map, keyed by each of its names. Collections convert
        // in parallel (serde into Rhai values is the costly part of building the view).
        type Converted = (&'static str, Array, Vec<(String, Dynamic)>);
        fn convert<R: Resource + Sync>(
            name: &'static str,
            items: &[R],
            account: &str,
        ) -> Converted {
            let mut array = Array::with_capacity(items.len());
            let mut keys = Vec::with_capacity(items.len() * 2);
            for item in items {
                let value = shared(item, account);
                keys.push((lookup_key(R::KIND, &item.display_id()), value.clone()));
                keys.push((lookup_key(R::KIND, &item.arn(account)), value.clone()));
                array.push(value);
            }
            (name, array, keys)
        }
        let converted: Vec<Converted> = std::thread::scope(|scope| {
            let mut handles = Vec::new();
            macro_rules! spawn {
                ($name:literal, $items:expr) => {
                    handles.push(scope.spawn(move || convert($name, $items, account)));
                };
            }
            crate::for_each_collection!(inventory, spawn);
            handles
                .into_iter()
                .map(|h| h.join().expect("conversion thread"))
                .collect()
        });
        for (name, array, keys) in converted {
            data.resource_count += array.len();
            data.by_key.extend(keys);
            data.collections.insert(name, array);
        }

        let collection = |data: &ViewData, name: &str| data.collections[name].clone();
        for (instance, value) in inventory
            .instances
            .iter()
            .zip(collection(&data, "instances"))
        {
            if let Some(group) = &instance.auto_scaling_group {
                push(&mut data.instances_by_asg, group, &value);
            }
        }
        for (policy, value) in inventory
            .scaling_policies
            .iter()
            .zip(collection(&data, "scaling_policies"))
        {
            push(
                &mut data.policies_by_asg,
                &policy.auto_scaling_group,
                &value,
            );
        }
        for (alarm, value) in inventory
            .metric_alarms
            .iter()
            .zip(collection(&data, "metric_alarms"))
        {
            if let Some(group) = alarm.dimensions.get("AutoScalingGroupName") {
                push(&mut data.alarms_by_asg, group, &value);
            }
        }
        for (listener, value) in inventory
            .listeners
            .iter()
            .zip(collection(&data, "listeners"))
        {
            push(
                &mut data.listeners_by_lb,
                &listener.load_balancer_arn,
                &value,
            );
            let mut forwarded: Vec<&String> = listener
                .default_actions
                .iter()
                .filter(|a| a.action_type == "forward")
                .flat_map(|a| &a.target_group_arns)
                .collect();
            forwarded.dedup();
            for target_group in forwarded {
                push(&mut data.listeners_by_target_group, target_group, &value);
            }
        }
        for (group, value) in inventory
            .security_groups
            .iter()
            .zip(collection(&data, "security_groups"))
        {
            let mut sources: Vec<&String> = group
                .ingress
                .iter()
                .filter_map(|r| r.source_group_id.as_ref())
                .collect();
            sources.sort();
            sources.dedup();
            for source in sources {
                push(&mut data.groups_referencing, source, &value);
            }
        }
        for (record, value) in inventory
            .record_sets
            .iter()
            .zip(collection(&data, "record_sets"))
        {
            if let Some(alias) = &record.alias_target {
                push(
                    &mut data.records_by_alias,
                    &normalize_dns(&alias.dns_name),
                    &value,
                );
            }
        }
        let mut seen = std::collections::HashSet::new();
        for member in model.applications.iter().flat_map(|a| &a.members) {
            if !seen.insert((member.role, member.arn.as_str())) {
                continue;
            }
            if let Some(value) = data.by_key.get(&lookup_key(&member.kind, &member.arn)) {
                push_role(&mut data.members_by_role, member.role, &member.arn, value);
            }
        }
        // Members in a stable order whatever the discovery order: by ARN.
        for members in data.members_by_role.values_mut() {
            members.sort_by(|a, b| a.0.cmp(&b.0));
        }
        data.zone_loss = zone_loss(inventory, model, &data.by_key);
        data.apps = model
            .applications
            .iter()
            .map(|app| rhai::serde::to_dynamic(app).expect("applications convert to Rhai"))
            .collect();
        InventoryView(Arc::new(data))
    }

    /// Number of resources, which scales the operation budget of a policy run.
    pub fn resource_count(&self) -> usize {
        self.0.resource_count
    }

    /// Members of the applications in `role` (an unknown role is a script error).
    fn members(&self, role: &str) -> Result<Array, Box<rhai::EvalAltResult>> {
        let role = Role::parse(role).ok_or_else(|| {
            let known: Vec<&str> = Role::ALL.iter().map(|r| r.as_str()).collect();
            format!("unknown role `{role}` (roles: {})", known.join(", "))
        })?;
        Ok(self
            .0
            .members_by_role
            .get(&role)
            .map(|members| members.iter().map(|(_, value)| value.clone()).collect())
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

    fn get(&self, kind: &str, key: &str) -> Dynamic {
        self.0
            .by_key
            .get(&lookup_key(kind, key))
            .cloned()
            .unwrap_or(Dynamic::UNIT)
    }

    fn related(index: &HashMap<String, Array>, key: &str) -> Array {
        index.get(key).cloned().unwrap_or_default()
    }

    /// Registers the `inv` type, its collections and its lookups with `engine`.
    pub fn register(engine: &mut Engine) {
        engine.register_type_with_name::<InventoryView>("Inventory");
        engine.register_type_with_name::<Res>("Resource");
        // `r.field` falls back to this indexer, so every field reads like a map's.
        engine.register_indexer_get(|resource: &mut Res, name: &str| resource.field(name));
        engine.register_fn("to_string", |resource: &mut Res| resource.text("_id"));
        engine.register_fn("to_debug", |resource: &mut Res| {
            format!("{}:{}", resource.text("_kind"), resource.text("_id"))
        });
        for (name, _) in Inventory::default().resource_counts() {
            engine.register_get(name, move |view: &mut InventoryView| {
                view.0.collections.get(name).cloned().unwrap_or_default()
            });
        }
        engine.register_get("account_id", |view: &mut InventoryView| {
            view.0.account_id.clone()
        });
        engine.register_get("apps", |view: &mut InventoryView| view.0.apps.clone());
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
        engine.register_fn("app_of", |view: &mut InventoryView, resource: Res| {
            view.apps_of(&resource)
                .into_iter()
                .next()
                .unwrap_or(Dynamic::UNIT)
        });
        engine.register_fn("zone_loss", |view: &mut InventoryView, app: &str| {
            view.0.zone_loss.get(app).cloned().unwrap_or(Dynamic::UNIT)
        });
        engine.register_fn("get", |view: &mut InventoryView, kind: &str, key: &str| {
            view.get(kind, key)
        });
        macro_rules! relation {
            ($name:literal, $field:ident) => {
                engine.register_fn($name, |view: &mut InventoryView, key: &str| {
                    InventoryView::related(&view.0.$field, key)
                });
            };
        }
        relation!("instances_of_asg", instances_by_asg);
        relation!("scaling_policies_of_asg", policies_by_asg);
        relation!("alarms_on_asg", alarms_by_asg);
        relation!("listeners_of", listeners_by_lb);
        relation!("listeners_forwarding_to", listeners_by_target_group);
        relation!("groups_referencing", groups_referencing);
        engine.register_fn("records_aliasing", |view: &mut InventoryView, dns: &str| {
            InventoryView::related(&view.0.records_by_alias, &normalize_dns(dns))
        });
        engine.register_fn(
            "launch_template_version",
            |view: &mut InventoryView, group: Res| view.launch_template_version(&group),
        );
    }

    /// The launch-template version an Auto Scaling group launches: its `$Default`,
    /// `$Latest` or numbered version, or `()` when the group has none or it was not found.
    fn launch_template_version(&self, group: &Res) -> Dynamic {
        let Some(reference) = group.field("launch_template").try_cast::<Map>() else {
            return Dynamic::UNIT;
        };
        let field = |name: &str| {
            reference
                .get(name)
                .map(|v| v.to_string())
                .unwrap_or_default()
        };
        let Some(template) = self.get("launch_template", &field("id")).try_cast::<Res>() else {
            return Dynamic::UNIT;
        };
        let number_of = |name: &str| template.field(name).as_int().ok();
        let wanted = match field("version").as_str() {
            "$Latest" => number_of("latest_version"),
            "$Default" | "" => number_of("default_version"),
            number => number.parse().ok(),
        };
        template
            .field("versions")
            .try_cast::<Array>()
            .unwrap_or_default()
            .into_iter()
            .find(|version| {
                version
                    .read_lock::<Map>()
                    .and_then(|m| m.get("version_number").and_then(|n| n.as_int().ok()))
                    == wanted
            })
            .unwrap_or(Dynamic::UNIT)
    }
}

/// For each application: `#{ resource, zones }`, where `resource` is the member findings
/// name it by (its first entry point, else its first load balancer, record, group or
/// instance) and `zones` holds one [`crate::whatif::Outcome`] per zone it uses.
fn zone_loss(
    inventory: &Inventory,
    model: &AppModel,
    by_key: &HashMap<String, Dynamic>,
) -> HashMap<String, Dynamic> {
    let topology = crate::whatif::Topology::new(inventory);
    let preference = [
        Role::LoadBalancer,
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
                .and_then(|m| by_key.get(&lookup_key(&m.kind, &m.arn)).cloned())
                .unwrap_or(Dynamic::UNIT);
            let zones: Array = topology
                .app_zones(app)
                .iter()
                .map(|zone| {
                    rhai::serde::to_dynamic(topology.lose_zone(app, zone))
                        .expect("outcomes convert to Rhai")
                })
                .collect();
            let mut entry = Map::new();
            entry.insert("resource".into(), resource);
            entry.insert("zones".into(), zones.into());
            (app.name.clone(), Dynamic::from(entry))
        })
        .collect()
}

fn lookup_key(kind: &str, key: &str) -> String {
    format!("{kind}/{key}")
}
