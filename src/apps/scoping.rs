//! Explicit scoping: `[[apps]]` and `[scope]` of `hacheck.toml`, selectors by tag or glob, and
//! the tags of workloads other systems manage.

use super::*;

/// `[[apps]]` in `hacheck.toml`: an application declared by hand.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct AppDeclaration {
    pub name: String,
    /// Resources that belong to it (and what serves them, found as discovery would).
    #[serde(default)]
    pub include: Vec<Selector>,
    /// Resources that never belong to it, even when discovery reaches them.
    #[serde(default)]
    pub exclude: Vec<Selector>,
}

/// Picks resources by tag (`key=value`, `key=*`, or just `key`) or by a glob over id, name and
/// ARN. Exactly one of the two.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Selector {
    #[serde(default)]
    pub tag: Option<String>,
    #[serde(default)]
    pub id: Option<String>,
}

/// `[scope]` in `hacheck.toml`.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ScopeSettings {
    /// `key=value` marking bastion hosts (on an instance, or on its Auto Scaling group).
    #[serde(default = "default_bastion_tag")]
    pub bastion_tag: String,
}

pub(super) fn default_bastion_tag() -> String {
    DEFAULT_BASTION_TAG.to_owned()
}

impl Default for ScopeSettings {
    fn default() -> Self {
        ScopeSettings {
            bastion_tag: default_bastion_tag(),
        }
    }
}

/// What is wrong with an `[[apps]]` declaration of `hacheck.toml`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ScopeError {
    #[error("[[apps]] needs a `name`")]
    NoName,
    #[error("[[apps]] `{app}` includes and excludes nothing")]
    Empty { app: String },
    #[error("[[apps]] `{app}`: a selector needs exactly one of `tag` or `id`")]
    Selector { app: String },
    #[error("[[apps]] `{app}`: bad glob `{pattern}`: {reason}")]
    Glob {
        app: String,
        pattern: String,
        reason: String,
    },
}

/// A compiled [`Selector`].
pub(super) struct Matcher {
    pub(super) tag_key: Option<globset::GlobMatcher>,
    pub(super) tag_value: Option<globset::GlobMatcher>,
    pub(super) id: Option<globset::GlobMatcher>,
}

/// `pattern` compiled; an error names `app`, whose selector it is.
pub(super) fn glob(app: &str, pattern: &str) -> Result<globset::GlobMatcher, ScopeError> {
    globset::Glob::new(pattern)
        .map(|g| g.compile_matcher())
        .map_err(|error| ScopeError::Glob {
            app: app.to_owned(),
            pattern: pattern.to_owned(),
            reason: error.kind().to_string(),
        })
}

impl Selector {
    /// The selector compiled; an error names `app`, the application it selects for.
    pub(super) fn compile(&self, app: &str) -> Result<Matcher, ScopeError> {
        match (&self.tag, &self.id) {
            (Some(tag), None) => {
                let (key, value) = match tag.split_once('=') {
                    Some((key, value)) => (key, Some(value)),
                    None => (tag.as_str(), None),
                };
                Ok(Matcher {
                    tag_key: Some(glob(app, key)?),
                    tag_value: value.map(|v| glob(app, v)).transpose()?,
                    id: None,
                })
            }
            (None, Some(id)) => Ok(Matcher {
                tag_key: None,
                tag_value: None,
                id: Some(glob(app, id)?),
            }),
            _ => Err(ScopeError::Selector {
                app: app.to_owned(),
            }),
        }
    }
}

impl AppDeclaration {
    /// Checks the declaration; the error names the application and the problem.
    pub fn validate(&self) -> Result<(), ScopeError> {
        if self.name.trim().is_empty() {
            return Err(ScopeError::NoName);
        }
        if self.include.is_empty() && self.exclude.is_empty() {
            return Err(ScopeError::Empty {
                app: self.name.clone(),
            });
        }
        for selector in self.include.iter().chain(&self.exclude) {
            selector.compile(&self.name)?;
        }
        Ok(())
    }
}

impl Matcher {
    pub(super) fn matches(&self, node: &Node) -> bool {
        if let Some(id) = &self.id {
            return id.is_match(&node.id)
                || id.is_match(&node.arn)
                || node.name.as_deref().is_some_and(|n| id.is_match(n));
        }
        let Some(key) = &self.tag_key else {
            return false;
        };
        node.tags.is_some_and(|tags| {
            tags.iter().any(|(k, v)| {
                key.is_match(k)
                    && self
                        .tag_value
                        .as_ref()
                        .is_none_or(|value| value.is_match(v))
            })
        })
    }
}

/// Why a workload is left to the system that manages it: the first matching tag.
pub(super) fn managed_by(tags: &Tags) -> Option<String> {
    const EXACT: [(&str, &str); 10] = [
        ("eks:cluster-name", "EKS"),
        ("eks:nodegroup-name", "EKS"),
        ("aws:eks:cluster-name", "EKS"),
        ("karpenter.sh/nodepool", "Karpenter"),
        ("karpenter.sh/provisioner-name", "Karpenter"),
        ("karpenter.k8s.aws/ec2nodeclass", "Karpenter"),
        ("AmazonECSManaged", "ECS"),
        (
            "elbv2.k8s.aws/cluster",
            "the AWS Load Balancer Controller (Kubernetes)",
        ),
        ("AWSBatchServiceTag", "AWS Batch"),
        ("aws:elasticmapreduce:job-flow-id", "EMR"),
    ];
    for (key, system) in EXACT {
        if tags.contains_key(key) {
            return Some(format!("managed by {system} (tag `{key}`)"));
        }
    }
    tags.keys()
        .find(|k| k.starts_with("kubernetes.io/cluster/"))
        .map(|key| format!("managed by Kubernetes (tag `{key}`)"))
}
