//! What instances launch from: launch templates, their versions, AMIs.

use serde::{Deserialize, Serialize};

use super::{ActionType, Change, Declared, IacEdit, Owner, change};
use crate::inventory::{AutoScalingGroup, Index, Inventory, LaunchTemplate, Resource, Tags};

/// Creates a launch template from the group's launch configuration (same AMI, type,
/// groups and user data, no public IP) and points the group at it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConvertLaunchConfiguration {
    pub group: String,
    pub launch_configuration: String,
    pub template_name: String,
}

impl ActionType for ConvertLaunchConfiguration {
    fn key(&self) -> String {
        let ConvertLaunchConfiguration { group, .. } = self;
        format!("launch-template:{group}")
    }
    fn symbol(&self) -> char {
        '+'
    }
    fn target(&self) -> String {
        let ConvertLaunchConfiguration { group, .. } = self;
        group.clone()
    }
    fn summary(&self) -> String {
        "auto scaling group: launch template from launch configuration".into()
    }
    fn changes(&self) -> Vec<Change> {
        let ConvertLaunchConfiguration {
            launch_configuration,
            template_name,
            ..
        } = self;
        vec![
            change("launch_configuration", launch_configuration, "(none)"),
            change(
                "launch_template",
                "(none)",
                format!("{template_name} (no public IP, same AMI and user data)"),
            ),
        ]
    }
    fn permissions(&self) -> &'static [&'static str] {
        &[
            "autoscaling:DescribeAutoScalingGroups",
            "autoscaling:DescribeLaunchConfigurations",
            "ec2:CreateLaunchTemplate",
            "ec2:DescribeLaunchTemplates",
            "autoscaling:UpdateAutoScalingGroup",
            "iam:PassRole",
        ]
    }
    fn owner_tags<'i>(&self, region: &str, index: &'i Index) -> Option<&'i Tags> {
        let ConvertLaunchConfiguration { group, .. } = self;
        Some(&index.find::<AutoScalingGroup>(region, group)?.tags)
    }
    fn template_change(&self) -> String {
        "replace `LaunchConfigurationName` with a `LaunchTemplate`".to_owned()
    }
}

/// Creates a launch-template version without public IPs from the group's version and
/// points the group at `$Latest`. Running instances keep theirs until replaced.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TemplateVersionWithoutPublicIp {
    pub group: String,
    pub template_id: String,
    pub source_version: i64,
}

impl ActionType for TemplateVersionWithoutPublicIp {
    fn iac_edits(&self) -> Option<Vec<IacEdit>> {
        Some(vec![IacEdit::PrivateLaunches {
            template: Declared::new(LaunchTemplate::KIND, &self.template_id),
            group: Declared::new(AutoScalingGroup::KIND, &self.group),
        }])
    }

    fn key(&self) -> String {
        let TemplateVersionWithoutPublicIp { group, .. } = self;
        format!("launch-template:{group}")
    }
    fn symbol(&self) -> char {
        '+'
    }
    fn target(&self) -> String {
        let TemplateVersionWithoutPublicIp { group, .. } = self;
        group.clone()
    }
    fn summary(&self) -> String {
        "launch template: new version without public IP".into()
    }
    fn changes(&self) -> Vec<Change> {
        let TemplateVersionWithoutPublicIp {
            template_id,
            source_version,
            ..
        } = self;
        vec![change(
            "associate_public_ip",
            format!("true ({template_id} v{source_version})"),
            "false ($Latest)",
        )]
    }
    fn permissions(&self) -> &'static [&'static str] {
        &[
            "autoscaling:DescribeAutoScalingGroups",
            "ec2:DescribeLaunchTemplateVersions",
            "ec2:CreateLaunchTemplateVersion",
            "autoscaling:UpdateAutoScalingGroup",
        ]
    }
    fn predict(&self, inv: &mut Inventory, region: &str, _created: &str) {
        let TemplateVersionWithoutPublicIp {
            template_id,
            source_version,
            ..
        } = self;
        if let Some(template) = inv
            .launch_templates
            .iter_mut()
            .find(|t| t.region == region && &t.id == template_id)
            && let Some(source) = template.version(*source_version).cloned()
        {
            let number = template.latest_version + 1;
            let mut version = source;
            version.version_number = number;
            version.associate_public_ip = Some(false);
            template.versions.push(version);
            template.latest_version = number;
            template.default_version = number;
        }
    }
    // A new version of the launch template: its owner is the template's (else the
    // group's, which names it).
    fn owner_tags<'i>(&self, region: &str, index: &'i Index) -> Option<&'i Tags> {
        let TemplateVersionWithoutPublicIp {
            group, template_id, ..
        } = self;
        let template = &index.find::<LaunchTemplate>(region, template_id)?.tags;
        if Owner::of(template).is_some() {
            Some(template)
        } else {
            Some(&index.find::<AutoScalingGroup>(region, group)?.tags)
        }
    }
    fn template_change(&self) -> String {
        "set `AssociatePublicIpAddress: false` in the launch template's network interface"
            .to_owned()
    }
    fn beanstalk_option(&self) -> &'static str {
        "`aws:ec2:vpc` `AssociatePublicIpAddress`"
    }
}

/// Creates an AMI from an instance; outputs its id.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CreateImage {
    pub name: String,
    pub instance_id: String,
}

impl ActionType for CreateImage {
    fn key(&self) -> String {
        let CreateImage { name, .. } = self;
        format!("image:{name}")
    }
    fn symbol(&self) -> char {
        '+'
    }
    fn target(&self) -> String {
        let CreateImage { name, .. } = self;
        name.clone()
    }
    fn summary(&self) -> String {
        "ami from the instance".into()
    }
    fn changes(&self) -> Vec<Change> {
        let CreateImage { instance_id, .. } = self;
        vec![change("from", "", instance_id)]
    }
    fn permissions(&self) -> &'static [&'static str] {
        &["ec2:DescribeImages", "ec2:CreateImage"]
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CreateLaunchTemplate {
    pub name: String,
    pub image_id: String,
    pub instance_type: String,
    pub security_group_id: String,
    pub user_data: Option<String>,
}

impl ActionType for CreateLaunchTemplate {
    fn key(&self) -> String {
        let CreateLaunchTemplate { name, .. } = self;
        format!("new-launch-template:{name}")
    }
    fn symbol(&self) -> char {
        '+'
    }
    fn target(&self) -> String {
        let CreateLaunchTemplate { name, .. } = self;
        name.clone()
    }
    fn summary(&self) -> String {
        "launch template".into()
    }
    fn changes(&self) -> Vec<Change> {
        let CreateLaunchTemplate {
            image_id,
            instance_type,
            security_group_id,
            user_data,
            ..
        } = self;
        vec![
            change("image", "", image_id),
            change("instance_type", "", instance_type),
            change("network", "", format!("{security_group_id}, no public IP")),
            change(
                "user_data",
                "",
                if user_data.is_some() {
                    "start-up script"
                } else {
                    "(none)"
                },
            ),
        ]
    }
    fn permissions(&self) -> &'static [&'static str] {
        &["ec2:DescribeLaunchTemplates", "ec2:CreateLaunchTemplate"]
    }
}

/// A new launch-template version with another AMI, made the default.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewTemplateVersion {
    pub template_id: String,
    pub image_id: String,
    pub before: String,
}

impl ActionType for NewTemplateVersion {
    fn key(&self) -> String {
        let NewTemplateVersion {
            template_id,
            image_id,
            ..
        } = self;
        format!("template-version:{template_id}:{image_id}")
    }
    fn symbol(&self) -> char {
        '+'
    }
    fn target(&self) -> String {
        let NewTemplateVersion { template_id, .. } = self;
        template_id.clone()
    }
    fn summary(&self) -> String {
        "launch template: new version with the new AMI".into()
    }
    fn changes(&self) -> Vec<Change> {
        let NewTemplateVersion {
            image_id, before, ..
        } = self;
        vec![change("image", before, image_id)]
    }
    fn permissions(&self) -> &'static [&'static str] {
        &[
            "ec2:DescribeLaunchTemplateVersions",
            "ec2:CreateLaunchTemplateVersion",
            "ec2:ModifyLaunchTemplate",
        ]
    }
    fn owner_tags<'i>(&self, region: &str, index: &'i Index) -> Option<&'i Tags> {
        let NewTemplateVersion { template_id, .. } = self;
        Some(&index.find::<LaunchTemplate>(region, template_id)?.tags)
    }
    fn template_change(&self) -> String {
        "set `AssociatePublicIpAddress: false` in the launch template's network interface"
            .to_owned()
    }
    fn beanstalk_option(&self) -> &'static str {
        "`aws:ec2:vpc` `AssociatePublicIpAddress`"
    }
}
