//! The process state behind the gateway: sealed or ready, unseal, dev reset, background workers.

use crate::auth::{DevAuthenticator, SigV4Authenticator};
use crate::config::Config;
use crate::credentials;
use rampart_crypto::root::{Domain, RootKey};
use rampart_crypto::seal::{self, SealMode, SealedRoot, ShamirUnsealer, ShareOutcome};
use rampart_iam::Directory;
use rampart_kms::KmsService;
use rampart_store::Store;
use rampart_sts::SessionTokens;
use rampart_wire::{AuditSink, Authenticator, BoxFuture, Host, Ready, UnsealReply};
use std::sync::{Arc, RwLock};
use std::time::Duration;

/// How often keys whose deletion date has passed are deleted.
const SWEEP_EVERY: Duration = Duration::from_secs(5);

/// Services started once the root key is available.
struct Running {
    kms: Arc<KmsService>,
    directory: Arc<Directory>,
}

/// The state shared by every connection.
pub struct AppHost {
    config: Config,
    store: Store,
    sealed_root: SealedRoot,
    audit: Arc<dyn AuditSink>,
    ready: RwLock<Option<Arc<Ready>>>,
    running: tokio::sync::Mutex<Option<Running>>,
    unsealer: tokio::sync::Mutex<Option<ShamirUnsealer>>,
}

impl AppHost {
    pub fn new(
        config: Config,
        store: Store,
        sealed_root: SealedRoot,
        audit: Arc<dyn AuditSink>,
    ) -> Self {
        Self {
            config,
            store,
            sealed_root,
            audit,
            ready: RwLock::new(None),
            running: tokio::sync::Mutex::new(None),
            unsealer: tokio::sync::Mutex::new(None),
        }
    }

    /// Starts the services with the unsealed root key.
    pub async fn activate(self: &Arc<Self>, root: RootKey) -> Result<(), String> {
        let clock = Arc::new(rampart_core::SystemClock);
        let directory = Arc::new(Directory::new(
            self.store.clone(),
            root.domain_key(Domain::Credentials),
            clock.clone(),
        ));
        if !self.config.dev {
            let file = self.config.data_dir.join("credentials");
            credentials::bootstrap_admin(&directory, &self.config.default_account, &file).await?;
        }
        let kms = Arc::new(KmsService::new(
            self.store.clone(),
            root.domain_key(Domain::Kms),
            clock,
        ));
        let tokens = Arc::new(SessionTokens::new(root.domain_key(Domain::Credentials)));
        let auth: Arc<dyn Authenticator> = if self.config.dev {
            Arc::new(DevAuthenticator {
                default_account: self.config.default_account.clone(),
                directory: directory.clone(),
                tokens: tokens.clone(),
            })
        } else {
            Arc::new(SigV4Authenticator {
                directory: directory.clone(),
                tokens: tokens.clone(),
            })
        };
        let services = crate::serve::services(kms.clone(), &self.store);
        let ready = Arc::new(Ready {
            services,
            query_services: crate::serve::query_services(&directory, &tokens),
            auth,
            audit: self.audit.clone(),
        });
        tokio::spawn(background_jobs(kms.clone()));
        *self.running.lock().await = Some(Running { kms, directory });
        if let Ok(mut slot) = self.ready.write() {
            *slot = Some(ready);
        }
        tracing::info!("unsealed: services are running");
        Ok(())
    }

    /// Stores the KMS usage counters not yet flushed (called at shutdown).
    pub async fn flush_usage(&self) {
        if let Some(running) = self.running.lock().await.as_ref()
            && let Err(err) = running.kms.flush_usage().await
        {
            tracing::error!(error = %err, "could not flush KMS usage counters");
        }
    }

    async fn offer_secret(self: &Arc<Self>, secret: &str) -> Result<UnsealReply, String> {
        let (root, progress, threshold) = match &self.sealed_root.mode {
            SealMode::Passphrase => {
                let root = seal::unseal_passphrase(&self.sealed_root, secret)
                    .map_err(|e| e.to_string())?;
                (Some(root), 1, 1)
            }
            SealMode::Shamir { .. } => self.add_share(secret).await?,
            SealMode::KeyFile => return Err("this store is sealed with a key file".to_owned()),
        };
        let sealed = match root {
            Some(root) => {
                self.activate(root).await?;
                false
            }
            None => true,
        };
        Ok(UnsealReply {
            sealed,
            progress,
            threshold,
        })
    }

    async fn add_share(&self, share: &str) -> Result<(Option<RootKey>, usize, usize), String> {
        let mut slot = self.unsealer.lock().await;
        if slot.is_none() {
            *slot = Some(ShamirUnsealer::new(self.sealed_root.clone()).map_err(|e| e.to_string())?);
        }
        let Some(unsealer) = slot.as_mut() else {
            return Err("unsealer unavailable".to_owned());
        };
        let outcome = unsealer.add_share(share).map_err(|e| e.to_string())?;
        let (progress, threshold) = unsealer.progress();
        let root = match outcome {
            ShareOutcome::Unsealed { root, upgraded } => {
                if let Some(record) = upgraded {
                    crate::bootstrap::rewrite_sealed_root(&self.store, &record).await?;
                }
                *slot = None;
                Some(root)
            }
            ShareOutcome::Counted { .. } | ShareOutcome::Unverified => None,
        };
        Ok((root, progress, threshold))
    }
}

/// KMS background work: once, the key-index backfill for keys stored before the index; then
/// the due jobs (deletions, expiries, rotations, usage flush) every `SWEEP_EVERY`.
async fn background_jobs(kms: Arc<KmsService>) {
    match kms.backfill_key_index().await {
        Ok(0) => {}
        Ok(written) => tracing::info!(written, "KMS key index rows added for older keys"),
        Err(err) => tracing::error!(error = %err, "KMS key index backfill failed"),
    }
    let mut ticker = tokio::time::interval(SWEEP_EVERY);
    loop {
        ticker.tick().await;
        match kms.run_due_jobs().await {
            Ok(report) if report == rampart_kms::JobReport::default() => {}
            Ok(report) => tracing::info!(?report, "KMS background jobs ran"),
            Err(err) => tracing::error!(error = %err, "KMS background jobs failed"),
        }
    }
}

/// The `Host` seen by the gateway.
pub struct SharedHost(pub Arc<AppHost>);

impl Host for SharedHost {
    fn dev_mode(&self) -> bool {
        self.0.config.dev
    }

    fn ready(&self) -> Option<Arc<Ready>> {
        self.0.ready.read().ok().and_then(|slot| slot.clone())
    }

    fn unseal(&self, secret: String) -> BoxFuture<'_, Result<UnsealReply, String>> {
        Box::pin(async move {
            if self.ready().is_some() {
                return Ok(UnsealReply {
                    sealed: false,
                    progress: 0,
                    threshold: 0,
                });
            }
            self.0.offer_secret(&secret).await
        })
    }

    fn reset(&self) -> BoxFuture<'_, Result<(), String>> {
        Box::pin(async move {
            let host = &self.0;
            host.store.wipe().await.map_err(|e| e.to_string())?;
            crate::bootstrap::rewrite_sealed_root(&host.store, &host.sealed_root).await?;
            if let Some(running) = host.running.lock().await.as_ref() {
                running.kms.wipe_cache().await;
                running.directory.credentials.clear_cache();
                running.directory.invalidate();
            }
            tracing::info!("state reset (dev mode)");
            Ok(())
        })
    }
}
