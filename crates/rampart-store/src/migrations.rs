//! Versioned schema migrations, the same logical schema on SQLite and PostgreSQL.
//!
//! Applied versions are recorded in `schema_migrations`. Each migration runs once, in its own
//! transaction together with its `schema_migrations` row. On SQLite the transaction is
//! `BEGIN IMMEDIATE` (one writer at a time); on PostgreSQL it first takes a transaction-scoped
//! advisory lock, so several nodes starting at once apply each migration exactly once.
//! A database migrated by a newer binary (an unknown version) is refused.

use crate::StoreError;

/// One schema step, in both dialects.
pub(crate) struct Migration {
    pub version: i64,
    pub name: &'static str,
    pub sqlite: &'static str,
    pub postgres: &'static str,
}

/// All migrations, in ascending version order. Never edit an applied one: add a new step.
pub(crate) const MIGRATIONS: &[Migration] = &[
    Migration {
        version: 1,
        name: "records and logs",
        sqlite: "
        CREATE TABLE records (
            tbl     TEXT    NOT NULL,
            key     BLOB    NOT NULL,
            version INTEGER NOT NULL,
            value   BLOB    NOT NULL,
            PRIMARY KEY (tbl, key)
        ) WITHOUT ROWID;
        CREATE TABLE log_entries (
            seq   INTEGER PRIMARY KEY AUTOINCREMENT,
            log   TEXT    NOT NULL,
            entry BLOB    NOT NULL
        );
        CREATE INDEX log_entries_by_log ON log_entries (log, seq);
    ",
        postgres: "
        CREATE TABLE records (
            tbl     TEXT   NOT NULL,
            key     BYTEA  NOT NULL,
            version BIGINT NOT NULL,
            value   BYTEA  NOT NULL,
            PRIMARY KEY (tbl, key)
        );
        CREATE TABLE log_entries (
            seq   BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            log   TEXT   NOT NULL,
            entry BYTEA  NOT NULL
        );
        CREATE INDEX log_entries_by_log ON log_entries (log, seq);
    ",
    },
    Migration {
        version: 2,
        name: "work queues",
        sqlite: "
        CREATE TABLE queue_items (
            id         INTEGER PRIMARY KEY AUTOINCREMENT,
            queue      TEXT    NOT NULL,
            payload    BLOB    NOT NULL,
            visible_at INTEGER NOT NULL,
            attempts   INTEGER NOT NULL DEFAULT 0,
            token      INTEGER NOT NULL DEFAULT 0,
            consumer   TEXT,
            dead       INTEGER NOT NULL DEFAULT 0,
            dedup_key  BLOB
        );
        CREATE INDEX queue_items_due ON queue_items (queue, dead, visible_at, id);
        CREATE UNIQUE INDEX queue_items_dedup ON queue_items (queue, dedup_key)
            WHERE dedup_key IS NOT NULL AND dead = 0;
    ",
        postgres: "
        CREATE TABLE queue_items (
            id         BIGINT  GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            queue      TEXT    NOT NULL,
            payload    BYTEA   NOT NULL,
            visible_at BIGINT  NOT NULL,
            attempts   BIGINT  NOT NULL DEFAULT 0,
            token      BIGINT  NOT NULL DEFAULT 0,
            consumer   TEXT,
            dead       BOOLEAN NOT NULL DEFAULT false,
            dedup_key  BYTEA
        );
        CREATE INDEX queue_items_due ON queue_items (queue, dead, visible_at, id);
        CREATE UNIQUE INDEX queue_items_dedup ON queue_items (queue, dedup_key)
            WHERE dedup_key IS NOT NULL AND NOT dead;
    ",
    },
    Migration {
        version: 3,
        name: "leases",
        sqlite: "
        CREATE TABLE leases (
            name       TEXT    PRIMARY KEY,
            holder     TEXT    NOT NULL,
            token      INTEGER NOT NULL,
            expires_at INTEGER NOT NULL
        ) WITHOUT ROWID;
    ",
        postgres: "
        CREATE TABLE leases (
            name       TEXT   PRIMARY KEY,
            holder     TEXT   NOT NULL,
            token      BIGINT NOT NULL,
            expires_at BIGINT NOT NULL
        );
    ",
    },
    Migration {
        version: 4,
        name: "namespaced tables",
        sqlite: RENAME_TABLES,
        postgres: RENAME_TABLES,
    },
];

/// Every table is named after the module owning it (`<module>_...`): IAM's access keys and the
/// host's seal and CA rows move out of the unprefixed `credentials` and `meta`.
const RENAME_TABLES: &str = "
    UPDATE records SET tbl = 'iam_access_keys' WHERE tbl = 'credentials';
    UPDATE records SET tbl = 'rampart_meta' WHERE tbl = 'meta';
";

const CREATE_SQLITE: &str = "CREATE TABLE IF NOT EXISTS schema_migrations (
    version    INTEGER PRIMARY KEY,
    name       TEXT NOT NULL,
    applied_at TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP
)";

const CREATE_POSTGRES: &str = "CREATE TABLE IF NOT EXISTS schema_migrations (
    version    BIGINT PRIMARY KEY,
    name       TEXT NOT NULL,
    applied_at TIMESTAMPTZ NOT NULL DEFAULT now()
)";

/// Advisory lock class for Rampart (`pg_advisory_xact_lock(int4, int4)` first argument).
pub(crate) const PG_LOCK_CLASS: i32 = 0x5241_4d50; // "RAMP"
/// Advisory lock object id used while migrating.
const PG_LOCK_MIGRATE: i32 = 0;

fn latest() -> i64 {
    MIGRATIONS.last().map_or(0, |m| m.version)
}

fn too_new(found: i64) -> StoreError {
    StoreError::Backend(format!(
        "database schema version {found} is newer than this binary supports ({})",
        latest()
    ))
}

fn sqlite_err(context: &str) -> impl Fn(rusqlite::Error) -> StoreError + '_ {
    move |e| StoreError::Backend(format!("sqlite migration {context}: {e}"))
}

/// Brings a SQLite database up to the latest schema.
pub(crate) fn migrate_sqlite(conn: &mut rusqlite::Connection) -> Result<(), StoreError> {
    use rusqlite::{OptionalExtension, TransactionBehavior};
    conn.execute(CREATE_SQLITE, [])
        .map_err(sqlite_err("setup"))?;
    for m in MIGRATIONS {
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(sqlite_err(m.name))?;
        let max: Option<i64> = tx
            .query_row("SELECT MAX(version) FROM schema_migrations", [], |r| {
                r.get(0)
            })
            .optional()
            .map_err(sqlite_err(m.name))?
            .flatten();
        if max.unwrap_or(0) > latest() {
            return Err(too_new(max.unwrap_or(0)));
        }
        let applied = tx
            .query_row(
                "SELECT 1 FROM schema_migrations WHERE version = ?1",
                [m.version],
                |_| Ok(()),
            )
            .optional()
            .map_err(sqlite_err(m.name))?
            .is_some();
        if !applied {
            tx.execute_batch(m.sqlite).map_err(sqlite_err(m.name))?;
            tx.execute(
                "INSERT INTO schema_migrations (version, name) VALUES (?1, ?2)",
                rusqlite::params![m.version, m.name],
            )
            .map_err(sqlite_err(m.name))?;
            tracing::info!(
                version = m.version,
                name = m.name,
                "applied sqlite migration"
            );
        }
        tx.commit().map_err(sqlite_err(m.name))?;
    }
    Ok(())
}

fn pg_err(context: &str) -> impl Fn(tokio_postgres::Error) -> StoreError + '_ {
    move |e| crate::postgres::pg_error(&format!("postgres migration {context}"), e)
}

/// Brings a PostgreSQL schema up to the latest version, safe against concurrent nodes.
pub(crate) async fn migrate_postgres(
    client: &mut deadpool_postgres::Client,
) -> Result<(), StoreError> {
    for m in MIGRATIONS {
        let tx = client.transaction().await.map_err(pg_err(m.name))?;
        tx.execute(
            "SELECT pg_advisory_xact_lock($1, $2)",
            &[&PG_LOCK_CLASS, &PG_LOCK_MIGRATE],
        )
        .await
        .map_err(pg_err(m.name))?;
        tx.batch_execute(CREATE_POSTGRES)
            .await
            .map_err(pg_err(m.name))?;
        let row = tx
            .query_one("SELECT MAX(version) FROM schema_migrations", &[])
            .await
            .map_err(pg_err(m.name))?;
        let max: Option<i64> = row.get(0);
        if max.unwrap_or(0) > latest() {
            return Err(too_new(max.unwrap_or(0)));
        }
        let applied = tx
            .query_opt(
                "SELECT 1 FROM schema_migrations WHERE version = $1",
                &[&m.version],
            )
            .await
            .map_err(pg_err(m.name))?
            .is_some();
        if !applied {
            tx.batch_execute(m.postgres).await.map_err(pg_err(m.name))?;
            tx.execute(
                "INSERT INTO schema_migrations (version, name) VALUES ($1, $2)",
                &[&m.version, &m.name],
            )
            .await
            .map_err(pg_err(m.name))?;
            tracing::info!(
                version = m.version,
                name = m.name,
                "applied postgres migration"
            );
        }
        tx.commit().await.map_err(pg_err(m.name))?;
    }
    Ok(())
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn versions_ascend() {
        let versions: Vec<i64> = MIGRATIONS.iter().map(|m| m.version).collect();
        assert!(versions.windows(2).all(|w| w[0] < w[1]));
        assert_eq!(versions.first(), Some(&1));
    }

    #[test]
    fn sqlite_migration_is_idempotent() -> Result<(), StoreError> {
        let mut conn = rusqlite::Connection::open_in_memory()
            .map_err(|e| StoreError::Backend(e.to_string()))?;
        migrate_sqlite(&mut conn)?;
        migrate_sqlite(&mut conn)?;
        let n: i64 = conn
            .query_row("SELECT COUNT(*) FROM schema_migrations", [], |r| r.get(0))
            .map_err(|e| StoreError::Backend(e.to_string()))?;
        assert_eq!(n, i64::try_from(MIGRATIONS.len()).unwrap_or(0));
        Ok(())
    }

    #[test]
    fn rows_of_unprefixed_tables_move_to_their_modules() {
        let mut conn = rusqlite::Connection::open_in_memory().unwrap();
        migrate_sqlite(&mut conn).unwrap();
        conn.execute_batch(
            "DELETE FROM schema_migrations WHERE version = 4;
             INSERT INTO records VALUES ('credentials', X'61', 1, X'00');
             INSERT INTO records VALUES ('meta', X'73', 2, X'01');
             INSERT INTO records VALUES ('kms_keys', X'6b', 3, X'02');",
        )
        .unwrap();
        migrate_sqlite(&mut conn).unwrap();
        let mut stmt = conn
            .prepare("SELECT tbl, version FROM records ORDER BY tbl")
            .unwrap();
        let rows: Vec<(String, i64)> = stmt
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        let expected = [("iam_access_keys", 1), ("kms_keys", 3), ("rampart_meta", 2)];
        let expected: Vec<(String, i64)> = expected
            .iter()
            .map(|(t, v)| ((*t).to_owned(), *v))
            .collect();
        assert_eq!(rows, expected);
    }
}
