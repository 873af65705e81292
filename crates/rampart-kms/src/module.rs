//! KMS as a server module (`rampart_module`): its endpoint, tables, jobs and hooks.

use crate::KmsService;
use rampart_codec::{AwsJsonService, BoxFuture};
use rampart_core::Job;
use rampart_crypto::root::Domain;
use rampart_module::{ModuleEnv, ServiceModule};
use std::sync::Arc;

/// Every table KMS owns (rows and index entries).
pub const TABLES: &[&str] = &[
    "kms_keys",
    "kms_backing_keys",
    "kms_aliases",
    "kms_aliases#target",
    "kms_tags",
    "kms_policies",
    "kms_deletions",
    "kms_key_index",
    "kms_grants",
    "kms_grant_retirees",
    "kms_grant_counts",
    "kms_rotation_schedule",
    "kms_import_tokens",
    "kms_import_expiry",
    "kms_usage",
    "kms_last_usage",
    "kms_retired_keys",
    "kms_usage_meta",
    "kms_migrations",
];

/// Builds KMS with the KMS domain key; provides `Arc<KmsService>` to later modules.
pub fn module(env: &mut ModuleEnv<'_>) -> Result<Arc<dyn ServiceModule>, String> {
    let roots = crate::recipient::roots_from_env()?;
    let mut kms = KmsService::new(
        env.store.clone(),
        env.root.domain_key(Domain::Kms),
        env.clock.clone(),
    )
    .with_attestation_roots(roots);
    if let Some(entries) = env.settings.kms_key_cache_entries {
        kms = kms.with_key_cache_entries(entries);
    }
    let kms = Arc::new(kms);
    env.clients.provide(kms.clone());
    Ok(Arc::new(KmsModule(kms)))
}

/// The module around the service.
struct KmsModule(Arc<KmsService>);

impl ServiceModule for KmsModule {
    fn name(&self) -> &'static str {
        "kms"
    }

    fn tables(&self) -> &'static [&'static str] {
        TABLES
    }

    fn json_services(&self) -> Vec<Arc<dyn AwsJsonService>> {
        vec![Arc::new(crate::generated::Endpoint(self.0.clone()))]
    }

    fn jobs(&self) -> Vec<Arc<dyn Job>> {
        crate::jobs::jobs(&self.0)
    }

    /// Aliases stored before the alias index existed are indexed before KMS serves, since
    /// `kms:ResourceAliases` and DeleteAlias read the index; schedules written before due work
    /// became queue items get their items before the jobs start.
    fn prepare(&self) -> BoxFuture<'_, Result<(), String>> {
        Box::pin(async move {
            match self.0.backfill_alias_index().await {
                Ok(0) => {}
                Ok(indexed) => tracing::info!(indexed, "KMS alias index built for older aliases"),
                Err(err) => return Err(format!("building the KMS alias index: {err}")),
            }
            match self.0.backfill_due_items().await {
                Ok(0) => Ok(()),
                Ok(rows) => {
                    tracing::info!(rows, "KMS queue items enqueued for older schedules");
                    Ok(())
                }
                Err(err) => Err(format!("enqueueing the KMS schedules: {err}")),
            }
        })
    }

    /// The key index backfill for keys stored before the index: only cross-account Decrypt
    /// without a key id reads it, so KMS serves meanwhile.
    fn background(&self) -> Option<BoxFuture<'static, ()>> {
        let kms = self.0.clone();
        Some(Box::pin(async move {
            match kms.backfill_key_index().await {
                Ok(0) => {}
                Ok(written) => tracing::info!(written, "KMS key index rows added for older keys"),
                Err(err) => tracing::error!(error = %err, "KMS key index backfill failed"),
            }
        }))
    }

    fn reset(&self) {
        self.0.wipe_cache();
    }
}
