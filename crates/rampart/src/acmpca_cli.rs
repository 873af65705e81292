//! `rampart acm-pca audit-report --bucket B --key K`: prints a CA audit report that
//! CreateCertificateAuthorityAuditReport stored under that S3 bucket and key (Rampart keeps
//! the report objects in its store until it serves S3), read from the store like the other
//! admin commands.

use crate::cli::StoreArgs;
use clap::{Args, Subcommand};
use std::io::Write;

#[derive(Debug, Subcommand)]
pub enum AcmPcaCommand {
    /// Print the stored audit report of S3 bucket `--bucket` and key `--key` (the
    /// S3BucketName and S3Key of DescribeCertificateAuthorityAuditReport).
    AuditReport(AuditReportArgs),
}

#[derive(Debug, Args)]
pub struct AuditReportArgs {
    #[command(flatten)]
    pub store: StoreArgs,
    /// The report's S3 bucket name.
    #[arg(long)]
    pub bucket: String,
    /// The report's S3 key (`audit-report/<ca id>/<report id>.json|csv`).
    #[arg(long)]
    pub key: String,
}

/// Runs one `acm-pca` command.
pub async fn run(command: AcmPcaCommand) -> Result<(), String> {
    match command {
        AcmPcaCommand::AuditReport(args) => audit_report(args).await,
    }
}

/// Prints the report's bytes as stored; an error when there is none.
async fn audit_report(args: AuditReportArgs) -> Result<(), String> {
    let store = crate::cli::open_store(&args.store).await?;
    let found = rampart_acmpca::audit_report::read_object(&store, &args.bucket, &args.key)
        .await
        .map_err(|e| format!("reading the audit report: {e}"))?;
    let object = found.ok_or_else(|| {
        format!(
            "no audit report in bucket {} under key {}",
            args.bucket, args.key
        )
    })?;
    let mut out = std::io::stdout().lock();
    out.write_all(object.body.as_bytes())
        .and_then(|()| out.flush())
        .map_err(|e| format!("writing the report: {e}"))
}
