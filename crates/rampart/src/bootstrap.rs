//! Start-up: open the store, and find, create or wait for the sealed root key.

use crate::config::{Config, SealChoice};
use rampart_crypto::root::RootKey;
use rampart_crypto::seal::{self, SealedRoot};
use rampart_store::{Expect, Store, Table};
use std::path::Path;
use zeroize::Zeroizing;

/// The metadata table (seal record, bootstrap markers).
pub const META_TABLE: &str = "rampart_meta";
const SEAL_KEY: &str = "seal";

/// The root key's state after start-up.
pub enum SealState {
    /// Unsealed: services can start.
    Unsealed(RootKey),
    /// Waiting for a passphrase or Shamir shares.
    Sealed,
}

/// Opens PostgreSQL when a URL is configured, else SQLite in the data dir.
pub async fn open_store(data_dir: &Path, database_url: Option<&str>) -> Result<Store, String> {
    match database_url {
        Some(url) => Store::open_postgres(url)
            .await
            .map_err(|e| format!("PostgreSQL: {e}")),
        None => {
            create_private_dir(data_dir)?;
            let path = data_dir.join("rampart.db");
            Store::open_sqlite(&path)
                .await
                .map_err(|e| format!("{}: {e}", path.display()))
        }
    }
}

/// Creates `dir` (mode 0700) if missing.
pub fn create_private_dir(dir: &Path) -> Result<(), String> {
    use std::os::unix::fs::DirBuilderExt;
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)
        .map_err(|e| format!("{}: {e}", dir.display()))
}

/// Writes `text` to `path` with mode 0600 (replacing it) and syncs it to disk.
pub fn write_private_file(path: &Path, text: &str) -> Result<(), String> {
    use std::io::Write as _;
    use std::os::unix::fs::OpenOptionsExt;
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(path)
        .map_err(|e| format!("{}: {e}", path.display()))?;
    file.write_all(text.as_bytes())
        .and_then(|()| file.sync_all())
        .map_err(|e| format!("{}: {e}", path.display()))
}

fn seal_table(store: &Store) -> Table<SealedRoot> {
    Table::new(store.clone(), META_TABLE)
}

/// The seal record stored in the database, if the store was initialised.
pub async fn read_sealed_root(store: &Store) -> Result<Option<SealedRoot>, String> {
    let found = seal_table(store)
        .get(SEAL_KEY)
        .await
        .map_err(|e| e.to_string())?;
    Ok(found.map(|v| v.value))
}

async fn put_sealed_root(store: &Store, sealed: &SealedRoot, expect: Expect) -> Result<(), String> {
    let write = seal_table(store)
        .put(SEAL_KEY, sealed, expect)
        .map_err(|e| e.to_string())?;
    store.transact(vec![write]).await.map_err(|e| e.to_string())
}

/// Stores the seal record; fails if another node initialised the store first.
pub async fn write_sealed_root(store: &Store, sealed: &SealedRoot) -> Result<(), String> {
    put_sealed_root(store, sealed, Expect::Absent)
        .await
        .map_err(|e| {
            format!("cannot record the seal (was the store initialised by another node?): {e}")
        })
}

/// Re-writes the seal record after a dev-mode wipe.
pub async fn rewrite_sealed_root(store: &Store, sealed: &SealedRoot) -> Result<(), String> {
    put_sealed_root(store, sealed, Expect::Any).await
}

/// Unseals with the key file or passphrase when possible, initialising a new store on first start.
pub async fn load_or_init(
    store: &Store,
    config: &Config,
) -> Result<(SealState, SealedRoot), String> {
    let keyfile = config.keyfile_path();
    let (state, sealed) = match read_sealed_root(store).await? {
        Some(sealed) => (unseal_at_start(&sealed, &keyfile).await?, sealed),
        None => {
            let (root, sealed) = init_seal(config.seal, &keyfile).await?;
            write_sealed_root(store, &sealed).await?;
            tracing::info!(mode = ?sealed.mode, "initialised a new root key");
            (SealState::Unsealed(root), sealed)
        }
    };
    if sealed.mode == seal::SealMode::KeyFile {
        warn_key_file(&config.data_dir, &keyfile);
    }
    Ok((state, sealed))
}

async fn init_seal(choice: SealChoice, keyfile: &Path) -> Result<(RootKey, SealedRoot), String> {
    let sealed = match choice {
        SealChoice::Keyfile => seal::init_keyfile(keyfile),
        SealChoice::Passphrase => {
            let pass = passphrase_from_env()?;
            off_the_workers(move || seal::init_passphrase(&pass)).await?
        }
    };
    sealed.map_err(|e| e.to_string())
}

async fn unseal_at_start(sealed: &SealedRoot, keyfile: &Path) -> Result<SealState, String> {
    match sealed.mode {
        seal::SealMode::KeyFile => seal::unseal_keyfile(sealed, keyfile)
            .map(SealState::Unsealed)
            .map_err(|e| format!("{}: {e}", keyfile.display())),
        seal::SealMode::Passphrase => match std::env::var("RAMPART_PASSPHRASE") {
            Ok(pass) => {
                let (pass, sealed) = (Zeroizing::new(pass), sealed.clone());
                off_the_workers(move || seal::unseal_passphrase(&sealed, &pass))
                    .await?
                    .map(SealState::Unsealed)
                    .map_err(|e| e.to_string())
            }
            Err(_) => Ok(SealState::Sealed),
        },
        seal::SealMode::Shamir { .. } => Ok(SealState::Sealed),
    }
}

/// Runs Argon2id (or other long CPU work) on the blocking pool, not on an async worker.
pub async fn off_the_workers<T: Send + 'static>(
    work: impl FnOnce() -> T + Send + 'static,
) -> Result<T, String> {
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|e| format!("key derivation stopped: {e}"))
}

/// Key-file mode unseals without an operator: say so at every start, naming the file, and
/// louder when it lies in the data dir (whoever reads the data dir or its backups has the key).
fn warn_key_file(data_dir: &Path, keyfile: &Path) {
    let resolve = |p: &Path| std::fs::canonicalize(p).unwrap_or_else(|_| p.to_path_buf());
    let beside = resolve(keyfile).starts_with(resolve(data_dir));
    let path = keyfile.display();
    if beside {
        tracing::warn!(
            key_file = %path,
            "key-file sealing: the root key's key file {path} lies beside the data, so whoever \
             can read the data dir or its backups can unseal it. Fine for dev and CI; otherwise \
             put it on another volume (--seal-key-file) or use passphrase or Shamir sealing"
        );
    } else {
        tracing::warn!(
            key_file = %path,
            "key-file sealing: the root key unseals at start, without an operator, from the \
             key file {path}; keep it off the data volume and out of the data's backups"
        );
    }
}

fn passphrase_from_env() -> Result<Zeroizing<String>, String> {
    let pass = std::env::var("RAMPART_PASSPHRASE")
        .map(Zeroizing::new)
        .map_err(|_| "--seal passphrase needs RAMPART_PASSPHRASE on first start".to_owned())?;
    if pass.chars().count() < 12 {
        return Err("the passphrase must be at least 12 characters".to_owned());
    }
    Ok(pass)
}
