//! Which rotation function runs a secret's steps: a built-in rotator when the function's name
//! is one of AWS's rotation templates, else the HTTP endpoint registered for that name in the
//! secret's account and Region (`rampart rotation-function register NAME URL`), kept in the
//! `secretsmanager_rotation_functions` table.

use super::RotationFunction;
use super::builtin::builtin;
use super::http::HttpFunction;
use rampart_store::{Expect, Store, StoreError, Table};
use serde::{Deserialize, Serialize};
use std::sync::Arc;

/// Registered functions, keyed `<account>/<region>/<name>`.
pub const FUNCTIONS: &str = "secretsmanager_rotation_functions";

/// One registered function.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Registered {
    pub name: String,
    pub url: String,
}

fn table(store: &Store) -> Table<Registered> {
    Table::new(store.clone(), FUNCTIONS)
}

fn row(account: &str, region: &str, name: &str) -> String {
    format!("{account}/{region}/{name}")
}

/// The function name a RotationLambdaARN names: `arn:aws:lambda:<region>:<account>:function:
/// <name>[:<qualifier>]`, or the value itself when it is a bare name.
pub fn function_name(lambda_arn: &str) -> &str {
    let parts: Vec<&str> = lambda_arn.splitn(8, ':').collect();
    match parts.as_slice() {
        ["arn", _, "lambda", _, _, "function", name, ..] => name,
        _ => lambda_arn,
    }
}

/// Registers (or re-points) function `name` of `account` in `region` at `url`.
pub async fn register(
    store: &Store,
    account: &str,
    region: &str,
    name: &str,
    url: &str,
) -> Result<(), String> {
    let uri: http::Uri = url
        .parse()
        .map_err(|_| format!("{url} is not a valid URL"))?;
    if !matches!(uri.scheme_str(), Some("http" | "https")) || uri.host().is_none() {
        return Err(format!("{url} is not an http(s) URL"));
    }
    let record = Registered {
        name: name.to_owned(),
        url: url.to_owned(),
    };
    let put = table(store)
        .put(&row(account, region, name), &record, Expect::Any)
        .map_err(|e| e.to_string())?;
    store.transact(vec![put]).await.map_err(|e| e.to_string())
}

/// Removes function `name`; whether it was registered.
pub async fn deregister(
    store: &Store,
    account: &str,
    region: &str,
    name: &str,
) -> Result<bool, String> {
    let key = row(account, region, name);
    let t = table(store);
    if t.get(&key).await.map_err(|e| e.to_string())?.is_none() {
        return Ok(false);
    }
    let delete = t.delete(&key, Expect::Any);
    store
        .transact(vec![delete])
        .await
        .map_err(|e| e.to_string())?;
    Ok(true)
}

/// The functions registered in `account` and `region` (up to 1000).
pub async fn list(store: &Store, account: &str, region: &str) -> Result<Vec<Registered>, String> {
    let prefix = format!("{account}/{region}/");
    let rows = table(store)
        .scan(&prefix, None, 1000)
        .await
        .map_err(|e| e.to_string())?;
    Ok(rows.into_iter().map(|(_, v)| v.value).collect())
}

/// The function that runs the steps of a rotation with `lambda_arn`, `None` when it is neither
/// built in nor registered.
pub async fn resolve(
    store: &Store,
    account: &str,
    region: &str,
    lambda_arn: &str,
) -> Result<Option<Arc<dyn RotationFunction>>, StoreError> {
    let name = function_name(lambda_arn);
    if let Some(function) = builtin(name) {
        return Ok(Some(function));
    }
    let found = table(store).get(&row(account, region, name)).await?;
    Ok(found.map(|r| {
        Arc::new(HttpFunction {
            name: lambda_arn.to_owned(),
            url: r.value.url,
        }) as Arc<dyn RotationFunction>
    }))
}

#[cfg(test)]
mod tests {
    use super::function_name;

    #[test]
    fn names_come_from_function_arns() {
        let arn = "arn:aws:lambda:us-east-1:111122223333:function:my-rotator";
        assert_eq!(function_name(arn), "my-rotator");
        assert_eq!(function_name(&format!("{arn}:prod")), "my-rotator");
        assert_eq!(function_name("my-rotator"), "my-rotator");
    }
}
