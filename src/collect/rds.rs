//! RDS collectors: DB instances and DB subnet groups.

use aws_sdk_rds::Client;

use super::{UnitResult, failed};
use crate::inventory::{DbInstance, DbSubnetGroup, Inventory};

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
