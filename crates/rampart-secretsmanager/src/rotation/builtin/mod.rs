//! Rampart's built-in rotators, standing in for AWS's database rotation templates (the
//! `SecretsManagerRDS…Rotation…` Lambda functions of aws-secrets-manager-rotation-lambdas):
//! PostgreSQL, MySQL and MariaDB, each with the single-user and the alternating-users
//! (`MultiUser`) strategy, driven by the secret's JSON exactly as the templates are
//! (`flow.rs`: the four steps; `secret.rs`: the JSON; `db.rs` with `postgres.rs` and
//! `mysql.rs`: the database servers).
//!
//! **Which functions are built in.** A rotation runs a built-in rotator when the function name
//! of its RotationLambdaARN (`arn:aws:lambda:<region>:<account>:function:<name>[:<qualifier>]`,
//! or the bare name) *is* one of the template names below, compared exactly (case-sensitive).
//! On AWS the templates are deployed from the Serverless Application Repository (or by
//! CloudFormation's `HostedRotationLambda`) under a function name the user chooses; Rampart
//! has no Lambda, so the template's own name is how a RotationLambdaARN asks for it. A name
//! that merely contains or extends a template name (`SecretsManagerRDSPostgreSQLRotation
//! SingleUser-prod`) is not taken as the template: such a function stays the user's own (an
//! HTTP rotation function registered under that name), never silently replaced.
//!
//! **TLS.** The templates' `ssl` key: absent or not a boolean, they try TLS and fall back to a
//! plaintext connection; Rampart connects in plaintext at once (the fallback's result).
//! `"ssl": false` is plaintext as in the templates. `"ssl": true` requires TLS, which the
//! built-in rotators do not speak yet: the step fails saying so and nothing is changed.
//!
//! **Differences forced by Rampart having no RDS:** the templates' RDS look-ups (a master
//! secret made by RDS with only `username`/`password`, read replicas of the master's host) are
//! not available: the master secret must name its `host`, the same as the user's.

mod calls;
mod db;
mod flow;
mod mysql;
mod postgres;
mod secret;

use super::RotationFunction;
use flow::DbRotator;
use std::sync::Arc;

/// A database engine a template rotates.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Engine {
    Postgres,
    MySql,
    MariaDb,
}

impl Engine {
    /// Whether the secret's `engine` value is one the engine's templates accept.
    fn accepts(self, name: &str) -> bool {
        match self {
            Engine::Postgres => matches!(name, "postgres" | "aurora-postgresql"),
            Engine::MySql => name == "mysql",
            Engine::MariaDb => name == "mariadb",
        }
    }

    /// The `engine` value the templates' error message asks for.
    fn required_name(self) -> &'static str {
        match self {
            Engine::Postgres => "postgres",
            Engine::MySql => "mysql",
            Engine::MariaDb => "mariadb",
        }
    }

    /// The longest user name the alternating-users template lets `_clone` make.
    fn max_username_chars(self) -> usize {
        match self {
            Engine::Postgres => 63,
            Engine::MySql => 16,
            Engine::MariaDb => 80,
        }
    }

    /// The port when the secret names none.
    fn default_port(self) -> u16 {
        match self {
            Engine::Postgres => 5432,
            Engine::MySql | Engine::MariaDb => 3306,
        }
    }
}

/// How a template rotates: the user changes its own password, or a master user alternates
/// between `<user>` and `<user>_clone`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Strategy {
    SingleUser,
    AlternatingUsers,
}

/// The templates Rampart runs itself, by function name.
const TEMPLATES: [(&str, Engine, Strategy); 6] = [
    (
        "SecretsManagerRDSPostgreSQLRotationSingleUser",
        Engine::Postgres,
        Strategy::SingleUser,
    ),
    (
        "SecretsManagerRDSPostgreSQLRotationMultiUser",
        Engine::Postgres,
        Strategy::AlternatingUsers,
    ),
    (
        "SecretsManagerRDSMySQLRotationSingleUser",
        Engine::MySql,
        Strategy::SingleUser,
    ),
    (
        "SecretsManagerRDSMySQLRotationMultiUser",
        Engine::MySql,
        Strategy::AlternatingUsers,
    ),
    (
        "SecretsManagerRDSMariaDBRotationSingleUser",
        Engine::MariaDb,
        Strategy::SingleUser,
    ),
    (
        "SecretsManagerRDSMariaDBRotationMultiUser",
        Engine::MariaDb,
        Strategy::AlternatingUsers,
    ),
];

/// The function name a RotationLambdaARN (or a bare `name[:qualifier]`) names.
fn function_name(arn_or_name: &str) -> &str {
    let mut parts = arn_or_name.split(':');
    let name = match arn_or_name.starts_with("arn:") {
        true => parts.nth(6),
        false => parts.next(),
    };
    name.unwrap_or_default()
}

/// The built-in rotator for the rotation function named `function_name` (the last part of a
/// RotationLambdaARN; a whole ARN or a `:qualifier` is accepted too), when that name is one
/// of AWS's database rotation template names.
pub fn builtin(function_name: &str) -> Option<Arc<dyn RotationFunction>> {
    let name = self::function_name(function_name);
    let (_, engine, strategy) = TEMPLATES.iter().find(|(t, _, _)| *t == name)?;
    Some(Arc::new(DbRotator::new(*engine, *strategy)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_the_templates_exactly() {
        for (name, _, _) in TEMPLATES {
            assert!(builtin(name).is_some(), "{name}");
        }
        let arn = "arn:aws:lambda:us-east-1:111122223333:function:\
                   SecretsManagerRDSMariaDBRotationMultiUser:live";
        assert!(builtin(arn).is_some());
        assert!(builtin("SecretsManagerRDSPostgreSQLRotationSingleUser:3").is_some());
        assert!(builtin("secretsmanagerrdspostgresqlrotationsingleuser").is_none());
        assert!(builtin("SecretsManagerRDSPostgreSQLRotationSingleUser-prod").is_none());
        assert!(builtin("SecretsManagerRDSOracleRotationSingleUser").is_none());
        assert!(builtin("arn:aws:lambda:us-east-1:111122223333:function:my-rotator").is_none());
        assert!(builtin("").is_none());
    }
}
