//! `rampart iam oidc-keys set|clear`: pins (or unpins) the JSON Web Key Set an OpenID Connect
//! provider's tokens are verified with, for installations that cannot reach the issuer's
//! `jwks_uri` (air-gapped use); written through the store, so a running server uses it at the
//! next AssumeRoleWithWebIdentity call. `rampart iam delegation-token`: the trade-in token of
//! a finalized delegation request, which AWS would publish on the partner's SNS topic.

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
    /// Print the trade-in token of a finalized delegation request (for the partner to
    /// exchange with STS GetDelegatedAccessToken).
    #[command(name = "delegation-token")]
    DelegationToken(DelegationTokenArgs),
}

#[derive(Debug, Args)]
pub struct DelegationTokenArgs {
    /// The delegation request id (`dr-...`).
    #[arg(long)]
    pub request_id: String,
    #[command(flatten)]
    pub store: StoreArgs,
    #[command(flatten)]
    pub key_file: crate::cli::KeyFileArgs,
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
        IamCommand::DelegationToken(args) => delegation_token(args).await?,
    }
    Ok(())
}

/// Prints the trade-in token of the request as `{"TradeInToken": ...}`.
async fn delegation_token(args: DelegationTokenArgs) -> Result<(), String> {
    use rampart_crypto::root::Domain;
    let (store, root) = crate::account::open_unsealed(&args.store, args.key_file).await?;
    let table = rampart_store::Table::<rampart_iam::delegation::DelegationRecord>::new(
        store,
        rampart_iam::delegation::REQUESTS,
    );
    let id = &args.request_id;
    let record = table.get(id).await.map_err(|e| e.to_string())?;
    let record = record
        .ok_or_else(|| format!("no delegation request {id}"))?
        .value;
    let key = root.domain_key(Domain::Credentials);
    let token = rampart_iam::trade_in::open(&key, &record)
        .ok_or_else(|| format!("delegation request {id} has no trade-in token (not sent yet)"))?;
    println!("{}", json!({"TradeInToken": token.as_str()}));
    Ok(())
}
