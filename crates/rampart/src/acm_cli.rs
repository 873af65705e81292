//! `rampart acm trust-anchor`: prints the root certificates (PEM) of this installation's
//! public issuer, which signs validated ACM certificates, so clients can be told to trust
//! them; read from the store like the other admin commands. Roots are made on first
//! issuance: before that there is nothing to print.
//! `rampart acm check-expiry --days N`: AWS Config's `acm-certificate-expiration-check`
//! rule (`rampart_acm::compliance`): prints each NON_COMPLIANT certificate (ARN, domain,
//! status, NotAfter, days left; tab-separated) and exits with status 1 when there is any.

use crate::cli::StoreArgs;
use clap::{Args, Subcommand};
use std::io::Write;

#[derive(Debug, Subcommand)]
pub enum AcmCommand {
    /// Print the public issuer's root certificates (PEM; RSA, then EC once made).
    TrustAnchor(TrustAnchorArgs),
    /// List certificates that expire within `--days` days (AWS Config's
    /// acm-certificate-expiration-check); exit status 1 when any does.
    CheckExpiry(CheckExpiryArgs),
}

#[derive(Debug, Args)]
pub struct CheckExpiryArgs {
    #[command(flatten)]
    pub store: StoreArgs,
    /// Days before NotAfter from which a certificate is NON_COMPLIANT (the rule's
    /// daysToExpiration; default 14, as AWS Config's).
    #[arg(long, default_value_t = 14, value_parser = clap::value_parser!(i64).range(0..=36500))]
    pub days: i64,
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
        AcmCommand::CheckExpiry(args) => check_expiry(args).await,
    }
}

/// Prints the NON_COMPLIANT certificates; an error (exit status 1) when there is any.
async fn check_expiry(args: CheckExpiryArgs) -> Result<(), String> {
    let store = crate::cli::open_store(&args.store).await?;
    let now_ms = rampart_core::epoch_ms(&rampart_core::SystemClock);
    let found = rampart_acm::compliance::expiring(&store, now_ms, args.days)
        .await
        .map_err(|e| format!("reading ACM certificates: {e}"))?;
    let mut out = std::io::stdout().lock();
    for cert in &found {
        let not_after = time::OffsetDateTime::from_unix_timestamp(cert.not_after_ms / 1000)
            .ok()
            .and_then(|t| {
                t.format(&time::format_description::well_known::Rfc3339)
                    .ok()
            })
            .unwrap_or_default();
        writeln!(
            out,
            "NON_COMPLIANT\t{}\t{}\t{}\t{not_after}\t{}",
            cert.arn, cert.domain_name, cert.status, cert.days_left
        )
        .map_err(|e| format!("writing the result: {e}"))?;
    }
    out.flush()
        .map_err(|e| format!("writing the result: {e}"))?;
    if found.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "{} certificate(s) expire within {} days (acm-certificate-expiration-check: NON_COMPLIANT)",
            found.len(),
            args.days
        ))
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
