//! Code generation from pinned botocore service models.
//!
//! `cargo run -p xtask -- codegen` writes each service's `src/generated/`;
//! `cargo run -p xtask -- check` fails when the checked-in files differ from a fresh generation.

mod codegen;
mod emit;
mod model;
mod names;
mod services;

use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let root = codegen::workspace_root();
    let result = match args.first().map(String::as_str) {
        Some("codegen") => codegen::write_all(&root),
        Some("check") => codegen::check_all(&root),
        _ => Err(String::from("usage: cargo run -p xtask -- <codegen|check>")),
    };
    match result {
        Ok(report) => {
            println!("{report}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("xtask: {e}");
            ExitCode::FAILURE
        }
    }
}
