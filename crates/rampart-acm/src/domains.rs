//! The model's `DomainNameString` pattern, which the generated validator cannot enforce (it
//! needs look-ahead): an optional `*.` then labels of letters, digits and hyphens, at most 63
//! long, neither starting nor ending with a hyphen, at least two of them. RequestCertificate
//! answers a name that does not fit with the model's ValidationException.

use crate::generated::{DomainValidationOption, RequestCertificateRequest, ServiceError};
use rampart_codec::{Field, ValidationErrors};

/// The model's pattern, as AWS shows it in the message.
const PATTERN: &str =
    "(\\*\\.)?(((?!-)[A-Za-z0-9-]{0,62}[A-Za-z0-9])\\.)+((?!-)[A-Za-z0-9-]{1,62}[A-Za-z0-9])";

/// Whether `name` matches the whole pattern.
pub fn fits(name: &str) -> bool {
    let rest = name.strip_prefix("*.").unwrap_or(name);
    let labels: Vec<&str> = rest.split('.').collect();
    labels.len() >= 2
        && labels.iter().all(|label| {
            let bytes = label.as_bytes();
            (1..=63).contains(&bytes.len())
                && bytes
                    .iter()
                    .all(|b| b.is_ascii_alphanumeric() || *b == b'-')
                && bytes.first() != Some(&b'-')
                && bytes.last() != Some(&b'-')
        })
        && labels.last().is_some_and(|tld| tld.len() >= 2)
}

/// Every name of the request that does not fit, as one ValidationException.
pub fn check(input: &RequestCertificateRequest) -> Result<(), ServiceError> {
    let mut errs = ValidationErrors::new();
    let constraint = format!("Member must satisfy regular expression pattern: {PATTERN}");
    if let Some(name) = input.domain_name.as_deref().filter(|n| !fits(n)) {
        errs.add(&Field::new("", "domainName", false), name, &constraint);
    }
    let sans = Field::new("", "subjectAlternativeNames", false);
    for (index, name) in input.subject_alternative_names.iter().flatten().enumerate() {
        if !fits(name) {
            let path = sans.item_path(index);
            errs.add(&Field::at(&path, false), name.as_str(), &constraint);
        }
    }
    let options = Field::new("", "domainValidationOptions", false);
    let listed: &[DomainValidationOption] = input
        .domain_validation_options
        .as_deref()
        .unwrap_or_default();
    for (index, option) in listed.iter().enumerate() {
        let item = options.item_path(index);
        for (member, value) in [
            ("domainName", &option.domain_name),
            ("validationDomain", &option.validation_domain),
        ] {
            if let Some(value) = value.as_deref().filter(|v| !fits(v)) {
                errs.add(&Field::new(&item, member, false), value, &constraint);
            }
        }
    }
    errs.into_result()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_fit_the_model_pattern_as_a_whole() {
        for good in [
            "example.com",
            "*.example.com",
            "a-b.c0.example.org",
            "xn--bcher-kva.example",
        ] {
            assert!(fits(good), "{good}");
        }
        for bad in [
            "-bad-.example.com",
            "example",
            "a..b.com",
            "*.*.example.com",
            "ex ample.com",
            "a.b-",
        ] {
            assert!(!fits(bad), "{bad}");
        }
        assert!(!fits(&format!("{}.com", "a".repeat(64))));
    }
}
