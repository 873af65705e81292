//! Runs the store testkit against SQLite (always) and PostgreSQL (when
//! `RAMPART_TEST_POSTGRES_URL` is set; an unreachable server then fails the tests).

use rampart_store::testkit::{self, TestFailure, TestResult};
use rampart_store::{Store, StoreError};

/// One `#[tokio::test]` per testkit check, each on a fresh database from `$open`.
macro_rules! suite {
    ($open:path; $($name:ident),* $(,)?) => { $(
        #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
        async fn $name() -> TestResult {
            let Some(db) = $open().await? else { return Ok(()) };
            let result = testkit::$name(&db.store).await;
            db.cleanup().await?;
            result
        }
    )* };
}

fn failure(context: &str, e: impl std::fmt::Display) -> TestFailure {
    TestFailure(format!("{context}: {e}"))
}

mod sqlite {
    use super::*;

    pub struct Db {
        pub store: Store,
        _dir: tempfile::TempDir,
    }

    impl Db {
        pub async fn cleanup(self) -> TestResult {
            Ok(())
        }
    }

    pub async fn open() -> Result<Option<Db>, TestFailure> {
        let dir = tempfile::tempdir().map_err(|e| failure("tempdir", e))?;
        let store = Store::open_sqlite(&dir.path().join("db/rampart.db")).await?;
        Ok(Some(Db { store, _dir: dir }))
    }

    suite!(open; cas_create_update_conflict, transaction_atomicity, delete_semantics,
        scan_prefix_and_pagination, log_append_and_read, log_read_backwards, wipe_clears_everything,
        concurrent_writers_race, typed_table, multi_row_opposite_orders, conflicts_retried,
        append_in_transaction, append_in_transaction_races, queue_claim_lease_ack,
        queue_retry_dead_letter, queue_dedup, queue_concurrent_consumers, queue_ack_many,
        lease_acquire_renew_release, lease_racing_acquirers, fence_at_commit,
        scan_keys_and_get_many, indexed_table);

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn reopen_persistence() -> TestResult {
        let dir = tempfile::tempdir().map_err(|e| failure("tempdir", e))?;
        let path = dir.path().join("rampart.db");
        let store = Store::open_sqlite(&path).await?;
        testkit::reopen_persistence(store, || Store::open_sqlite(&path)).await
    }
}

mod postgres {
    use super::*;
    use std::sync::atomic::{AtomicU32, Ordering};
    use tokio_postgres::NoTls;

    const URL_VAR: &str = "RAMPART_TEST_POSTGRES_URL";

    /// A store in its own freshly created schema, dropped again by `cleanup`.
    pub struct Db {
        pub store: Store,
        admin_url: String,
        schema: String,
    }

    impl Db {
        pub async fn cleanup(self) -> TestResult {
            drop(self.store);
            admin(
                &self.admin_url,
                &format!("DROP SCHEMA {} CASCADE", self.schema),
            )
            .await
        }
    }

    async fn admin(url: &str, sql: &str) -> TestResult {
        let (client, conn) = tokio_postgres::connect(url, NoTls).await.map_err(|e| {
            failure(
                &format!("{URL_VAR} is set but the server is unreachable"),
                e,
            )
        })?;
        let task = tokio::spawn(conn);
        client
            .batch_execute(sql)
            .await
            .map_err(|e| failure(sql, e))?;
        drop(client);
        task.await
            .map_err(|e| failure("connection task", e))?
            .map_err(|e| failure("conn", e))
    }

    /// A schema name unique to this process and call.
    fn fresh_schema() -> String {
        static COUNTER: AtomicU32 = AtomicU32::new(0);
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.subsec_nanos());
        let n = COUNTER.fetch_add(1, Ordering::Relaxed);
        format!("rampart_test_{}_{nanos}_{n}", std::process::id())
    }

    /// `url` with the search path set to `schema`.
    fn scoped_url(url: &str, schema: &str) -> String {
        let sep = if url.contains('?') { '&' } else { '?' };
        format!("{url}{sep}options=-csearch_path%3D{schema}")
    }

    async fn open_url() -> Result<Option<(String, String, String)>, TestFailure> {
        let Ok(url) = std::env::var(URL_VAR) else {
            eprintln!("{URL_VAR} not set: skipping PostgreSQL conformance test");
            return Ok(None);
        };
        let schema = fresh_schema();
        admin(&url, &format!("CREATE SCHEMA {schema}")).await?;
        let scoped = scoped_url(&url, &schema);
        Ok(Some((url, schema, scoped)))
    }

    pub async fn open() -> Result<Option<Db>, TestFailure> {
        let Some((admin_url, schema, url)) = open_url().await? else {
            return Ok(None);
        };
        let store = Store::open_postgres(&url).await?;
        Ok(Some(Db {
            store,
            admin_url,
            schema,
        }))
    }

    suite!(open; cas_create_update_conflict, transaction_atomicity, delete_semantics,
        scan_prefix_and_pagination, log_append_and_read, log_read_backwards, wipe_clears_everything,
        concurrent_writers_race, typed_table, multi_row_opposite_orders, conflicts_retried,
        append_in_transaction, append_in_transaction_races, queue_claim_lease_ack,
        queue_retry_dead_letter, queue_dedup, queue_concurrent_consumers, queue_ack_many,
        lease_acquire_renew_release, lease_racing_acquirers, fence_at_commit,
        scan_keys_and_get_many, indexed_table);

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn reopen_persistence() -> TestResult {
        let Some((admin_url, schema, url)) = open_url().await? else {
            return Ok(());
        };
        let store = Store::open_postgres(&url).await?;
        let result = testkit::reopen_persistence(store, || Store::open_postgres(&url)).await;
        admin(&admin_url, &format!("DROP SCHEMA {schema} CASCADE")).await?;
        result
    }

    /// Two nodes starting at once on an empty schema both come up; the schema is migrated once.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn concurrent_startup_migrates_once() -> TestResult {
        let Some((admin_url, schema, url)) = open_url().await? else {
            return Ok(());
        };
        let (a, b) = tokio::join!(Store::open_postgres(&url), Store::open_postgres(&url));
        let (a, b): (Store, Store) = (a?, b?);
        a.append("audit", vec![vec![1]]).await?;
        let seen = b.read_log("audit", 0, 10).await?;
        drop((a, b));
        admin(&admin_url, &format!("DROP SCHEMA {schema} CASCADE")).await?;
        if seen.len() == 1 {
            Ok(())
        } else {
            Err(failure("second node", "did not see the entry"))
        }
    }

    #[tokio::test]
    async fn unreachable_server_is_an_error() {
        let result = Store::open_postgres("postgres://postgres@127.0.0.1:1/none").await;
        assert!(matches!(result, Err(StoreError::Backend(_))));
    }
}
