//! The built-in database rotators against real servers: PostgreSQL (`RAMPART_TEST_POSTGRES_URL`)
//! and MariaDB (`RAMPART_TEST_MARIADB_URL`, also through the MySQL templates). Each test makes
//! throwaway users, a secret of their credentials in a Secrets Manager over a temporary SQLite
//! store, runs the template's four steps through `builtin(name).run_step`, and checks the
//! server: the old password no longer logs in, the new one does. Without a variable the tests
//! of that engine say they are skipped. PostgreSQL must ask for the password on loopback TCP
//! logins to the database `rampart_password_login` (`scripts/test.sh` sets that up), or a wrong
//! password would log in too.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod rotators_support;

use rampart_secretsmanager::rotation::Step;
use rotators_support::{Db, Sm, fresh_name};
use serde_json::json;

const PG_SINGLE: &str = "SecretsManagerRDSPostgreSQLRotationSingleUser";
const PG_MULTI: &str = "SecretsManagerRDSPostgreSQLRotationMultiUser";
const MARIADB_SINGLE: &str = "SecretsManagerRDSMariaDBRotationSingleUser";
const MARIADB_MULTI: &str = "SecretsManagerRDSMariaDBRotationMultiUser";
const MYSQL_SINGLE: &str = "SecretsManagerRDSMySQLRotationSingleUser";
const MYSQL_MULTI: &str = "SecretsManagerRDSMySQLRotationMultiUser";

/// A single-user rotation of a fresh user of `db` through `template` (secret engine `engine`).
async fn single_user(db: &Db, template: &str, engine: &str) {
    let sm = Sm::new().await;
    let user = fresh_name();
    db.create_user(&user, "Old-Passw0rd-1").await;
    let arn = sm
        .create(&db.secret_json(engine, &user, "Old-Passw0rd-1"))
        .await;
    sm.rotate(template, &arn).await.expect("rotation");
    let current = sm.value(&arn, "AWSCURRENT").await;
    let new_password = current["password"].as_str().unwrap().to_string();
    assert_ne!(new_password, "Old-Passw0rd-1");
    assert_eq!(current["username"], user.as_str());
    assert_eq!(
        sm.value(&arn, "AWSPREVIOUS").await["password"],
        "Old-Passw0rd-1"
    );
    assert!(
        !db.can_login(&user, "Old-Passw0rd-1").await,
        "old password still works"
    );
    assert!(
        db.can_login(&user, &new_password).await,
        "new password refused"
    );
    // A second rotation starts from the new password.
    sm.rotate(template, &arn).await.expect("second rotation");
    let again = sm.value(&arn, "AWSCURRENT").await;
    assert!(
        db.can_login(&user, again["password"].as_str().unwrap())
            .await
    );
    assert!(!db.can_login(&user, &new_password).await);
    db.drop_user(&user).await;
}

/// Alternating users: the first rotation creates `<user>_clone` with `<user>`'s grants, the
/// second flips back to `<user>` with a new password.
async fn alternating_users(db: &Db, template: &str, engine: &str) {
    let sm = Sm::new().await;
    let (user, master) = (fresh_name(), fresh_name());
    db.create_master(&master, "Master-Passw0rd").await;
    db.create_user(&user, "Old-Passw0rd-1").await;
    let master_arn = sm
        .create(&db.secret_json(engine, &master, "Master-Passw0rd"))
        .await;
    let mut secret = db.secret_json(engine, &user, "Old-Passw0rd-1");
    secret["masterarn"] = json!(master_arn);
    let arn = sm.create(&secret).await;

    sm.rotate(template, &arn).await.expect("first rotation");
    let clone = format!("{user}_clone");
    let first = sm.value(&arn, "AWSCURRENT").await;
    assert_eq!(first["username"], clone.as_str());
    assert_eq!(first["masterarn"], master_arn.as_str());
    let clone_password = first["password"].as_str().unwrap().to_string();
    assert!(
        db.can_login(&clone, &clone_password).await,
        "clone cannot log in"
    );
    assert!(
        db.has_grants_of(&clone, &user).await,
        "clone lacks the user's grants"
    );
    // The user being replaced keeps working until its next turn.
    assert!(db.can_login(&user, "Old-Passw0rd-1").await);

    sm.rotate(template, &arn).await.expect("second rotation");
    let second = sm.value(&arn, "AWSCURRENT").await;
    assert_eq!(second["username"], user.as_str());
    let user_password = second["password"].as_str().unwrap();
    assert!(
        db.can_login(&user, user_password).await,
        "new password refused"
    );
    assert!(
        !db.can_login(&user, "Old-Passw0rd-1").await,
        "old password still works"
    );
    assert_eq!(
        sm.value(&arn, "AWSPREVIOUS").await["username"],
        clone.as_str()
    );
    for name in [&clone, &user, &master] {
        db.drop_user(name).await;
    }
}

#[tokio::test]
async fn postgres_single_user() {
    let Some(db) = Db::postgres().await else {
        return;
    };
    single_user(&db, PG_SINGLE, "postgres").await;
}

#[tokio::test]
async fn postgres_alternating_users() {
    let Some(db) = Db::postgres().await else {
        return;
    };
    alternating_users(&db, PG_MULTI, "postgres").await;
}

#[tokio::test]
async fn mariadb_single_user() {
    let Some(db) = Db::mariadb().await else {
        return;
    };
    single_user(&db, MARIADB_SINGLE, "mariadb").await;
}

#[tokio::test]
async fn mariadb_alternating_users() {
    let Some(db) = Db::mariadb().await else {
        return;
    };
    alternating_users(&db, MARIADB_MULTI, "mariadb").await;
}

/// The MySQL templates' statements (`CREATE USER`, `SET PASSWORD FOR`) on the MariaDB server.
#[tokio::test]
async fn mysql_templates_on_mariadb() {
    let Some(db) = Db::mariadb().await else {
        return;
    };
    single_user(&db, MYSQL_SINGLE, "mysql").await;
    alternating_users(&db, MYSQL_MULTI, "mysql").await;
}

/// createSecret and setSecret by one service, testSecret and finishSecret by a new one over
/// the same store (a restart in the middle of the rotation).
#[tokio::test]
async fn a_restarted_service_finishes_the_rotation() {
    let Some(db) = Db::postgres().await else {
        return;
    };
    let sm = Sm::new().await;
    let user = fresh_name();
    db.create_user(&user, "Old-Passw0rd-1").await;
    let arn = sm
        .create(&db.secret_json("postgres", &user, "Old-Passw0rd-1"))
        .await;
    let token = uuid::Uuid::new_v4().to_string();
    let first = [Step::CreateSecret, Step::SetSecret];
    sm.run(PG_SINGLE, &arn, &token, &first).await.unwrap();
    let pending = sm.value(&arn, "AWSPENDING").await;
    let restarted = sm.restart();
    let rest = [Step::TestSecret, Step::FinishSecret];
    restarted.run(PG_SINGLE, &arn, &token, &rest).await.unwrap();
    let current = restarted.value(&arn, "AWSCURRENT").await;
    assert_eq!(current, pending);
    assert_eq!(restarted.version_of(&arn, "AWSCURRENT").await, token);
    assert!(
        db.can_login(&user, current["password"].as_str().unwrap())
            .await
    );
    assert!(!db.can_login(&user, "Old-Passw0rd-1").await);
    db.drop_user(&user).await;
}

/// A secret of another engine fails createSecret and changes nothing; an unreachable host
/// fails setSecret, leaves AWSPENDING, AWSCURRENT as it was, and names no password.
#[tokio::test]
async fn wrong_engine_and_unreachable_host_fail_clearly() {
    let sm = Sm::new().await;
    let secret = json!({"engine": "mysql", "host": "127.0.0.1", "port": 1,
                        "username": "nobody", "password": "Secret-Passw0rd"});
    let arn = sm.create(&secret).await;
    let err = sm.rotate(PG_SINGLE, &arn).await.unwrap_err();
    assert_eq!(
        err.0,
        "Database engine must be set to 'postgres' in order to use this rotation lambda"
    );
    assert_eq!(sm.stages(&arn).await.len(), 1, "a version was added");

    let arn = sm.create(&secret).await;
    let token = uuid::Uuid::new_v4().to_string();
    let steps = [Step::CreateSecret, Step::SetSecret];
    let err = sm
        .run(MYSQL_SINGLE, &arn, &token, &steps)
        .await
        .unwrap_err();
    assert!(
        err.0
            .starts_with("Unable to log into database with previous, current, or pending"),
        "{err}"
    );
    let pending = sm.value(&arn, "AWSPENDING").await;
    assert!(!err.0.contains("Secret-Passw0rd"));
    assert!(!err.0.contains(pending["password"].as_str().unwrap()));
    assert_eq!(
        sm.value(&arn, "AWSCURRENT").await["password"],
        "Secret-Passw0rd"
    );
    assert_eq!(sm.version_of(&arn, "AWSPENDING").await, token);
}

/// The single-user PostgreSQL template given a `masterarn`: the master first creates the
/// secret's user when it does not exist (with CONNECT on its database), then it is rotated.
#[tokio::test]
async fn postgres_single_user_is_created_by_the_master_when_missing() {
    let Some(db) = Db::postgres().await else {
        return;
    };
    let sm = Sm::new().await;
    let (user, master) = (fresh_name(), fresh_name());
    db.create_master(&master, "Master-Passw0rd").await;
    let master_arn = sm
        .create(&db.secret_json("postgres", &master, "Master-Passw0rd"))
        .await;
    let mut secret = db.secret_json("postgres", &user, "First-Passw0rd");
    secret["masterarn"] = json!(master_arn);
    let arn = sm.create(&secret).await;
    assert!(!db.can_login(&user, "First-Passw0rd").await);
    sm.rotate(PG_SINGLE, &arn).await.expect("rotation");
    let current = sm.value(&arn, "AWSCURRENT").await;
    assert!(
        db.can_login(&user, current["password"].as_str().unwrap())
            .await
    );
    assert!(!db.can_login(&user, "First-Passw0rd").await);
    db.drop_user(&user).await;
    db.drop_user(&master).await;
}

/// Single user, when AWSCURRENT's password does not log in but AWSPREVIOUS's does (a value put
/// without changing the server): setSecret logs in with AWSPREVIOUS and sets the new password.
#[tokio::test]
async fn single_user_falls_back_to_the_previous_password() {
    let Some(db) = Db::mariadb().await else {
        return;
    };
    let sm = Sm::new().await;
    let user = fresh_name();
    db.create_user(&user, "Old-Passw0rd-1").await;
    let arn = sm
        .create(&db.secret_json("mariadb", &user, "Old-Passw0rd-1"))
        .await;
    sm.put(
        &arn,
        &db.secret_json("mariadb", &user, "Never-Set-Passw0rd"),
    )
    .await;
    sm.rotate(MARIADB_SINGLE, &arn).await.expect("rotation");
    let current = sm.value(&arn, "AWSCURRENT").await;
    assert!(
        db.can_login(&user, current["password"].as_str().unwrap())
            .await
    );
    assert!(!db.can_login(&user, "Old-Passw0rd-1").await);
    db.drop_user(&user).await;
}
