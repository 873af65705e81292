//! `rampart serve`: open the store, unseal, start the services, listen until told to stop.

use crate::bootstrap::{self, SealState};
use crate::config::Config;
use crate::host::{AppHost, SharedHost};
use crate::local_unseal::LocalUnseal;
use crate::tls::LiveCert;
use rampart_module::ModuleFactory;
use rampart_wire::Gateway;
use std::sync::Arc;

/// The services, one line each, built in this order once the root key is unsealed (a module
/// listed later may use what an earlier one provides: STS needs IAM's directory).
pub const MODULES: &[ModuleFactory] = &[
    rampart_kms::module,
    rampart_iam::module,
    rampart_sts::module,
    rampart_cloudtrail::module,
    rampart_events::module,
    rampart_secretsmanager::module,
    rampart_ssm::module,
    rampart_acmpca::module,
    rampart_acm::module,
    rampart_wafv2::module,
    rampart_apigateway::module,
];

/// Runs the server until SIGINT/SIGTERM.
pub async fn run(mut config: Config) -> Result<(), String> {
    bootstrap::create_private_dir(&config.data_dir)?;
    let listener = tokio::net::TcpListener::bind(config.listen)
        .await
        .map_err(|e| format!("cannot listen on {}: {e}", config.listen))?;
    let addr = listener.local_addr().map_err(|e| e.to_string())?;
    if config.modules.public_url.is_none() {
        config.modules.public_url = Some(advertised_url(&config, addr));
    }
    let store = bootstrap::open_store(&config.data_dir, config.database_url.as_deref()).await?;
    let (seal_state, sealed_root) = bootstrap::load_or_init(&store, &config).await?;
    let (sink, writer) = rampart_audit::start_writer(store.clone(), config.audit_sync);
    let live_cert = live_cert(&config)?;
    let host = Arc::new(AppHost::new(
        config.clone(),
        store,
        sealed_root,
        Arc::new(sink),
        live_cert.clone(),
    ));
    let local = match seal_state {
        SealState::Unsealed(root) => {
            host.activate(root).await?;
            None
        }
        SealState::Sealed => start_local_unseal(&config, &host)?,
    };
    let tls = live_cert
        .map(|cert| rampart_wire::server::tls_acceptor_with_resolver(cert))
        .transpose()?;
    let shutdown = shutdown_signal();
    print_banner(&config, addr);
    let limits = crate::fd_limit::fit_connections(config.limits.clone());
    let gateway = Arc::new(
        Gateway::new(Arc::new(SharedHost(host.clone())), limits)
            .with_secure_transport(tls.is_some()),
    );
    rampart_wire::server::serve(listener, tls, gateway, shutdown).await;
    if let Some(local) = local {
        local.stop().await;
    }
    host.stop_jobs().await;
    writer.finish().await;
    tracing::info!("stopped");
    Ok(())
}

/// Serves the local unseal socket while sealed. Without it a server whose network unseal is
/// off could never be unsealed, so then failing to create it is an error.
fn start_local_unseal(config: &Config, host: &Arc<AppHost>) -> Result<Option<LocalUnseal>, String> {
    let path = config.unseal_socket_path();
    let shown = path.display();
    match LocalUnseal::start(&path, host) {
        Ok(local) => {
            let how = if config.network_unseal {
                "over the network or locally"
            } else {
                "locally only (network unseal is off)"
            };
            tracing::warn!(
                socket = %shown,
                "sealed: unseal {how}: `rampart operator unseal --socket {shown}`"
            );
            Ok(Some(local))
        }
        Err(err) if config.network_unseal => {
            tracing::warn!(error = %err, "sealed, and no local unseal socket: unseal over the network");
            Ok(None)
        }
        Err(err) => Err(format!(
            "network unseal is off and the local unseal socket cannot be created: {err}"
        )),
    }
}

/// The certificate served until unseal (from the data dir's files); unseal makes it one from
/// the cluster CA (`ca_store::adopt`). None with plain HTTP.
fn live_cert(config: &Config) -> Result<Option<Arc<LiveCert>>, String> {
    if config.plain_http {
        return Ok(None);
    }
    let leaf = crate::tls::ensure(&config.tls_dir(), config.listen)?;
    LiveCert::new(&leaf).map(|cert| Some(Arc::new(cert)))
}

/// The URL of the listening address `addr` (`localhost` for a loopback or unspecified
/// address): the banner's, and the public URL when none is configured.
fn advertised_url(config: &Config, addr: std::net::SocketAddr) -> String {
    let scheme = if config.plain_http { "http" } else { "https" };
    let host = match addr.ip() {
        ip if ip.is_loopback() || ip.is_unspecified() => "localhost".to_owned(),
        std::net::IpAddr::V6(ip) => format!("[{ip}]"),
        ip => ip.to_string(),
    };
    format!("{scheme}://{host}:{}", addr.port())
}

fn print_banner(config: &Config, addr: std::net::SocketAddr) {
    let url = advertised_url(config, addr);
    println!("Rampart listening on {url}");
    if config.dev {
        println!(
            "dev mode: plain HTTP, any access key accepted (a 12-digit key id selects that account)"
        );
        return;
    }
    let dir = std::fs::canonicalize(&config.data_dir).unwrap_or_else(|_| config.data_dir.clone());
    println!("Use it with:");
    println!(
        "  export AWS_SHARED_CREDENTIALS_FILE={}",
        dir.join("credentials").display()
    );
    if !config.plain_http {
        println!(
            "  export AWS_CA_BUNDLE={}",
            dir.join("tls").join("ca.pem").display()
        );
    }
    println!("  export AWS_ENDPOINT_URL={url} AWS_DEFAULT_REGION=us-east-1");
}

/// Registers the SIGINT and SIGTERM handlers now, before the banner (so a signal sent as soon
/// as the server answers is never met by the default action), and resolves when one arrives.
fn shutdown_signal() -> impl std::future::Future<Output = ()> {
    use tokio::signal::unix::{SignalKind, signal};
    let interrupt = signal(SignalKind::interrupt()).ok();
    let terminate = signal(SignalKind::terminate()).ok();
    async move {
        tokio::select! {
            () = wait_for(interrupt) => {},
            () = wait_for(terminate) => {},
        }
    }
}

async fn wait_for(signal: Option<tokio::signal::unix::Signal>) {
    match signal {
        Some(mut signal) => {
            signal.recv().await;
        }
        None => std::future::pending::<()>().await,
    }
}
