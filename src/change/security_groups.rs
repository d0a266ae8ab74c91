//! Security groups: their inbound rules, and new groups.

use serde::{Deserialize, Serialize};
use serde_json::json;

use super::iac::managed_tags;
use super::predicted::{build, same_permission};
use super::{ActionType, Change, Declared, IacEdit, IacValue, change};
use crate::inventory::{Index, Inventory, Resource, SecurityGroup, SgRule, Tags, Vpc};

/// A rule hacheck adds, admitting `protocol from..=to` from `peer`: a `ref:` to a planned
/// group or a group id, an IPv6 CIDR (has `:`), or an IPv4 CIDR.
pub fn rule_from_peer(protocol: &str, from: i32, to: i32, peer: &str) -> SgRule {
    let mut rule = SgRule {
        protocol: protocol.to_owned(),
        from_port: from,
        to_port: to,
        cidr_ipv4: None,
        cidr_ipv6: None,
        source_group_id: None,
        prefix_list_id: None,
        prefix_list_cidrs: Vec::new(),
        description: "added by hacheck".to_owned(),
    };
    if peer.starts_with(super::REF_PREFIX) || !peer.contains('/') {
        rule.source_group_id = Some(peer.to_owned());
    } else if peer.contains(':') {
        rule.cidr_ipv6 = Some(peer.to_owned());
    } else {
        rule.cidr_ipv4 = Some(peer.to_owned());
    }
    rule
}

/// Whether group `group_id` of `region` already admits TCP `port` from `peer` (a CIDR or a
/// group id) by a rule naming that peer.
pub fn admits_tcp(
    inventory: &Inventory,
    region: &str,
    group_id: &str,
    port: i32,
    peer: &str,
) -> bool {
    inventory.security_groups.iter().any(|group| {
        group.region == region
            && group.id == group_id
            && group.ingress.iter().any(|rule| {
                rule.covers_tcp_port(port)
                    && [&rule.cidr_ipv4, &rule.cidr_ipv6, &rule.source_group_id]
                        .into_iter()
                        .any(|named| named.as_deref() == Some(peer))
            })
    })
}

/// Removes one inbound rule from a security group.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RevokeIngress {
    pub group_id: String,
    pub rule: SgRule,
}

impl ActionType for RevokeIngress {
    fn iac_edits(&self) -> Option<Vec<IacEdit>> {
        Some(vec![IacEdit::RemoveIngress {
            group: Declared::new(SecurityGroup::KIND, &self.group_id),
            rule: self.rule.clone(),
        }])
    }

    fn key(&self) -> String {
        let RevokeIngress { group_id, rule } = self;
        format!("revoke-ingress:{group_id}:{}", rule.text())
    }
    fn symbol(&self) -> char {
        '-'
    }
    fn target(&self) -> String {
        let RevokeIngress { group_id, .. } = self;
        group_id.clone()
    }
    fn summary(&self) -> String {
        let RevokeIngress { rule, .. } = self;
        format!("security group: revoke {}", rule.text())
    }
    fn changes(&self) -> Vec<Change> {
        let RevokeIngress { rule, .. } = self;
        vec![change("ingress", rule.text(), "(none)")]
    }
    fn permissions(&self) -> &'static [&'static str] {
        &[
            "ec2:DescribeSecurityGroups",
            "ec2:RevokeSecurityGroupIngress",
        ]
    }
    fn predict(&self, inv: &mut Inventory, region: &str, _created: &str) {
        let RevokeIngress { group_id, rule } = self;
        if let Some(group) = inv
            .security_groups
            .iter_mut()
            .find(|g| g.region == region && &g.id == group_id)
        {
            group.ingress.retain(|r| !same_permission(r, rule));
        }
    }
    fn owner_tags<'i>(&self, region: &str, index: &'i Index) -> Option<&'i Tags> {
        let RevokeIngress { group_id, .. } = self;
        Some(&index.find::<SecurityGroup>(region, group_id)?.tags)
    }
    fn template_change(&self) -> String {
        let RevokeIngress { rule, .. } = self;
        format!("remove `{}` from `SecurityGroupIngress`", rule.text())
    }
    fn beanstalk_option(&self) -> &'static str {
        "`aws:autoscaling:launchconfiguration` `SecurityGroups` (or the group's rules in `.ebextensions`)"
    }
}

/// Adds one inbound rule (its peer may be a `ref:`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AuthorizeIngress {
    pub group_id: String,
    pub rule: SgRule,
}

impl ActionType for AuthorizeIngress {
    fn iac_edits(&self) -> Option<Vec<IacEdit>> {
        Some(vec![IacEdit::AddIngress {
            group: Declared::new(SecurityGroup::KIND, &self.group_id),
            rule: self.rule.clone(),
        }])
    }

    fn key(&self) -> String {
        let AuthorizeIngress { group_id, rule } = self;
        format!("authorize-ingress:{group_id}:{}", rule.text())
    }
    fn symbol(&self) -> char {
        '+'
    }
    fn target(&self) -> String {
        let AuthorizeIngress { group_id, .. } = self;
        group_id.clone()
    }
    fn summary(&self) -> String {
        let AuthorizeIngress { rule, .. } = self;
        format!("security group: authorize {}", rule.text())
    }
    fn changes(&self) -> Vec<Change> {
        let AuthorizeIngress { rule, .. } = self;
        vec![change("ingress", "(none)", rule.text())]
    }
    fn permissions(&self) -> &'static [&'static str] {
        &[
            "ec2:DescribeSecurityGroups",
            "ec2:AuthorizeSecurityGroupIngress",
        ]
    }
    fn predict(&self, inv: &mut Inventory, region: &str, _created: &str) {
        let AuthorizeIngress { group_id, rule } = self;
        if let Some(group) = inv
            .security_groups
            .iter_mut()
            .find(|g| g.region == region && &g.id == group_id)
            && !group.ingress.iter().any(|r| same_permission(r, rule))
        {
            group.ingress.push(rule.clone());
        }
    }
    fn owner_tags<'i>(&self, region: &str, index: &'i Index) -> Option<&'i Tags> {
        let AuthorizeIngress { group_id, .. } = self;
        Some(&index.find::<SecurityGroup>(region, group_id)?.tags)
    }
    fn template_change(&self) -> String {
        let AuthorizeIngress { rule, .. } = self;
        format!("add `{}` to `SecurityGroupIngress`", rule.text())
    }
    fn beanstalk_option(&self) -> &'static str {
        "`aws:autoscaling:launchconfiguration` `SecurityGroups` (or the group's rules in `.ebextensions`)"
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CreateSecurityGroup {
    pub name: String,
    pub vpc_id: String,
    pub description: String,
}

impl ActionType for CreateSecurityGroup {
    fn iac_edits(&self) -> Option<Vec<IacEdit>> {
        Some(vec![IacEdit::Declare {
            kind: SecurityGroup::KIND,
            name: self.name.clone(),
            beside: Some(Declared::new(Vpc::KIND, &self.vpc_id)),
            fields: vec![
                ("name", IacValue::text(&self.name)),
                ("description", IacValue::text(&self.description)),
                ("vpc_id", IacValue::resource(Vpc::KIND, &self.vpc_id)),
                ("tags", managed_tags(&self.name, &[])),
            ],
            keep: &[],
        }])
    }

    fn key(&self) -> String {
        let CreateSecurityGroup { name, .. } = self;
        format!("security-group:{name}")
    }
    fn symbol(&self) -> char {
        '+'
    }
    fn target(&self) -> String {
        let CreateSecurityGroup { name, .. } = self;
        name.clone()
    }
    fn summary(&self) -> String {
        "security group".into()
    }
    fn changes(&self) -> Vec<Change> {
        let CreateSecurityGroup {
            vpc_id,
            description,
            ..
        } = self;
        vec![
            change("vpc", "", vpc_id),
            change("description", "", description),
        ]
    }
    fn permissions(&self) -> &'static [&'static str] {
        &["ec2:DescribeSecurityGroups", "ec2:CreateSecurityGroup"]
    }
    fn predict(&self, inv: &mut Inventory, region: &str, created: &str) {
        let CreateSecurityGroup {
            name,
            vpc_id,
            description,
        } = self;
        inv.security_groups.extend(build(json!({
            "id": created, "region": region, "name": name, "vpc_id": vpc_id,
            "description": description,
        })))
    }
}
