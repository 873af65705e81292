//! Unsealing a running server: who may try (network unseal on or off), how often (per-address
//! backoff after failures, a process-wide budget of Argon2id derivations run one at a time on
//! the blocking pool), the Shamir share collector, and a log line for every attempt.

use crate::config::Config;
use rampart_crypto::CryptoError;
use rampart_crypto::root::RootKey;
use rampart_crypto::seal::{self, SealMode, SealedRoot, ShamirUnsealer, ShareOutcome};
use rampart_crypto::unseal_limit::{AttemptLimiter, BackoffPolicy, DerivationBudget};
use rampart_wire::{UnsealError, UnsealProgress, UnsealReply, UnsealSource};
use std::net::IpAddr;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use zeroize::Zeroizing;

/// Argon2id derivations per second for the whole process (network callers), and how many may
/// run back to back after a quiet spell (a mistyped passphrase and the retry).
const DERIVATIONS_PER_SECOND: u32 = 2;
const DERIVATION_BURST: u32 = 2;
/// Suggested wait when another derivation is running.
const BUSY_RETRY: Duration = Duration::from_secs(1);

/// What an accepted secret did.
pub struct Accepted {
    /// The root key, once unsealed.
    pub root: Option<RootKey>,
    /// The seal record with share commitments, to store in place of one without.
    pub upgraded: Option<SealedRoot>,
    /// Verified shares so far (Shamir with commitments; `None` for unverifiable shares).
    pub progress: Option<UnsealProgress>,
}

/// The unseal attempts of one sealed server.
pub struct UnsealDesk {
    sealed_root: SealedRoot,
    network_unseal: bool,
    socket: PathBuf,
    limiter: Mutex<AttemptLimiter>,
    budget: Mutex<DerivationBudget>,
    /// One Argon2id derivation at a time.
    derivation: Arc<Semaphore>,
    unsealer: tokio::sync::Mutex<Option<ShamirUnsealer>>,
}

impl UnsealDesk {
    pub fn new(sealed_root: SealedRoot, config: &Config) -> Self {
        UnsealDesk {
            sealed_root,
            network_unseal: config.network_unseal,
            socket: config.unseal_socket_path(),
            limiter: Mutex::new(AttemptLimiter::new(BackoffPolicy::default())),
            budget: Mutex::new(DerivationBudget::new(
                DERIVATIONS_PER_SECOND,
                DERIVATION_BURST,
            )),
            derivation: Arc::new(Semaphore::new(1)),
            unsealer: tokio::sync::Mutex::new(None),
        }
    }

    /// Refuses `source` when it may not try now: network unseal off, or still backing off.
    pub fn admit(&self, source: UnsealSource) -> Result<(), UnsealError> {
        let UnsealSource::Remote(ip) = source else {
            return Ok(());
        };
        if !self.network_unseal {
            let socket = self.socket.display().to_string();
            return Err(UnsealError::NetworkUnsealOff { socket });
        }
        let wait = match self.limiter.lock() {
            Ok(limiter) => limiter.check(ip, Instant::now()),
            Err(_) => Ok(()),
        };
        wait.map_err(|retry_after| UnsealError::Throttled {
            retry_after,
            reason: "Too many failed unseal attempts from this address".to_owned(),
        })
    }

    /// Offers `secret` (a share or the passphrase) from an admitted `source`; failures and
    /// successes of network callers feed the per-address backoff.
    pub async fn offer(
        &self,
        secret: Zeroizing<String>,
        source: UnsealSource,
    ) -> Result<Accepted, UnsealError> {
        let result = match self.sealed_root.mode {
            SealMode::Passphrase => self.passphrase(secret, source).await,
            SealMode::Shamir { .. } => self.share(secret).await,
            SealMode::KeyFile => Err(UnsealError::Refused(
                "this store is sealed with a key file, which it reads at start".to_owned(),
            )),
        };
        if let UnsealSource::Remote(ip) = source {
            self.count(ip, &result);
        }
        result
    }

    /// Shares counted so far, for the local socket's health.
    pub async fn progress(&self) -> Option<UnsealProgress> {
        let SealMode::Shamir { threshold, .. } = self.sealed_root.mode else {
            return None;
        };
        let counted = self
            .unsealer
            .lock()
            .await
            .as_ref()
            .map(ShamirUnsealer::progress);
        let (given, threshold) = counted.unwrap_or((0, usize::from(threshold)));
        Some(UnsealProgress { given, threshold })
    }

    fn count(&self, ip: IpAddr, result: &Result<Accepted, UnsealError>) {
        let Ok(mut limiter) = self.limiter.lock() else {
            return;
        };
        match result {
            Err(UnsealError::Refused(_)) => {
                limiter.failed(ip, Instant::now());
            }
            Ok(accepted) if accepted.root.is_some() || accepted.progress.is_some() => {
                limiter.succeeded(ip);
            }
            _ => {}
        }
    }

    async fn passphrase(
        &self,
        secret: Zeroizing<String>,
        source: UnsealSource,
    ) -> Result<Accepted, UnsealError> {
        let permit = self.derivation_permit(source).await?;
        let sealed = self.sealed_root.clone();
        let derived = tokio::task::spawn_blocking(move || {
            let _one_at_a_time = permit;
            seal::unseal_passphrase(&sealed, &secret)
        })
        .await
        .map_err(|e| UnsealError::Internal(format!("the passphrase check stopped: {e}")))?;
        let root = derived.map_err(refused_or_internal)?;
        Ok(Accepted {
            root: Some(root),
            upgraded: None,
            progress: None,
        })
    }

    /// The right to run one Argon2id derivation: the local socket waits its turn; network
    /// callers are refused at once when one is running or the per-second budget is spent.
    async fn derivation_permit(
        &self,
        source: UnsealSource,
    ) -> Result<OwnedSemaphorePermit, UnsealError> {
        let closed = |_| UnsealError::Internal("the derivation slot is closed".to_owned());
        if source == UnsealSource::LocalSocket {
            return self
                .derivation
                .clone()
                .acquire_owned()
                .await
                .map_err(closed);
        }
        let busy = |retry_after| UnsealError::Throttled {
            retry_after,
            reason: "Another passphrase check is running".to_owned(),
        };
        let permit = self
            .derivation
            .clone()
            .try_acquire_owned()
            .map_err(|_| busy(BUSY_RETRY))?;
        let taken = match self.budget.lock() {
            Ok(mut budget) => budget.try_take(Instant::now()),
            Err(_) => Err(BUSY_RETRY),
        };
        taken.map_err(|retry_after| UnsealError::Throttled {
            retry_after,
            reason: format!("Passphrase checks are limited to {DERIVATIONS_PER_SECOND} per second"),
        })?;
        Ok(permit)
    }

    /// Adds one share; the collector runs on the blocking pool (a record without commitments
    /// may try many share sets).
    async fn share(&self, secret: Zeroizing<String>) -> Result<Accepted, UnsealError> {
        let mut slot = self.unsealer.lock().await;
        let unsealer = match slot.take() {
            Some(unsealer) => unsealer,
            None => ShamirUnsealer::new(self.sealed_root.clone()).map_err(refused_or_internal)?,
        };
        let (unsealer, outcome) = tokio::task::spawn_blocking(move || {
            let mut unsealer = unsealer;
            let outcome = unsealer.add_share(&secret);
            (unsealer, outcome)
        })
        .await
        .map_err(|e| UnsealError::Internal(format!("the share check stopped: {e}")))?;
        *slot = Some(unsealer);
        let accepted = match outcome.map_err(refused_or_internal)? {
            ShareOutcome::Counted { given, threshold } => Accepted {
                root: None,
                upgraded: None,
                progress: Some(UnsealProgress { given, threshold }),
            },
            ShareOutcome::Unverified => Accepted {
                root: None,
                upgraded: None,
                progress: None,
            },
            ShareOutcome::Unsealed { root, upgraded } => {
                *slot = None;
                Accepted {
                    root: Some(root),
                    upgraded,
                    progress: None,
                }
            }
        };
        Ok(accepted)
    }
}

fn refused_or_internal(err: CryptoError) -> UnsealError {
    match err {
        CryptoError::Unseal(message) => UnsealError::Refused(message),
        other => UnsealError::Internal(other.to_string()),
    }
}

/// Logs one unseal attempt with its source and outcome (never the secret).
pub fn log_attempt(source: UnsealSource, result: &Result<UnsealReply, UnsealError>) {
    match result {
        Ok(reply) if !reply.sealed => {
            tracing::info!(%source, outcome = "unsealed", "unseal attempt")
        }
        Ok(UnsealReply {
            progress: Some(p), ..
        }) => tracing::info!(
            %source,
            outcome = "share verified",
            given = p.given,
            threshold = p.threshold,
            "unseal attempt"
        ),
        Ok(_) => tracing::info!(
            %source,
            outcome = "share kept unverified (the seal record predates share commitments)",
            "unseal attempt"
        ),
        Err(UnsealError::Refused(reason)) => {
            tracing::warn!(%source, outcome = "refused", %reason, "unseal attempt")
        }
        Err(UnsealError::Throttled {
            retry_after,
            reason,
        }) => tracing::warn!(
            %source,
            outcome = "throttled",
            %reason,
            retry_after_ms = u64::try_from(retry_after.as_millis()).unwrap_or(u64::MAX),
            "unseal attempt"
        ),
        Err(UnsealError::NetworkUnsealOff { .. }) => tracing::warn!(
            %source,
            outcome = "refused: network unseal is off",
            "unseal attempt"
        ),
        Err(err) => tracing::error!(%source, outcome = "failed", error = ?err, "unseal attempt"),
    }
}
