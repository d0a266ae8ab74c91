//! CloudFront: distributions, the fronts of load balancers.

use serde::{Deserialize, Serialize};

/// A CloudFront distribution: users reach its domain (or its aliases), and it reaches its
/// origins, a load balancer among them when it fronts one.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Distribution {
    pub id: String,
    pub arn: String,
    /// The domain CloudFront gives it: `d111111abcdef8.cloudfront.net`.
    pub domain_name: String,
    /// Alternate domain names (CNAMEs) it answers for.
    #[serde(default)]
    pub aliases: Vec<String>,
    /// Its origins' domain names (a load balancer's DNS name, a bucket's endpoint).
    #[serde(default)]
    pub origins: Vec<String>,
    /// A disabled distribution serves nothing.
    pub enabled: bool,
}
