//! Domain validation of public requests, as ACM shapes it: per requested name (a wildcard is
//! validated as its base domain) a DNS CNAME `_<32 hex>.<domain>.` → `_<32 hex>.<10
//! letters>.acm-validations.aws.`, stable for one account and domain, or for EMAIL the five
//! administrative addresses of the validation domain. `progress` checks the CNAMEs over DNS
//! (`dns`), checks CAA (`caa`) and issues validated requests; e-mail validation publishes
//! approval links as events (`email`) accepted at Rampart's approval page.

pub mod caa;
pub mod dns;
pub mod email;
pub mod progress;

use crate::generated::errors::invalid_domain_validation_options_exception;
use crate::generated::{DomainValidationOption, ServiceError};
use crate::record::DomainCheck;

/// The addresses ACM mails for a validation domain.
const ADMIN_MAILBOXES: &[&str] = &[
    "admin",
    "administrator",
    "hostmaster",
    "postmaster",
    "webmaster",
];

/// One validation per requested name of `account`, with the request's validation domains.
pub fn checks(
    account: &str,
    names: &[String],
    options: &[DomainValidationOption],
    method: &str,
) -> Result<Vec<DomainCheck>, ServiceError> {
    for option in options {
        let domain = option.domain_name.as_deref().unwrap_or_default();
        let validation = option.validation_domain.as_deref().unwrap_or_default();
        if !names.iter().any(|n| n.eq_ignore_ascii_case(domain)) {
            // Doubt: AWS's wording is not documented.
            return Err(invalid_domain_validation_options_exception(format!(
                "DomainValidationOption DomainName '{domain}' is not one of the requested domain names."
            )));
        }
        if !is_same_or_parent(validation, domain) {
            // Doubt: AWS's wording is not documented; the validation domain must be the
            // domain or one of its superdomains.
            return Err(invalid_domain_validation_options_exception(format!(
                "ValidationDomain '{validation}' must be '{domain}' or a superdomain of it."
            )));
        }
    }
    Ok(names
        .iter()
        .map(|name| check_for(account, name, options, method))
        .collect())
}

/// Whether `parent` is `domain` or one of its superdomains (wildcards compare their base).
fn is_same_or_parent(parent: &str, domain: &str) -> bool {
    let parent = parent.to_ascii_lowercase();
    let domain = base(&domain.to_ascii_lowercase()).to_owned();
    domain == parent || domain.ends_with(&format!(".{parent}"))
}

/// A wildcard name's base domain.
fn base(name: &str) -> &str {
    name.strip_prefix("*.").unwrap_or(name)
}

/// The validation of `name`.
fn check_for(
    account: &str,
    name: &str,
    options: &[DomainValidationOption],
    method: &str,
) -> DomainCheck {
    let chosen = options
        .iter()
        .find(|o| {
            o.domain_name
                .as_deref()
                .is_some_and(|d| d.eq_ignore_ascii_case(name))
        })
        .and_then(|o| o.validation_domain.clone());
    let validation_domain = chosen
        .unwrap_or_else(|| base(name).to_owned())
        .to_ascii_lowercase();
    let dns = method == "DNS";
    DomainCheck {
        domain_name: name.to_owned(),
        validation_domain: if dns {
            name.to_owned()
        } else {
            validation_domain.clone()
        },
        method: method.to_owned(),
        status: "PENDING_VALIDATION".into(),
        record: dns.then(|| cname(account, base(name))),
        emails: if dns {
            Vec::new()
        } else {
            ADMIN_MAILBOXES
                .iter()
                .map(|m| format!("{m}@{validation_domain}"))
                .collect()
        },
        approval: None,
    }
}

/// The validation CNAME (name, value) of `domain` for `account`.
pub fn cname(account: &str, domain: &str) -> (String, String) {
    let digest = |part: &str| {
        let text = format!("rampart/acm/validation/{part}|{account}|{domain}");
        aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, text.as_bytes())
    };
    let name = hex::encode(&digest("name").as_ref()[..16]);
    let value = hex::encode(&digest("value").as_ref()[..16]);
    let zone: String = digest("zone").as_ref()[..10]
        .iter()
        .map(|b| char::from(b'a' + b % 26))
        .collect();
    (
        format!("_{name}.{domain}."),
        format!("_{value}.{zone}.acm-validations.aws."),
    )
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn cnames_are_stable_per_account_and_domain() {
        let (name, value) = cname("111122223333", "example.com");
        assert_eq!(
            cname("111122223333", "example.com"),
            (name.clone(), value.clone())
        );
        assert_ne!(cname("444455556666", "example.com").0, name);
        assert!(name.starts_with('_') && name.ends_with(".example.com."));
        assert_eq!(name.len(), 1 + 32 + ".example.com.".len());
        let parts: Vec<&str> = value.split('.').collect();
        assert_eq!(parts[0].len(), 33);
        assert_eq!(parts[1].len(), 10);
        assert_eq!(&parts[2..], ["acm-validations", "aws", ""]);
    }

    #[test]
    fn wildcards_validate_their_base_domain_and_options_must_fit() {
        let names = vec!["*.example.com".to_owned(), "www.example.org".to_owned()];
        let dns = checks("111122223333", &names, &[], "DNS").unwrap();
        assert_eq!(dns[0].record, Some(cname("111122223333", "example.com")));
        let option = |d: &str, v: &str| DomainValidationOption {
            domain_name: Some(d.into()),
            validation_domain: Some(v.into()),
        };
        let mail = checks(
            "1",
            &names,
            &[option("www.example.org", "example.org")],
            "EMAIL",
        )
        .unwrap();
        assert_eq!(mail[1].emails[0], "admin@example.org");
        assert_eq!(mail[0].emails[4], "webmaster@example.com");
        assert!(checks("1", &names, &[option("other.com", "other.com")], "EMAIL").is_err());
        assert!(
            checks(
                "1",
                &names,
                &[option("www.example.org", "example.net")],
                "EMAIL"
            )
            .is_err()
        );
    }
}
