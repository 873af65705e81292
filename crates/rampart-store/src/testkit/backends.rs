//! Stores for the tests of service crates: every configured backend, each fresh and empty —
//! SQLite in a new temporary directory (removed on drop), and PostgreSQL in a new schema of
//! the database `RAMPART_TEST_POSTGRES_URL` names (dropped by [`TestStore::cleanup`]) when that
//! variable is set.

use crate::{Store, StoreError};
use std::path::PathBuf;

/// The variable naming the PostgreSQL database tests may create schemas in.
pub const POSTGRES_URL_VAR: &str = "RAMPART_TEST_POSTGRES_URL";

/// One fresh store for a test.
pub struct TestStore {
    pub store: Store,
    /// The SQLite store's directory, removed on drop.
    dir: Option<PathBuf>,
    /// The admin URL and the PostgreSQL store's schema, dropped by `cleanup`.
    schema: Option<(String, String)>,
    /// The PostgreSQL store's URL (search path set to its schema).
    url: Option<String>,
}

impl TestStore {
    /// A fresh store on every configured backend; `label` (a short identifier) names the
    /// PostgreSQL schema. Without `RAMPART_TEST_POSTGRES_URL` only SQLite, and a line saying so.
    pub async fn all(label: &str) -> Result<Vec<TestStore>, StoreError> {
        let mut out = vec![TestStore::sqlite().await?];
        out.extend(TestStore::postgres_if_configured(label).await?);
        Ok(out)
    }

    /// A fresh SQLite store in a new temporary directory.
    pub async fn sqlite() -> Result<TestStore, StoreError> {
        let name = format!("rampart-test-{:016x}", fastrand::u64(..));
        let dir = std::env::temp_dir().join(name);
        std::fs::create_dir_all(&dir).map_err(|e| StoreError::Backend(e.to_string()))?;
        let store = Store::open_sqlite(&dir.join("rampart.db")).await?;
        Ok(TestStore {
            store,
            dir: Some(dir),
            schema: None,
            url: None,
        })
    }

    /// A fresh PostgreSQL store in a new schema `rampart_<label>_<random>` of `admin_url`.
    pub async fn postgres(admin_url: &str, label: &str) -> Result<TestStore, StoreError> {
        let schema = format!("rampart_{label}_{:016x}", fastrand::u64(..));
        admin(admin_url, &format!("CREATE SCHEMA {schema}")).await?;
        let sep = if admin_url.contains('?') { '&' } else { '?' };
        let url = format!("{admin_url}{sep}options=-csearch_path%3D{schema}");
        let store = Store::open_postgres(&url).await?;
        Ok(TestStore {
            store,
            dir: None,
            schema: Some((admin_url.to_owned(), schema)),
            url: Some(url),
        })
    }

    /// A fresh PostgreSQL store as [`TestStore::postgres`], or `None` (and a line saying the
    /// run is skipped) when `RAMPART_TEST_POSTGRES_URL` is not set.
    pub async fn postgres_if_configured(label: &str) -> Result<Option<TestStore>, StoreError> {
        match std::env::var(POSTGRES_URL_VAR) {
            Ok(admin_url) => Ok(Some(TestStore::postgres(&admin_url, label).await?)),
            Err(_) => {
                eprintln!("{POSTGRES_URL_VAR} not set: skipping the PostgreSQL run");
                Ok(None)
            }
        }
    }

    /// Another store over the same database, as a second node would open it.
    pub async fn reopen(&self) -> Result<Store, StoreError> {
        match (&self.url, &self.dir) {
            (Some(url), _) => Store::open_postgres(url).await,
            (None, Some(dir)) => Store::open_sqlite(&dir.join("rampart.db")).await,
            (None, None) => Err(StoreError::Backend("test store already closed".into())),
        }
    }

    /// Drops the PostgreSQL schema (the SQLite directory goes on drop).
    pub async fn cleanup(mut self) -> Result<(), StoreError> {
        match self.schema.take() {
            Some((url, schema)) => admin(&url, &format!("DROP SCHEMA {schema} CASCADE")).await,
            None => Ok(()),
        }
    }
}

impl Drop for TestStore {
    fn drop(&mut self) {
        if let Some(dir) = &self.dir {
            let _ = std::fs::remove_dir_all(dir);
        }
    }
}

/// Runs `sql` on `url` as the administrator.
async fn admin(url: &str, sql: &str) -> Result<(), StoreError> {
    let backend = |e: tokio_postgres::Error| StoreError::Backend(e.to_string());
    let (client, conn) = tokio_postgres::connect(url, tokio_postgres::NoTls)
        .await
        .map_err(backend)?;
    let task = tokio::spawn(conn);
    let result = client.batch_execute(sql).await.map_err(backend);
    drop(client);
    let _ = task.await;
    result
}
