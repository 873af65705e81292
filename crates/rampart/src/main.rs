//! The `rampart` binary: command line, then hand-off to the server, operator or audit commands.

mod account;
mod acm_cli;
mod acmpca_cli;
mod audit_tail;
mod auth;
mod bootstrap;
mod ca_store;
mod cli;
mod config;
mod config_edge;
mod credentials;
mod edge_cli;
mod envelope;
mod events_cli;
mod fd_limit;
mod host;
mod iam_cli;
mod local_unseal;
mod modules;
mod operator;
mod rotation_cli;
mod serve;
mod tls;
mod unseal;
mod usage;

use clap::Parser;

/// mimalloc: the request path allocates many short-lived buffers; glibc malloc showed ~10% of
/// server CPU under load.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// The stack of each runtime thread. Tokio's default (2 MiB) is too small for a debug build:
/// unoptimized, the polls of a request's nested futures (gateway, pipeline, a generated
/// dispatch of many operations, the operation) keep large frames, and IAM's virtual MFA calls
/// overflowed it. Only the pages a thread touches are committed, so the larger reservation
/// costs no memory where it is not used.
const WORKER_STACK_BYTES: usize = 8 * 1024 * 1024;

fn main() -> std::process::ExitCode {
    let cli = cli::Cli::parse();
    let cli = match cli.command {
        cli::Command::Encrypt(args) => return envelope::encrypt(args),
        cli::Command::Decrypt(args) => return envelope::decrypt(args),
        _ => cli,
    };
    init_logging(cli.log_json);
    let mut builder = tokio::runtime::Builder::new_multi_thread();
    builder.thread_stack_size(WORKER_STACK_BYTES);
    if let Some(threads) = worker_threads() {
        builder.worker_threads(threads);
    }
    let runtime = match builder.enable_all().build() {
        Ok(runtime) => runtime,
        Err(err) => {
            eprintln!("rampart: cannot start the async runtime: {err}");
            return std::process::ExitCode::FAILURE;
        }
    };
    match runtime.block_on(cli::run(cli)) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("rampart: {err}");
            std::process::ExitCode::FAILURE
        }
    }
}

/// `RAMPART_WORKER_THREADS` overrides the number of request threads (default: one per core).
fn worker_threads() -> Option<usize> {
    std::env::var("RAMPART_WORKER_THREADS")
        .ok()?
        .parse()
        .ok()
        .filter(|n| *n > 0)
}

fn init_logging(json: bool) {
    let filter = tracing_subscriber::EnvFilter::try_from_env("RAMPART_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    if json {
        builder.json().init();
    } else {
        builder.init();
    }
}
