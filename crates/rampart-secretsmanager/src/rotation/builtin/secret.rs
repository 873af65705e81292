//! The database secret JSON the rotation templates read (`engine`, `host`, `port`, `username`,
//! `password`, `dbname`, `masterarn`, `ssl`), checked as each template's `get_secret_dict` checks
//! it. Every other key is kept as it is, so a new version carries it over.

use super::Engine;
use crate::rotation::StepFailure;
use serde_json::{Map, Value};

/// The suffix the alternating-users strategy adds to, or removes from, the username.
const CLONE_SUFFIX: &str = "_clone";

/// One version's database credentials: the secret's JSON object.
#[derive(Clone)]
pub(super) struct DbSecret {
    fields: Map<String, Value>,
}

/// Never shows the password (nor any other value of the secret).
impl std::fmt::Debug for DbSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DbSecret")
            .field("keys", &self.fields.keys().collect::<Vec<_>>())
            .finish()
    }
}

impl DbSecret {
    /// Parses `text` and checks it for `engine`'s templates: the required keys and the engine.
    pub(super) fn parse(text: &str, engine: Engine) -> Result<DbSecret, StepFailure> {
        let value: Value = serde_json::from_str(text)
            // Doubt: the templates fail here with Python's json error; this names the problem.
            .map_err(|_| StepFailure("The secret value is not valid JSON".into()))?;
        let Value::Object(fields) = value else {
            return Err(StepFailure(
                "The secret value is not a JSON object of database credentials".into(),
            ));
        };
        let secret = DbSecret { fields };
        secret.check(engine)?;
        Ok(secret)
    }

    /// The template's checks: PostgreSQL's look for the four keys, then the engine; the
    /// MySQL and MariaDB ones for the engine, then the three other keys.
    fn check(&self, engine: Engine) -> Result<(), StepFailure> {
        let missing = |key: &str| StepFailure(format!("{key} key is missing from secret JSON"));
        let required: &[&str] = match engine {
            Engine::Postgres => &["host", "username", "password", "engine"],
            Engine::MySql | Engine::MariaDb => &["host", "username", "password"],
        };
        if engine != Engine::Postgres && !self.engine_accepted(engine) {
            return Err(wrong_engine(engine));
        }
        if let Some(key) = required.iter().find(|k| !self.fields.contains_key(**k)) {
            return Err(missing(key));
        }
        if !self.engine_accepted(engine) {
            return Err(wrong_engine(engine));
        }
        Ok(())
    }

    fn engine_accepted(&self, engine: Engine) -> bool {
        let named = self.fields.get("engine").and_then(Value::as_str);
        named.is_some_and(|name| engine.accepts(name))
    }

    /// A string field, or the text of a number (`port` may be either).
    fn text(&self, key: &str) -> Option<String> {
        match self.fields.get(key)? {
            Value::String(s) => Some(s.clone()),
            Value::Number(n) => Some(n.to_string()),
            Value::Bool(b) => Some(b.to_string()),
            _ => None,
        }
    }

    pub(super) fn host(&self) -> String {
        self.text("host").unwrap_or_default()
    }

    pub(super) fn username(&self) -> String {
        self.text("username").unwrap_or_default()
    }

    pub(super) fn password(&self) -> String {
        self.text("password").unwrap_or_default()
    }

    /// `dbname` when present and not null.
    pub(super) fn dbname(&self) -> Option<String> {
        self.text("dbname")
    }

    /// `masterarn`, which the alternating-users templates require.
    pub(super) fn master_arn(&self) -> Result<String, StepFailure> {
        self.text("masterarn")
            .ok_or_else(|| StepFailure("masterarn key is missing from secret JSON".into()))
    }

    /// `port` as the templates read it (`int(secret['port'])`), else the engine's default.
    pub(super) fn port(&self, default: u16) -> Result<u16, StepFailure> {
        let Some(value) = self.fields.get("port") else {
            return Ok(default);
        };
        let parsed = match value {
            Value::Number(n) => n.as_u64().and_then(|n| u16::try_from(n).ok()),
            Value::String(s) => s.trim().parse::<u16>().ok(),
            _ => None,
        };
        // Doubt: Python's int() raises its own ValueError text here; this one names the key.
        parsed.ok_or_else(|| StepFailure("port in the secret JSON is not a valid port".into()))
    }

    /// Whether the secret asks for TLS: the templates' `get_ssl_config` (`ssl` absent or
    /// invalid: TLS with a plaintext fallback, `None` here; `true`/`"true"`; `false`/`"false"`).
    pub(super) fn ssl(&self) -> Option<bool> {
        match self.fields.get("ssl")? {
            Value::Bool(b) => Some(*b),
            Value::String(s) if s.eq_ignore_ascii_case("true") => Some(true),
            Value::String(s) if s.eq_ignore_ascii_case("false") => Some(false),
            _ => None,
        }
    }

    /// Sets `ssl` as `other` has it (or removes it), as the templates do before logging in
    /// with the AWSPREVIOUS credentials.
    pub(super) fn take_ssl_of(&mut self, other: &DbSecret) {
        match other.fields.get("ssl") {
            Some(ssl) => self.fields.insert("ssl".into(), ssl.clone()),
            None => self.fields.remove("ssl"),
        };
    }

    pub(super) fn set_username(&mut self, username: String) {
        self.fields
            .insert("username".into(), Value::String(username));
    }

    pub(super) fn set_password(&mut self, password: String) {
        self.fields
            .insert("password".into(), Value::String(password));
    }

    /// Sets `dbname` (the multi-user PostgreSQL template logs the master into the user's
    /// database); `None` removes it.
    pub(super) fn set_dbname(&mut self, dbname: Option<String>) {
        match dbname {
            Some(name) => self.fields.insert("dbname".into(), Value::String(name)),
            None => self.fields.remove("dbname"),
        };
    }

    /// The JSON text of the secret.
    pub(super) fn to_json(&self) -> String {
        Value::Object(self.fields.clone()).to_string()
    }
}

/// The template's message for a secret of another engine.
fn wrong_engine(engine: Engine) -> StepFailure {
    StepFailure(format!(
        "Database engine must be set to '{}' in order to use this rotation lambda",
        engine.required_name()
    ))
}

/// The other user of the alternating pair: `<user>_clone` for `<user>` and back, refused
/// when the clone's name would be longer than the engine allows.
pub(super) fn alternate_username(current: &str, engine: Engine) -> Result<String, StepFailure> {
    if let Some(original) = current.strip_suffix(CLONE_SUFFIX) {
        return Ok(original.to_string());
    }
    let clone = format!("{current}{CLONE_SUFFIX}");
    let max = engine.max_username_chars();
    if clone.chars().count() > max {
        return Err(StepFailure(format!(
            "Unable to clone user, username length with _clone appended would exceed {max} \
             characters"
        )));
    }
    Ok(clone)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn pg(text: &str) -> Result<DbSecret, StepFailure> {
        DbSecret::parse(text, Engine::Postgres)
    }

    #[test]
    fn checks_keys_and_engine_in_the_templates_order() {
        let err = pg(r#"{"engine":"mysql","host":"h","username":"u"}"#).unwrap_err();
        assert_eq!(err.0, "password key is missing from secret JSON");
        let err = pg(r#"{"engine":"mysql","host":"h","username":"u","password":"p"}"#);
        assert!(err.unwrap_err().0.contains("must be set to 'postgres'"));
        let err = DbSecret::parse(r#"{"host":"h"}"#, Engine::MariaDb).unwrap_err();
        assert!(err.0.contains("must be set to 'mariadb'"));
        let ok = r#"{"engine":"aurora-postgresql","host":"h","username":"u","password":"p"}"#;
        assert!(pg(ok).is_ok());
        assert!(DbSecret::parse("[1]", Engine::MySql).is_err());
    }

    #[test]
    fn reads_port_dbname_and_ssl() {
        let s = pg(
            r#"{"engine":"postgres","host":"h","username":"u","password":"p",
                       "port":"6543","ssl":"FALSE","dbname":null}"#,
        )
        .unwrap();
        assert_eq!(s.port(5432).unwrap(), 6543);
        assert_eq!(s.ssl(), Some(false));
        assert_eq!(s.dbname(), None);
        let s = pg(
            r#"{"engine":"postgres","host":"h","username":"u","password":"p",
                       "port":70000,"ssl":"maybe"}"#,
        )
        .unwrap();
        assert!(s.port(5432).is_err());
        assert_eq!(s.ssl(), None);
    }

    #[test]
    fn alternates_users_within_the_engine_limit() {
        assert_eq!(
            alternate_username("app", Engine::Postgres).unwrap(),
            "app_clone"
        );
        assert_eq!(
            alternate_username("app_clone", Engine::MySql).unwrap(),
            "app"
        );
        let err = alternate_username("a_sixteen_chars_", Engine::MySql).unwrap_err();
        assert!(err.0.contains("exceed 16 characters"));
        assert!(alternate_username(&"x".repeat(57), Engine::Postgres).is_ok());
        assert!(alternate_username(&"x".repeat(58), Engine::Postgres).is_err());
    }

    #[test]
    fn debug_hides_values() {
        let s = pg(r#"{"engine":"postgres","host":"h","username":"u","password":"hunter2"}"#);
        assert!(!format!("{:?}", s.unwrap()).contains("hunter2"));
    }
}
