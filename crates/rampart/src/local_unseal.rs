//! The local unseal socket `<data-dir>/unseal.sock`: created (mode 0600) while the server is
//! sealed, served by [`rampart_wire::local`], removed once the server unseals or stops.

use crate::host::{AppHost, SharedHost};
use std::os::unix::fs::{FileTypeExt as _, PermissionsExt as _};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use tokio::net::UnixListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

/// The running local socket.
pub struct LocalUnseal {
    stop: oneshot::Sender<()>,
    task: JoinHandle<()>,
}

impl LocalUnseal {
    /// Binds `path` and serves it until the host unseals or [`LocalUnseal::stop`] is called.
    pub fn start(path: &Path, host: &Arc<AppHost>) -> Result<Self, String> {
        let listener = bind(path)?;
        let (stop, stopped) = oneshot::channel::<()>();
        let served = Arc::new(SharedHost(host.clone()));
        let waiting = host.clone();
        let path = path.to_path_buf();
        let task = tokio::spawn(async move {
            let until = async move {
                tokio::select! {
                    () = waiting.wait_unsealed() => {}
                    _ = stopped => {}
                }
            };
            rampart_wire::local::serve_local(listener, served, until).await;
            remove(&path);
        });
        Ok(LocalUnseal { stop, task })
    }

    /// Stops serving and removes the socket file.
    pub async fn stop(self) {
        let _ = self.stop.send(());
        let _ = self.task.await;
    }
}

/// Binds a new socket at `path` with mode 0600: bound under a temporary name, restricted, then
/// renamed into place, so it is never reachable with looser permissions. A stale socket (no
/// listener) is replaced; a live one or any other file is an error.
fn bind(path: &Path) -> Result<UnixListener, String> {
    let shown = path.display();
    match std::fs::symlink_metadata(path) {
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => {}
        Err(err) => return Err(format!("{shown}: {err}")),
        Ok(meta) if !meta.file_type().is_socket() => {
            return Err(format!("{shown} exists and is not a socket"));
        }
        Ok(_) if std::os::unix::net::UnixStream::connect(path).is_ok() => {
            return Err(format!("{shown}: another server is listening on it"));
        }
        Ok(_) => std::fs::remove_file(path).map_err(|e| format!("{shown}: {e}"))?,
    }
    let staging = staging_path(path);
    let _ = std::fs::remove_file(&staging);
    let listener = UnixListener::bind(&staging).map_err(|e| format!("{shown}: {e}"))?;
    let placed = std::fs::set_permissions(&staging, std::fs::Permissions::from_mode(0o600))
        .and_then(|()| std::fs::rename(&staging, path));
    if let Err(err) = placed {
        let _ = std::fs::remove_file(&staging);
        return Err(format!("{shown}: {err}"));
    }
    Ok(listener)
}

fn staging_path(path: &Path) -> PathBuf {
    let mut name = path.file_name().unwrap_or_default().to_os_string();
    name.push(format!(".{}.tmp", std::process::id()));
    path.with_file_name(name)
}

fn remove(path: &Path) {
    match std::fs::remove_file(path) {
        Ok(()) => tracing::info!(path = %path.display(), "local unseal socket closed"),
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => {}
        Err(err) => {
            tracing::warn!(path = %path.display(), error = %err, "cannot remove the local unseal socket")
        }
    }
}
