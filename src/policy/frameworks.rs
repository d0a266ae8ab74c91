//! The controls of the frameworks users audit against, which a rule's `frameworks` metadata
//! may name: AWS Security Hub's controls (`SH:RDS.5`), AWS Config's managed rules
//! (`CONFIG:rds-multi-az-support`), Trusted Advisor's checks (by name, `TA:Amazon RDS
//! Multi-AZ`) and the Well-Architected Framework's best practices (`WA:REL10-BP01`). A rule
//! naming an id not listed here does not load: a typo would map a finding to nothing.

/// One framework: its prefix in ids, and its name as reports say it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Framework {
    pub prefix: &'static str,
    pub name: &'static str,
    pub information_uri: &'static str,
}

pub const FRAMEWORKS: &[Framework] = &[
    Framework {
        prefix: "SH",
        name: "AWS Security Hub",
        information_uri: "https://docs.aws.amazon.com/securityhub/latest/userguide/securityhub-controls-reference.html",
    },
    Framework {
        prefix: "CONFIG",
        name: "AWS Config managed rules",
        information_uri: "https://docs.aws.amazon.com/config/latest/developerguide/managed-rules-by-aws-config.html",
    },
    Framework {
        prefix: "TA",
        name: "AWS Trusted Advisor",
        information_uri: "https://docs.aws.amazon.com/awssupport/latest/user/fault-tolerance-checks.html",
    },
    Framework {
        prefix: "WA",
        name: "AWS Well-Architected Framework",
        information_uri: "https://docs.aws.amazon.com/wellarchitected/latest/framework/welcome.html",
    },
];

/// Every control a rule may name: its id and its title.
pub const CONTROLS: &[(&str, &str)] = &[
    (
        "SH:AutoScaling.1",
        "Auto Scaling groups associated with a load balancer should use ELB health checks",
    ),
    (
        "SH:AutoScaling.2",
        "Amazon EC2 Auto Scaling group should cover multiple Availability Zones",
    ),
    (
        "SH:AutoScaling.5",
        "Amazon EC2 instances launched using Auto Scaling group launch configurations should not have Public IP addresses",
    ),
    (
        "SH:AutoScaling.6",
        "Auto Scaling groups should use multiple instance types in multiple Availability Zones",
    ),
    (
        "SH:AutoScaling.9",
        "Amazon EC2 Auto Scaling groups should use Amazon EC2 launch templates",
    ),
    (
        "SH:CloudWatch.15",
        "CloudWatch alarms should have specified actions configured",
    ),
    (
        "SH:CloudWatch.17",
        "CloudWatch alarm actions should be activated",
    ),
    (
        "SH:EC2.9",
        "Amazon EC2 instances should not have a public IPv4 address",
    ),
    (
        "SH:EC2.13",
        "Security groups should not allow ingress from 0.0.0.0/0 or ::/0 to port 22",
    ),
    (
        "SH:EC2.15",
        "Amazon EC2 subnets should not automatically assign public IP addresses",
    ),
    (
        "SH:EC2.18",
        "Security groups should only allow unrestricted incoming traffic for authorized ports",
    ),
    (
        "SH:ELB.6",
        "Application, Gateway, and Network Load Balancers should have deletion protection enabled",
    ),
    (
        "SH:ELB.7",
        "Classic Load Balancers should have connection draining enabled",
    ),
    (
        "SH:ELB.9",
        "Classic Load Balancers should have cross-zone load balancing enabled",
    ),
    (
        "SH:ELB.10",
        "Classic Load Balancer should span multiple Availability Zones",
    ),
    (
        "SH:ELB.13",
        "Application, Network and Gateway Load Balancers should span multiple Availability Zones",
    ),
    (
        "SH:RDS.2",
        "RDS DB Instances should prohibit public access, as determined by the PubliclyAccessible configuration",
    ),
    (
        "SH:RDS.5",
        "RDS DB instances should be configured with multiple Availability Zones",
    ),
    (
        "SH:RDS.7",
        "RDS clusters should have deletion protection enabled",
    ),
    (
        "SH:RDS.8",
        "RDS DB instances should have deletion protection enabled",
    ),
    (
        "SH:RDS.11",
        "RDS instances should have automatic backups enabled",
    ),
    (
        "SH:RDS.15",
        "RDS DB clusters should be configured for multiple Availability Zones",
    ),
    (
        "SH:RDS.19",
        "Existing RDS event notification subscriptions should be configured for critical cluster events",
    ),
    (
        "SH:RDS.20",
        "Existing RDS event notification subscriptions should be configured for critical database instance events",
    ),
    (
        "CONFIG:autoscaling-group-elb-healthcheck-required",
        "Auto Scaling groups with a load balancer use ELB health checks",
    ),
    (
        "CONFIG:autoscaling-launch-config-public-ip-disabled",
        "Launch configurations give no public IP",
    ),
    (
        "CONFIG:autoscaling-launch-template",
        "Auto Scaling groups use a launch template",
    ),
    (
        "CONFIG:autoscaling-multiple-az",
        "Auto Scaling groups span several Availability Zones",
    ),
    (
        "CONFIG:clb-multiple-az",
        "Classic Load Balancers span several Availability Zones",
    ),
    (
        "CONFIG:cloudwatch-alarm-action-enabled-check",
        "CloudWatch alarms have their actions enabled",
    ),
    (
        "CONFIG:cloudwatch-alarm-action-check",
        "CloudWatch alarms have actions",
    ),
    (
        "CONFIG:db-instance-backup-enabled",
        "RDS DB instances have backups enabled",
    ),
    (
        "CONFIG:ec2-instance-no-public-ip",
        "EC2 instances have no public IP",
    ),
    (
        "CONFIG:elb-cross-zone-load-balancing-enabled",
        "Classic Load Balancers balance across zones",
    ),
    (
        "CONFIG:elb-deletion-protection-enabled",
        "Elastic Load Balancing has deletion protection enabled",
    ),
    (
        "CONFIG:elbv2-multiple-az",
        "Elastic Load Balancing v2 load balancers span several Availability Zones",
    ),
    (
        "CONFIG:rds-cluster-multi-az-enabled",
        "RDS DB clusters span several Availability Zones",
    ),
    (
        "CONFIG:rds-cluster-deletion-protection-enabled",
        "Amazon RDS clusters have deletion protection enabled",
    ),
    (
        "CONFIG:rds-instance-deletion-protection-enabled",
        "Amazon RDS instances have deletion protection enabled",
    ),
    (
        "CONFIG:rds-instance-public-access-check",
        "RDS DB instances are not publicly accessible",
    ),
    (
        "CONFIG:rds-multi-az-support",
        "RDS DB instances are Multi-AZ deployments",
    ),
    (
        "CONFIG:restricted-ssh",
        "Security groups admit no SSH from anywhere",
    ),
    (
        "CONFIG:subnet-auto-assign-public-ip-disabled",
        "Subnets do not assign public IPs",
    ),
    (
        "CONFIG:vpc-sg-open-only-to-authorized-ports",
        "Security groups are open to anywhere only on authorized ports",
    ),
    (
        "TA:Amazon EC2 Availability Zone Balance",
        "EC2 instances spread evenly over Availability Zones",
    ),
    (
        "TA:Amazon RDS Multi-AZ",
        "RDS DB instances deployed in a single Availability Zone",
    ),
    (
        "TA:Amazon Route 53 Alias Resource Record Sets",
        "Records that could be aliases of AWS resources",
    ),
    (
        "TA:Auto Scaling Group Health Check",
        "Auto Scaling groups with a load balancer and EC2 health checks",
    ),
    (
        "TA:Auto Scaling Group Resources",
        "Auto Scaling groups whose launch configuration or template, AMI or load balancer no longer exists",
    ),
    (
        "TA:ELB Cross-Zone Load Balancing",
        "Classic Load Balancers without cross-zone load balancing",
    ),
    (
        "TA:Load Balancer Optimization",
        "Load balancers whose instances are unevenly spread over zones",
    ),
    (
        "WA:REL02-BP01",
        "Use highly available network connectivity for your workload public endpoints",
    ),
    (
        "WA:REL06-BP03",
        "Send notifications (real-time processing and alarming)",
    ),
    (
        "WA:REL07-BP01",
        "Use automation when obtaining or scaling resources",
    ),
    ("WA:REL09-BP03", "Perform data backup automatically"),
    ("WA:REL10-BP01", "Deploy the workload to multiple locations"),
    ("WA:REL11-BP03", "Automate healing on all layers"),
    ("WA:SEC05-BP01", "Create network layers"),
    (
        "WA:SEC05-BP02",
        "Control traffic flow within your network layers",
    ),
];

/// The title of control `id`, if it is one hacheck knows.
pub fn title(id: &str) -> Option<&'static str> {
    CONTROLS.iter().find(|(c, _)| *c == id).map(|(_, t)| *t)
}

/// The framework of control `id` (by its prefix).
pub fn framework_of(id: &str) -> Option<&'static Framework> {
    let prefix = id.split_once(':')?.0;
    FRAMEWORKS.iter().find(|f| f.prefix == prefix)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_control_belongs_to_a_framework_and_is_listed_once() {
        for (id, title) in CONTROLS {
            assert!(framework_of(id).is_some(), "{id}");
            assert!(!title.is_empty());
            assert_eq!(CONTROLS.iter().filter(|(c, _)| c == id).count(), 1, "{id}");
        }
    }
}
