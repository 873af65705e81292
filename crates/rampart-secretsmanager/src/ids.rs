//! Secret names, ARNs and the `SecretId` a request names (a name, a full ARN, or a partial
//! ARN without the six-character suffix).

use crate::SecretsManagerService;
use crate::generated::ServiceError;
use crate::generated::errors::invalid_parameter_exception;
use crate::policy::{owner_of, region_of};
use crate::record::SecretRecord;
use crate::service::{internal_error, not_found};
use aws_lc_rs::rand::{SecureRandom, SystemRandom};
use rampart_core::RequestContext;
use rampart_store::Versioned;

const SUFFIX_CHARS: &[u8] = b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";

/// Checks a new secret's name: ASCII letters, digits and `/_+=.@-`.
pub fn check_name(name: &str) -> Result<(), ServiceError> {
    let ok = !name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"/_+=.@-".contains(&b));
    match ok {
        true => Ok(()),
        false => Err(invalid_parameter_exception(
            "Invalid name. Must be a valid name containing alphanumeric characters, or any of \
             the following: -/_+=.@!",
        )),
    }
}

/// A new ARN for secret `name`: `arn:aws:secretsmanager:<region>:<account>:secret:<name>-`
/// and six random letters and digits.
pub fn new_arn(ctx: &RequestContext, name: &str) -> Result<String, ServiceError> {
    let mut bytes = [0u8; 6];
    SystemRandom::new()
        .fill(&mut bytes)
        .map_err(|_| internal_error())?;
    let suffix: String = bytes
        .iter()
        .map(|b| char::from(SUFFIX_CHARS[usize::from(*b) % SUFFIX_CHARS.len()]))
        .collect();
    Ok(format!("{}-{suffix}", arn_prefix(ctx, name)))
}

/// The ARN of secret `name` without its suffix.
pub fn arn_prefix(ctx: &RequestContext, name: &str) -> String {
    format!(
        "arn:aws:secretsmanager:{}:{}:secret:{name}",
        ctx.region.as_str(),
        ctx.account().as_str()
    )
}

impl SecretsManagerService {
    /// The secret `id` names (name, full ARN or partial ARN), or ResourceNotFoundException.
    pub(crate) async fn resolve(
        &self,
        ctx: &RequestContext,
        id: &str,
    ) -> Result<Versioned<SecretRecord>, ServiceError> {
        let Some(rest) = id.strip_prefix("arn:") else {
            return self.load(ctx, id).await?.ok_or_else(not_found);
        };
        let name = rest
            .split_once(":secret:")
            .map(|(_, n)| n)
            .ok_or_else(not_found)?;
        if let Some(found) = self.load(ctx, name).await?
            && (found.value.arn == id || arn_prefix(ctx, name) == id)
        {
            return Ok(found);
        }
        let stem = name
            .len()
            .checked_sub(7)
            .filter(|&i| name.is_char_boundary(i) && name[i..].starts_with('-'))
            .map(|i| &name[..i]);
        match stem {
            Some(stem) => match self.load(ctx, stem).await? {
                Some(found) if found.value.arn == id => Ok(found),
                _ => Err(not_found()),
            },
            None => Err(not_found()),
        }
    }
}

impl SecretsManagerService {
    /// The secret `id` names, which may be another account's (or Region's) when `id` is its
    /// full ARN: the reads a resource policy can share (GetSecretValue, DescribeSecret).
    pub(crate) async fn resolve_shared(
        &self,
        ctx: &RequestContext,
        id: &str,
    ) -> Result<Versioned<SecretRecord>, ServiceError> {
        let (account, region) = (owner_of(id), region_of(id));
        let foreign = account != ctx.account().as_str() || region != ctx.region.as_str();
        if !id.starts_with("arn:") || !foreign {
            return self.resolve(ctx, id).await;
        }
        let name = id.split_once(":secret:").map(|(_, n)| n);
        let stem = name.and_then(|n| n.len().checked_sub(7).map(|i| n.get(..i)));
        let stem = stem.flatten().ok_or_else(not_found)?;
        match self.load_at(account, region, stem).await? {
            Some(found) if found.value.arn == id => Ok(found),
            _ => Err(not_found()),
        }
    }
}

/// The `SecretId` of a request, or AWS's error when it is missing.
pub fn secret_id(id: Option<&str>) -> Result<&str, ServiceError> {
    id.ok_or_else(|| invalid_parameter_exception("You must provide a value for SecretId."))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn names_are_checked() {
        assert!(check_name("prod/db_user+x=y.z@w-1").is_ok());
        assert!(check_name("bad name").is_err());
        assert!(check_name("").is_err());
        assert!(check_name("é").is_err());
    }
}
