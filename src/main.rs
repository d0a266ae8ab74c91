//! The `hacheck` binary: parses arguments, sets up logging, runs a command, and turns its
//! outcome into an exit status (0 clean, 1 findings, 2 error). Errors print on one line.

use std::process::ExitCode;

use clap::{CommandFactory, FromArgMatches};
use hacheck::cli::{AwsOptions, Cli, Command, GlobalOptions};
use hacheck::commands::{self, EXIT_ERROR};

fn main() -> ExitCode {
    let matches = Cli::command().get_matches();
    let cli = match Cli::from_arg_matches(&matches) {
        Ok(cli) => cli,
        Err(error) => error.exit(),
    };
    init_logging(cli.output.verbose, cli.output.quiet);
    // The AWS options of the command (or given before it); the others call no AWS.
    let aws = match &cli.command {
        Command::Inventory(args) => Some(&args.aws),
        Command::Scan(args) => Some(&args.aws),
        Command::Fix(args) => Some(&args.aws),
        Command::Apply(args) => Some(&args.aws),
        Command::Apps(args) => Some(&args.aws),
        Command::Whatif(args) => Some(&args.aws),
        Command::Graph(args) => Some(&args.aws),
        Command::Policies(_)
        | Command::Explain(_)
        | Command::Fields(_)
        | Command::Permissions(_)
        | Command::Merge(_) => None,
    };
    let global = match aws {
        Some(aws) => GlobalOptions::new(cli.aws.merged(aws), &cli.output),
        None => {
            if let Some(flag) = AwsOptions::given_in(&matches) {
                let name = matches.subcommand_name().unwrap_or_default();
                eprintln!("error: `{flag}` is for the commands that call AWS; `{name}` calls none");
                return ExitCode::from(EXIT_ERROR);
            }
            GlobalOptions::new(AwsOptions::default(), &cli.output)
        }
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        // The executor's futures are large; worker threads get a main thread's stack.
        .thread_stack_size(8 << 20)
        .build()
        .expect("tokio runtime starts");
    let outcome = runtime.block_on(async {
        match &cli.command {
            Command::Inventory(args) => commands::inventory::run(&global, args).await,
            Command::Scan(args) => commands::scan::run(&global, args).await,
            Command::Policies(command) => commands::policies::run(command),
            Command::Explain(args) => commands::explain::run(args),
            Command::Fields(args) => commands::fields::run(args),
            Command::Fix(args) => commands::fix::run(&global, args).await,
            Command::Permissions(args) => commands::permissions::run(args),
            Command::Merge(args) => commands::merge::run(args),
            Command::Apply(args) => commands::fix::apply_saved(&global, args).await,
            Command::Apps(args) => commands::apps::run(&global, args).await,
            Command::Whatif(args) => commands::whatif::run(&global, args).await,
            Command::Graph(args) => commands::graph::run(&global, args).await,
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
