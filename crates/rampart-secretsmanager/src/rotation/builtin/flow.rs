//! The four steps of a database rotation template, in the templates' order of checks and with
//! their messages: the handler's staging check, then createSecret (a new password, and for
//! alternating users the other user, put as AWSPENDING), setSecret (the password set on the
//! server: by the user itself, or by the master on the alternate user), testSecret (log in
//! with AWSPENDING and `SELECT NOW()`) and finishSecret (AWSCURRENT moved to the new version).
//!
//! One difference from the templates: they refuse a token that DescribeSecret does not list
//! yet, because AWS's RotateSecret lists the new version as AWSPENDING before createSecret
//! runs. createSecret here also accepts a token not listed yet, since it creates the version.

use super::calls::{self, Metadata, failure, is_not_found};
use super::db::{LoginFailure, Session, login};
use super::secret::{DbSecret, alternate_username};
use super::{Engine, Strategy};
use crate::labels::{CURRENT, PENDING, PREVIOUS};
use crate::rotation::{RotationFunction, Step, StepContext, StepEvent, StepFailure, StepFuture};

/// The PostgreSQL templates' EXCLUDE_CHARACTERS default.
const POSTGRES_EXCLUDED: &str = ":/@\"'\\";
/// The MySQL and MariaDB templates' EXCLUDE_CHARACTERS default.
const MYSQL_EXCLUDED: &str = "/@\"'\\";

/// A rotation template for one engine and strategy.
pub(super) struct DbRotator {
    engine: Engine,
    strategy: Strategy,
}

impl RotationFunction for DbRotator {
    fn run_step<'a>(&'a self, event: &'a StepEvent, on: StepContext<'a>) -> StepFuture<'a> {
        Box::pin(self.run(event, on))
    }
}

/// What the single-user fallback to AWSPREVIOUS works with.
struct Fallback<'a> {
    arn: &'a str,
    previous: Option<DbSecret>,
    current: &'a DbSecret,
    pending: &'a DbSecret,
}

/// Where a step stands after the handler's staging check.
enum Staging {
    Proceed,
    AlreadyCurrent,
}

impl DbRotator {
    pub(super) fn new(engine: Engine, strategy: Strategy) -> Self {
        DbRotator { engine, strategy }
    }

    async fn run(&self, event: &StepEvent, on: StepContext<'_>) -> Result<(), StepFailure> {
        let (arn, token) = (
            event.secret_id.as_str(),
            event.client_request_token.as_str(),
        );
        if let Staging::AlreadyCurrent = check_staging(event, on).await? {
            return Ok(());
        }
        match (event.step, self.strategy) {
            (Step::CreateSecret, _) => self.create_secret(on, arn, token).await,
            (Step::SetSecret, Strategy::SingleUser) => self.set_single(on, arn, token).await,
            (Step::SetSecret, Strategy::AlternatingUsers) => {
                self.set_alternate(on, arn, token).await
            }
            (Step::TestSecret, _) => self.test_secret(on, arn, token).await,
            (Step::FinishSecret, _) => finish_secret(on, arn, token).await,
        }
    }

    /// The secret's version at `stage` (and `token`), checked for the engine.
    async fn dict(
        &self,
        on: StepContext<'_>,
        arn: &str,
        stage: &str,
        token: Option<&str>,
    ) -> Result<DbSecret, StepFailure> {
        calls::secret_dict(on, self.engine, arn, stage, token).await
    }

    /// createSecret: nothing when the token's AWSPENDING version exists; else AWSCURRENT's
    /// JSON with a new password (and the other user) put as AWSPENDING under the token.
    async fn create_secret(
        &self,
        on: StepContext<'_>,
        arn: &str,
        token: &str,
    ) -> Result<(), StepFailure> {
        let mut next = self.dict(on, arn, CURRENT, None).await?;
        match calls::secret_string(on, arn, PENDING, Some(token)).await {
            Ok(text) => return DbSecret::parse(&text, self.engine).map(|_| ()),
            Err(err) if is_not_found(&err) => {}
            Err(err) => return Err(failure(err)),
        }
        if self.strategy == Strategy::AlternatingUsers {
            next.set_username(alternate_username(&next.username(), self.engine)?);
        }
        let exclude = match self.engine {
            Engine::Postgres => POSTGRES_EXCLUDED,
            Engine::MySql | Engine::MariaDb => MYSQL_EXCLUDED,
        };
        next.set_password(calls::random_password(on, exclude).await?);
        calls::put_pending(on, arn, token, next.to_json()).await
    }

    /// setSecret, single user: done when AWSPENDING already logs in; else, logged in with
    /// AWSCURRENT (or AWSPREVIOUS), the user sets its own password to AWSPENDING's.
    async fn set_single(
        &self,
        on: StepContext<'_>,
        arn: &str,
        token: &str,
    ) -> Result<(), StepFailure> {
        let previous = self.previous(on, arn).await?;
        let current = self.dict(on, arn, CURRENT, None).await?;
        let pending = self.dict(on, arn, PENDING, Some(token)).await?;
        if self.engine == Engine::Postgres && current.master_arn().is_ok() {
            self.create_user_if_absent(on, &current).await?;
        }
        if self.already_set(&pending).await {
            return Ok(());
        }
        same_user(&pending, &current.username(), "current user")?;
        same_host(&pending, &current.host(), "current host")?;
        let mut session = match login(self.engine, &current).await {
            Ok(session) => session,
            Err(failed) => {
                let fallback = Fallback {
                    arn,
                    previous,
                    current: &current,
                    pending: &pending,
                };
                self.login_previous(fallback, failed).await?
            }
        };
        let (user, password) = (pending.username(), pending.password());
        let result = session
            .set_own_password(self.engine, &user, &password)
            .await;
        session.close().await;
        result
    }

    /// The single-user PostgreSQL template's `create_user_if_not_exists`: with a `masterarn`,
    /// the master creates AWSCURRENT's user (with its password) when it does not exist yet.
    async fn create_user_if_absent(
        &self,
        on: StepContext<'_>,
        current: &DbSecret,
    ) -> Result<(), StepFailure> {
        let mut session = self.master_session(on, current).await?;
        let dbname = current.dbname().unwrap_or_else(|| "postgres".into());
        let (user, password) = (current.username(), current.password());
        let result = session
            .create_user_if_absent(&user, &password, &dbname)
            .await;
        session.close().await;
        result
    }

    /// AWSPREVIOUS's credentials, when that version exists and fits the engine.
    async fn previous(
        &self,
        on: StepContext<'_>,
        arn: &str,
    ) -> Result<Option<DbSecret>, StepFailure> {
        match calls::secret_string(on, arn, PREVIOUS, None).await {
            Ok(text) => Ok(DbSecret::parse(&text, self.engine).ok()),
            Err(err) if is_not_found(&err) => Ok(None),
            Err(err) => Err(failure(err)),
        }
    }

    /// The templates' fallback to AWSPREVIOUS (with AWSCURRENT's `ssl`) when AWSCURRENT does
    /// not log in (`failed`); AWSPREVIOUS must be AWSPENDING's user and host.
    async fn login_previous(
        &self,
        fallback: Fallback<'_>,
        failed: LoginFailure,
    ) -> Result<Session, StepFailure> {
        let Fallback {
            arn,
            previous,
            current,
            pending,
        } = fallback;
        let Some(mut previous) = previous else {
            return Err(unable(no_credentials_work(arn), failed));
        };
        previous.take_ssl_of(current);
        let attempt = login(self.engine, &previous).await;
        let fits = same_user(pending, &previous.username(), "previous valid user")
            .and_then(|()| same_host(pending, &previous.host(), "previous valid host"));
        if let Err(mismatch) = fits {
            if let Ok(session) = attempt {
                session.close().await;
            }
            return Err(mismatch);
        }
        attempt.map_err(|failed| unable(no_credentials_work(arn), failed))
    }

    /// Whether AWSPENDING's credentials already log in.
    async fn already_set(&self, pending: &DbSecret) -> bool {
        match login(self.engine, pending).await {
            Ok(session) => {
                session.close().await;
                true
            }
            Err(_) => false,
        }
    }

    /// setSecret, alternating users: done when AWSPENDING already logs in; else, after
    /// AWSCURRENT is shown to log in, the master (the secret at `masterarn`) gives the
    /// alternate user AWSCURRENT's grants and AWSPENDING's password.
    async fn set_alternate(
        &self,
        on: StepContext<'_>,
        arn: &str,
        token: &str,
    ) -> Result<(), StepFailure> {
        let current = self.dict(on, arn, CURRENT, None).await?;
        let pending = self.dict(on, arn, PENDING, Some(token)).await?;
        if self.already_set(&pending).await {
            return Ok(());
        }
        let (current_user, pending_user) = (current.username(), pending.username());
        if alternate_username(&current_user, self.engine)? != pending_user {
            return Err(StepFailure(format!(
                "Attempting to modify user {pending_user} other than current user or clone \
                 {current_user}"
            )));
        }
        same_host(&pending, &current.host(), "current host")?;
        match login(self.engine, &current).await {
            Ok(session) => session.close().await,
            Err(failed) => {
                let message = format!(
                    "Unable to log into database using current credentials for secret {arn}"
                );
                return Err(unable(message, failed));
            }
        }
        let mut session = self.master_session(on, &current).await?;
        let password = pending.password();
        let result = session
            .clone_user(self.engine, &current_user, &pending_user, &password)
            .await;
        session.close().await;
        result
    }

    /// A session as the master user of `current`'s `masterarn`, on the same host.
    async fn master_session(
        &self,
        on: StepContext<'_>,
        current: &DbSecret,
    ) -> Result<Session, StepFailure> {
        let master_arn = current.master_arn()?;
        let mut master = self.dict(on, &master_arn, CURRENT, None).await?;
        if self.engine == Engine::Postgres {
            master.set_dbname(current.dbname());
        }
        if master.host() != current.host() {
            return Err(StepFailure(format!(
                "Current database host {} is not the same host as/rds replica of master {}",
                current.host(),
                master.host()
            )));
        }
        login(self.engine, &master).await.map_err(|failed| {
            let message = format!(
                "Unable to log into database using credentials in master secret {master_arn}"
            );
            unable(message, failed)
        })
    }

    /// testSecret: AWSPENDING logs in and `SELECT NOW()` runs.
    async fn test_secret(
        &self,
        on: StepContext<'_>,
        arn: &str,
        token: &str,
    ) -> Result<(), StepFailure> {
        let pending = self.dict(on, arn, PENDING, Some(token)).await?;
        let mut session = login(self.engine, &pending).await.map_err(|failed| {
            let message =
                format!("Unable to log into database with pending secret of secret ARN {arn}");
            unable(message, failed)
        })?;
        let result = session.probe().await;
        session.close().await;
        result
    }
}

/// The handler's check before every step: rotation enabled, the token's version labelled
/// AWSPENDING (done when it is already AWSCURRENT).
async fn check_staging(event: &StepEvent, on: StepContext<'_>) -> Result<Staging, StepFailure> {
    let (arn, token) = (
        event.secret_id.as_str(),
        event.client_request_token.as_str(),
    );
    let metadata: Metadata = calls::describe(on, arn).await?;
    if metadata.rotation_enabled == Some(false) {
        return Err(StepFailure(format!(
            "Secret {arn} is not enabled for rotation"
        )));
    }
    let Some(stages) = metadata.stages.get(token) else {
        if event.step == Step::CreateSecret {
            return Ok(Staging::Proceed);
        }
        return Err(StepFailure(format!(
            "Secret version {token} has no stage for rotation of secret {arn}."
        )));
    };
    if stages.iter().any(|s| s == CURRENT) {
        return Ok(Staging::AlreadyCurrent);
    }
    if !stages.iter().any(|s| s == PENDING) {
        return Err(StepFailure(format!(
            "Secret version {token} not set as AWSPENDING for rotation of secret {arn}."
        )));
    }
    Ok(Staging::Proceed)
}

/// finishSecret: AWSCURRENT moved to the token's version from the version holding it.
async fn finish_secret(on: StepContext<'_>, arn: &str, token: &str) -> Result<(), StepFailure> {
    let metadata = calls::describe(on, arn).await?;
    let current = metadata.holder_of(CURRENT).map(str::to_string);
    if current.as_deref() == Some(token) {
        return Ok(());
    }
    calls::make_current(on, arn, token, current).await
}

/// The templates' check that the credentials to change are `expected`'s user.
fn same_user(pending: &DbSecret, expected: &str, whose: &str) -> Result<(), StepFailure> {
    let user = pending.username();
    match user == expected {
        true => Ok(()),
        false => Err(StepFailure(format!(
            "Attempting to modify user {user} other than {whose} {expected}"
        ))),
    }
}

/// The templates' check that the credentials to change are on `expected`'s host.
fn same_host(pending: &DbSecret, expected: &str, whose: &str) -> Result<(), StepFailure> {
    let host = pending.host();
    match host == expected {
        true => Ok(()),
        false => Err(StepFailure(format!(
            "Attempting to modify user for host {host} other than {whose} {expected}"
        ))),
    }
}

/// The single-user templates' message when no version's credentials log in.
fn no_credentials_work(arn: &str) -> String {
    format!(
        "Unable to log into database with previous, current, or pending secret of secret arn \
         {arn}"
    )
}

/// A template's "Unable to log into database …" with why the last login failed.
fn unable(message: String, failed: LoginFailure) -> StepFailure {
    StepFailure(format!("{message} ({})", failed.0))
}
