//! Tests of the CA and server certificate issuance.

use super::*;
use x509_parser::extensions::{GeneralName, ParsedExtension};
use x509_parser::pem::Pem;
use x509_parser::prelude::X509Certificate;

fn pems(text: &str) -> Vec<Pem> {
    Pem::iter_from_buffer(text.as_bytes())
        .map(|p| p.unwrap())
        .collect()
}

fn lifetime_days(cert: &X509Certificate<'_>) -> i64 {
    let v = cert.validity();
    (v.not_after.timestamp() - v.not_before.timestamp()) / 86_400
}

#[test]
fn ca_is_a_self_signed_ten_year_ca() {
    let ca = generate_ca("Rampart Local CA").unwrap();
    let pem = pems(&ca.cert_pem);
    assert_eq!(pem.len(), 1);
    let cert = pem[0].parse_x509().unwrap();
    assert_eq!(cert.subject(), cert.issuer());
    assert!(cert.subject().to_string().contains("CN=Rampart Local CA"));
    let bc = cert.basic_constraints().unwrap().unwrap().value;
    assert!(bc.ca);
    assert_eq!(bc.path_len_constraint, Some(0));
    let ku = cert.key_usage().unwrap().unwrap().value;
    assert!(ku.key_cert_sign() && ku.crl_sign());
    assert_eq!(lifetime_days(&cert), 3650);
    assert!(cert.validity().is_valid());
    cert.verify_signature(None).unwrap();
    assert!(ca.key_pem.contains("PRIVATE KEY"));
    assert!(!format!("{ca:?}").contains(&ca.key_pem));
}

#[test]
fn server_cert_has_names_and_is_signed_by_the_ca() {
    let ca = generate_ca("Rampart Local CA").unwrap();
    let ips: Vec<IpAddr> = vec!["127.0.0.1".parse().unwrap(), "::1".parse().unwrap()];
    let names = vec!["localhost".to_string(), "rampart.internal".to_string()];
    let leaf = issue_server_cert(&ca, &names, &ips).unwrap();
    let chain = pems(&leaf.cert_pem);
    assert_eq!(chain.len(), 2, "leaf then CA");
    let cert = chain[0].parse_x509().unwrap();
    let ca_pem = pems(&ca.cert_pem);
    let ca_cert = ca_pem[0].parse_x509().unwrap();
    assert_eq!(chain[1].contents, ca_pem[0].contents);
    assert_eq!(cert.issuer(), ca_cert.subject());
    cert.verify_signature(Some(ca_cert.public_key())).unwrap();
    assert!(cert.subject().to_string().contains("CN=localhost"));
    assert!(!cert.is_ca());
    assert_eq!(lifetime_days(&cert), 365);
    assert!(cert.validity().is_valid());

    let san = cert.subject_alternative_name().unwrap().unwrap().value;
    let mut dns = Vec::new();
    let mut ip_bytes = Vec::new();
    for name in &san.general_names {
        match name {
            GeneralName::DNSName(d) => dns.push(d.to_string()),
            GeneralName::IPAddress(b) => ip_bytes.push(b.to_vec()),
            other => panic!("unexpected SAN {other:?}"),
        }
    }
    assert_eq!(dns, names);
    assert_eq!(
        ip_bytes,
        vec![
            vec![127, 0, 0, 1],
            std::net::Ipv6Addr::LOCALHOST.octets().to_vec()
        ]
    );
    let eku = cert.extended_key_usage().unwrap().unwrap().value;
    assert!(eku.server_auth && !eku.client_auth);
    let has_aki = cert.extensions().iter().any(|e| {
        matches!(
            e.parsed_extension(),
            ParsedExtension::AuthorityKeyIdentifier(_)
        )
    });
    assert!(has_aki);
}

#[test]
fn server_cert_needs_a_name_and_valid_names() {
    let ca = generate_ca("CA").unwrap();
    assert!(issue_server_cert(&ca, &[], &[]).is_err());
    let ip_only = issue_server_cert(&ca, &[], &["10.0.0.1".parse().unwrap()]).unwrap();
    let chain = pems(&ip_only.cert_pem);
    assert!(
        chain[0]
            .parse_x509()
            .unwrap()
            .subject()
            .to_string()
            .contains("CN=10.0.0.1")
    );
    assert!(issue_server_cert(&ca, &["bad\u{e9}name".to_string()], &[]).is_err());
}

#[test]
fn server_cert_rejects_a_mismatched_ca_key() {
    let ca = generate_ca("CA").unwrap();
    let other = generate_ca("Other").unwrap();
    let mixed = CaBundle {
        cert_pem: ca.cert_pem.clone(),
        key_pem: other.key_pem.clone(),
    };
    // rcgen signs with whatever key it is given; the leaf must then fail verification.
    let leaf = issue_server_cert(&mixed, &["localhost".into()], &[]).unwrap();
    let chain = pems(&leaf.cert_pem);
    let ca_pem = pems(&ca.cert_pem);
    let ca_cert = ca_pem[0].parse_x509().unwrap();
    assert!(
        chain[0]
            .parse_x509()
            .unwrap()
            .verify_signature(Some(ca_cert.public_key()))
            .is_err()
    );
}
