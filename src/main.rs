//! The `hacheck` binary: parses arguments, sets up logging, runs a command, and turns its
//! outcome into an exit status (0 clean, 1 findings, 2 error). Errors print on one line.

use std::process::ExitCode;

use clap::Parser;
use hacheck::cli::{Cli, Command};
use hacheck::commands::{self, EXIT_ERROR};

fn main() -> ExitCode {
    let cli = Cli::parse();
    init_logging(cli.global.verbose, cli.global.quiet);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        // The executor's futures are large; worker threads get a main thread's stack.
        .thread_stack_size(8 << 20)
        .build()
        .expect("tokio runtime starts");
    let outcome = runtime.block_on(async {
        match &cli.command {
            Command::Inventory(args) => commands::inventory::run(&cli.global, args).await,
            Command::Scan(args) => commands::scan::run(&cli.global, args).await,
            Command::Policies(command) => commands::policies::run(command),
            Command::Explain(args) => commands::explain::run(args),
            Command::Fields(args) => commands::fields::run(args),
            Command::Fix(args) => commands::fix::run(&cli.global, args).await,
            Command::Permissions(args) => commands::permissions::run(args),
            Command::Merge(args) => commands::merge::run(args),
            Command::Apply(args) => commands::fix::apply_saved(&cli.global, args).await,
            Command::Apps(args) => commands::apps::run(&cli.global, args).await,
            Command::Whatif(args) => commands::whatif::run(&cli.global, args).await,
            Command::Graph(args) => commands::graph::run(&cli.global, args).await,
        }
    });
    match outcome {
        Ok(status) => ExitCode::from(status),
        Err(error) if is_broken_pipe(&error) => ExitCode::SUCCESS,
        Err(error) => {
            let causes = error.chain().map(ToString::to_string);
            eprintln!("error: {}", hacheck::chain_line(causes));
            ExitCode::from(EXIT_ERROR)
        }
    }
}

fn init_logging(verbose: u8, quiet: bool) {
    // The SDK's own log lines (its orchestrator's, its retries') are internals: only `-vv`
    // shows them; hacheck says what went wrong in the user's terms.
    let default = match (quiet, verbose) {
        (true, _) => "hacheck=error",
        (false, 0) => "hacheck=warn",
        (false, 1) => "hacheck=info",
        (false, _) => "hacheck=debug,aws_config=info,warn",
    };
    let filter = tracing_subscriber::EnvFilter::try_from_env("HACHECK_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_target(false)
        .without_time()
        .init();
}

fn is_broken_pipe(error: &anyhow::Error) -> bool {
    error.chain().any(|cause| {
        cause
            .downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}
