//! A database session opened with a secret's credentials, and what a rotation does in it,
//! whatever the engine: log in (5 s to connect, as the templates' `connect_timeout`), change
//! the session user's own password, create or update the alternate user as the master, run a
//! trivial query. Every statement is bounded in time so a rotation never hangs on a server.
//! Failures are described without any secret value.

use super::Engine;
use super::mysql::MySession;
use super::postgres::PgSession;
use super::secret::DbSecret;
use crate::rotation::StepFailure;
use std::future::Future;
use std::time::Duration;

/// Time to connect and authenticate (the templates' `connect_timeout=5`).
pub(super) const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
/// Time for what a step does in one session once logged in.
const WORK_TIMEOUT: Duration = Duration::from_secs(30);

/// Where and as whom to log in.
pub(super) struct Target {
    pub host: String,
    pub port: u16,
    pub user: String,
    pub password: String,
    pub dbname: Option<String>,
}

/// Why a login failed (no secret value in it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct LoginFailure(pub String);

/// A logged-in session.
pub(super) enum Session {
    Postgres(PgSession),
    MySql(MySession),
}

/// Logs into the database `secret` names, as its user.
pub(super) async fn login(engine: Engine, secret: &DbSecret) -> Result<Session, LoginFailure> {
    if secret.ssl() == Some(true) {
        return Err(LoginFailure(
            "the secret requires TLS (\"ssl\": true), which Rampart's built-in rotators do not \
             support yet"
                .into(),
        ));
    }
    let target = Target {
        host: secret.host(),
        port: secret
            .port(engine.default_port())
            .map_err(|e| LoginFailure(e.0))?,
        user: secret.username(),
        password: secret.password(),
        dbname: secret.dbname(),
    };
    let secrets = [target.password.as_str()];
    let attempt = async {
        match engine {
            Engine::Postgres => super::postgres::login(&target).await.map(Session::Postgres),
            Engine::MySql | Engine::MariaDb => {
                super::mysql::login(&target).await.map(Session::MySql)
            }
        }
    };
    match tokio::time::timeout(CONNECT_TIMEOUT, attempt).await {
        Ok(Ok(session)) => Ok(session),
        Ok(Err(reason)) => Err(LoginFailure(scrub(&reason, &secrets))),
        Err(_) => Err(LoginFailure(format!(
            "no answer from {}:{} within {} s",
            target.host,
            target.port,
            CONNECT_TIMEOUT.as_secs()
        ))),
    }
}

impl Session {
    /// Sets the session user's own password to `password` (single user).
    pub(super) async fn set_own_password(
        &mut self,
        engine: Engine,
        username: &str,
        password: &str,
    ) -> Result<(), StepFailure> {
        match self {
            Session::Postgres(s) => bounded(s.set_own_password(username, password)).await,
            Session::MySql(s) => bounded(s.set_own_password(engine, password)).await,
        }
    }

    /// As the master: gives `pending` the grants of `current` (creating it when absent) and
    /// the password `password` (alternating users).
    pub(super) async fn clone_user(
        &mut self,
        engine: Engine,
        current: &str,
        pending: &str,
        password: &str,
    ) -> Result<(), StepFailure> {
        match self {
            Session::Postgres(s) => bounded(s.clone_user(current, pending, password)).await,
            Session::MySql(s) => bounded(s.clone_user(engine, current, pending, password)).await,
        }
    }

    /// As the PostgreSQL master: creates `user` with `password` and CONNECT on `dbname` when
    /// absent (the single-user PostgreSQL template, given a `masterarn`).
    pub(super) async fn create_user_if_absent(
        &mut self,
        user: &str,
        password: &str,
        dbname: &str,
    ) -> Result<(), StepFailure> {
        match self {
            Session::Postgres(s) => bounded(s.create_user_if_absent(user, password, dbname)).await,
            Session::MySql(_) => Ok(()),
        }
    }

    /// Runs the templates' check query (`SELECT NOW()`).
    pub(super) async fn probe(&mut self) -> Result<(), StepFailure> {
        match self {
            Session::Postgres(s) => bounded(s.probe()).await,
            Session::MySql(s) => bounded(s.probe()).await,
        }
    }

    /// Ends the session.
    pub(super) async fn close(self) {
        let closing = async {
            match self {
                Session::Postgres(s) => s.close().await,
                Session::MySql(s) => s.close().await,
            }
        };
        let _ = tokio::time::timeout(CONNECT_TIMEOUT, closing).await;
    }
}

/// `work` within [`WORK_TIMEOUT`].
async fn bounded<F>(work: F) -> Result<(), StepFailure>
where
    F: Future<Output = Result<(), StepFailure>>,
{
    tokio::time::timeout(WORK_TIMEOUT, work)
        .await
        .unwrap_or_else(|_| {
            Err(StepFailure(format!(
                "the database did not answer within {} s",
                WORK_TIMEOUT.as_secs()
            )))
        })
}

/// `text` with every non-empty value of `secrets` masked.
pub(super) fn scrub(text: &str, secrets: &[&str]) -> String {
    secrets
        .iter()
        .filter(|s| !s.is_empty())
        .fold(text.to_string(), |acc, s| acc.replace(s, "********"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scrub_masks_secrets() {
        assert_eq!(
            scrub("near 'pw1' and pw1", &["pw1", ""]),
            "near '********' and ********"
        );
    }
}
