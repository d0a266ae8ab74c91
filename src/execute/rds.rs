//! RDS: Multi-AZ and private access on a DB instance, a reader in a second zone of a
//! cluster, new subnet groups, DB instances and event subscriptions. No call here deletes
//! anything.

use super::step::{Done, Patience, StepError, StepResult, gone_or_fail, poll, sdk_fail, settle};
use super::{Apply, Context};
use crate::change::MANAGED_TAG;
use crate::change::{
    AddClusterReader, CreateDbInstance, CreateDbSubnetGroup, CreateEventSubscription,
    DisablePublicAccess, EnableBackups, EnableDbDeletionProtection, EnableMultiAz,
};
use crate::collect::RegionClients;

/// The tag on what the plan creates in RDS.
fn managed_tag() -> aws_sdk_rds::types::Tag {
    aws_sdk_rds::types::Tag::builder()
        .key(MANAGED_TAG.0)
        .value(MANAGED_TAG.1)
        .build()
}

pub(super) enum DbChange {
    MultiAz,
    Private,
    /// Automated backups kept at least this many days.
    Backups(i32),
    DeletionProtection,
}

/// Turns Multi-AZ on, public access off or backups on, at once, and waits until the instance is
/// available; satisfied when already so, refused when the instance is gone.
pub(super) async fn modify_db(c: &RegionClients, id: &str, change: DbChange) -> StepResult {
    let read = || async {
        let answer = c
            .rds
            .describe_db_instances()
            .db_instance_identifier(id)
            .send()
            .await
            .map_err(gone_or_fail(
                "DescribeDBInstances",
                "DBInstanceNotFound",
                || format!("DB instance `{id}`"),
            ))?;
        answer
            .db_instances()
            .first()
            .cloned()
            .ok_or_else(|| StepError::Drift(format!("DB instance `{id}` no longer exists")))
    };
    let settled = |db: &aws_sdk_rds::types::DbInstance| match change {
        DbChange::MultiAz => db.multi_az() == Some(true),
        DbChange::Private => db.publicly_accessible() == Some(false),
        DbChange::Backups(days) => db.backup_retention_period().unwrap_or(0) >= days,
        DbChange::DeletionProtection => db.deletion_protection() == Some(true),
    };
    if settled(&read().await?) {
        return Ok(Done::Satisfied(None));
    }
    let request = c
        .rds
        .modify_db_instance()
        .db_instance_identifier(id)
        .apply_immediately(true);
    let request = match change {
        DbChange::MultiAz => request.multi_az(true),
        DbChange::Private => request.publicly_accessible(false),
        DbChange::Backups(days) => request.backup_retention_period(days),
        DbChange::DeletionProtection => request.deletion_protection(true),
    };
    request.send().await.map_err(sdk_fail("ModifyDBInstance"))?;
    // Real RDS takes minutes (Multi-AZ builds a standby); moto changes at once.
    settle(
        &format!("DB instance `{id}`"),
        Patience::DATABASE,
        || async {
            let db = read().await?;
            Ok((settled(&db) && db.db_instance_status() == Some("available")).then_some(()))
        },
    )
    .await?;
    Ok(Done::Applied(None))
}

/// The DB instance `id`, or `None` when there is no such instance.
async fn db_instance(
    c: &RegionClients,
    id: &str,
) -> Result<Option<aws_sdk_rds::types::DbInstance>, StepError> {
    match c
        .rds
        .describe_db_instances()
        .db_instance_identifier(id)
        .send()
        .await
    {
        Ok(answer) => Ok(answer.db_instances().first().cloned()),
        Err(error) => {
            let failure = crate::collect::failed("DescribeDBInstances")(error);
            if failure.code == "DBInstanceNotFound" {
                Ok(None)
            } else {
                Err(StepError::Failed(failure.to_string()))
            }
        }
    }
}

/// Re-reads the cluster: satisfied when its instances already span two zones; otherwise
/// creates the reader (or, resuming, finds it created) and waits until it is available.
pub(super) async fn add_cluster_reader(
    c: &RegionClients,
    cluster: &str,
    instance_id: &str,
    zone: &str,
    instance_class: &str,
    engine: &str,
) -> StepResult {
    let answer = c
        .rds
        .describe_db_clusters()
        .db_cluster_identifier(cluster)
        .send()
        .await
        .map_err(gone_or_fail(
            "DescribeDBClusters",
            "DBClusterNotFoundFault",
            || format!("DB cluster `{cluster}`"),
        ))?;
    let found = answer
        .db_clusters()
        .first()
        .ok_or_else(|| StepError::Drift(format!("DB cluster `{cluster}` no longer exists")))?;
    let mut zones = std::collections::BTreeSet::new();
    let mut has_reader = false;
    for member in found.db_cluster_members() {
        let id = member.db_instance_identifier().unwrap_or_default();
        has_reader |= id == instance_id;
        if let Some(az) = db_instance(c, id)
            .await?
            .and_then(|db| db.availability_zone().map(str::to_owned))
        {
            zones.insert(az);
        }
    }
    if zones.len() >= 2 && !has_reader {
        return Ok(Done::Satisfied(None));
    }
    if !has_reader && db_instance(c, instance_id).await?.is_none() {
        c.rds
            .create_db_instance()
            .db_instance_identifier(instance_id)
            .db_cluster_identifier(cluster)
            .engine(engine)
            .db_instance_class(instance_class)
            .availability_zone(zone)
            .publicly_accessible(false)
            .tags(managed_tag())
            .send()
            .await
            .map_err(sdk_fail("CreateDBInstance"))?;
    }
    // A new instance takes minutes on real RDS; moto makes it available at once.
    let available = poll(Patience::DATABASE, || async {
        let reader = db_instance(c, instance_id).await?;
        Ok(
            (reader.as_ref().and_then(|db| db.db_instance_status()) == Some("available"))
                .then_some(()),
        )
    })
    .await?;
    match available {
        Some(()) => Ok(Done::Applied(Some(instance_id.to_owned()))),
        None => Err(StepError::Failed(format!(
            "reader `{instance_id}` of DB cluster `{cluster}` was not available within {} s",
            Patience::DATABASE.within.as_secs()
        ))),
    }
}

/// The DB subnet group of that name, else a new one.
pub(super) async fn create_db_subnet_group(
    c: &RegionClients,
    name: &str,
    subnet_ids: &[String],
) -> StepResult {
    if let Ok(found) = c
        .rds
        .describe_db_subnet_groups()
        .db_subnet_group_name(name)
        .send()
        .await
        && !found.db_subnet_groups().is_empty()
    {
        return Ok(Done::Satisfied(Some(name.to_owned())));
    }
    c.rds
        .create_db_subnet_group()
        .db_subnet_group_name(name)
        .db_subnet_group_description("hacheck: private subnets of the stack")
        .set_subnet_ids(Some(subnet_ids.to_vec()))
        .send()
        .await
        .map_err(sdk_fail("CreateDBSubnetGroup"))?;
    Ok(Done::Applied(Some(name.to_owned())))
}

/// The DB instance of that id, else a new private, encrypted one whose password RDS keeps
/// in Secrets Manager, waited for until available.
#[allow(clippy::too_many_arguments)] // one parameter per field of its action
pub(super) async fn create_db_instance(
    c: &RegionClients,
    id: &str,
    engine: &str,
    instance_class: &str,
    allocated_storage: &i32,
    subnet_group: &str,
    security_group_id: &str,
    multi_az: &bool,
    master_username: &str,
) -> StepResult {
    if let Ok(found) = c
        .rds
        .describe_db_instances()
        .db_instance_identifier(id)
        .send()
        .await
        && !found.db_instances().is_empty()
    {
        return Ok(Done::Satisfied(Some(id.to_owned())));
    }
    c.rds
        .create_db_instance()
        .db_instance_identifier(id)
        .engine(engine)
        .db_instance_class(instance_class)
        .allocated_storage(*allocated_storage)
        .db_subnet_group_name(subnet_group)
        .vpc_security_group_ids(security_group_id)
        .multi_az(*multi_az)
        .publicly_accessible(false)
        .storage_encrypted(true)
        .backup_retention_period(7)
        // What hacheck builds passes its own rules (HA023).
        .deletion_protection(true)
        .master_username(master_username)
        // The password is created and kept in Secrets Manager by RDS; hacheck never sees it.
        .manage_master_user_password(true)
        .tags(managed_tag())
        .send()
        .await
        .map_err(sdk_fail("CreateDBInstance"))?;
    settle("the DB instance", Patience::RESOURCE, || async {
        let answer = c
            .rds
            .describe_db_instances()
            .db_instance_identifier(id)
            .send()
            .await
            .map_err(sdk_fail("DescribeDBInstances"))?;
        Ok(answer
            .db_instances()
            .first()
            .filter(|d| d.db_instance_status() == Some("available"))
            .map(|_| ()))
    })
    .await?;
    Ok(Done::Applied(Some(id.to_owned())))
}

impl Apply for EnableMultiAz {
    async fn apply(&self, ctx: &Context<'_>) -> StepResult {
        let EnableMultiAz { db_instance } = self;
        modify_db(ctx.regional()?, db_instance, DbChange::MultiAz).await
    }
}

impl Apply for EnableBackups {
    async fn apply(&self, ctx: &Context<'_>) -> StepResult {
        let change = DbChange::Backups(self.retention_days);
        modify_db(ctx.regional()?, &self.db_instance, change).await
    }
}

impl Apply for EnableDbDeletionProtection {
    async fn apply(&self, ctx: &Context<'_>) -> StepResult {
        modify_db(
            ctx.regional()?,
            &self.db_instance,
            DbChange::DeletionProtection,
        )
        .await
    }
}

impl Apply for DisablePublicAccess {
    async fn apply(&self, ctx: &Context<'_>) -> StepResult {
        let DisablePublicAccess { db_instance } = self;
        modify_db(ctx.regional()?, db_instance, DbChange::Private).await
    }
}

impl Apply for AddClusterReader {
    async fn apply(&self, ctx: &Context<'_>) -> StepResult {
        let AddClusterReader {
            cluster,
            instance_id,
            availability_zone,
            instance_class,
            engine,
        } = self;
        add_cluster_reader(
            ctx.regional()?,
            cluster,
            instance_id,
            availability_zone,
            instance_class,
            engine,
        )
        .await
    }
}

impl Apply for CreateDbSubnetGroup {
    async fn apply(&self, ctx: &Context<'_>) -> StepResult {
        let CreateDbSubnetGroup { name, subnet_ids } = self;
        create_db_subnet_group(ctx.regional()?, name, subnet_ids).await
    }
}

impl Apply for CreateDbInstance {
    async fn apply(&self, ctx: &Context<'_>) -> StepResult {
        let CreateDbInstance {
            id,
            engine,
            instance_class,
            allocated_storage,
            subnet_group,
            security_group_id,
            multi_az,
            master_username,
        } = self;
        create_db_instance(
            ctx.regional()?,
            id,
            engine,
            instance_class,
            allocated_storage,
            subnet_group,
            security_group_id,
            multi_az,
            master_username,
        )
        .await
    }
}

/// Creates the subscription; satisfied when one of that name already posts at least these
/// events of these sources to that topic, refused when it exists with other settings (it
/// is someone's: not changed here).
async fn create_event_subscription(
    c: &RegionClients,
    wanted: &CreateEventSubscription,
) -> StepResult {
    let CreateEventSubscription {
        name,
        topic_arn,
        source_type,
        source_ids,
        categories,
    } = wanted;
    let read = c
        .rds
        .describe_event_subscriptions()
        .subscription_name(name)
        .send()
        .await;
    match read {
        Ok(answer) => {
            let Some(existing) = answer.event_subscriptions_list().first() else {
                return Err(StepError::Failed(format!(
                    "DescribeEventSubscriptions answered no subscription `{name}`"
                )));
            };
            // Empty lists mean every source and every category.
            let covers = |have: &[String], want: &[String]| {
                have.is_empty() || want.iter().all(|w| have.contains(w))
            };
            let same = existing.sns_topic_arn() == Some(topic_arn.as_str())
                && existing.source_type() == Some(source_type.as_str())
                && existing.enabled() == Some(true)
                && covers(existing.source_ids_list(), source_ids)
                && covers(existing.event_categories_list(), categories);
            if same {
                return Ok(Done::Satisfied(None));
            }
            return Err(StepError::Drift(format!(
                "RDS event subscription `{name}` exists with other settings (topic `{}`, {} of {}): it is not changed here",
                existing.sns_topic_arn().unwrap_or_default(),
                existing.event_categories_list().join(", "),
                existing.source_ids_list().join(", ")
            )));
        }
        Err(error)
            if error
                .as_service_error()
                .is_some_and(|e| e.is_subscription_not_found_fault()) => {}
        Err(error) => return Err(sdk_fail("DescribeEventSubscriptions")(error)),
    }
    let created = c
        .rds
        .create_event_subscription()
        .subscription_name(name)
        .sns_topic_arn(topic_arn)
        .source_type(source_type)
        .set_source_ids(Some(source_ids.clone()))
        .set_event_categories(Some(categories.clone()))
        .enabled(true)
        .tags(managed_tag())
        .send()
        .await
        .map_err(sdk_fail("CreateEventSubscription"))?;
    Ok(Done::Applied(
        created
            .event_subscription()
            .and_then(|s| s.event_subscription_arn())
            .map(str::to_owned),
    ))
}

impl Apply for CreateEventSubscription {
    async fn apply(&self, ctx: &Context<'_>) -> StepResult {
        create_event_subscription(ctx.regional()?, self).await
    }
}
