//! The SQL behind SQLite leases (see `crate::lease`), run on the writer connection.

use super::sqlite_error;
use crate::StoreError;
use rusqlite::{Connection, OptionalExtension, params};

const ACQUIRE: &str = "INSERT INTO leases (name, holder, token, expires_at) VALUES (?1, ?2, 1, ?3)
     ON CONFLICT (name) DO UPDATE
     SET holder = excluded.holder, token = leases.token + 1, expires_at = excluded.expires_at
     WHERE leases.expires_at <= ?4 OR leases.holder = ?2
     RETURNING token";
const RENEW: &str = "UPDATE leases SET expires_at = ?4
     WHERE name = ?1 AND holder = ?2 AND token = ?3 AND expires_at > ?5";
const RELEASE: &str = "UPDATE leases SET expires_at = ?4
     WHERE name = ?1 AND holder = ?2 AND token = ?3 AND expires_at > ?4";

/// The token of a new grant, or `None` while another holder's lease runs.
pub(super) fn acquire(
    conn: &mut Connection,
    (name, holder): (&str, &str),
    expires_at: i64,
    now: i64,
) -> Result<Option<i64>, StoreError> {
    let mut stmt = conn
        .prepare_cached(ACQUIRE)
        .map_err(|e| sqlite_error("acquire lease", e))?;
    stmt.query_row(params![name, holder, expires_at, now], |r| r.get(0))
        .optional()
        .map_err(|e| sqlite_error("acquire lease", e))
}

pub(super) fn renew(
    conn: &mut Connection,
    (name, holder, token): (&str, &str, i64),
    expires_at: i64,
    now: i64,
) -> Result<bool, StoreError> {
    let mut stmt = conn
        .prepare_cached(RENEW)
        .map_err(|e| sqlite_error("renew lease", e))?;
    let n = stmt
        .execute(params![name, holder, token, expires_at, now])
        .map_err(|e| sqlite_error("renew lease", e))?;
    Ok(n > 0)
}

/// Ends a grant by moving its expiry to the earliest time (`false` if already released).
pub(super) fn release(
    conn: &mut Connection,
    (name, holder, token): (&str, &str, i64),
) -> Result<bool, StoreError> {
    let mut stmt = conn
        .prepare_cached(RELEASE)
        .map_err(|e| sqlite_error("release lease", e))?;
    let n = stmt
        .execute(params![name, holder, token, i64::MIN])
        .map_err(|e| sqlite_error("release lease", e))?;
    Ok(n > 0)
}
