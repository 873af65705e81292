//! Asking DNS for validation CNAMEs with hickory-resolver: the configured server
//! (`acm.dns_resolver`), else the system's resolver (`/etc/resolv.conf`). A resolver is made
//! for each pass without a cache, so a record just created is seen on the next pass.

use crate::record::DomainCheck;
use crate::validation::caa;
use hickory_resolver::TokioResolver;
use hickory_resolver::config::{NameServerConfig, ResolverConfig};
use hickory_resolver::name_server::TokioConnectionProvider;
use hickory_resolver::proto::rr::rdata::caa::CAA;
use hickory_resolver::proto::rr::{RData, RecordType};
use hickory_resolver::proto::xfer::Protocol;
use std::net::SocketAddr;
use std::time::Duration;

/// How long one question waits for an answer.
const TIMEOUT: Duration = Duration::from_secs(3);

/// A resolver for one validation pass (`None` when the system's configuration could not be
/// read: nothing answers then, and the failure is logged).
pub struct Lookup(Option<TokioResolver>);

impl Lookup {
    /// Asks `server`, or the system's resolver when `None`.
    pub fn new(server: Option<SocketAddr>) -> Lookup {
        match resolver(server) {
            Ok(resolver) => Lookup(Some(resolver)),
            Err(e) => {
                tracing::warn!(error = %e, "ACM DNS validation has no resolver");
                Lookup(None)
            }
        }
    }

    /// For each of `checks`, at once: whether its DNS record answers as expected (EMAIL
    /// checks never do).
    pub async fn answered(&self, checks: &[DomainCheck]) -> Vec<bool> {
        let asked = checks.iter().map(|check| async move {
            match &check.record {
                Some((name, value)) => self.cname_is(name, value).await,
                None => false,
            }
        });
        futures::future::join_all(asked).await
    }

    /// Whether CAA lets ACM issue for every one of `names` (see `caa`).
    pub async fn caa_permits(&self, names: &[String]) -> bool {
        for name in names {
            if !self.caa_permits_one(name).await {
                return false;
            }
        }
        true
    }

    /// Whether the closest CAA record set of `name`, if any, lets ACM issue.
    async fn caa_permits_one(&self, name: &str) -> bool {
        let Some(resolver) = &self.0 else {
            return true;
        };
        for candidate in caa::tree(name) {
            let Ok(answer) = resolver
                .lookup(format!("{candidate}."), RecordType::CAA)
                .await
            else {
                continue;
            };
            let records: Vec<CAA> = answer
                .iter()
                .filter_map(|data| match data {
                    RData::CAA(caa) => Some(caa.clone()),
                    _ => None,
                })
                .collect();
            if !records.is_empty() {
                return caa::permits(&records, name.starts_with("*."));
            }
        }
        true
    }

    /// The IPv4 and IPv6 addresses of `name`, none when the look-up fails.
    pub async fn addresses(&self, name: &str) -> Vec<std::net::IpAddr> {
        let Some(resolver) = &self.0 else {
            return Vec::new();
        };
        match resolver.lookup_ip(name).await {
            Ok(found) => found.iter().collect(),
            Err(_) => Vec::new(),
        }
    }

    /// The TXT values of `name` (each record's strings joined), none when the look-up fails.
    pub async fn txt_values(&self, name: &str) -> Vec<String> {
        let Some(resolver) = &self.0 else {
            return Vec::new();
        };
        let Ok(answer) = resolver.txt_lookup(name).await else {
            return Vec::new();
        };
        answer
            .iter()
            .map(|txt| {
                txt.txt_data()
                    .iter()
                    .map(|part| String::from_utf8_lossy(part).into_owned())
                    .collect::<String>()
            })
            .collect()
    }

    /// Whether `name` has a CNAME to `target` (both fully qualified, compared without case).
    pub async fn cname_is(&self, name: &str, target: &str) -> bool {
        let Some(resolver) = &self.0 else {
            return false;
        };
        let Ok(answer) = resolver.lookup(name, RecordType::CNAME).await else {
            return false;
        };
        let wanted = target.trim_end_matches('.').to_ascii_lowercase();
        answer.iter().any(|data| match data {
            RData::CNAME(cname) => {
                let got = cname.0.to_ascii().to_ascii_lowercase();
                got.trim_end_matches('.') == wanted
            }
            _ => false,
        })
    }
}

/// A cache-less resolver asking `server`, or the system's resolver when `None`.
fn resolver(server: Option<SocketAddr>) -> Result<TokioResolver, String> {
    let mut builder = match server {
        Some(addr) => {
            let mut config = ResolverConfig::new();
            config.add_name_server(NameServerConfig::new(addr, Protocol::Udp));
            TokioResolver::builder_with_config(config, TokioConnectionProvider::default())
        }
        None => TokioResolver::builder_tokio()
            .map_err(|e| format!("the system's DNS configuration: {e}"))?,
    };
    let options = builder.options_mut();
    options.cache_size = 0;
    options.timeout = TIMEOUT;
    options.attempts = 1;
    Ok(builder.build())
}
