//! PostgreSQL leases (see `crate::lease`): one upsert per acquire, so racing nodes never both
//! win (the loser waits on the row, then re-checks the `WHERE` against the winner's grant).

use super::{PgBackend, err};
use crate::StoreError;

const ACQUIRE: &str = "INSERT INTO leases (name, holder, token, expires_at) VALUES ($1, $2, 1, $3)
     ON CONFLICT (name) DO UPDATE
     SET holder = excluded.holder, token = leases.token + 1, expires_at = excluded.expires_at
     WHERE leases.expires_at <= $4 OR leases.holder = $2
     RETURNING token";
const RENEW: &str = "UPDATE leases SET expires_at = $4
     WHERE name = $1 AND holder = $2 AND token = $3 AND expires_at > $5";
const RELEASE: &str = "UPDATE leases SET expires_at = $4
     WHERE name = $1 AND holder = $2 AND token = $3 AND expires_at > $4";

impl PgBackend {
    /// The token of a new grant, or `None` while another holder's lease runs.
    pub(crate) async fn acquire_lease(
        &self,
        name: &str,
        holder: &str,
        expires_at: i64,
        now: i64,
    ) -> Result<Option<i64>, StoreError> {
        let client = self.client().await?;
        let stmt = client
            .prepare_cached(ACQUIRE)
            .await
            .map_err(err("acquire lease"))?;
        let row = client
            .query_opt(&stmt, &[&name, &holder, &expires_at, &now])
            .await
            .map_err(err("acquire lease"))?;
        row.map(|r| r.try_get(0).map_err(err("acquire lease")))
            .transpose()
    }

    pub(crate) async fn renew_lease(
        &self,
        (name, holder, token): (&str, &str, i64),
        expires_at: i64,
        now: i64,
    ) -> Result<bool, StoreError> {
        self.changes_a_row(
            "renew lease",
            RENEW,
            &[&name, &holder, &token, &expires_at, &now],
        )
        .await
    }

    /// Ends a grant by moving its expiry to the earliest time (`false` if already released).
    pub(crate) async fn release_lease(
        &self,
        (name, holder, token): (&str, &str, i64),
    ) -> Result<bool, StoreError> {
        self.changes_a_row(
            "release lease",
            RELEASE,
            &[&name, &holder, &token, &i64::MIN],
        )
        .await
    }
}
