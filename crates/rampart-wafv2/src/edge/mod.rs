//! The WAF at the edge: [`WafFilter`] implements the edge's `RequestFilter`. Per request the
//! stage's ARN finds its associated web ACL in a [`Snapshot`] (reloaded after every WAFv2
//! write on this node and every [`REFRESH_PERIOD`] for other nodes), whose compiled plan
//! evaluates it with one `RateState` per web ACL. The verdict becomes the answer (block,
//! custom response, CAPTCHA, challenge) or the headers to insert, a sample, a flood note for
//! rate-based rules, a log line and counters.

mod inspect;
pub mod logs;
pub mod metrics;
pub mod respond;
pub mod samples;
pub mod snapshot;
pub mod token;

use crate::record::Tables;
use rampart_core::Clock;
use rampart_crypto::root::DomainKey;
use rampart_module::edge_filter::{FilterRequest, RequestFilter, Verdict};
use rampart_waf::{Environment, FinalAction, GeoLookup, NoAsn, NoGeo, RateState};
use samples::{Sample, Samples};
use snapshot::{Enforced, Snapshot};
use std::collections::HashMap;
use std::sync::{Arc, Mutex, RwLock};
use std::time::Duration;
use tokio::sync::Notify;

/// How often the filter re-reads the store for changes made on other nodes.
pub const REFRESH_PERIOD: Duration = Duration::from_secs(5);

/// The WAF as the edge's request filter.
pub struct WafFilter {
    tables: Tables,
    clock: Arc<dyn Clock>,
    key: DomainKey,
    snapshot: RwLock<Arc<Snapshot>>,
    rates: Mutex<HashMap<String, Arc<RateState>>>,
    samples: Arc<Samples>,
    /// Country lookups for geo match statements; none until the server wires a database.
    geo: Option<Arc<dyn GeoLookup>>,
    changed: Arc<Notify>,
    logs: logs::LogSink,
    metrics: Arc<metrics::Metrics>,
}

impl std::fmt::Debug for WafFilter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WafFilter").finish_non_exhaustive()
    }
}

/// What the filter shares with the WAFv2 service: the change signal, the samples and the
/// counters.
#[derive(Debug, Default, Clone)]
pub struct Shared {
    pub changed: Arc<Notify>,
    pub samples: Arc<Samples>,
    pub metrics: Arc<metrics::Metrics>,
}

impl WafFilter {
    /// A filter over `tables` on `clock`, issuing tokens under `key`, writing logs under
    /// `log_dir` (none when unset), with country lookups by `geo` when given.
    pub fn new(
        tables: Tables,
        clock: Arc<dyn Clock>,
        key: DomainKey,
        shared: &Shared,
        log_dir: Option<std::path::PathBuf>,
        geo: Option<Arc<dyn GeoLookup>>,
    ) -> WafFilter {
        WafFilter {
            tables,
            clock,
            key,
            snapshot: RwLock::new(Arc::new(Snapshot::default())),
            rates: Mutex::new(HashMap::new()),
            samples: shared.samples.clone(),
            geo,
            changed: shared.changed.clone(),
            logs: logs::LogSink::new(log_dir),
            metrics: shared.metrics.clone(),
        }
    }

    /// Reloads what to enforce.
    pub async fn refresh(&self) -> Result<(), rampart_store::StoreError> {
        let previous = self.current();
        let next = snapshot::load(&self.tables, &previous).await?;
        if let Ok(mut slot) = self.snapshot.write() {
            *slot = Arc::new(next);
        }
        Ok(())
    }

    /// Reloads after each change signalled on this node and every [`REFRESH_PERIOD`], forever.
    pub async fn refresh_periodically(self: Arc<Self>) {
        loop {
            if let Err(e) = self.refresh().await {
                tracing::warn!(error = %e, "WAF refresh failed");
            }
            let _ = tokio::time::timeout(REFRESH_PERIOD, self.changed.notified()).await;
        }
    }

    fn current(&self) -> Arc<Snapshot> {
        self.snapshot.read().map(|s| s.clone()).unwrap_or_default()
    }

    /// The rate counters of the web ACL `id`.
    fn rate(&self, id: &str) -> Arc<RateState> {
        match self.rates.lock() {
            Ok(mut rates) => rates.entry(id.to_owned()).or_default().clone(),
            Err(_) => Arc::new(RateState::default()),
        }
    }

    /// Epoch seconds on the service clock.
    fn now(&self) -> u64 {
        u64::try_from(self.clock.now().unix_timestamp()).unwrap_or(0)
    }

    /// Evaluates `request` against `acl`.
    fn decide(&self, acl: &Enforced, request: &FilterRequest<'_>) -> Verdict {
        let now = self.now();
        let cookie = token::cookie(request.headers, token::COOKIE);
        let checked = token::check(&self.key, cookie, request.client_ip);
        let limit = acl.plan.body_inspection_limit("API_GATEWAY");
        let inspected = inspect::inspected(request, limit, checked);
        let geo: &dyn GeoLookup = match &self.geo {
            Some(geo) => geo.as_ref(),
            None => &NoGeo,
        };
        let env = Environment {
            now,
            geo,
            asn: &NoAsn,
        };
        let verdict = acl.plan.evaluate(&inspected, &env, &self.rate(&acl.id));
        for m in &verdict.rate_based {
            if let Some(ip) = inspect::key_ip(&m.key) {
                self.samples.flood(&acl.arn, &m.rule, ip, now, m.window);
            }
        }
        let issued = matches!(verdict.action, FinalAction::Challenge).then(|| {
            let captcha_at = match checked {
                rampart_waf::TokenCheck::Valid { captcha_at, .. } => captcha_at.unwrap_or(0),
                _ => 0,
            };
            token::issue(&self.key, captcha_at, now, request.client_ip)
        });
        let answer = respond::answer(&verdict.action, issued);
        let status = answer.as_ref().map(|a| a.status().as_u16());
        self.record(acl, request, &verdict, now, status);
        match answer {
            Some(answer) => Verdict::Respond(answer),
            None => Verdict::Allow(verdict.insert_headers),
        }
    }

    /// Samples, logs and counts one evaluated request.
    fn record(
        &self,
        acl: &Enforced,
        request: &FilterRequest<'_>,
        verdict: &rampart_waf::Verdict,
        now: u64,
        status: Option<u16>,
    ) {
        let metric = |rule: &str| acl.metrics.get(rule).map(String::as_str);
        let mut names: Vec<&str> = metric("").into_iter().collect();
        let rules = verdict
            .terminating_rule
            .iter()
            .chain(&verdict.non_terminating);
        names.extend(rules.filter_map(|r| metric(&r.rule)));
        names.dedup();
        if !names.is_empty() {
            let json = samples::sampled(request, verdict, now, status);
            self.samples
                .record(&acl.arn, &names, &Sample { at: now, json });
        }
        self.metrics.count(&acl.name, verdict);
        if let Some(config) = &acl.logging {
            let line = logs::line(
                acl,
                config,
                request,
                verdict,
                now.saturating_mul(1000),
                status,
            );
            if let Some(line) = line {
                self.logs.write(&acl.name, &line);
            }
        }
    }
}

impl RequestFilter for WafFilter {
    fn check(&self, request: &FilterRequest<'_>) -> Verdict {
        let snapshot = self.current();
        match snapshot.by_resource.get(request.stage_arn) {
            Some(acl) => self.decide(acl, request),
            None => Verdict::Allow(Vec::new()),
        }
    }

    fn metrics(&self) -> Option<String> {
        Some(self.metrics.render())
    }
}
