//! RDS: DB instances, clusters, subnet groups, event subscriptions.

use super::*;

/// Converts one resource of a type of this service; other types are left alone.
pub(super) fn one(inv: &mut Inventory, joins: &mut Joins, r: &mut Recorder, kind: &str) -> Step {
    let region = inv.regions[0].clone();
    match kind {
        "AWS::RDS::DBInstance" => {
            let id = r.name(kind)?;
            let engine = r.text("Engine", "engine")?.unwrap_or_default();
            let publicly_accessible = r.flag("PubliclyAccessible", "publicly_accessible")?;
            let db = DbInstance {
                arn: format!("arn:aws:rds:{region}:{}:db:{id}", inv.account_id),
                id,
                region,
                endpoint_port: Some(
                    r.int("Port", "endpoint_port")?
                        .unwrap_or_else(|| default_port(&engine)),
                ),
                engine,
                engine_version: r
                    .text("EngineVersion", "engine_version")?
                    .unwrap_or_default(),
                instance_class: r
                    .text("DBInstanceClass", "instance_class")?
                    .unwrap_or_default(),
                status: "available".into(),
                multi_az: r.flag("MultiAZ", "multi_az")?.unwrap_or(false),
                publicly_accessible: publicly_accessible.unwrap_or(false),
                deletion_protection: Some(
                    r.flag("DeletionProtection", "deletion_protection")?
                        .unwrap_or(false),
                ),
                storage_encrypted: r
                    .flag("StorageEncrypted", "storage_encrypted")?
                    .unwrap_or(false),
                backup_retention_period: match r
                    .int("BackupRetentionPeriod", "backup_retention_period")?
                {
                    Some(days) => days,
                    // A database restored from a snapshot keeps its source's retention,
                    // which may be none: not known before deploy.
                    None if r.properties_entry("DBSnapshotIdentifier").is_some() => {
                        r.unknown(
                            "backup_retention_period",
                            "the backup retention a database restored from a snapshot takes from it (after deploy)",
                        );
                        0
                    }
                    None => 1,
                },
                security_group_ids: r.list("VPCSecurityGroups", "security_group_ids")?,
                subnet_group: r
                    .text("DBSubnetGroupName", "subnet_group")?
                    .map(|s| s.to_lowercase()),
                vpc_id: None,
                tags: r.tags()?,
                availability_zone: r.text("AvailabilityZone", "availability_zone")?,
                endpoint_address: r
                    .attribute(kind, "Endpoint.Address")?
                    .text()
                    .map(str::to_owned),
                cluster_id: r
                    .text("DBClusterIdentifier", "cluster_id")?
                    .map(|s| s.to_lowercase()),
                replica_source: r.text("SourceDBInstanceIdentifier", "replica_source")?,
            };
            if publicly_accessible.is_none()
                && !r.source.unknowns.contains_key("publicly_accessible")
            {
                joins.default_public_db.push(inv.db_instances.len());
            }
            push_source(inv, r, &db);
            inv.db_instances.push(db);
        }
        "AWS::RDS::DBCluster" => {
            let id = r.name(kind)?;
            let engine = r.text("Engine", "engine")?.unwrap_or_default();
            let cluster = DbCluster {
                arn: format!("arn:aws:rds:{region}:{}:cluster:{id}", inv.account_id),
                id,
                region,
                endpoint_port: Some(
                    r.int("Port", "endpoint_port")?
                        .unwrap_or_else(|| default_port(&engine)),
                ),
                engine,
                engine_version: r
                    .text("EngineVersion", "engine_version")?
                    .unwrap_or_default(),
                engine_mode: r
                    .text("EngineMode", "engine_mode")?
                    .unwrap_or_else(|| "provisioned".into()),
                status: "available".into(),
                multi_az: false,
                instance_class: r.text("DBClusterInstanceClass", "instance_class")?,
                deletion_protection: Some(
                    r.flag("DeletionProtection", "deletion_protection")?
                        .unwrap_or(false),
                ),
                storage_encrypted: r
                    .flag("StorageEncrypted", "storage_encrypted")?
                    .unwrap_or(false),
                // CloudFormation's default is one day; a restored cluster's is known after.
                backup_retention_period: match r
                    .int("BackupRetentionPeriod", "backup_retention_period")?
                {
                    Some(days) => Some(days),
                    None if r.properties_entry("SnapshotIdentifier").is_some() => {
                        r.unknown(
                            "backup_retention_period",
                            "the backup retention a cluster restored from a snapshot takes from it (after deploy)",
                        );
                        Some(1)
                    }
                    None => Some(1),
                },
                security_group_ids: r.list("VpcSecurityGroupIds", "security_group_ids")?,
                subnet_group: r
                    .text("DBSubnetGroupName", "subnet_group")?
                    .map(|s| s.to_lowercase()),
                availability_zones: r.list("AvailabilityZones", "availability_zones")?,
                members: Vec::new(),
                endpoint_address: r
                    .attribute(kind, "Endpoint.Address")?
                    .text()
                    .map(str::to_owned),
                replica_source: r.text("ReplicationSourceIdentifier", "replica_source")?,
            };
            push_source(inv, r, &cluster);
            inv.db_clusters.push(cluster);
        }
        "AWS::RDS::DBSubnetGroup" => {
            let name = r.name(kind)?;
            let group = DbSubnetGroup {
                arn: format!("arn:aws:rds:{region}:{}:subgrp:{name}", inv.account_id),
                name,
                region,
                vpc_id: String::new(),
                subnet_ids: r.list("SubnetIds", "subnet_ids")?,
                availability_zones: Vec::new(),
            };
            push_source(inv, r, &group);
            inv.db_subnet_groups.push(group);
        }
        "AWS::RDS::EventSubscription" => {
            let name = r.name(kind)?;
            let subscription = EventSubscription {
                arn: format!("arn:aws:rds:{region}:{}:es:{name}", inv.account_id),
                name,
                region,
                sns_topic_arn: r.text("SnsTopicArn", "sns_topic_arn")?.unwrap_or_default(),
                // Active once deployed, unless its topic refuses RDS: known only then.
                status: "active".into(),
                enabled: r.flag("Enabled", "enabled")?.unwrap_or(true),
                source_type: r.text("SourceType", "source_type")?,
                // RDS lowercases identifiers, as `Ref` of a database gives them.
                source_ids: r
                    .list("SourceIds", "source_ids")?
                    .into_iter()
                    .map(|id| id.to_lowercase())
                    .collect(),
                event_categories: r.list("EventCategories", "event_categories")?,
            };
            push_source(inv, r, &subscription);
            inv.event_subscriptions.push(subscription);
        }
        _ => {}
    }
    Ok(())
}
