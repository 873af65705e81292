//! The bootstrap admin: the default account's root access key, created on first start and
//! written to an AWS-format credentials file (0600). Access keys themselves live in
//! `rampart_iam::Credentials`.

use rampart_core::AccountId;
use rampart_iam::Directory;
use rampart_store::{Expect, Table};
use serde::{Deserialize, Serialize};
use std::path::Path;

/// Writes an AWS-format credentials file with mode 0600 (replacing any previous one).
pub fn write_credentials_file(
    path: &Path,
    access_key_id: &str,
    secret: &str,
) -> Result<(), String> {
    let text = format!(
        "[default]\naws_access_key_id = {access_key_id}\naws_secret_access_key = {secret}\n"
    );
    let tmp = path.with_extension("tmp");
    crate::bootstrap::write_private_file(&tmp, &text)?;
    std::fs::rename(&tmp, path).map_err(|e| format!("{}: {e}", path.display()))
}

/// Marker of the bootstrap admin key, kept in the meta table.
#[derive(Serialize, Deserialize)]
struct BootstrapRecord {
    access_key_id: String,
}

const BOOTSTRAP_KEY: &str = "bootstrap-admin";

/// Records the default account (`iam_accounts`), creates its admin key on first start and
/// (re)writes the credentials file.
pub async fn bootstrap_admin(
    dir: &Directory,
    account: &AccountId,
    file: &Path,
) -> Result<(), String> {
    crate::account::record_existing(&dir.tables, account).await?;
    let creds = &dir.credentials;
    let store = &dir.tables.store;
    let meta: Table<BootstrapRecord> = Table::new(store.clone(), crate::bootstrap::META_TABLE);
    let existing = meta.get(BOOTSTRAP_KEY).await.map_err(|e| e.to_string())?;
    let access_key_id = match existing {
        Some(_) if file.exists() => {
            tracing::info!(credentials = %file.display(), "admin credentials file present");
            return Ok(());
        }
        Some(record) => record.value.access_key_id,
        None => {
            let made = creds.new_root_key(account, dir.now_ms())?;
            let record = BootstrapRecord {
                access_key_id: made.access_key_id.clone(),
            };
            let write = meta
                .put(BOOTSTRAP_KEY, &record, Expect::Absent)
                .map_err(|e| e.to_string())?;
            store
                .transact(vec![made.write, write])
                .await
                .map_err(|e| e.to_string())?;
            made.access_key_id
        }
    };
    let active = creds
        .find(&access_key_id)
        .await?
        .ok_or("bootstrap key vanished")?;
    write_credentials_file(file, &access_key_id, &active.secret)?;
    tracing::info!(credentials = %file.display(), access_key_id, "wrote the admin credentials file");
    Ok(())
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    #[test]
    fn credentials_file_is_private_and_aws_formatted() {
        let dir = std::env::temp_dir().join(format!("rampart-creds-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("credentials");
        write_credentials_file(&path, "AKIAEXAMPLE", "secret").unwrap();
        let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(text.starts_with("[default]\naws_access_key_id = AKIAEXAMPLE\n"));
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
