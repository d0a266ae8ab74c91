//! RDS: DB instances, clusters and subnet groups.

use serde::{Deserialize, Serialize};

use super::Tags;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DbInstance {
    pub id: String,
    pub arn: String,
    pub region: String,
    pub engine: String,
    #[serde(default)]
    pub engine_version: String,
    pub instance_class: String,
    pub status: String,
    pub multi_az: bool,
    pub publicly_accessible: bool,
    pub storage_encrypted: bool,
    pub backup_retention_period: i32,
    /// Deletion protection (`DeletionProtection`, off unless turned on); none (`()`) where
    /// it was not read (a snapshot from before hacheck read it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deletion_protection: Option<bool>,
    #[serde(default)]
    pub security_group_ids: Vec<String>,
    #[serde(default)]
    pub subnet_group: Option<String>,
    #[serde(default)]
    pub vpc_id: Option<String>,
    #[serde(default)]
    pub availability_zone: Option<String>,
    #[serde(default)]
    pub endpoint_address: Option<String>,
    #[serde(default)]
    pub endpoint_port: Option<i32>,
    /// The DB cluster (Aurora, or a Multi-AZ DB cluster) this instance is a member of.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cluster_id: Option<String>,
    /// For a read replica, its source (an identifier in the same region, an ARN across
    /// regions): a replica is its source's copy and is judged with it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replica_source: Option<String>,
    /// Its tags (which tell a CloudFormation stack's or Elastic Beanstalk's resources).
    #[serde(default, skip_serializing_if = "Tags::is_empty")]
    pub tags: Tags,
}

/// An Aurora cluster or a Multi-AZ DB cluster: its zone redundancy comes from its members.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DbCluster {
    pub id: String,
    pub arn: String,
    pub region: String,
    pub engine: String,
    #[serde(default)]
    pub engine_version: String,
    /// `provisioned`, `serverless`, … (Aurora); empty when AWS gives none.
    #[serde(default)]
    pub engine_mode: String,
    pub status: String,
    /// AWS's own flag: true when the cluster has instances in more than one zone.
    pub multi_az: bool,
    /// Set only for Multi-AZ DB clusters (non-Aurora, one writer and two readers).
    #[serde(default)]
    pub instance_class: Option<String>,
    pub storage_encrypted: bool,
    /// Deletion protection (`DeletionProtection`, off unless turned on); none (`()`) where
    /// it was not read.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deletion_protection: Option<bool>,
    /// Days of automated backups the cluster keeps (at least 1: a cluster cannot turn them
    /// off); none (`()`) where it was not read (a snapshot from before hacheck read it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub backup_retention_period: Option<i32>,
    #[serde(default)]
    pub security_group_ids: Vec<String>,
    #[serde(default)]
    pub subnet_group: Option<String>,
    /// Zones the cluster's storage spans (not where its instances run).
    #[serde(default)]
    pub availability_zones: Vec<String>,
    #[serde(default)]
    pub members: Vec<DbClusterMember>,
    /// For a replica cluster (cross-region, or a global database's secondary), its source
    /// cluster's ARN or the global database's identifier.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replica_source: Option<String>,
    #[serde(default)]
    pub endpoint_address: Option<String>,
    #[serde(default)]
    pub endpoint_port: Option<i32>,
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DbClusterMember {
    pub instance_id: String,
    pub writer: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DbSubnetGroup {
    pub name: String,
    pub arn: String,
    pub region: String,
    pub vpc_id: String,
    #[serde(default)]
    pub subnet_ids: Vec<String>,
    #[serde(default)]
    pub availability_zones: Vec<String>,
}

/// An RDS event notification subscription: which sources' events of which categories RDS
/// posts to an SNS topic.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EventSubscription {
    /// `CustSubscriptionId`, the name it was created with.
    pub name: String,
    pub arn: String,
    pub region: String,
    pub sns_topic_arn: String,
    /// `active`, or `no-permission` / `topic-not-exist` (nothing is delivered), `creating`,
    /// `modifying`, `deleting`.
    pub status: String,
    pub enabled: bool,
    /// `db-instance`, `db-cluster`, …; none: every source type.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_type: Option<String>,
    /// The sources it names; none: every source of its type.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub source_ids: Vec<String>,
    /// The categories it names; none: every category.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub event_categories: Vec<String>,
}
