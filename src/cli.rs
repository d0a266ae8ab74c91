//! Command-line definitions (clap) and nothing else: parsing, not behaviour.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

#[derive(Debug, Parser)]
#[command(name = "hacheck", version, about = "Audit and fix AWS web applications for high availability")]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalOptions,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Args)]
pub struct GlobalOptions {
    /// AWS region to scan; repeat for several (default: from the AWS config chain).
    #[arg(long = "region", global = true, value_name = "REGION")]
    pub regions: Vec<String>,
    /// Named profile from the AWS config files.
    #[arg(long, global = true, env = "AWS_PROFILE")]
    pub profile: Option<String>,
    /// Send every AWS request to this endpoint (e.g. a local moto server).
    #[arg(long, global = true, env = "AWS_ENDPOINT_URL", value_name = "URL")]
    pub endpoint_url: Option<String>,
    /// More log output on stderr (-v info, -vv debug).
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,
    /// Only errors on stderr; no progress display.
    #[arg(short, long, global = true, conflicts_with = "verbose")]
    pub quiet: bool,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Collect the account's inventory and write it as a JSON snapshot.
    Inventory(InventoryArgs),
}

#[derive(Debug, Args)]
pub struct InventoryArgs {
    /// Write the snapshot to FILE instead of stdout.
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Read a saved snapshot instead of the live account (validates and normalises it).
    #[arg(long, value_name = "FILE")]
    pub inventory: Option<PathBuf>,
}
