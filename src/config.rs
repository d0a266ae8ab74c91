//! The optional config file (`hacheck.toml`, or `--config FILE`): policy parameter
//! overrides, what the applications are, and settings for fixes.
//!
//! ```toml
//! [policies.HA004]
//! min_size = 3
//!
//! [scope]
//! bastion_tag = "hacheck:role=bastion"
//!
//! [[apps]]
//! name = "shop"
//! include = [{ tag = "team=web" }, { id = "shop-*" }]
//! exclude = [{ id = "i-0legacy*" }]
//!
//! [fix]
//! alarm_email = "oncall@example.com"
//! admin_cidrs = ["203.0.113.0/24"]
//! ```

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::apps::{AppDeclaration, ScopeSettings};
use crate::policy::ParamOverrides;

/// The file read when `--config` is not given, if it exists.
pub const DEFAULT_FILE: &str = "hacheck.toml";

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    #[serde(default)]
    pub policies: BTreeMap<String, BTreeMap<String, toml::Value>>,
    #[serde(default)]
    pub scope: ScopeSettings,
    /// Applications declared by hand; they win over discovery.
    #[serde(default)]
    pub apps: Vec<AppDeclaration>,
    #[serde(default)]
    pub fix: FixSettings,
    /// `[rules]`: which rules run.
    #[serde(default)]
    pub rules: RuleSelection,
    /// The file it was read from, for messages.
    #[serde(skip)]
    pub path: Option<PathBuf>,
}

/// `[rules] select = [...]`, `ignore = [...]`: rule ids, globs over ids, or tags.
#[derive(Debug, Clone, Default, Deserialize, serde::Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct RuleSelection {
    #[serde(default)]
    pub select: Vec<String>,
    #[serde(default)]
    pub ignore: Vec<String>,
}

#[derive(Debug, Clone, Deserialize, serde::Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct FixSettings {
    /// Email address subscribed to the alarm topic.
    #[serde(default)]
    pub alarm_email: Option<String>,
    /// Networks allowed to reach the bastion on port 22.
    #[serde(default)]
    pub admin_cidrs: Vec<String>,
    /// The public name to alias to the load balancer, e.g. `shop.example.com`: for the only
    /// internet-facing load balancer (a name that already aliases another is never moved).
    #[serde(default)]
    pub alias_record: Option<String>,
    /// Per load balancer (by name): the public name to alias to it.
    #[serde(default)]
    pub alias_records: BTreeMap<String, String>,
    /// The AMI of a bastion hacheck launches (default: the image of an application instance
    /// of the VPC, as the stack builder does).
    #[serde(default)]
    pub bastion_ami: Option<String>,
    /// Its instance type.
    #[serde(default = "default_bastion_instance_type")]
    pub bastion_instance_type: String,
    /// The port the application listens on, for a target group hacheck creates (default:
    /// the port its security group admits from the load balancer's).
    #[serde(default)]
    pub app_port: Option<u16>,
    /// The path a target group hacheck creates checks health on.
    #[serde(default = "default_health_check_path")]
    pub health_check_path: String,
    /// Set by the planner, never read from the file: the instances a stack spec stops (its
    /// `app.source_instance`), through which nobody reaches anything after the plan.
    #[serde(default, skip_deserializing)]
    pub retiring_instances: Vec<String>,
}

fn default_health_check_path() -> String {
    "/".to_owned()
}

fn default_bastion_instance_type() -> String {
    "t3.micro".to_owned()
}

impl Default for FixSettings {
    fn default() -> Self {
        FixSettings {
            alarm_email: None,
            admin_cidrs: Vec::new(),
            alias_record: None,
            alias_records: BTreeMap::new(),
            bastion_ami: None,
            bastion_instance_type: default_bastion_instance_type(),
            app_port: None,
            health_check_path: default_health_check_path(),
            retiring_instances: Vec::new(),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read config `{path}`: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("config `{path}` is invalid: {message}")]
    Invalid { path: PathBuf, message: String },
}

/// What is wrong in a config that parses.
#[derive(Debug, thiserror::Error)]
enum ConfigProblem {
    #[error(transparent)]
    App(#[from] crate::apps::ScopeError),
    #[error("[scope] bastion_tag `{0}` must be `key=value`")]
    BastionTag(String),
}

impl Config {
    /// Reads `explicit`, else `hacheck.toml` in the working directory if there is one.
    pub fn load(explicit: Option<&Path>) -> Result<Config, ConfigError> {
        let path = match explicit {
            Some(path) => path.to_owned(),
            None if Path::new(DEFAULT_FILE).is_file() => PathBuf::from(DEFAULT_FILE),
            None => return Ok(Config::default()),
        };
        let text = std::fs::read_to_string(&path).map_err(|source| ConfigError::Read {
            path: path.clone(),
            source,
        })?;
        let mut config: Config = toml::from_str(&text).map_err(|error| ConfigError::Invalid {
            path: path.clone(),
            message: toml_error_line(&error),
        })?;
        config.path = Some(path.clone());
        config.validate().map_err(|problem| ConfigError::Invalid {
            path,
            message: problem.to_string(),
        })?;
        Ok(config)
    }

    fn validate(&self) -> Result<(), ConfigProblem> {
        for declaration in &self.apps {
            declaration.validate()?;
        }
        if !self.scope.bastion_tag.contains('=') || self.scope.bastion_tag.starts_with('=') {
            return Err(ConfigProblem::BastionTag(self.scope.bastion_tag.clone()));
        }
        Ok(())
    }

    /// The application model of the inventory behind `index` under this config.
    pub fn app_model(
        &self,
        index: &crate::inventory::Index,
        scope: crate::apps::Scope,
    ) -> crate::apps::AppModel {
        crate::apps::discover(index, scope, &self.scope, &self.apps)
    }

    /// Policy parameters as JSON values, the form the policy engine takes.
    pub fn param_overrides(&self) -> ParamOverrides {
        self.policies
            .iter()
            .map(|(id, params)| {
                let params = params
                    .iter()
                    .map(|(name, value)| {
                        (
                            name.clone(),
                            serde_json::to_value(value).expect("TOML converts to JSON"),
                        )
                    })
                    .collect();
                (id.clone(), params)
            })
            .collect()
    }
}

/// A TOML error on one line: its position and its message, without the source excerpt.
pub fn toml_error_line(error: &toml::de::Error) -> String {
    let text = error.to_string();
    let mut lines = text.lines().map(str::trim).filter(|l| !l.is_empty());
    let first = lines.next().unwrap_or_default().to_owned();
    match lines.next_back() {
        Some(message) if !message.starts_with('|') && !message.starts_with(char::is_numeric) => {
            format!("{}: {message}", first.to_lowercase())
        }
        _ => first.to_lowercase(),
    }
}
