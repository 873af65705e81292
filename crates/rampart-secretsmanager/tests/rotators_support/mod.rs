//! Helpers of the built-in rotator tests: a Secrets Manager over a temporary SQLite store
//! (restartable over the same store and root key), and the database servers' admin side
//! (throwaway users, login checks, clean-up).

use mysql_async::prelude::Queryable;
use rampart_core::{AccountId, Principal, PrincipalKind, Region, RequestContext, SystemClock};
use rampart_crypto::root::{Domain, RootKey};
use rampart_kms::KmsService;
use rampart_secretsmanager::SecretsManagerService;
use rampart_secretsmanager::rotation::builtin::builtin;
use rampart_secretsmanager::rotation::{Step, StepContext, StepEvent, StepFailure};
use rampart_store::Store;
use serde_json::{Value, json};
use std::str::FromStr;
use std::sync::Arc;

const ACCOUNT: &str = "111122223333";
const PG_VAR: &str = "RAMPART_TEST_POSTGRES_URL";
const MARIADB_VAR: &str = "RAMPART_TEST_MARIADB_URL";
/// The PostgreSQL database whose logins over loopback TCP ask for the password
/// (scripts/test.sh puts that first in pg_hba.conf); the secrets name it as their `dbname`.
const PASSWORD_DB: &str = "rampart_password_login";
/// The MariaDB database the test users get a grant on.
const GRANTED_DB: &str = "rampart_rotation_test";

/// A user name no other test run uses (short enough for MySQL's 16 characters with `_clone`).
pub fn fresh_name() -> String {
    format!("rot{}", &uuid::Uuid::new_v4().simple().to_string()[..6])
}

/// The root user of the test account in us-east-1.
fn root_ctx() -> RequestContext {
    let principal = Principal {
        account: AccountId::parse(ACCOUNT).unwrap(),
        arn: format!("arn:aws:iam::{ACCOUNT}:root"),
        principal_id: ACCOUNT.into(),
        access_key_id: "AKIAIOSFODNN7EXAMPLE".into(),
        kind: PrincipalKind::Root,
        session: None,
    };
    RequestContext::new(principal, Region::new("us-east-1"))
}

/// Secrets Manager over a temporary SQLite store.
pub struct Sm {
    service: SecretsManagerService,
    store: Store,
    root: Arc<RootKey>,
    dir: Arc<tempfile::TempDir>,
}

impl Sm {
    pub async fn new() -> Sm {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open_sqlite(&dir.path().join("rampart.db"))
            .await
            .unwrap();
        Sm::over(store, Arc::new(RootKey::generate()), Arc::new(dir))
    }

    fn over(store: Store, root: Arc<RootKey>, dir: Arc<tempfile::TempDir>) -> Sm {
        let clock = Arc::new(SystemClock);
        let kms = Arc::new(KmsService::new(
            store.clone(),
            root.domain_key(Domain::Kms),
            clock.clone(),
        ));
        let service = SecretsManagerService::new(store.clone(), kms, clock);
        Sm {
            service,
            store,
            root,
            dir,
        }
    }

    /// A new service over the same store and root key, as after a restart.
    pub fn restart(&self) -> Sm {
        Sm::over(self.store.clone(), self.root.clone(), self.dir.clone())
    }

    async fn call(&self, op: &str, body: Value) -> Value {
        let bytes = serde_json::to_vec(&body).unwrap();
        let ctx = root_ctx();
        let invocation =
            rampart_secretsmanager::generated::dispatch(&self.service, &ctx, op, &bytes).await;
        match invocation.result {
            Ok(out) => serde_json::from_slice(&out).unwrap(),
            Err(err) => panic!("{op}: {}: {}", err.code, err.message),
        }
    }

    /// A new secret holding `value` as JSON; its ARN.
    pub async fn create(&self, value: &Value) -> String {
        let body = json!({"Name": fresh_name(), "SecretString": value.to_string()});
        let out = self.call("CreateSecret", body).await;
        out["ARN"].as_str().unwrap().to_string()
    }

    /// PutSecretValue of `value` as the new AWSCURRENT of `arn`.
    pub async fn put(&self, arn: &str, value: &Value) {
        let body = json!({"SecretId": arn, "SecretString": value.to_string()});
        self.call("PutSecretValue", body).await;
    }

    /// The JSON of the version of `arn` labelled `stage`.
    pub async fn value(&self, arn: &str, stage: &str) -> Value {
        let body = json!({"SecretId": arn, "VersionStage": stage});
        let out = self.call("GetSecretValue", body).await;
        serde_json::from_str(out["SecretString"].as_str().unwrap()).unwrap()
    }

    /// The id of the version of `arn` labelled `stage`.
    pub async fn version_of(&self, arn: &str, stage: &str) -> String {
        let body = json!({"SecretId": arn, "VersionStage": stage});
        let out = self.call("GetSecretValue", body).await;
        out["VersionId"].as_str().unwrap().to_string()
    }

    /// DescribeSecret's VersionIdsToStages.
    pub async fn stages(&self, arn: &str) -> serde_json::Map<String, Value> {
        let out = self.call("DescribeSecret", json!({"SecretId": arn})).await;
        out["VersionIdsToStages"].as_object().unwrap().clone()
    }

    /// A whole rotation of `arn` by the built-in `template`, with a fresh token.
    pub async fn rotate(&self, template: &str, arn: &str) -> Result<(), StepFailure> {
        let token = uuid::Uuid::new_v4().to_string();
        self.run(template, arn, &token, &Step::ALL).await
    }

    /// `steps` of the rotation `token` of `arn` by the built-in `template`, in order.
    pub async fn run(
        &self,
        template: &str,
        arn: &str,
        token: &str,
        steps: &[Step],
    ) -> Result<(), StepFailure> {
        let function = builtin(template).expect("a built-in template");
        let ctx = root_ctx();
        for step in steps {
            let event = StepEvent {
                step: *step,
                secret_id: arn.to_string(),
                client_request_token: token.to_string(),
                rotation_token: uuid::Uuid::new_v4().to_string(),
            };
            let on = StepContext {
                service: &self.service,
                ctx: &ctx,
            };
            function.run_step(&event, on).await?;
        }
        Ok(())
    }
}

/// A database server the tests administer.
pub enum Db {
    Postgres {
        admin: String,
        host: String,
        port: u16,
    },
    MariaDb {
        admin: mysql_async::Opts,
    },
}

impl Db {
    /// PostgreSQL from `RAMPART_TEST_POSTGRES_URL`, or None (the test is skipped).
    pub async fn postgres() -> Option<Db> {
        let Ok(admin) = std::env::var(PG_VAR) else {
            eprintln!("{PG_VAR} not set: skipping this PostgreSQL rotation test");
            return None;
        };
        let config = tokio_postgres::Config::from_str(&admin).unwrap();
        let host = match config.get_hosts().first() {
            Some(tokio_postgres::config::Host::Tcp(host)) => host.clone(),
            _ => "127.0.0.1".to_string(),
        };
        let port = config.get_ports().first().copied().unwrap_or(5432);
        Some(Db::Postgres { admin, host, port })
    }

    /// MariaDB from `RAMPART_TEST_MARIADB_URL`, or None (the test is skipped).
    pub async fn mariadb() -> Option<Db> {
        let Ok(url) = std::env::var(MARIADB_VAR) else {
            eprintln!("{MARIADB_VAR} not set: skipping this MariaDB rotation test");
            return None;
        };
        let admin = mysql_async::Opts::from_url(&url).unwrap();
        Some(Db::MariaDb { admin })
    }

    fn host_port(&self) -> (String, u16) {
        match self {
            Db::Postgres { host, port, .. } => (host.clone(), *port),
            Db::MariaDb { admin } => (admin.ip_or_hostname().to_string(), admin.tcp_port()),
        }
    }

    /// Runs `sql` (one or more statements) as the administrator.
    async fn admin(&self, sql: &str) {
        match self {
            Db::Postgres { admin, .. } => {
                let (client, conn) = tokio_postgres::connect(admin, tokio_postgres::NoTls)
                    .await
                    .expect("PostgreSQL unreachable");
                let task = tokio::spawn(conn);
                client.batch_execute(sql).await.unwrap();
                drop(client);
                let _ = task.await;
            }
            Db::MariaDb { admin } => {
                let opts = mysql_async::OptsBuilder::from_opts(admin.clone()).prefer_socket(false);
                let mut conn = mysql_async::Conn::new(opts)
                    .await
                    .expect("MariaDB unreachable");
                conn.query_drop(sql).await.unwrap();
                let _ = conn.disconnect().await;
            }
        }
    }

    /// The secret JSON of `user` with `password` on this server, engine `engine`.
    pub fn secret_json(&self, engine: &str, user: &str, password: &str) -> Value {
        let (host, port) = self.host_port();
        let mut secret = json!({"engine": engine, "host": host, "port": port,
                                "username": user, "password": password});
        if let Db::Postgres { .. } = self {
            secret["dbname"] = json!(PASSWORD_DB);
        }
        secret
    }

    /// A login user with `password` (MariaDB: `'user'@'%'` with a grant on a test database).
    pub async fn create_user(&self, user: &str, password: &str) {
        let sql = match self {
            Db::Postgres { .. } => {
                format!("CREATE ROLE {user} LOGIN PASSWORD '{password}'")
            }
            Db::MariaDb { .. } => format!(
                "CREATE USER '{user}'@'%' IDENTIFIED BY '{password}'; \
                 GRANT SELECT ON `{GRANTED_DB}`.* TO '{user}'@'%'"
            ),
        };
        self.admin(&sql).await;
        assert!(
            !self.can_login(user, "not-the-password").await,
            "the server lets {user} in with a wrong password: run scripts/test.sh, which makes \
             PostgreSQL ask for the password on loopback TCP logins to {PASSWORD_DB}"
        );
    }

    /// A master user who may create users and grant what they have.
    pub async fn create_master(&self, user: &str, password: &str) {
        self.create_user(user, password).await;
        let sql = match self {
            Db::Postgres { .. } => format!("ALTER ROLE {user} SUPERUSER"),
            Db::MariaDb { .. } => {
                format!("GRANT ALL PRIVILEGES ON *.* TO '{user}'@'%' WITH GRANT OPTION")
            }
        };
        self.admin(&sql).await;
    }

    /// Whether `user` logs in with `password` (over TCP).
    pub async fn can_login(&self, user: &str, password: &str) -> bool {
        let (host, port) = self.host_port();
        match self {
            Db::Postgres { .. } => {
                let mut config = tokio_postgres::Config::new();
                config.host(&host).port(port).user(user).password(password);
                config.dbname(PASSWORD_DB);
                config.connect(tokio_postgres::NoTls).await.is_ok()
            }
            Db::MariaDb { .. } => {
                let opts = mysql_async::OptsBuilder::default()
                    .ip_or_hostname(host)
                    .tcp_port(port)
                    .user(Some(user))
                    .pass(Some(password))
                    .prefer_socket(false);
                match mysql_async::Conn::new(opts).await {
                    Ok(conn) => {
                        let _ = conn.disconnect().await;
                        true
                    }
                    Err(_) => false,
                }
            }
        }
    }

    /// Whether `clone` holds `user`'s grants (PostgreSQL: is a member of it).
    pub async fn has_grants_of(&self, clone: &str, user: &str) -> bool {
        match self {
            Db::Postgres { admin, .. } => {
                let (client, conn) = tokio_postgres::connect(admin, tokio_postgres::NoTls)
                    .await
                    .unwrap();
                let task = tokio::spawn(conn);
                let sql = "SELECT pg_has_role($1, $2, 'MEMBER')";
                let row = client.query_one(sql, &[&clone, &user]).await.unwrap();
                drop(client);
                let _ = task.await;
                row.get::<_, bool>(0)
            }
            Db::MariaDb { admin } => {
                let opts = mysql_async::OptsBuilder::from_opts(admin.clone()).prefer_socket(false);
                let mut conn = mysql_async::Conn::new(opts).await.unwrap();
                let sql = format!("SHOW GRANTS FOR '{clone}'@'%'");
                let grants: Vec<String> = conn.query(sql).await.unwrap();
                let _ = conn.disconnect().await;
                let wanted = format!("GRANT SELECT ON `{GRANTED_DB}`.*");
                grants.iter().any(|g| g.starts_with(&wanted))
            }
        }
    }

    /// Drops `user` if it exists.
    pub async fn drop_user(&self, user: &str) {
        let sql = match self {
            // DROP OWNED also revokes what it was granted on databases (CONNECT).
            Db::Postgres { .. } => format!(
                "DO $$ BEGIN IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{user}') THEN \
                 EXECUTE 'DROP OWNED BY {user}'; END IF; END $$; DROP ROLE IF EXISTS {user}"
            ),
            Db::MariaDb { .. } => format!("DROP USER IF EXISTS '{user}'@'%'"),
        };
        self.admin(&sql).await;
    }
}
