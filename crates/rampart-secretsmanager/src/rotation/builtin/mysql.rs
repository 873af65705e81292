//! MySQL and MariaDB for the rotation templates (mysql_async, text protocol, no TLS). Values go
//! into the statements as escaped literals, the way the templates' PyMySQL interpolates its
//! parameters, with the escaping the session's `sql_mode` calls for (`NO_BACKSLASH_ESCAPES`).
//! The statements are the templates': MariaDB `SET PASSWORD = PASSWORD(…)` and `GRANT … TO
//! <user> IDENTIFIED BY …`; MySQL `SET PASSWORD` (a plain literal from version 8),
//! `CREATE USER … IDENTIFIED BY …`, the grants, then `SET PASSWORD FOR`; both copy the
//! user's TLS requirement (`REQUIRE …`) to the alternate user.

use super::Engine;
use super::db::Target;
use crate::rotation::StepFailure;
use mysql_async::prelude::Queryable;
use mysql_async::{Conn, OptsBuilder, Value};

/// A logged-in MySQL or MariaDB session.
pub(super) struct MySession {
    conn: Conn,
    /// `NO_BACKSLASH_ESCAPES` is in the session's `sql_mode`.
    no_backslash_escapes: bool,
    /// `SELECT VERSION()`.
    version: String,
}

/// Connects over TCP and authenticates as `target`; the reason of a failure otherwise.
pub(super) async fn login(target: &Target) -> Result<MySession, String> {
    let opts = OptsBuilder::default()
        .ip_or_hostname(target.host.clone())
        .tcp_port(target.port)
        .user(Some(target.user.clone()))
        .pass(Some(target.password.clone()))
        .db_name(target.dbname.clone())
        .prefer_socket(false);
    let mut conn = Conn::new(opts).await.map_err(|e| describe(&e))?;
    let row: Option<(String, String)> = conn
        .query_first("SELECT @@SESSION.sql_mode, VERSION()")
        .await
        .map_err(|e| describe(&e))?;
    let (mode, version) = row.unwrap_or_default();
    Ok(MySession {
        conn,
        no_backslash_escapes: mode.to_ascii_uppercase().contains("NO_BACKSLASH_ESCAPES"),
        version,
    })
}

/// A login error: the server's message (it never repeats the password), or the client's.
fn describe(err: &mysql_async::Error) -> String {
    match err {
        mysql_async::Error::Server(server) => server.message.clone(),
        other => other.to_string(),
    }
}

/// A refused statement: only its error code, since a message could quote the statement.
fn refused(what: &str, err: &mysql_async::Error) -> StepFailure {
    match err {
        mysql_async::Error::Server(server) => StepFailure(format!(
            "the server refused {what} (error {}, SQLSTATE {})",
            server.code, server.state
        )),
        _ => StepFailure(format!("the connection failed during {what}")),
    }
}

impl MySession {
    /// `text` as an SQL string literal.
    fn literal(&self, text: &str) -> String {
        Value::from(text).as_sql(self.no_backslash_escapes)
    }

    /// The password expression `SET PASSWORD` takes: `PASSWORD(<literal>)`, or the bare
    /// literal on MySQL 8 (which dropped `PASSWORD()`).
    fn password_option(&self, engine: Engine, password: &str) -> String {
        let literal = self.literal(password);
        match engine == Engine::MySql && self.version.starts_with('8') {
            true => literal,
            false => format!("PASSWORD({literal})"),
        }
    }

    async fn run(&mut self, what: &str, sql: String) -> Result<(), StepFailure> {
        self.conn
            .query_drop(sql)
            .await
            .map_err(|e| refused(what, &e))
    }

    /// `SET PASSWORD = …` as the user itself.
    pub(super) async fn set_own_password(
        &mut self,
        engine: Engine,
        password: &str,
    ) -> Result<(), StepFailure> {
        let sql = format!("SET PASSWORD = {}", self.password_option(engine, password));
        self.run("the password change (SET PASSWORD)", sql).await
    }

    /// As the master: `pending` gets `current`'s grants, TLS requirement and `password`.
    pub(super) async fn clone_user(
        &mut self,
        engine: Engine,
        current: &str,
        pending: &str,
        password: &str,
    ) -> Result<(), StepFailure> {
        let user = self.literal(pending);
        if engine == Engine::MySql {
            self.create_if_absent(pending, password).await?;
        }
        let sql = format!("SHOW GRANTS FOR {}", self.literal(current));
        let grants: Vec<String> = self
            .conn
            .query(sql)
            .await
            .map_err(|e| refused("SHOW GRANTS", &e))?;
        for grant in grants {
            let head = grant.split(" TO ").next().unwrap_or_default();
            let sql = match engine {
                Engine::MySql => format!("{head} TO {user}"),
                _ => format!("{head} TO {user} IDENTIFIED BY {}", self.literal(password)),
            };
            self.run("copying a grant to the alternate user", sql)
                .await?;
        }
        self.copy_tls_requirement(engine, current, &user).await?;
        if engine == Engine::MySql {
            let option = self.password_option(engine, password);
            let sql = format!("SET PASSWORD FOR {user} = {option}");
            self.run("the password change (SET PASSWORD FOR)", sql)
                .await?;
        }
        Ok(())
    }

    /// MySQL: `CREATE USER <pending> IDENTIFIED BY <password>` when no such user exists.
    async fn create_if_absent(&mut self, pending: &str, password: &str) -> Result<(), StepFailure> {
        let sql = format!(
            "SELECT User FROM mysql.user WHERE User = {}",
            self.literal(pending)
        );
        let found: Option<String> = self
            .conn
            .query_first(sql)
            .await
            .map_err(|e| refused("the user look-up", &e))?;
        if found.is_some() {
            return Ok(());
        }
        let (user, secret) = (self.literal(pending), self.literal(password));
        let sql = format!("CREATE USER {user} IDENTIFIED BY {secret}");
        self.run("CREATE USER", sql).await
    }

    /// `REQUIRE NONE | SSL | X509 | CIPHER … AND ISSUER … AND SUBJECT …` for `user` (a
    /// literal) as `current` has it in `mysql.user`.
    async fn copy_tls_requirement(
        &mut self,
        engine: Engine,
        current: &str,
        user: &str,
    ) -> Result<(), StepFailure> {
        type Tls = (
            Option<String>,
            Option<String>,
            Option<String>,
            Option<String>,
        );
        let sql = format!(
            "SELECT ssl_type, ssl_cipher, x509_issuer, x509_subject FROM mysql.user \
             WHERE User = {}",
            self.literal(current)
        );
        let row: Option<Tls> = self
            .conn
            .query_first(sql)
            .await
            .map_err(|e| refused("reading the user's TLS options", &e))?;
        let Some((ssl_type, cipher, issuer, subject)) = row else {
            return Err(StepFailure(format!(
                "the current user {current} is not in mysql.user"
            )));
        };
        let requirement = match ssl_type.as_deref().unwrap_or_default() {
            "" => "NONE".to_string(),
            "ANY" => "SSL".to_string(),
            "X509" => "X509".to_string(),
            _ => format!(
                "CIPHER {} AND ISSUER {} AND SUBJECT {}",
                self.literal(cipher.as_deref().unwrap_or_default()),
                self.literal(issuer.as_deref().unwrap_or_default()),
                self.literal(subject.as_deref().unwrap_or_default())
            ),
        };
        let statement = match engine == Engine::MySql && self.version.starts_with("5.6") {
            true => format!("GRANT USAGE ON *.* TO {user}@'%' REQUIRE"),
            false => format!("ALTER USER {user}@'%' REQUIRE"),
        };
        let sql = format!("{statement} {requirement}");
        self.run("copying the TLS requirement", sql).await
    }

    /// `SELECT NOW()`.
    pub(super) async fn probe(&mut self) -> Result<(), StepFailure> {
        self.run("SELECT NOW()", "SELECT NOW()".into()).await
    }

    /// Says goodbye to the server.
    pub(super) async fn close(self) {
        let _ = self.conn.disconnect().await;
    }
}
