//! `rampart iam oidc-keys set|clear`: pins (or unpins) the JSON Web Key Set an OpenID Connect
//! provider's tokens are verified with, for installations that cannot reach the issuer's
//! `jwks_uri` (air-gapped use); written through the store, so a running server uses it at the
//! next AssumeRoleWithWebIdentity call.

use crate::cli::StoreArgs;
use clap::{Args, Subcommand};
use rampart_sts::web_identity::pinned;
use serde_json::json;
use std::path::PathBuf;

#[derive(Debug, Subcommand)]
pub enum IamCommand {
    /// OIDC provider key sets: `set PROVIDER_ARN FILE`, `clear PROVIDER_ARN`.
    #[command(subcommand, name = "oidc-keys")]
    OidcKeys(OidcKeysCommand),
}

#[derive(Debug, Subcommand)]
pub enum OidcKeysCommand {
    /// Pin the JWKS in FILE (`{"keys": [...]}`) for the provider PROVIDER_ARN.
    Set(SetArgs),
    /// Remove the pinned JWKS of PROVIDER_ARN (its issuer's keys are read again).
    Clear(ClearArgs),
}

#[derive(Debug, Args)]
pub struct SetArgs {
    /// `arn:aws:iam::<account>:oidc-provider/<host/path>`.
    pub provider_arn: String,
    /// The JWKS document.
    pub file: PathBuf,
    #[command(flatten)]
    pub store: StoreArgs,
}

#[derive(Debug, Args)]
pub struct ClearArgs {
    /// `arn:aws:iam::<account>:oidc-provider/<host/path>`.
    pub provider_arn: String,
    #[command(flatten)]
    pub store: StoreArgs,
}

/// Runs one `iam` command.
pub async fn run(command: IamCommand) -> Result<(), String> {
    match command {
        IamCommand::OidcKeys(OidcKeysCommand::Set(args)) => {
            let jwks = std::fs::read_to_string(&args.file)
                .map_err(|e| format!("reading {}: {e}", args.file.display()))?;
            let store = crate::cli::open_store(&args.store).await?;
            let now_ms = time::OffsetDateTime::now_utc().unix_timestamp() * 1000;
            pinned::set(&store, &args.provider_arn, &jwks, now_ms).await?;
            println!("{}", json!({"pinned": args.provider_arn}));
        }
        IamCommand::OidcKeys(OidcKeysCommand::Clear(args)) => {
            let store = crate::cli::open_store(&args.store).await?;
            let found = pinned::clear(&store, &args.provider_arn).await?;
            println!("{}", json!({"cleared": args.provider_arn, "found": found}));
        }
    }
    Ok(())
}
