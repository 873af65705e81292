//! How a service crate plugs into the server. A crate exposes one [`ModuleFactory`]; the binary
//! lists the factories, builds each module once the root key is unsealed, and from then on sees
//! a module only through [`ServiceModule`]: the endpoints it serves, the store tables it owns,
//! its unsigned public routes, its background jobs, the work to finish before it serves, and what a dev reset must clear.
//! Modules reach each other through [`Clients`], filled by the modules built before them.

mod clients;
pub mod edge_filter;
pub mod events;
pub mod outbound;
mod tables;

pub use clients::Clients;
pub use events::{ServiceEvent, publish};
pub use tables::{TableClash, check_tables};

use rampart_codec::{AwsHttpService, AwsJsonService, AwsQueryService, BoxFuture, PublicRoute};
use rampart_core::{Clock, Job};
use rampart_crypto::root::RootKey;
use rampart_store::Store;
use std::sync::Arc;

/// What a module is built from.
pub struct ModuleEnv<'a> {
    /// The shared store (every module writes only its own tables).
    pub store: &'a Store,
    /// The unsealed root key, for the module's domain keys.
    pub root: &'a RootKey,
    /// The service clock: the system clock, moved forward only by the dev-mode clock knob.
    pub clock: Arc<dyn Clock>,
    /// Whether the server runs in `--dev` mode.
    pub dev: bool,
    /// The name of the store log holding the audit trail.
    pub audit_log: &'static str,
    /// What earlier modules provide; a module adds what later ones need.
    pub clients: &'a mut Clients,
    /// Settings from the server configuration that modules read.
    pub settings: &'a ModuleSettings,
}

/// Settings of the server configuration that reach modules (`rampart.toml`, environment,
/// flags), each for the module named in it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ModuleSettings {
    /// The bound of KMS's hot-path cache (`kms.key_cache_entries`): keys, aliases and key
    /// policies held each; 20,000 when unset.
    pub kms_key_cache_entries: Option<usize>,
    /// The DNS server ACM asks for validation records (`acm.dns_resolver`); the system's
    /// resolver when unset.
    pub acm_dns_resolver: Option<std::net::SocketAddr>,
    /// The port ACM's ACME servers fetch http-01 challenges from (`acm.acme_http01_port`);
    /// 80, as RFC 8555 requires, when unset.
    pub acm_acme_http01_port: Option<u16>,
    /// Whether the server answers plain HTTP (no TLS): the scheme of the URLs public routes
    /// give out.
    pub plain_http: bool,
    /// The absolute URL clients reach this server at (`public_url`, `RAMPART_PUBLIC_URL`;
    /// by default the listening address as the start-up banner shows it), without a trailing
    /// slash: the base of URLs that outlive the request that made them (IAM's outbound
    /// identity federation issuer). Set it to the load balancer's URL in a cluster.
    pub public_url: Option<String>,
    /// Where API Gateway's edge data plane listens (`edge.listen`); no edge when unset.
    pub edge_listen: Option<std::net::SocketAddr>,
    /// The edge's country database files for GeoMatch (`edge.geoip_path`,
    /// `RAMPART_EDGE_GEOIP`; by default Debian's `tor-geoipdb` files when installed), loaded
    /// with `rampart_geoip::GeoDb::load_all`. Empty: no data, GeoMatch matches no address.
    pub edge_geoip_paths: Vec<std::path::PathBuf>,
    /// The edge's AS number database files for AsnMatch (`edge.asn_path`, `RAMPART_EDGE_ASN`),
    /// loaded with `rampart_geoip::AsnDb::load_all`. Empty (the default): AsnMatch matches no
    /// address.
    pub edge_asn_paths: Vec<std::path::PathBuf>,
    /// Where the edge listens over HTTPS (`edge.tls_listen`); none when unset.
    pub edge_tls_listen: Option<std::net::SocketAddr>,
    /// The private edge listeners (`edge.private_listen`, `edge.private_tls_listen`) and the
    /// VPC endpoint they stand for; none when neither is set.
    pub edge_private: Option<PrivateEdgeSettings>,
    /// Where custom domain names' mutual TLS truststores are read (`edge.truststore_dir`,
    /// `RAMPART_EDGE_TRUSTSTORE_DIR`; `<data_dir>/truststores` by default): the object
    /// `s3://<bucket>/<key>` is the file `<dir>/<bucket>/<key>`. Unset: no truststore is
    /// readable.
    pub edge_truststore_dir: Option<std::path::PathBuf>,
    /// Where the WAF writes the logs of web ACLs with a logging configuration
    /// (`<data_dir>/waf-logs`); no logs when unset.
    pub waf_log_dir: Option<std::path::PathBuf>,
}

/// The private edge listeners: Rampart's stand-in for an interface VPC endpoint of
/// `execute-api`, the only way in to PRIVATE REST APIs. At least one is set.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PrivateEdgeSettings {
    /// Where it listens over plain HTTP (`edge.private_listen`).
    pub listen: Option<std::net::SocketAddr>,
    /// Where it listens over HTTPS (`edge.private_tls_listen`), with the certificates of the
    /// HTTPS edge listener.
    pub tls_listen: Option<std::net::SocketAddr>,
    /// The VPC endpoint id requests arriving there carry as `aws:SourceVpce`.
    pub vpce_id: String,
    /// The VPC id requests arriving there carry as `aws:SourceVpc`.
    pub vpc_id: String,
}

/// Builds a module, or says why it cannot start.
pub type ModuleFactory = fn(&mut ModuleEnv<'_>) -> Result<Arc<dyn ServiceModule>, String>;

/// A service as the server sees it.
pub trait ServiceModule: Send + Sync {
    /// A short lower-case name (`kms`); its tables are named `<name>_...`.
    fn name(&self) -> &'static str;

    /// Every store table (and index entry table) the module reads or writes.
    fn tables(&self) -> &'static [&'static str];

    /// Endpoints reached by `X-Amz-Target` (AWS JSON 1.0/1.1).
    fn json_services(&self) -> Vec<Arc<dyn AwsJsonService>> {
        Vec::new()
    }

    /// Endpoints speaking the AWS query protocol.
    fn query_services(&self) -> Vec<Arc<dyn AwsQueryService>> {
        Vec::new()
    }

    /// Endpoints speaking restJson1 or Smithy RPC v2 CBOR.
    fn http_services(&self) -> Vec<Arc<dyn AwsHttpService>> {
        Vec::new()
    }

    /// Unsigned HTTP endpoints served beside the AWS protocols (published CRLs, OCSP): the
    /// gateway offers them requests without AWS authentication that they claim.
    fn public_routes(&self) -> Vec<Arc<dyn PublicRoute>> {
        Vec::new()
    }

    /// Queues that receive audit records, enqueued in the transaction that stores them
    /// (payload: one stored batch of compact records, `rampart_audit::decode_entry`, so a
    /// consumer acks a batch at a time; read-only calls' records as the subscription says);
    /// the module consumes them with `Store::claim` / `Store::ack`. Queue names follow the
    /// table rule (`<name>_…`).
    fn audit_subscriptions(&self) -> Vec<rampart_core::AuditSubscription> {
        Vec::new()
    }

    /// Background jobs for the node's runner. Work due at shutdown belongs in a node job: the
    /// runner runs those once more when the server stops.
    fn jobs(&self) -> Vec<Arc<dyn Job>> {
        Vec::new()
    }

    /// Work that must finish before the module serves (one-time index backfills).
    fn prepare(&self) -> BoxFuture<'_, Result<(), String>> {
        Box::pin(async { Ok(()) })
    }

    /// Work started once the module serves, that may finish later (a backfill only a fallback
    /// path depends on). Runs on its own task.
    fn background(&self) -> Option<BoxFuture<'static, ()>> {
        None
    }

    /// After a dev-mode reset emptied the store: drop what is cached of it.
    fn reset(&self) {}
}
