//! `rampart acm trust-anchor`: prints the root certificates (PEM) of this installation's
//! public issuer, which signs validated ACM certificates, so clients can be told to trust
//! them; read from the store like the other admin commands. Roots are made on first
//! issuance: before that there is nothing to print.

use crate::cli::StoreArgs;
use clap::{Args, Subcommand};
use std::io::Write;

#[derive(Debug, Subcommand)]
pub enum AcmCommand {
    /// Print the public issuer's root certificates (PEM; RSA, then EC once made).
    TrustAnchor(TrustAnchorArgs),
}

#[derive(Debug, Args)]
pub struct TrustAnchorArgs {
    #[command(flatten)]
    pub store: StoreArgs,
}

/// Runs one `acm` command.
pub async fn run(command: AcmCommand) -> Result<(), String> {
    match command {
        AcmCommand::TrustAnchor(args) => trust_anchor(args).await,
    }
}

/// Prints every root made so far; an error when none is.
async fn trust_anchor(args: TrustAnchorArgs) -> Result<(), String> {
    let store = crate::cli::open_store(&args.store).await?;
    let roots = rampart_acm::issuer::roots(&store)
        .await
        .map_err(|e| format!("reading the ACM public issuer: {e}"))?;
    if roots.is_empty() {
        return Err("no ACM public certificate has been issued yet, so no root exists".into());
    }
    let mut out = std::io::stdout().lock();
    out.write_all(roots.concat().as_bytes())
        .and_then(|()| out.flush())
        .map_err(|e| format!("writing the roots: {e}"))
}
