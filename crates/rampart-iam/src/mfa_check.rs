//! MFA codes checked for other services (STS's GetSessionToken with SerialNumber and
//! TokenCode): the code of the user's enabled virtual device at the current 30-second step or
//! one step either side, by the directory's clock, never a step already used.

use crate::Directory;
use crate::account_records::MfaDeviceRecord;
use crate::account_tables::AccountTables;
use crate::tables::entity_row;
use crate::totp;
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use rampart_crypto::root::DomainKey;
use rampart_store::{Expect, StoreError};
use zeroize::Zeroizing;

/// Compare-and-swap attempts when recording the step used.
const ATTEMPTS: usize = 5;

impl Directory {
    /// Whether `code` is the current code of the virtual MFA device `serial`, enabled for the
    /// user `user_id` of `account`; a code accepted is recorded so it cannot be replayed.
    pub async fn verify_mfa_code(
        &self,
        account: &str,
        user_id: &str,
        serial: &str,
        code: &str,
    ) -> Result<bool, String> {
        let Some(name) = serial
            .strip_prefix(&format!("arn:aws:iam::{account}:mfa/"))
            .and_then(|rest| rest.rsplit('/').next())
        else {
            return Ok(false);
        };
        let tables = AccountTables::new(&self.tables.store);
        let row = entity_row(account, name);
        let step = totp::step_at(self.now_ms());
        for _ in 0..ATTEMPTS {
            let found = tables
                .mfa_devices
                .get(&row)
                .await
                .map_err(|e| e.to_string())?;
            let Some(found) = found.filter(|d| d.value.serial() == serial) else {
                return Ok(false);
            };
            let mut device = found.value.clone();
            let Some(assigned) = device.user.as_mut().filter(|u| u.user_id == user_id) else {
                return Ok(false);
            };
            let seed = open_seed(self.credentials.sealing_key(), &found.value)?;
            let Some(matched) = current_step(&seed, code, step, assigned.last_step) else {
                return Ok(false);
            };
            assigned.last_step = matched;
            let put = tables
                .mfa_devices
                .put(&row, &device, Expect::Version(found.version))
                .map_err(|e| e.to_string())?;
            match self.tables.commit(account, vec![put]).await {
                Ok(()) => return Ok(true),
                Err(StoreError::Conflict { .. }) => continue,
                Err(err) => return Err(err.to_string()),
            }
        }
        Ok(false)
    }
}

/// The step within one of `now` (and after `last_used`) whose code is `code`.
fn current_step(seed: &str, code: &str, now: i64, last_used: i64) -> Option<i64> {
    let earliest = (now - 1).max(last_used + 1);
    (earliest..=now + 1).find(|s| totp::code(seed, *s).as_deref() == Some(code))
}

/// The seed of `device` (Base32 text), opened with the credentials domain key.
pub(crate) fn open_seed(
    key: &DomainKey,
    device: &MfaDeviceRecord,
) -> Result<Zeroizing<String>, String> {
    let blob = STANDARD
        .decode(&device.sealed_seed)
        .map_err(|e| e.to_string())?;
    let seed = key
        .unwrap(&blob, &seed_aad(&device.serial()))
        .map_err(|e| e.to_string())?;
    let text = String::from_utf8(seed.to_vec()).map_err(|_| "corrupt MFA seed".to_owned())?;
    Ok(Zeroizing::new(text))
}

/// The associated data sealing a device's seed.
pub(crate) fn seed_aad(serial: &str) -> Vec<u8> {
    format!("iam-mfa-seed:{serial}").into_bytes()
}
