//! RDS collectors: DB instances, DB clusters, DB subnet groups and event subscriptions.

use aws_sdk_rds::Client;

use super::{UnitResult, failed};
use crate::inventory::{
    DbCluster, DbClusterMember, DbInstance, DbSubnetGroup, EventSubscription, Inventory,
};

/// AWS's maximum page for the RDS describe calls.
const PAGE: i32 = 100;

pub async fn db_instances(client: Client, region: String) -> UnitResult {
    let mut out = Inventory::default();
    let mut pages = client
        .describe_db_instances()
        .max_records(PAGE)
        .into_paginator()
        .send();
    while let Some(page) = pages.next().await {
        for db in page.map_err(failed("DescribeDBInstances"))?.db_instances() {
            let subnet_group = db.db_subnet_group();
            out.db_instances.push(DbInstance {
                id: db.db_instance_identifier().unwrap_or_default().to_owned(),
                arn: db.db_instance_arn().unwrap_or_default().to_owned(),
                region: region.clone(),
                engine: db.engine().unwrap_or_default().to_owned(),
                engine_version: db.engine_version().unwrap_or_default().to_owned(),
                instance_class: db.db_instance_class().unwrap_or_default().to_owned(),
                status: db.db_instance_status().unwrap_or_default().to_owned(),
                multi_az: db.multi_az().unwrap_or(false),
                publicly_accessible: db.publicly_accessible().unwrap_or(false),
                storage_encrypted: db.storage_encrypted().unwrap_or(false),
                backup_retention_period: db.backup_retention_period().unwrap_or(0),
                deletion_protection: Some(db.deletion_protection().unwrap_or(false)),
                security_group_ids: db
                    .vpc_security_groups()
                    .iter()
                    .filter_map(|g| g.vpc_security_group_id().map(str::to_owned))
                    .collect(),
                subnet_group: subnet_group
                    .and_then(|g| g.db_subnet_group_name())
                    .map(str::to_owned),
                vpc_id: subnet_group.and_then(|g| g.vpc_id()).map(str::to_owned),
                availability_zone: db.availability_zone().map(str::to_owned),
                endpoint_address: db.endpoint().and_then(|e| e.address()).map(str::to_owned),
                endpoint_port: db.endpoint().and_then(|e| e.port()),
                cluster_id: db.db_cluster_identifier().map(str::to_owned),
                replica_source: db
                    .read_replica_source_db_instance_identifier()
                    .or(db.read_replica_source_db_cluster_identifier())
                    .map(str::to_owned),
                tags: super::tag_map(db.tag_list(), |t| (t.key(), t.value())),
            });
        }
    }
    Ok(out)
}

pub async fn db_clusters(client: Client, region: String) -> UnitResult {
    let mut out = Inventory::default();
    let mut pages = client
        .describe_db_clusters()
        .max_records(PAGE)
        .into_paginator()
        .send();
    while let Some(page) = pages.next().await {
        for cluster in page.map_err(failed("DescribeDBClusters"))?.db_clusters() {
            out.db_clusters.push(DbCluster {
                id: cluster
                    .db_cluster_identifier()
                    .unwrap_or_default()
                    .to_owned(),
                arn: cluster.db_cluster_arn().unwrap_or_default().to_owned(),
                region: region.clone(),
                engine: cluster.engine().unwrap_or_default().to_owned(),
                engine_version: cluster.engine_version().unwrap_or_default().to_owned(),
                engine_mode: cluster.engine_mode().unwrap_or_default().to_owned(),
                status: cluster.status().unwrap_or_default().to_owned(),
                multi_az: cluster.multi_az().unwrap_or(false),
                instance_class: cluster.db_cluster_instance_class().map(str::to_owned),
                storage_encrypted: cluster.storage_encrypted().unwrap_or(false),
                deletion_protection: Some(cluster.deletion_protection().unwrap_or(false)),
                backup_retention_period: cluster.backup_retention_period(),
                security_group_ids: cluster
                    .vpc_security_groups()
                    .iter()
                    .filter_map(|g| g.vpc_security_group_id().map(str::to_owned))
                    .collect(),
                subnet_group: cluster.db_subnet_group().map(str::to_owned),
                availability_zones: cluster.availability_zones().to_vec(),
                members: cluster
                    .db_cluster_members()
                    .iter()
                    .map(|m| DbClusterMember {
                        instance_id: m.db_instance_identifier().unwrap_or_default().to_owned(),
                        writer: m.is_cluster_writer().unwrap_or(false),
                    })
                    .collect(),
                endpoint_address: cluster.endpoint().map(str::to_owned),
                endpoint_port: cluster.port(),
                // A global database's secondary has no writer: its source is the global one.
                replica_source: cluster
                    .replication_source_identifier()
                    .or_else(|| {
                        let writer = cluster
                            .db_cluster_members()
                            .iter()
                            .any(|m| m.is_cluster_writer() == Some(true));
                        cluster.global_cluster_identifier().filter(|_| !writer)
                    })
                    .map(str::to_owned),
            });
        }
    }
    Ok(out)
}

pub async fn db_subnet_groups(client: Client, region: String) -> UnitResult {
    let mut out = Inventory::default();
    let mut pages = client
        .describe_db_subnet_groups()
        .max_records(PAGE)
        .into_paginator()
        .send();
    while let Some(page) = pages.next().await {
        for group in page
            .map_err(failed("DescribeDBSubnetGroups"))?
            .db_subnet_groups()
        {
            let subnets = group.subnets();
            out.db_subnet_groups.push(DbSubnetGroup {
                name: group.db_subnet_group_name().unwrap_or_default().to_owned(),
                arn: group.db_subnet_group_arn().unwrap_or_default().to_owned(),
                region: region.clone(),
                vpc_id: group.vpc_id().unwrap_or_default().to_owned(),
                subnet_ids: subnets
                    .iter()
                    .filter_map(|s| s.subnet_identifier().map(str::to_owned))
                    .collect(),
                availability_zones: subnets
                    .iter()
                    .filter_map(|s| s.subnet_availability_zone().and_then(|z| z.name()))
                    .map(str::to_owned)
                    .collect(),
            });
        }
    }
    Ok(out)
}

pub async fn event_subscriptions(client: Client, region: String) -> UnitResult {
    let mut out = Inventory::default();
    let mut pages = client
        .describe_event_subscriptions()
        .max_records(PAGE)
        .into_paginator()
        .send();
    while let Some(page) = pages.next().await {
        for subscription in page
            .map_err(failed("DescribeEventSubscriptions"))?
            .event_subscriptions_list()
        {
            out.event_subscriptions.push(EventSubscription {
                name: subscription
                    .cust_subscription_id()
                    .unwrap_or_default()
                    .to_owned(),
                arn: subscription
                    .event_subscription_arn()
                    .unwrap_or_default()
                    .to_owned(),
                region: region.clone(),
                sns_topic_arn: subscription.sns_topic_arn().unwrap_or_default().to_owned(),
                status: subscription.status().unwrap_or_default().to_owned(),
                enabled: subscription.enabled().unwrap_or(false),
                // AWS answers an empty source type for a subscription of every source.
                source_type: subscription
                    .source_type()
                    .filter(|t| !t.is_empty())
                    .map(str::to_owned),
                source_ids: subscription.source_ids_list().to_vec(),
                event_categories: subscription.event_categories_list().to_vec(),
            });
        }
    }
    Ok(out)
}
