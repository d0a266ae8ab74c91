//! Launch templates, and the two compound actions that change one and then point a group at
//! it (a launch configuration converted, a version without public IPs): EC2 and Auto Scaling
//! calls together, so that neither service module needs the other.

use aws_sdk_ec2::types as ec2t;

use super::autoscaling::{live_group, point_at_template};
use super::ec2::tags;
use super::step::{Done, StepError, StepResult, sdk_fail};
use super::{Apply, Context};
use crate::change::{
    ConvertLaunchConfiguration, CreateLaunchTemplate, NewTemplateVersion,
    TemplateVersionWithoutPublicIp,
};
use crate::collect::RegionClients;

/// The launch template of that name, else a new one (one interface, no public IP).
pub(super) async fn create_launch_template(
    c: &RegionClients,
    name: &str,
    image_id: &str,
    instance_type: &str,
    security_group_id: &str,
    user_data: &Option<String>,
) -> StepResult {
    let user_data = user_data.as_deref().map(aws_smithy_types::base64::encode);
    let spec = TemplateSpec {
        name,
        image_id,
        instance_type,
        security_group_ids: &[security_group_id.to_owned()],
        user_data,
    };
    let (id, created) = ensure_launch_template(c, &spec).await?;
    Ok(if created {
        Done::Applied(Some(id))
    } else {
        Done::Satisfied(Some(id))
    })
}

/// A new default version launching `image_id`; satisfied when the default launches it
/// already, refused when it launches another image than the plan expected.
pub(super) async fn new_template_version(
    c: &RegionClients,
    template_id: &str,
    image_id: &str,
    before: &str,
) -> StepResult {
    let answer = c
        .ec2
        .describe_launch_template_versions()
        .launch_template_id(template_id)
        .versions("$Default")
        .send()
        .await
        .map_err(sdk_fail("DescribeLaunchTemplateVersions"))?;
    let current = answer
        .launch_template_versions()
        .first()
        .and_then(|v| v.launch_template_data())
        .and_then(|d| d.image_id());
    if current == Some(image_id) {
        return Ok(Done::Satisfied(None));
    }
    if current != Some(before) {
        return Err(StepError::Drift(format!(
            "`{template_id}` now launches {current:?}; the plan expected `{before}`"
        )));
    }
    let created = c
        .ec2
        .create_launch_template_version()
        .launch_template_id(template_id)
        .source_version("$Default")
        .version_description(format!("hacheck: roll out {image_id}"))
        .launch_template_data(
            ec2t::RequestLaunchTemplateData::builder()
                .image_id(image_id)
                .build(),
        )
        .send()
        .await
        .map_err(sdk_fail("CreateLaunchTemplateVersion"))?;
    let number = created
        .launch_template_version()
        .and_then(|v| v.version_number())
        .unwrap_or_default()
        .to_string();
    c.ec2
        .modify_launch_template()
        .launch_template_id(template_id)
        .default_version(&number)
        .send()
        .await
        .map_err(sdk_fail("ModifyLaunchTemplate"))?;
    Ok(Done::Applied(Some(number)))
}

/// A new version of the group's template without public IPs, and the group pointed at it;
/// satisfied when the version it launches has none, refused when it left the template.
pub(super) async fn version_without_public_ip(
    c: &RegionClients,
    group: &str,
    template_id: &str,
    source_version: i64,
) -> StepResult {
    let live = live_group(c, group).await?;
    let reference = live.launch_template().or_else(|| {
        live.mixed_instances_policy()
            .and_then(|p| p.launch_template())
            .and_then(|t| t.launch_template_specification())
    });
    if reference.and_then(|r| r.launch_template_id()) != Some(template_id) {
        return Err(StepError::Drift(format!(
            "`{group}` no longer launches from template `{template_id}`"
        )));
    }
    let version = reference
        .and_then(|r| r.version())
        .unwrap_or("$Default")
        .to_owned();
    let answer = c
        .ec2
        .describe_launch_template_versions()
        .launch_template_id(template_id)
        .versions(&version)
        .send()
        .await
        .map_err(sdk_fail("DescribeLaunchTemplateVersions"))?;
    let current = answer
        .launch_template_versions()
        .first()
        .ok_or_else(|| StepError::Drift(format!("version {version} of `{template_id}` is gone")))?;
    let interfaces = current
        .launch_template_data()
        .map(|d| d.network_interfaces())
        .unwrap_or_default();
    if interfaces
        .first()
        .and_then(|i| i.associate_public_ip_address())
        != Some(true)
    {
        return Ok(Done::Satisfied(None));
    }
    let groups: Vec<String> = interfaces
        .first()
        .map(|i| i.groups().to_vec())
        .unwrap_or_default();
    let created = c
        .ec2
        .create_launch_template_version()
        .launch_template_id(template_id)
        .source_version(source_version.to_string())
        .version_description("hacheck: no public IP")
        .launch_template_data(
            ec2t::RequestLaunchTemplateData::builder()
                .network_interfaces(
                    ec2t::LaunchTemplateInstanceNetworkInterfaceSpecificationRequest::builder()
                        .device_index(0)
                        .associate_public_ip_address(false)
                        .set_groups(Some(groups))
                        .build(),
                )
                .build(),
        )
        .send()
        .await
        .map_err(sdk_fail("CreateLaunchTemplateVersion"))?;
    point_at_template(c, group, template_id).await?;
    Ok(Done::Applied(
        created
            .launch_template_version()
            .and_then(|v| v.version_number())
            .map(|n| n.to_string()),
    ))
}

/// What a launch template made by hacheck holds: one network interface without a public
/// IP in the given groups.
pub(super) struct TemplateSpec<'a> {
    pub name: &'a str,
    pub image_id: &'a str,
    pub instance_type: &'a str,
    pub security_group_ids: &'a [String],
    /// Already base64, as EC2 takes it.
    pub user_data: Option<String>,
}

/// The launch template named `spec.name`: found (id, false) or created (id, true).
pub(super) async fn ensure_launch_template(
    c: &RegionClients,
    spec: &TemplateSpec<'_>,
) -> Result<(String, bool), StepError> {
    let found = c
        .ec2
        .describe_launch_templates()
        .launch_template_names(spec.name)
        .send()
        .await;
    if let Some(id) = found.ok().and_then(|a| {
        a.launch_templates()
            .first()
            .and_then(|t| t.launch_template_id().map(str::to_owned))
    }) {
        return Ok((id, false));
    }
    let data = ec2t::RequestLaunchTemplateData::builder()
        .image_id(spec.image_id)
        .instance_type(ec2t::InstanceType::from(spec.instance_type))
        .set_user_data(spec.user_data.clone())
        .network_interfaces(
            ec2t::LaunchTemplateInstanceNetworkInterfaceSpecificationRequest::builder()
                .device_index(0)
                .associate_public_ip_address(false)
                .set_groups(Some(spec.security_group_ids.to_vec()))
                .build(),
        )
        .build();
    let created = c
        .ec2
        .create_launch_template()
        .launch_template_name(spec.name)
        .launch_template_data(data)
        .tag_specifications(tags(ec2t::ResourceType::LaunchTemplate, spec.name, &[]))
        .send()
        .await
        .map_err(sdk_fail("CreateLaunchTemplate"))?;
    let id = created
        .launch_template()
        .and_then(|t| t.launch_template_id())
        .unwrap_or_default()
        .to_owned();
    Ok((id, true))
}

/// Replaces the group's launch configuration by a launch template of the same settings;
/// satisfied when it launches from a template already, refused when its configuration changed.
pub(super) async fn convert_launch_configuration(
    c: &RegionClients,
    group: &str,
    configuration: &str,
    template_name: &str,
) -> StepResult {
    let live = live_group(c, group).await?;
    if let Some(template) = live.launch_template() {
        return Ok(Done::Satisfied(
            template.launch_template_id().map(str::to_owned),
        ));
    }
    if live.launch_configuration_name() != Some(configuration) {
        return Err(StepError::Drift(format!(
            "`{group}` now uses launch configuration {:?}; the plan expected `{configuration}`",
            live.launch_configuration_name()
        )));
    }
    let answer = c
        .autoscaling
        .describe_launch_configurations()
        .launch_configuration_names(configuration)
        .send()
        .await
        .map_err(sdk_fail("DescribeLaunchConfigurations"))?;
    let config = answer.launch_configurations().first().ok_or_else(|| {
        StepError::Drift(format!(
            "launch configuration `{configuration}` no longer exists"
        ))
    })?;
    // A configuration of EC2-Classic days names its groups by name; a launch template's
    // network interface takes ids only, so its template could launch nothing.
    let named: Vec<&str> = config
        .security_groups()
        .iter()
        .map(String::as_str)
        .filter(|group| !crate::inventory::is_security_group_id(group))
        .collect();
    if !named.is_empty() {
        return Err(StepError::Failed(format!(
            "launch configuration `{configuration}` names security groups by name ({}): a launch template takes their ids; convert it by hand",
            named.join(", ")
        )));
    }
    // An interrupted earlier apply may have created the template already.
    let spec = TemplateSpec {
        name: template_name,
        image_id: config.image_id().unwrap_or_default(),
        instance_type: config.instance_type().unwrap_or("t3.micro"),
        security_group_ids: config.security_groups(),
        user_data: config.user_data().map(str::to_owned),
    };
    let (template_id, _) = ensure_launch_template(c, &spec).await?;
    point_at_template(c, group, &template_id).await?;
    Ok(Done::Applied(Some(template_id)))
}

impl Apply for TemplateVersionWithoutPublicIp {
    async fn apply(&self, ctx: &Context<'_>) -> StepResult {
        let TemplateVersionWithoutPublicIp {
            group,
            template_id,
            source_version,
        } = self;
        version_without_public_ip(ctx.regional()?, group, template_id, *source_version).await
    }
}

impl Apply for ConvertLaunchConfiguration {
    async fn apply(&self, ctx: &Context<'_>) -> StepResult {
        let ConvertLaunchConfiguration {
            group,
            launch_configuration,
            template_name,
        } = self;
        convert_launch_configuration(ctx.regional()?, group, launch_configuration, template_name)
            .await
    }
}

impl Apply for CreateLaunchTemplate {
    async fn apply(&self, ctx: &Context<'_>) -> StepResult {
        let CreateLaunchTemplate {
            name,
            image_id,
            instance_type,
            security_group_id,
            user_data,
        } = self;
        create_launch_template(
            ctx.regional()?,
            name,
            image_id,
            instance_type,
            security_group_id,
            user_data,
        )
        .await
    }
}

impl Apply for NewTemplateVersion {
    async fn apply(&self, ctx: &Context<'_>) -> StepResult {
        let NewTemplateVersion {
            template_id,
            image_id,
            before,
        } = self;
        new_template_version(ctx.regional()?, template_id, image_id, before).await
    }
}
