//! What the edge remembers of the requests it inspected, for GetSampledRequests and
//! GetRateBasedStatementManagedKeys: per web ACL, a bounded ring of samples per metric name
//! (at most [`MAX_SAMPLES`], none older than three hours, as AWS documents) and, per
//! rate-based rule, the client addresses over the limit with when they last were.

use serde_json::{Value, json};
use std::collections::{HashMap, VecDeque};
use std::net::IpAddr;
use std::sync::Mutex;

/// Samples kept per web ACL and metric name.
pub const MAX_SAMPLES: usize = 500;
/// How long a sample is kept, seconds.
pub const HORIZON: u64 = 3 * 3600;

/// One sampled request.
#[derive(Debug, Clone)]
pub struct Sample {
    /// Epoch seconds.
    pub at: u64,
    /// AWS's `SampledHTTPRequest` shape.
    pub json: Value,
}

/// A client address over a rate-based rule's limit.
#[derive(Debug, Clone, Copy)]
struct Flood {
    ip: IpAddr,
    last: u64,
    window: u64,
}

/// The samples and flooding addresses of every web ACL, by web ACL ARN.
#[derive(Debug, Default)]
pub struct Samples {
    /// By web ACL ARN, then metric name.
    rings: Mutex<HashMap<String, HashMap<String, VecDeque<Sample>>>>,
    floods: Mutex<HashMap<(String, String), Vec<Flood>>>,
}

impl Samples {
    /// Records `sample` under the web ACL `acl` and each metric name in `metrics`.
    pub fn record(&self, acl: &str, metrics: &[&str], sample: &Sample) {
        let Ok(mut rings) = self.rings.lock() else {
            return;
        };
        if !rings.contains_key(acl) {
            rings.insert(acl.to_owned(), HashMap::new());
        }
        let Some(by_metric) = rings.get_mut(acl) else {
            return;
        };
        for &metric in metrics {
            if !by_metric.contains_key(metric) {
                by_metric.insert(metric.to_owned(), VecDeque::new());
            }
            let Some(ring) = by_metric.get_mut(metric) else {
                continue;
            };
            while ring
                .front()
                .is_some_and(|s| s.at + HORIZON < sample.at || ring.len() >= MAX_SAMPLES)
            {
                ring.pop_front();
            }
            ring.push_back(sample.clone());
        }
    }

    /// The samples of `acl` under `metric` taken in `[start, end]`, at most `max`, and how
    /// many there were in all.
    pub fn query(
        &self,
        acl: &str,
        metric: &str,
        start: u64,
        end: u64,
        max: usize,
    ) -> (Vec<Value>, usize) {
        let Ok(rings) = self.rings.lock() else {
            return (Vec::new(), 0);
        };
        let Some(ring) = rings.get(acl).and_then(|by_metric| by_metric.get(metric)) else {
            return (Vec::new(), 0);
        };
        let within: Vec<&Sample> = ring
            .iter()
            .filter(|s| s.at >= start && s.at <= end)
            .collect();
        let total = within.len();
        let picked = within
            .iter()
            .rev()
            .take(max)
            .map(|s| s.json.clone())
            .collect();
        (picked, total)
    }

    /// Notes that `ip` is over the limit of rate-based rule `rule` of `acl` at `now`.
    pub fn flood(&self, acl: &str, rule: &str, ip: IpAddr, now: u64, window: u64) {
        let Ok(mut floods) = self.floods.lock() else {
            return;
        };
        let list = floods.entry((acl.to_owned(), rule.to_owned())).or_default();
        list.retain(|f| f.last + f.window >= now && f.ip != ip);
        list.push(Flood {
            ip,
            last: now,
            window,
        });
    }

    /// The addresses over the limit of `rule` of `acl` at `now`: (IPv4, IPv6) CIDRs.
    pub fn flooding(&self, acl: &str, rule: &str, now: u64) -> (Vec<String>, Vec<String>) {
        let mut v4 = Vec::new();
        let mut v6 = Vec::new();
        let Ok(floods) = self.floods.lock() else {
            return (v4, v6);
        };
        let list = floods.get(&(acl.to_owned(), rule.to_owned()));
        for f in list
            .into_iter()
            .flatten()
            .filter(|f| f.last + f.window >= now)
        {
            match f.ip {
                IpAddr::V4(ip) => v4.push(format!("{ip}/32")),
                IpAddr::V6(ip) => v6.push(format!("{ip}/128")),
            }
        }
        (v4, v6)
    }
}

/// AWS's `SampledHTTPRequest` for one request.
pub fn sampled(
    request: &rampart_module::edge_filter::FilterRequest<'_>,
    verdict: &rampart_waf::Verdict,
    now: u64,
    status: Option<u16>,
) -> Value {
    let headers: Vec<Value> = request
        .headers
        .iter()
        .map(|(n, v)| json!({"Name": n.as_str(), "Value": String::from_utf8_lossy(v.as_bytes())}))
        .collect();
    let uri = match request.query {
        "" => request.path.to_owned(),
        q => format!("{}?{q}", request.path),
    };
    let mut out = json!({
        "Request": {"ClientIP": request.client_ip.to_string(), "URI": uri,
                    "Method": request.method.as_str(), "HTTPVersion": request.http_version,
                    "Headers": headers},
        "Weight": 1,
        "Timestamp": now,
        "Action": super::respond::action_name(&verdict.action),
        "Labels": verdict.labels.iter().map(|l| json!({"Name": l})).collect::<Vec<_>>(),
    });
    if let Some(rule) = verdict
        .terminating_rule
        .as_ref()
        .and_then(|r| r.group_rule.as_ref())
    {
        out["RuleNameWithinRuleGroup"] = json!(rule);
    }
    if !verdict.insert_headers.is_empty() {
        out["RequestHeadersInserted"] = verdict
            .insert_headers
            .iter()
            .map(|(n, v)| json!({"Name": n, "Value": v}))
            .collect();
    }
    if let Some(status) = status {
        out["ResponseCodeSent"] = json!(status);
    }
    out
}
