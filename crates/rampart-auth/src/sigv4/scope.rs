//! The `Credential` parameter: `<key id>/<date>/<region>/<service>/aws4_request`, and its checks.

use crate::AuthError;

/// The five parts of a SigV4 credential, borrowed from the request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct CredentialParts<'a> {
    pub access_key_id: &'a str,
    pub date: &'a str,
    pub region: &'a str,
    pub service: &'a str,
    pub terminator: &'a str,
    /// `<date>/<region>/<service>/<terminator>` as sent: the scope line of the string to sign.
    pub scope: &'a str,
}

/// Splits the credential into its five parts (trailing slashes are ignored, as AWS does).
pub(crate) fn split_credential(credential: &str) -> Result<CredentialParts<'_>, AuthError> {
    let trimmed = credential.trim_end_matches('/');
    let mut parts = trimmed.split('/');
    let fields = [
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
    ];
    match (fields, parts.next()) {
        (
            [
                Some(access_key_id),
                Some(date),
                Some(region),
                Some(service),
                Some(terminator),
            ],
            None,
        ) => Ok(CredentialParts {
            access_key_id,
            date,
            region,
            service,
            terminator,
            scope: &trimmed[access_key_id.len() + 1..],
        }),
        _ => Err(AuthError::IncompleteSignature(format!(
            "Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, got '{credential}'"
        ))),
    }
}

/// A region name as AWS spells them: lowercase letters, digits and hyphens.
fn is_valid_region(region: &str) -> bool {
    !region.is_empty()
        && region
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

/// Checks region syntax, service, terminator and the scope date against the request date
/// (`amz_date` in `yyyymmddThhmmssZ`). All failures are reported together, like AWS does.
pub(crate) fn check_scope(
    parts: &CredentialParts<'_>,
    service: &str,
    amz_date: &str,
) -> Result<(), AuthError> {
    let mut msg = String::new();
    if !is_valid_region(parts.region) {
        msg.push_str(&format!(
            "Credential should be scoped to a valid region, not '{}'. ",
            parts.region
        ));
    }
    if parts.service != service {
        msg.push_str(&format!(
            "Credential should be scoped to correct service: '{service}'. "
        ));
    }
    if parts.terminator != "aws4_request" {
        msg.push_str(&format!(
            "Credential should be scoped with a valid terminator: 'aws4_request', not '{}'. ",
            parts.terminator
        ));
    }
    let day = amz_date.get(..8).unwrap_or(amz_date);
    if parts.date != day {
        msg.push_str(&format!(
            "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '{}' != '{day}', from '{amz_date}'.",
            parts.date
        ));
    }
    if msg.is_empty() {
        Ok(())
    } else {
        Err(AuthError::InvalidSignature(msg))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_five_parts() {
        let parts = split_credential("AKID/20150830/us-east-1/kms/aws4_request/");
        let parts = parts.ok();
        assert_eq!(
            parts.map(|p| (p.access_key_id, p.scope)),
            Some(("AKID", "20150830/us-east-1/kms/aws4_request"))
        );
    }

    #[test]
    fn rejects_wrong_part_count() {
        for bad in ["a/b/c/d", "a/b/c/d/e/f", "AKID"] {
            let err = split_credential(bad).err();
            assert_eq!(
                err,
                Some(AuthError::IncompleteSignature(format!(
                    "Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, got '{bad}'"
                )))
            );
        }
    }

    #[test]
    fn reports_every_scope_problem() {
        let parts = split_credential("AKID/b/C/d/e").ok();
        let err = parts.and_then(|p| check_scope(&p, "kms", "20130609T095204Z").err());
        assert_eq!(
            err.map(|e| e.to_string()).as_deref(),
            Some(
                "Credential should be scoped to a valid region, not 'C'. \
                 Credential should be scoped to correct service: 'kms'. \
                 Credential should be scoped with a valid terminator: 'aws4_request', not 'e'. \
                 Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: 'b' != '20130609', from '20130609T095204Z'."
            )
        );
    }

    #[test]
    fn service_mismatch_alone() {
        let parts = split_credential("AKID/20260101/us-east-1/s3/aws4_request").ok();
        let err = parts.and_then(|p| check_scope(&p, "kms", "20260101T000000Z").err());
        assert_eq!(
            err,
            Some(AuthError::InvalidSignature(
                "Credential should be scoped to correct service: 'kms'. ".to_owned()
            ))
        );
    }
}
