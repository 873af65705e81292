//! Start-up: open the store, and find, create or wait for the sealed root key.

use crate::config::{Config, SealChoice};
use rampart_crypto::root::RootKey;
use rampart_crypto::seal::{self, SealedRoot};
use rampart_store::{Expect, Store, Table};
use std::path::Path;

/// The metadata table (seal record, bootstrap markers).
pub const META_TABLE: &str = "meta";
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
    match read_sealed_root(store).await? {
        Some(sealed) => Ok((unseal_at_start(&sealed, &keyfile)?, sealed)),
        None => {
            let (root, sealed) = match config.seal {
                SealChoice::Keyfile => seal::init_keyfile(&keyfile),
                SealChoice::Passphrase => seal::init_passphrase(&passphrase_from_env()?),
            }
            .map_err(|e| e.to_string())?;
            write_sealed_root(store, &sealed).await?;
            tracing::info!(mode = ?sealed.mode, "initialised a new root key");
            Ok((SealState::Unsealed(root), sealed))
        }
    }
}

fn unseal_at_start(sealed: &SealedRoot, keyfile: &Path) -> Result<SealState, String> {
    match sealed.mode {
        seal::SealMode::KeyFile => seal::unseal_keyfile(sealed, keyfile)
            .map(SealState::Unsealed)
            .map_err(|e| format!("{}: {e}", keyfile.display())),
        seal::SealMode::Passphrase => match std::env::var("RAMPART_PASSPHRASE") {
            Ok(pass) => seal::unseal_passphrase(sealed, &pass)
                .map(SealState::Unsealed)
                .map_err(|e| e.to_string()),
            Err(_) => Ok(SealState::Sealed),
        },
        seal::SealMode::Shamir { .. } => Ok(SealState::Sealed),
    }
}

fn passphrase_from_env() -> Result<String, String> {
    let pass = std::env::var("RAMPART_PASSPHRASE")
        .map_err(|_| "--seal passphrase needs RAMPART_PASSPHRASE on first start".to_owned())?;
    if pass.chars().count() < 12 {
        return Err("the passphrase must be at least 12 characters".to_owned());
    }
    Ok(pass)
}
