//! PostgreSQL for the rotation templates (tokio-postgres, no TLS): names and passwords are
//! quoted by the server (`quote_ident`, `quote_literal`) before they go into `ALTER USER` /
//! `CREATE ROLE`, which take no bind parameters, as the templates quote them. The password
//! itself never goes into a statement: it is sent as its SCRAM-SHA-256 verifier, computed
//! here with a fresh salt (as libpq's `PQencryptPasswordConn` and psql's `\password` do), which
//! the server stores as it is. tokio-postgres logs statements and their parameters at debug
//! level, so a plaintext password there would reach Rampart's log.

use super::db::{CONNECT_TIMEOUT, Target};
use crate::rotation::StepFailure;
use tokio::task::JoinHandle;
use tokio_postgres::config::SslMode;
use tokio_postgres::{Client, GenericClient, NoTls};

/// A logged-in PostgreSQL session and the task driving its connection.
pub(super) struct PgSession {
    client: Client,
    connection: JoinHandle<()>,
}

/// Connects and authenticates as `target` (database `postgres` when it names none); the
/// reason of a failure otherwise.
pub(super) async fn login(target: &Target) -> Result<PgSession, String> {
    let mut config = tokio_postgres::Config::new();
    config
        .host(&target.host)
        .port(target.port)
        .user(&target.user)
        .password(&target.password)
        .dbname(target.dbname.as_deref().unwrap_or("postgres"))
        .connect_timeout(CONNECT_TIMEOUT)
        .ssl_mode(SslMode::Disable);
    let (client, connection) = config.connect(NoTls).await.map_err(|e| describe(&e))?;
    let connection = tokio::spawn(async move {
        let _ = connection.await;
    });
    Ok(PgSession { client, connection })
}

/// A login error: the server's message (it never repeats the password), or the client's.
fn describe(err: &tokio_postgres::Error) -> String {
    match err.as_db_error() {
        Some(db) => db.message().to_string(),
        None => err.to_string(),
    }
}

/// A refused statement: only its SQLSTATE, since a message could quote the statement.
fn refused(what: &str, err: &tokio_postgres::Error) -> StepFailure {
    match err.code() {
        Some(state) => StepFailure(format!(
            "PostgreSQL refused {what} (SQLSTATE {})",
            state.code()
        )),
        None => StepFailure(format!("PostgreSQL connection failed during {what}")),
    }
}

/// `SELECT quote_ident($1)` for each name and `quote_literal` for the password's SCRAM
/// verifier.
async fn quoted(
    client: &impl GenericClient,
    names: [&str; 2],
    password: &str,
) -> Result<[String; 3], StepFailure> {
    let verifier = postgres_protocol::password::scram_sha_256(password.as_bytes());
    let sql = "SELECT quote_ident($1), quote_ident($2), quote_literal($3)";
    let row = client
        .query_one(sql, &[&names[0], &names[1], &verifier])
        .await
        .map_err(|e| refused("quoting the user names", &e))?;
    let column = |i: usize| -> Result<String, StepFailure> {
        row.try_get::<_, String>(i)
            .map_err(|e| refused("quoting the user names", &e))
    };
    Ok([column(0)?, column(1)?, column(2)?])
}

impl PgSession {
    /// `ALTER USER <username> WITH PASSWORD <password>` as the user itself.
    pub(super) async fn set_own_password(
        &mut self,
        username: &str,
        password: &str,
    ) -> Result<(), StepFailure> {
        let [user, _, literal] = quoted(&self.client, [username, username], password).await?;
        self.client
            .batch_execute(&format!("ALTER USER {user} WITH PASSWORD {literal}"))
            .await
            .map_err(|e| refused("the password change (ALTER USER)", &e))
    }

    /// As the master, in one transaction: `pending` created `WITH LOGIN PASSWORD` and made a
    /// member of `current` (`GRANT current TO pending`) when no such role exists, else its
    /// password changed.
    pub(super) async fn clone_user(
        &mut self,
        current: &str,
        pending: &str,
        password: &str,
    ) -> Result<(), StepFailure> {
        let tx = self
            .client
            .transaction()
            .await
            .map_err(|e| refused("a transaction", &e))?;
        let [pending_id, current_id, literal] = quoted(&tx, [pending, current], password).await?;
        let exists = tx
            .query_opt("SELECT 1 FROM pg_roles WHERE rolname = $1", &[&pending])
            .await
            .map_err(|e| refused("the role look-up", &e))?
            .is_some();
        let statements = match exists {
            false => format!(
                "CREATE ROLE {pending_id} WITH LOGIN PASSWORD {literal}; \
                 GRANT {current_id} TO {pending_id}"
            ),
            true => format!("ALTER USER {pending_id} WITH PASSWORD {literal}"),
        };
        tx.batch_execute(&statements)
            .await
            .map_err(|e| refused("creating or updating the alternate user", &e))?;
        tx.commit().await.map_err(|e| refused("the commit", &e))
    }

    /// As the master: when no role `user` exists, `CREATE ROLE <user> WITH LOGIN PASSWORD …`
    /// and `GRANT CONNECT ON DATABASE <dbname>` to it (the single-user template, given a
    /// `masterarn`).
    pub(super) async fn create_user_if_absent(
        &mut self,
        user: &str,
        password: &str,
        dbname: &str,
    ) -> Result<(), StepFailure> {
        let tx = self
            .client
            .transaction()
            .await
            .map_err(|e| refused("a transaction", &e))?;
        let [user_id, db_id, literal] = quoted(&tx, [user, dbname], password).await?;
        let exists = tx
            .query_opt("SELECT 1 FROM pg_roles WHERE rolname = $1", &[&user])
            .await
            .map_err(|e| refused("the role look-up", &e))?
            .is_some();
        if !exists {
            let statements = format!(
                "CREATE ROLE {user_id} WITH LOGIN PASSWORD {literal}; \
                 GRANT CONNECT ON DATABASE {db_id} TO {user_id}"
            );
            tx.batch_execute(&statements)
                .await
                .map_err(|e| refused("creating the user", &e))?;
        }
        tx.commit().await.map_err(|e| refused("the commit", &e))
    }

    /// `SELECT NOW()`.
    pub(super) async fn probe(&mut self) -> Result<(), StepFailure> {
        self.client
            .batch_execute("SELECT NOW()")
            .await
            .map_err(|e| refused("SELECT NOW()", &e))
    }

    /// Closes the connection.
    pub(super) async fn close(self) {
        drop(self.client);
        let _ = self.connection.await;
    }
}
