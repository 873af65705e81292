//! Command-line interface (clap): `serve`, `operator init|unseal`, `audit tail`,
//! `events dead-letters`, `usage`, `account create`, `acm-pca audit-report`, `edge geoip-lookup`.

use crate::config::{self, Config, SealChoice};
use clap::{Args, Parser, Subcommand};
use std::net::SocketAddr;
use std::path::PathBuf;

#[derive(Debug, Parser)]
#[command(
    name = "rampart",
    version,
    about = "AWS security and encryption services, self-hosted"
)]
pub struct Cli {
    /// Log as JSON lines instead of text.
    #[arg(long, global = true, env = "RAMPART_LOG_JSON")]
    pub log_json: bool,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the server.
    Serve(ServeArgs),
    /// Seal and unseal operations.
    #[command(subcommand)]
    Operator(OperatorCommand),
    /// Read the audit trail.
    #[command(subcommand)]
    Audit(AuditCommand),
    /// EventBridge administration: `dead-letters` lists deliveries that failed for good.
    #[command(subcommand)]
    Events(EventsCommand),
    /// Secrets Manager rotation functions served over HTTP: `register NAME URL`, `list`,
    /// `deregister NAME`.
    #[command(subcommand)]
    RotationFunction(crate::rotation_cli::RotationFunctionCommand),
    /// KMS month-to-date usage and estimated charge at AWS list prices.
    Usage(UsageArgs),
    /// Accounts: `create` adds one with a root access key.
    #[command(subcommand)]
    Account(crate::account::AccountCommand),
    /// ACM Private CA administration: `audit-report` prints a stored CA audit report.
    #[command(subcommand, name = "acm-pca")]
    AcmPca(crate::acmpca_cli::AcmPcaCommand),
    /// ACM administration: `trust-anchor` prints the public issuer's root certificates;
    /// `check-expiry --days N` lists certificates expiring within N days (exit status 1 if any).
    #[command(subcommand)]
    Acm(crate::acm_cli::AcmCommand),
    /// IAM administration: `oidc-keys set PROVIDER_ARN FILE` pins an OIDC provider's JWKS.
    #[command(subcommand)]
    Iam(crate::iam_cli::IamCommand),
    /// Edge tools: `geoip-lookup IP` prints the country and AS number the configured
    /// databases give an address (what the WAF's GeoMatch and AsnMatch see).
    #[command(subcommand)]
    Edge(crate::edge_cli::EdgeCommand),
    /// Encrypt files in the AWS Encryption SDK message format under KMS or raw keys.
    ///
    /// Exit codes: 0 done, 2 bad usage, 3 KMS refused or unreachable, 4 no named key can
    /// decrypt, 5 damaged or altered message, 6 encryption context, 7 commitment policy, 8 I/O.
    Encrypt(crate::envelope::args::EncryptArgs),
    /// Decrypt AWS Encryption SDK messages (from any AWS Encryption SDK or the CLI).
    ///
    /// Exit codes as for `encrypt`. Output files appear only once the whole message, signature
    /// included, has been authenticated.
    Decrypt(crate::envelope::args::DecryptArgs),
}

/// Where state lives; shared by every command that opens the store.
#[derive(Debug, Args, Clone)]
pub struct StoreArgs {
    /// Data directory (SQLite database, root key file, TLS material, credentials file).
    #[arg(long, env = "RAMPART_DATA_DIR")]
    pub data_dir: Option<PathBuf>,
    /// PostgreSQL URL to share state between several nodes (SQLite otherwise).
    #[arg(long, env = "RAMPART_DATABASE_URL")]
    pub database_url: Option<String>,
    /// Configuration file (TOML).
    #[arg(long, env = "RAMPART_CONFIG")]
    pub config: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    #[command(flatten)]
    pub store: StoreArgs,
    /// Emulator mode: plain HTTP, any access key accepted, reset endpoints on.
    #[arg(long, env = "RAMPART_DEV")]
    pub dev: bool,
    /// Address to listen on.
    #[arg(long, env = "RAMPART_LISTEN")]
    pub listen: Option<SocketAddr>,
    /// Account that owns requests by default (12 digits).
    #[arg(long, env = "RAMPART_DEFAULT_ACCOUNT")]
    pub default_account: Option<String>,
    /// Serve plain HTTP (not recommended outside tests).
    #[arg(long, env = "RAMPART_PLAIN_HTTP")]
    pub plain_http: bool,
    /// The absolute URL clients reach this server at (`https://host[:port]`), the base of
    /// the outbound identity federation issuer URLs; default: the listening address.
    #[arg(long, env = "RAMPART_PUBLIC_URL")]
    pub public_url: Option<String>,
    /// How to seal the root key on first start.
    #[arg(long, env = "RAMPART_SEAL", value_enum)]
    pub seal: Option<SealChoice>,
    /// Serve `POST /_rampart/unseal` over TCP while sealed (default true); with false, unseal
    /// only through the local socket `<data-dir>/unseal.sock`.
    #[arg(long, env = "RAMPART_NETWORK_UNSEAL", action = clap::ArgAction::Set)]
    pub network_unseal: Option<bool>,
    /// Hold every response until its audit record is durable (calls that change state are
    /// always held; without this, records of read-only calls are group-committed within ~10 ms).
    #[arg(long, env = "RAMPART_AUDIT_SYNC")]
    pub audit_sync: bool,
    /// The DNS server (`ip:port`) ACM asks for DNS validation records (default: the
    /// system's resolver).
    #[arg(long, env = "RAMPART_ACM_DNS_RESOLVER")]
    pub acm_dns_resolver: Option<SocketAddr>,
    /// The port ACM's ACME endpoints fetch http-01 challenges from (default 80, as RFC 8555
    /// requires).
    #[arg(long, env = "RAMPART_ACM_ACME_HTTP01_PORT")]
    pub acm_acme_http01_port: Option<u16>,
    /// Where API Gateway's edge data plane listens (deployed REST APIs are invoked there);
    /// no edge listener when unset.
    #[arg(long, env = "RAMPART_EDGE_LISTEN")]
    pub edge_listen: Option<SocketAddr>,
    /// Where the edge also listens over HTTPS (custom domain names' ACM certificates chosen
    /// by SNI); no HTTPS edge listener when unset.
    #[arg(long, env = "RAMPART_EDGE_TLS_LISTEN")]
    pub edge_tls_listen: Option<SocketAddr>,
    /// Where custom domain names' mutual TLS truststores are read: `s3://<bucket>/<key>` is
    /// the file `<dir>/<bucket>/<key>`. Default: `[edge] truststore_dir`, else
    /// `<data_dir>/truststores`.
    #[arg(long, env = "RAMPART_EDGE_TRUSTSTORE_DIR", value_name = "DIR")]
    pub edge_truststore_dir: Option<PathBuf>,
    #[command(flatten)]
    pub private_edge: crate::config_edge::PrivateEdgeArgs,
    #[command(flatten)]
    pub geo: crate::config_edge::GeoArgs,
    #[command(flatten)]
    pub key_file: KeyFileArgs,
}

/// Where the key file of a key-file seal lives.
#[derive(Debug, Args, Clone)]
pub struct KeyFileArgs {
    /// Key file of the key-file seal (default `<data-dir>/root.key`); put it on another volume
    /// than the data. Created there (mode 0600) on first start.
    #[arg(long, env = "RAMPART_SEAL_KEY_FILE")]
    pub seal_key_file: Option<PathBuf>,
}

#[derive(Debug, Subcommand)]
pub enum OperatorCommand {
    /// Initialise a new data store sealed with Shamir shares; prints the shares once.
    Init(InitArgs),
    /// Give one unseal share (or the passphrase) to a running server.
    Unseal(UnsealArgs),
}

#[derive(Debug, Args)]
pub struct InitArgs {
    #[command(flatten)]
    pub store: StoreArgs,
    /// Number of shares to create.
    #[arg(long, default_value_t = 5)]
    pub shares: u8,
    /// Shares needed to unseal.
    #[arg(long, default_value_t = 3)]
    pub threshold: u8,
}

#[derive(Debug, Args)]
pub struct UnsealArgs {
    /// The share or passphrase; read from standard input when absent.
    #[arg(long)]
    pub secret: Option<String>,
    /// Server address (default https://127.0.0.1:4566).
    #[arg(long, env = "RAMPART_ENDPOINT", conflicts_with = "socket")]
    pub endpoint: Option<String>,
    /// Use the server's local unseal socket: PATH, or `<data-dir>/unseal.sock` without one.
    /// Also used when `--data-dir` is given without `--endpoint` and that socket exists.
    #[arg(long, value_name = "PATH", num_args = 0..=1)]
    pub socket: Option<Option<PathBuf>>,
    /// CA bundle to trust for HTTPS (defaults to the data dir's Rampart CA).
    #[arg(long, env = "AWS_CA_BUNDLE")]
    pub ca_bundle: Option<PathBuf>,
    #[arg(long, env = "RAMPART_DATA_DIR")]
    pub data_dir: Option<PathBuf>,
}

#[derive(Debug, Subcommand)]
pub enum AuditCommand {
    /// Print the latest audit events as JSON lines.
    Tail(TailArgs),
}

#[derive(Debug, Args)]
pub struct TailArgs {
    #[command(flatten)]
    pub store: StoreArgs,
    /// How many of the latest events to print.
    #[arg(short = 'n', long, default_value_t = 20)]
    pub lines: usize,
    /// Keep printing new events as they arrive.
    #[arg(short, long)]
    pub follow: bool,
}

#[derive(Debug, Subcommand)]
pub enum EventsCommand {
    /// Print the dead-lettered EventBridge deliveries as JSON lines, oldest first.
    DeadLetters(DeadLettersArgs),
}

#[derive(Debug, Args)]
pub struct DeadLettersArgs {
    #[command(flatten)]
    pub store: StoreArgs,
    /// Only this account (12 digits).
    #[arg(long)]
    pub account: Option<String>,
    /// Only this Region.
    #[arg(long)]
    pub region: Option<String>,
    /// Put the listed dead letters back in the delivery outbox (event age counted from now)
    /// and delete their records; prints how many.
    #[arg(long)]
    pub redrive: bool,
}

#[derive(Debug, Args)]
pub struct UsageArgs {
    #[command(flatten)]
    pub store: StoreArgs,
    /// Month to report, YYYY-MM (UTC); the current month by default.
    #[arg(long)]
    pub month: Option<String>,
    /// Only this account (12 digits).
    #[arg(long)]
    pub account: Option<String>,
    /// Also list every key (and the keyless requests as `-`).
    #[arg(long)]
    pub by_key: bool,
    /// Print the report as JSON.
    #[arg(long)]
    pub json: bool,
}

/// Runs the chosen command.
pub async fn run(cli: Cli) -> Result<(), String> {
    match cli.command {
        Command::Serve(args) => crate::serve::run(resolve(args)?).await,
        Command::Operator(OperatorCommand::Init(args)) => crate::operator::init(args).await,
        Command::Operator(OperatorCommand::Unseal(args)) => crate::operator::unseal(args).await,
        Command::Audit(AuditCommand::Tail(args)) => crate::audit_tail::tail(args).await,
        Command::Events(EventsCommand::DeadLetters(args)) => {
            crate::events_cli::dead_letters(args).await
        }
        Command::RotationFunction(command) => crate::rotation_cli::run(command).await,
        Command::Usage(args) => crate::usage::run(args).await,
        Command::Account(command) => crate::account::run(command).await,
        Command::AcmPca(command) => crate::acmpca_cli::run(command).await,
        Command::Acm(command) => crate::acm_cli::run(command).await,
        Command::Iam(command) => crate::iam_cli::run(command).await,
        Command::Edge(command) => crate::edge_cli::run(command),
        Command::Encrypt(_) | Command::Decrypt(_) => {
            Err("encrypt and decrypt run before the server runtime".into())
        }
    }
}

/// Merges flags/environment over the config file over defaults.
pub fn resolve(args: ServeArgs) -> Result<Config, String> {
    let file = config::read_file_config(args.store.config.as_deref())?;
    let limits = config::limits(&file)?;
    let dev = args.dev || file.dev.unwrap_or(false);
    let account = args.default_account.or(file.default_account);
    let account = account.unwrap_or_else(|| config::DEFAULT_ACCOUNT.to_owned());
    let default_account = rampart_core::AccountId::parse(&account)
        .map_err(|_| format!("--default-account must be 12 digits, got {account:?}"))?;
    let listen = match args.listen.or(file.listen) {
        Some(listen) => listen,
        None => config::DEFAULT_LISTEN.parse().map_err(|e| format!("{e}"))?,
    };
    let acm = file.acm.unwrap_or_default();
    let (edge_geoip_paths, edge_asn_paths) =
        crate::config_edge::geo_paths(&args.geo, file.edge.as_ref());
    let edge_listen = args
        .edge_listen
        .or(file.edge.as_ref().and_then(|edge| edge.listen));
    let plain_http = dev || args.plain_http || file.plain_http.unwrap_or(false);
    let data_dir = store_dir(&args.store, file.data_dir);
    let edge_private =
        crate::config_edge::private_edge(&args.private_edge, file.edge.as_ref(), &data_dir)?;
    let edge_truststore_dir = args
        .edge_truststore_dir
        .or(file
            .edge
            .as_ref()
            .and_then(|edge| edge.truststore_dir.clone()))
        .unwrap_or_else(|| data_dir.join("truststores"));
    Ok(Config {
        listen,
        dev,
        default_account,
        database_url: args.store.database_url.or(file.database_url),
        plain_http,
        seal: args.seal.or(file.seal).unwrap_or(SealChoice::Keyfile),
        limits,
        network_unseal: args.network_unseal.or(file.network_unseal).unwrap_or(true),
        seal_key_file: args.key_file.seal_key_file.or(file.seal_key_file),
        audit_sync: args.audit_sync || file.audit_sync.unwrap_or(false),
        modules: rampart_module::ModuleSettings {
            kms_key_cache_entries: file.kms.as_ref().and_then(|kms| kms.key_cache_entries),
            acm_dns_resolver: args.acm_dns_resolver.or(acm.dns_resolver),
            acm_acme_http01_port: args.acm_acme_http01_port.or(acm.acme_http01_port),
            plain_http,
            public_url: config::public_url(args.public_url.or(file.public_url))?,
            edge_listen,
            edge_tls_listen: args
                .edge_tls_listen
                .or(file.edge.as_ref().and_then(|edge| edge.tls_listen)),
            edge_geoip_paths,
            edge_asn_paths,
            edge_private,
            edge_truststore_dir: Some(edge_truststore_dir),
            waf_log_dir: Some(data_dir.join("waf-logs")),
        },
        data_dir,
    })
}

/// Opens the store named by flags/env, else the config file, else the default data dir.
pub async fn open_store(args: &StoreArgs) -> Result<rampart_store::Store, String> {
    let file = config::read_file_config(args.config.as_deref())?;
    let database_url = args.database_url.clone().or(file.database_url);
    let data_dir = store_dir(args, file.data_dir);
    crate::bootstrap::open_store(&data_dir, database_url.as_deref()).await
}

/// The data dir from flags/env, else the config file, else the default.
pub fn store_dir(args: &StoreArgs, from_file: Option<PathBuf>) -> PathBuf {
    args.data_dir
        .clone()
        .or(from_file)
        .unwrap_or_else(config::default_data_dir)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn serve_args(argv: &[&str]) -> ServeArgs {
        let mut full = vec!["rampart", "serve"];
        full.extend_from_slice(argv);
        match Cli::try_parse_from(full).unwrap().command {
            Command::Serve(args) => args,
            other => panic!("parsed {other:?}"),
        }
    }

    #[test]
    fn public_url_is_an_absolute_http_url_without_trailing_slash() {
        let config = resolve(serve_args(&["--public-url", "https://sts.example.com/"])).unwrap();
        assert_eq!(
            config.modules.public_url.as_deref(),
            Some("https://sts.example.com")
        );
        assert_eq!(resolve(serve_args(&[])).unwrap().modules.public_url, None);
        for bad in ["sts.example.com", "https://", "ftp://x", "https://x/?a=b"] {
            assert!(
                resolve(serve_args(&["--public-url", bad])).is_err(),
                "{bad}"
            );
        }
    }

    #[test]
    fn defaults_are_secure_on_localstack_port() {
        let config = resolve(serve_args(&[])).unwrap();
        assert_eq!(config.listen.to_string(), "127.0.0.1:4566");
        assert!(!config.dev && !config.plain_http);
        assert_eq!(config.default_account.as_str(), "000000000000");
        assert_eq!(config.seal, SealChoice::Keyfile);
        assert!(config.network_unseal);
        assert_eq!(
            config.keyfile_path(),
            PathBuf::from("rampart-data/root.key")
        );
    }

    #[test]
    fn network_unseal_and_key_file_settings() {
        let off = resolve(serve_args(&["--network-unseal", "false"])).unwrap();
        assert!(!off.network_unseal);
        assert!(Cli::try_parse_from(["rampart", "serve", "--network-unseal"]).is_err());
        let elsewhere = resolve(serve_args(&["--seal-key-file", "/keys/root.key"])).unwrap();
        assert_eq!(elsewhere.keyfile_path(), PathBuf::from("/keys/root.key"));
        let dir = std::env::temp_dir().join(format!("rampart-cli-nu-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("rampart.toml");
        std::fs::write(
            &file,
            "network_unseal = false\nseal_key_file = \"/k/r.key\"\n",
        )
        .unwrap();
        let from_file = resolve(serve_args(&["--config", file.to_str().unwrap()])).unwrap();
        assert!(!from_file.network_unseal);
        assert_eq!(from_file.keyfile_path(), PathBuf::from("/k/r.key"));
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn unseal_socket_flag_takes_an_optional_path() {
        let parse = |argv: &[&str]| {
            let mut full = vec!["rampart", "operator", "unseal"];
            full.extend_from_slice(argv);
            match Cli::try_parse_from(full).map(|c| c.command) {
                Ok(Command::Operator(OperatorCommand::Unseal(args))) => Ok(args),
                Ok(other) => panic!("parsed {other:?}"),
                Err(err) => Err(err),
            }
        };
        assert_eq!(parse(&["--socket"]).unwrap().socket, Some(None));
        let given = parse(&["--socket", "/run/r.sock"]).unwrap();
        assert_eq!(given.socket, Some(Some(PathBuf::from("/run/r.sock"))));
        assert!(parse(&["--socket", "--endpoint", "http://x"]).is_err());
        assert_eq!(parse(&[]).unwrap().socket, None);
    }

    #[test]
    fn dev_mode_implies_plain_http() {
        let config = resolve(serve_args(&["--dev"])).unwrap();
        assert!(config.dev && config.plain_http);
    }

    #[test]
    fn flags_override_the_config_file() {
        let dir = std::env::temp_dir().join(format!("rampart-cli-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("rampart.toml");
        std::fs::write(
            &file,
            "listen = \"127.0.0.1:9000\"\ndefault_account = \"111111111111\"\n",
        )
        .unwrap();
        let path = file.to_str().unwrap();
        let from_file = resolve(serve_args(&["--config", path])).unwrap();
        assert_eq!(from_file.listen.to_string(), "127.0.0.1:9000");
        assert_eq!(from_file.default_account.as_str(), "111111111111");
        let flagged = resolve(serve_args(&[
            "--config",
            path,
            "--listen",
            "127.0.0.1:9001",
        ]))
        .unwrap();
        assert_eq!(flagged.listen.to_string(), "127.0.0.1:9001");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn the_acm_dns_resolver_comes_from_the_file_or_the_flag() {
        let dir = std::env::temp_dir().join(format!("rampart-cli-acm-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("rampart.toml");
        std::fs::write(&file, "[acm]\ndns_resolver = \"127.0.0.1:5353\"\n").unwrap();
        let path = file.to_str().unwrap();
        let from_file = resolve(serve_args(&["--config", path])).unwrap();
        let wanted = "127.0.0.1:5353".parse().ok();
        assert_eq!(from_file.modules.acm_dns_resolver, wanted);
        let flag = ["--config", path, "--acm-dns-resolver", "10.0.0.2:53"];
        let flagged = resolve(serve_args(&flag)).unwrap();
        assert_eq!(flagged.modules.acm_dns_resolver, "10.0.0.2:53".parse().ok());
        assert_eq!(
            resolve(serve_args(&[])).unwrap().modules.acm_dns_resolver,
            None
        );
        std::fs::write(&file, "[acm]\nresolver = \"x\"\n").unwrap();
        assert!(resolve(serve_args(&["--config", path])).is_err());
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn the_acme_http01_port_comes_from_the_file_or_the_flag() {
        let dir = std::env::temp_dir().join(format!("rampart-cli-acme-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("rampart.toml");
        std::fs::write(&file, "[acm]\nacme_http01_port = 8080\n").unwrap();
        let path = file.to_str().unwrap();
        let from_file = resolve(serve_args(&["--config", path])).unwrap();
        assert_eq!(from_file.modules.acm_acme_http01_port, Some(8080));
        assert!(!from_file.modules.plain_http);
        let flag = ["--config", path, "--acm-acme-http01-port", "5002", "--dev"];
        let flagged = resolve(serve_args(&flag)).unwrap();
        assert_eq!(flagged.modules.acm_acme_http01_port, Some(5002));
        assert!(flagged.modules.plain_http);
        let default = resolve(serve_args(&[])).unwrap();
        assert_eq!(default.modules.acm_acme_http01_port, None);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn the_edge_listener_comes_from_the_file_or_the_flag() {
        let dir = std::env::temp_dir().join(format!("rampart-cli-edge-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("rampart.toml");
        std::fs::write(&file, "[edge]\nlisten = \"127.0.0.1:4510\"\n").unwrap();
        let path = file.to_str().unwrap();
        let from_file = resolve(serve_args(&["--config", path])).unwrap();
        assert_eq!(from_file.modules.edge_listen, "127.0.0.1:4510".parse().ok());
        let flag = ["--config", path, "--edge-listen", "127.0.0.1:4511"];
        let flagged = resolve(serve_args(&flag)).unwrap();
        assert_eq!(flagged.modules.edge_listen, "127.0.0.1:4511".parse().ok());
        assert_eq!(resolve(serve_args(&[])).unwrap().modules.edge_listen, None);
        std::fs::write(&file, "[edge]\nport = 1\n").unwrap();
        assert!(resolve(serve_args(&["--config", path])).is_err());
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn bad_account_is_refused() {
        assert!(resolve(serve_args(&["--default-account", "12345"])).is_err());
    }
}
