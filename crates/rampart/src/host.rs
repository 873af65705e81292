//! The process state behind the gateway: sealed or ready, unseal ([`crate::unseal`]), dev
//! reset and clock, the background job runner.

use crate::auth::{DevAuthenticator, SigV4Authenticator};
use crate::config::Config;
use crate::credentials;
use crate::modules::Modules;
use crate::tls::LiveCert;
use crate::unseal::{UnsealDesk, log_attempt};
use rampart_core::{Clock, OffsetClock, SystemClock};
use rampart_crypto::root::{Domain, RootKey};
use rampart_crypto::seal::SealedRoot;
use rampart_iam::Directory;
use rampart_jobs::{Clocks, Runner, Settings};
use rampart_store::Store;
use rampart_sts::SessionTokens;
use rampart_wire::{
    AuditSink, Authenticator, BoxFuture, Host, Ready, UnsealError, UnsealProgress, UnsealReply,
    UnsealSource,
};
use std::sync::{Arc, RwLock};
use std::time::Duration;
use tokio::task::JoinHandle;
use zeroize::Zeroizing;

/// Services started once the root key is available.
struct Running {
    modules: Modules,
    jobs: Arc<Runner>,
    /// The runner's loop, until [`AppHost::stop_jobs`] takes it.
    jobs_task: Option<JoinHandle<()>>,
}

/// The state shared by every connection.
pub struct AppHost {
    config: Config,
    store: Store,
    /// The seal record (written again after a dev reset; replaced when an unseal adds share
    /// commitments to an older record).
    sealed_root: RwLock<SealedRoot>,
    desk: UnsealDesk,
    audit: Arc<dyn AuditSink>,
    ready: RwLock<Option<Arc<Ready>>>,
    running: tokio::sync::Mutex<Option<Running>>,
    /// Becomes true when the services start.
    unsealed: tokio::sync::watch::Sender<bool>,
    /// The certificate the listener serves (None with plain HTTP); unseal makes it one issued
    /// by the cluster CA.
    tls: Option<Arc<LiveCert>>,
    /// The time the services and their jobs read: the system clock, moved forward only by the
    /// dev-mode clock endpoint.
    clock: Arc<OffsetClock>,
}

impl AppHost {
    pub fn new(
        config: Config,
        store: Store,
        sealed_root: SealedRoot,
        audit: Arc<dyn AuditSink>,
        tls: Option<Arc<LiveCert>>,
    ) -> Self {
        Self {
            desk: UnsealDesk::new(sealed_root.clone(), &config),
            config,
            store,
            sealed_root: RwLock::new(sealed_root),
            audit,
            ready: RwLock::new(None),
            running: tokio::sync::Mutex::new(None),
            unsealed: tokio::sync::watch::Sender::new(false),
            tls,
            clock: Arc::new(OffsetClock::new(Arc::new(SystemClock))),
        }
    }

    /// Resolves once the services run.
    pub async fn wait_unsealed(&self) {
        let mut unsealed = self.unsealed.subscribe();
        let _ = unsealed.wait_for(|u| *u).await;
    }

    /// Starts the services with the unsealed root key (once; later calls do nothing).
    pub async fn activate(self: &Arc<Self>, root: RootKey) -> Result<(), String> {
        let mut running = self.running.lock().await;
        if running.is_some() {
            return Ok(());
        }
        self.adopt_cluster_ca(&root).await?;
        let modules = Modules::start(
            crate::serve::MODULES,
            &self.store,
            &root,
            self.clock.clone(),
            self.config.dev,
            &self.config.modules,
        )
        .await?;
        let directory: Arc<Directory> = modules.clients.require("the admin bootstrap")?;
        if !self.config.dev {
            let file = self.config.data_dir.join("credentials");
            credentials::bootstrap_admin(&directory, &self.config.default_account, &file).await?;
        }
        self.audit.subscribe(modules.audit_subscriptions());
        let ready = Arc::new(Ready {
            services: modules.json_services(),
            query_services: modules.query_services(),
            http_services: modules.http_services(),
            public_routes: modules.public_routes(),
            auth: self.authenticator(directory, &modules)?,
            audit: self.audit.clone(),
        });
        modules.spawn_background();
        let jobs = Arc::new(self.job_runner(&modules));
        let jobs_task = Some(jobs.start());
        *running = Some(Running {
            modules,
            jobs,
            jobs_task,
        });
        if let Ok(mut slot) = self.ready.write() {
            *slot = Some(ready);
        }
        self.unsealed.send_replace(true);
        tracing::info!("unsealed: services are running");
        Ok(())
    }

    /// SigV4 (or, in `--dev` mode, any key) over IAM's directory and STS's session tokens.
    fn authenticator(
        &self,
        directory: Arc<Directory>,
        modules: &Modules,
    ) -> Result<Arc<dyn Authenticator>, String> {
        let tokens: Arc<SessionTokens> = modules.clients.require("the authenticator")?;
        Ok(if self.config.dev {
            Arc::new(DevAuthenticator {
                default_account: self.config.default_account.clone(),
                directory,
                tokens,
            })
        } else {
            Arc::new(SigV4Authenticator { directory, tokens })
        })
    }

    /// Serves a certificate from the store's CA from now on (see `ca_store`).
    async fn adopt_cluster_ca(&self, root: &RootKey) -> Result<(), String> {
        let Some(live) = &self.tls else {
            return Ok(());
        };
        let key = root.domain_key(Domain::Tls);
        let (dir, listen) = (self.config.tls_dir(), self.config.listen);
        crate::ca_store::adopt(&self.store, &key, &dir, listen, live).await
    }

    /// This node's job runner with every module's jobs: leases timed by the system clock,
    /// jobs given the (movable) service clock.
    fn job_runner(&self, modules: &Modules) -> Runner {
        let node = format!("node-{}", uuid::Uuid::new_v4());
        let clocks = Clocks {
            jobs: self.clock.clone(),
            leases: Arc::new(SystemClock),
        };
        let mut runner = Runner::new(self.store.clone(), node, clocks, Settings::default());
        for job in modules.jobs() {
            runner.register(job);
        }
        runner
    }

    /// Stops the job runner (called at shutdown, after requests drained): no job starts any
    /// more, a running one gets its grace period, then the per-node jobs (the KMS usage
    /// flush) run a last time.
    pub async fn stop_jobs(&self) {
        let mut running = self.running.lock().await;
        let Some(running) = running.as_mut() else {
            return;
        };
        if let Some(task) = running.jobs_task.take() {
            running.jobs.stop(task).await;
        }
    }

    /// Dev mode: moves the clock forward by `seconds`, then runs every job at once.
    async fn advance_clock(&self, seconds: u64) -> Result<i64, String> {
        if !self.config.dev {
            return Err("the clock moves only in --dev mode".to_owned());
        }
        let offset_ms = self.clock.advance(Duration::from_secs(seconds));
        let jobs = self.running.lock().await.as_ref().map(|r| r.jobs.clone());
        if let Some(jobs) = jobs {
            jobs.run_pass(true).await;
        }
        tracing::info!(offset_ms, now = %self.clock.now(), "clock moved forward (dev mode)");
        Ok(offset_ms / 1000)
    }

    /// One unseal attempt: admitted? already unsealed? then the desk; activates the services
    /// when the root key opens, and stores share commitments an older record lacked.
    async fn unseal(
        self: &Arc<Self>,
        secret: Zeroizing<String>,
        source: UnsealSource,
    ) -> Result<UnsealReply, UnsealError> {
        self.desk.admit(source)?;
        let unsealed = UnsealReply {
            sealed: false,
            progress: None,
        };
        if self.ready.read().is_ok_and(|r| r.is_some()) {
            return Ok(unsealed);
        }
        let accepted = self.desk.offer(secret, source).await?;
        if let Some(record) = accepted.upgraded {
            self.store_upgraded(record).await;
        }
        let Some(root) = accepted.root else {
            return Ok(UnsealReply {
                sealed: true,
                progress: accepted.progress,
            });
        };
        self.activate(root).await.map_err(UnsealError::Internal)?;
        Ok(unsealed)
    }

    async fn store_upgraded(&self, record: SealedRoot) {
        match crate::bootstrap::rewrite_sealed_root(&self.store, &record).await {
            Ok(()) => {
                tracing::info!("seal record upgraded: each share is now verified on its own");
                if let Ok(mut slot) = self.sealed_root.write() {
                    *slot = record;
                }
            }
            Err(err) => tracing::error!(
                error = %err,
                "could not store the share commitments; the next unseal adds them again"
            ),
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

    fn unseal(
        &self,
        secret: String,
        source: UnsealSource,
    ) -> BoxFuture<'_, Result<UnsealReply, UnsealError>> {
        Box::pin(async move {
            let result = self.0.unseal(Zeroizing::new(secret), source).await;
            log_attempt(source, &result);
            result
        })
    }

    fn unseal_progress(&self) -> BoxFuture<'_, Option<UnsealProgress>> {
        Box::pin(async move {
            if self.ready().is_some() {
                return None;
            }
            self.0.desk.progress().await
        })
    }

    fn reset(&self) -> BoxFuture<'_, Result<(), String>> {
        Box::pin(async move {
            let host = &self.0;
            host.store.wipe().await.map_err(|e| e.to_string())?;
            let sealed_root = host
                .sealed_root
                .read()
                .map_err(|_| "the seal record lock is poisoned".to_owned())?
                .clone();
            crate::bootstrap::rewrite_sealed_root(&host.store, &sealed_root).await?;
            if let Some(running) = host.running.lock().await.as_ref() {
                running.modules.reset();
            }
            tracing::info!("state reset (dev mode)");
            Ok(())
        })
    }

    fn advance_clock(&self, seconds: u64) -> BoxFuture<'_, Result<i64, String>> {
        Box::pin(self.0.advance_clock(seconds))
    }
}
