//! `rampart rotation-function register|list|deregister`: the HTTP endpoints that run the
//! steps of Secrets Manager rotations whose RotationLambdaARN names a function that is not a
//! built-in rotator, kept per account and Region in the store (a running server sees a
//! registration at the next step it runs).

use crate::cli::StoreArgs;
use clap::{Args, Subcommand};
use rampart_secretsmanager::rotation::functions;
use serde_json::json;

#[derive(Debug, Subcommand)]
pub enum RotationFunctionCommand {
    /// Register (or re-point) function NAME at URL: each rotation step is POSTed there.
    Register(RegisterArgs),
    /// Print the registered functions of an account and Region as JSON lines.
    List(ScopeArgs),
    /// Remove function NAME.
    Deregister(DeregisterArgs),
}

#[derive(Debug, Args)]
pub struct ScopeArgs {
    #[command(flatten)]
    pub store: StoreArgs,
    /// The account (12 digits); the default account by default.
    #[arg(long, default_value = crate::config::DEFAULT_ACCOUNT)]
    pub account: String,
    /// The Region.
    #[arg(long, default_value = "us-east-1")]
    pub region: String,
}

#[derive(Debug, Args)]
pub struct RegisterArgs {
    /// The function name (the last part of the RotationLambdaARN).
    pub name: String,
    /// The http(s) URL that receives each step's event.
    pub url: String,
    #[command(flatten)]
    pub scope: ScopeArgs,
}

#[derive(Debug, Args)]
pub struct DeregisterArgs {
    /// The function name.
    pub name: String,
    #[command(flatten)]
    pub scope: ScopeArgs,
}

/// Runs one `rotation-function` command.
pub async fn run(command: RotationFunctionCommand) -> Result<(), String> {
    match command {
        RotationFunctionCommand::Register(a) => {
            let store = open(&a.scope).await?;
            let s = &a.scope;
            functions::register(&store, &s.account, &s.region, &a.name, &a.url).await?;
            println!("{}", json!({"registered": a.name, "url": a.url}));
        }
        RotationFunctionCommand::List(s) => {
            let store = open(&s).await?;
            for f in functions::list(&store, &s.account, &s.region).await? {
                println!("{}", json!({"name": f.name, "url": f.url}));
            }
        }
        RotationFunctionCommand::Deregister(a) => {
            let store = open(&a.scope).await?;
            let s = &a.scope;
            let removed = functions::deregister(&store, &s.account, &s.region, &a.name).await?;
            println!("{}", json!({"deregistered": a.name, "found": removed}));
        }
    }
    Ok(())
}

/// The store, once the account is checked.
async fn open(scope: &ScopeArgs) -> Result<rampart_store::Store, String> {
    rampart_core::AccountId::parse(&scope.account)
        .map_err(|_| format!("{} is not a 12-digit account id", scope.account))?;
    crate::cli::open_store(&scope.store).await
}
