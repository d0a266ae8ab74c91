//! RDS: Multi-AZ, readers, public access, new databases.

use serde::{Deserialize, Serialize};

use super::predicted::db_instance_mut;
use super::{ActionType, Change, Declared, IacEdit, IacValue, Safety, change};
use crate::inventory::{DbInstance, Index, Inventory, Resource, Tags};

/// Turns on Multi-AZ (a standby in another zone; I/O load while it is built).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EnableMultiAz {
    pub db_instance: String,
}

impl ActionType for EnableMultiAz {
    fn iac_edits(&self) -> Option<Vec<IacEdit>> {
        let db = Declared::new(DbInstance::KIND, &self.db_instance);
        Some(vec![
            IacEdit::Set {
                resource: db.clone(),
                field: "multi_az",
                value: IacValue::Bool(true),
            },
            // RDS refuses a zone for a Multi-AZ instance: it picks the primary's and the
            // standby's.
            IacEdit::Unset {
                resource: db,
                field: "availability_zone",
            },
        ])
    }

    fn key(&self) -> String {
        let EnableMultiAz { db_instance } = self;
        format!("multi-az:{db_instance}")
    }
    fn safety(&self) -> Safety {
        Safety::Unsafe
    }
    fn cost(&self) -> Option<&'static str> {
        Some("about doubles the database's instance and storage cost (a standby)")
    }
    fn target(&self) -> String {
        let EnableMultiAz { db_instance } = self;
        db_instance.clone()
    }
    fn summary(&self) -> String {
        "db instance: Multi-AZ".into()
    }
    fn changes(&self) -> Vec<Change> {
        vec![change("multi_az", false, true)]
    }
    fn permissions(&self) -> &'static [&'static str] {
        &["rds:DescribeDBInstances", "rds:ModifyDBInstance"]
    }
    fn predict(&self, inv: &mut Inventory, region: &str, _created: &str) {
        let EnableMultiAz { db_instance } = self;
        if let Some(db) = db_instance_mut(inv, region, db_instance) {
            db.multi_az = true;
        }
    }
    fn owner_tags<'i>(&self, region: &str, index: &'i Index) -> Option<&'i Tags> {
        let EnableMultiAz { db_instance } = self;
        Some(&index.find::<DbInstance>(region, db_instance)?.tags)
    }
    fn template_change(&self) -> String {
        "set `MultiAZ: true`".to_owned()
    }
    fn beanstalk_option(&self) -> &'static str {
        "`aws:rds:dbinstance` `MultiAZDatabase`"
    }
}

/// Adds a reader instance in another zone to a DB cluster whose instances share one
/// zone, so that a zone failure promotes it instead of stopping the database.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AddClusterReader {
    pub cluster: String,
    pub instance_id: String,
    pub availability_zone: String,
    pub instance_class: String,
    pub engine: String,
}

impl ActionType for AddClusterReader {
    fn key(&self) -> String {
        let AddClusterReader { cluster, .. } = self;
        format!("cluster-reader:{cluster}")
    }
    fn cost(&self) -> Option<&'static str> {
        Some("billed hourly (a DB instance)")
    }
    fn symbol(&self) -> char {
        '+'
    }
    fn target(&self) -> String {
        let AddClusterReader { cluster, .. } = self;
        cluster.clone()
    }
    fn summary(&self) -> String {
        "db cluster: reader in another zone".into()
    }
    fn changes(&self) -> Vec<Change> {
        let AddClusterReader {
            instance_id,
            availability_zone,
            instance_class,
            ..
        } = self;
        vec![change(
            "reader",
            "(none)",
            format!("{instance_id} ({instance_class}) in {availability_zone}"),
        )]
    }
    fn permissions(&self) -> &'static [&'static str] {
        &[
            "rds:DescribeDBClusters",
            "rds:DescribeDBInstances",
            "rds:CreateDBInstance",
            "rds:AddTagsToResource",
        ]
    }
}

/// Keeps automated backups of a DB instance for `retention_days` (point-in-time restore
/// after a loss).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EnableBackups {
    pub db_instance: String,
    pub retention_days: i32,
    /// The retention the plan saw (0: backups off).
    pub before: i32,
}

impl ActionType for EnableBackups {
    fn key(&self) -> String {
        format!("backups:{}", self.db_instance)
    }
    /// From none to some, RDS stops I/O and takes the first backup: AWS documents an outage.
    fn safety(&self) -> Safety {
        if self.before == 0 {
            Safety::Unsafe
        } else {
            Safety::Safe
        }
    }
    fn cost(&self) -> Option<&'static str> {
        Some("backup storage beyond the database's own size")
    }
    fn target(&self) -> String {
        self.db_instance.clone()
    }
    fn summary(&self) -> String {
        "db instance: automated backups".into()
    }
    fn changes(&self) -> Vec<Change> {
        vec![change(
            "backup_retention_period",
            self.before,
            self.retention_days,
        )]
    }
    fn permissions(&self) -> &'static [&'static str] {
        &["rds:DescribeDBInstances", "rds:ModifyDBInstance"]
    }
    fn predict(&self, inv: &mut Inventory, region: &str, _created: &str) {
        if let Some(db) = db_instance_mut(inv, region, &self.db_instance) {
            db.backup_retention_period = self.retention_days;
        }
    }
    fn owner_tags<'i>(&self, region: &str, index: &'i Index) -> Option<&'i Tags> {
        Some(&index.find::<DbInstance>(region, &self.db_instance)?.tags)
    }
    fn iac_edits(&self) -> Option<Vec<IacEdit>> {
        Some(vec![IacEdit::Set {
            resource: Declared::new(DbInstance::KIND, &self.db_instance),
            field: "backup_retention_period",
            value: IacValue::Number(self.retention_days.into()),
        }])
    }
    fn template_change(&self) -> String {
        format!("set `BackupRetentionPeriod: {}`", self.retention_days)
    }
    fn beanstalk_option(&self) -> &'static str {
        "the environment's database (`aws:rds:dbinstance` has no backup option: change the instance)"
    }
}

/// Turns deletion protection on for a DB instance.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EnableDbDeletionProtection {
    pub db_instance: String,
}

impl ActionType for EnableDbDeletionProtection {
    fn key(&self) -> String {
        format!("db-deletion-protection:{}", self.db_instance)
    }
    fn target(&self) -> String {
        self.db_instance.clone()
    }
    fn summary(&self) -> String {
        "db instance: deletion protection".into()
    }
    fn changes(&self) -> Vec<Change> {
        vec![change("deletion_protection", "off", "on")]
    }
    fn permissions(&self) -> &'static [&'static str] {
        &["rds:DescribeDBInstances", "rds:ModifyDBInstance"]
    }
    fn predict(&self, inv: &mut Inventory, region: &str, _created: &str) {
        if let Some(db) = db_instance_mut(inv, region, &self.db_instance) {
            db.deletion_protection = Some(true);
        }
    }
    fn owner_tags<'i>(&self, region: &str, index: &'i Index) -> Option<&'i Tags> {
        Some(&index.find::<DbInstance>(region, &self.db_instance)?.tags)
    }
    fn iac_edits(&self) -> Option<Vec<IacEdit>> {
        Some(vec![IacEdit::Set {
            resource: Declared::new(DbInstance::KIND, &self.db_instance),
            field: "deletion_protection",
            value: IacValue::Bool(true),
        }])
    }
    fn template_change(&self) -> String {
        "set `DeletionProtection: true`".to_owned()
    }
}

/// Makes a DB instance not publicly accessible.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DisablePublicAccess {
    pub db_instance: String,
}

impl ActionType for DisablePublicAccess {
    fn iac_edits(&self) -> Option<Vec<IacEdit>> {
        Some(vec![IacEdit::Set {
            resource: Declared::new(DbInstance::KIND, &self.db_instance),
            field: "publicly_accessible",
            value: IacValue::Bool(false),
        }])
    }

    fn key(&self) -> String {
        let DisablePublicAccess { db_instance } = self;
        format!("private:{db_instance}")
    }
    fn target(&self) -> String {
        let DisablePublicAccess { db_instance } = self;
        db_instance.clone()
    }
    fn summary(&self) -> String {
        "db instance: public access".into()
    }
    fn changes(&self) -> Vec<Change> {
        vec![change("publicly_accessible", true, false)]
    }
    fn permissions(&self) -> &'static [&'static str] {
        &["rds:DescribeDBInstances", "rds:ModifyDBInstance"]
    }
    fn predict(&self, inv: &mut Inventory, region: &str, _created: &str) {
        let DisablePublicAccess { db_instance } = self;
        if let Some(db) = db_instance_mut(inv, region, db_instance) {
            db.publicly_accessible = false;
        }
    }
    fn owner_tags<'i>(&self, region: &str, index: &'i Index) -> Option<&'i Tags> {
        let DisablePublicAccess { db_instance } = self;
        Some(&index.find::<DbInstance>(region, db_instance)?.tags)
    }
    fn template_change(&self) -> String {
        "set `PubliclyAccessible: false`".to_owned()
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CreateDbSubnetGroup {
    pub name: String,
    pub subnet_ids: Vec<String>,
}

impl ActionType for CreateDbSubnetGroup {
    fn key(&self) -> String {
        let CreateDbSubnetGroup { name, .. } = self;
        format!("db-subnet-group:{name}")
    }
    fn symbol(&self) -> char {
        '+'
    }
    fn target(&self) -> String {
        let CreateDbSubnetGroup { name, .. } = self;
        name.clone()
    }
    fn summary(&self) -> String {
        "db subnet group".into()
    }
    fn changes(&self) -> Vec<Change> {
        let CreateDbSubnetGroup { subnet_ids, .. } = self;
        vec![change("subnets", "", subnet_ids.join(", "))]
    }
    fn permissions(&self) -> &'static [&'static str] {
        &["rds:DescribeDBSubnetGroups", "rds:CreateDBSubnetGroup"]
    }
}

/// A new DB instance; an existing one is never recreated.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CreateDbInstance {
    pub id: String,
    pub engine: String,
    pub instance_class: String,
    pub allocated_storage: i32,
    pub subnet_group: String,
    pub security_group_id: String,
    pub multi_az: bool,
    pub master_username: String,
}

impl ActionType for CreateDbInstance {
    fn key(&self) -> String {
        let CreateDbInstance { id, .. } = self;
        format!("db-instance:{id}")
    }
    fn cost(&self) -> Option<&'static str> {
        Some("billed hourly (a DB instance)")
    }
    fn symbol(&self) -> char {
        '+'
    }
    fn target(&self) -> String {
        let CreateDbInstance { id, .. } = self;
        id.clone()
    }
    fn summary(&self) -> String {
        "db instance".into()
    }
    fn changes(&self) -> Vec<Change> {
        let CreateDbInstance {
            engine,
            instance_class,
            multi_az,
            ..
        } = self;
        vec![
            change("engine", "", format!("{engine} on {instance_class}")),
            change("multi_az", "", multi_az),
            change("publicly_accessible", "", false),
            change("deletion_protection", "", "on"),
        ]
    }
    fn permissions(&self) -> &'static [&'static str] {
        &[
            "rds:DescribeDBInstances",
            "rds:CreateDBInstance",
            "secretsmanager:CreateSecret",
        ]
    }
}
