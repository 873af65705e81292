//! ACM over both store backends: imports checked as ACM checks them, re-import, reads, lists
//! with their default key-type filter and paging, tags, deletion.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{ACCOUNT, Harness, ca, import_body, made, params, self_signed};
use serde_json::json;

#[tokio::test]
async fn an_imported_certificate_is_described_listed_and_deleted() {
    for h in Harness::all().await {
        let cert = self_signed("example.com", &rcgen::PKCS_RSA_SHA256);
        let arn = h
            .ok(
                "ImportCertificate",
                import_body(&cert.cert_pem, &cert.key_pem, None),
            )
            .await["CertificateArn"]
            .as_str()
            .unwrap()
            .to_owned();
        assert!(arn.starts_with(&format!("arn:aws:acm:us-east-1:{ACCOUNT}:certificate/")));
        let detail = h
            .ok("DescribeCertificate", json!({"CertificateArn": arn}))
            .await["Certificate"]
            .clone();
        assert_eq!(detail["Type"], "IMPORTED");
        assert_eq!(detail["Status"], "ISSUED");
        assert_eq!(detail["KeyAlgorithm"], "RSA_2048");
        assert_eq!(detail["SignatureAlgorithm"], "SHA256WITHRSA");
        assert_eq!(detail["DomainName"], "example.com");
        assert_eq!(
            detail["SubjectAlternativeNames"],
            json!(["example.com", "www.example.com"])
        );
        assert_eq!(detail["Issuer"], "Rampart Tests");
        assert_eq!(detail["RenewalEligibility"], "INELIGIBLE");
        assert!(detail["Serial"].as_str().unwrap().contains(':'));
        assert!(detail.get("ImportedAt").is_some() && detail.get("CreatedAt").is_none());
        let got = h.ok("GetCertificate", json!({"CertificateArn": arn})).await;
        assert_eq!(
            got["Certificate"].as_str().unwrap().trim(),
            cert.cert_pem.trim()
        );
        let listed = h.ok("ListCertificates", json!({})).await;
        assert_eq!(listed["CertificateSummaryList"][0]["CertificateArn"], arn);
        h.ok("DeleteCertificate", json!({"CertificateArn": arn}))
            .await;
        h.fails(
            "DescribeCertificate",
            json!({"CertificateArn": arn}),
            "ResourceNotFoundException",
        )
        .await;
        h.fails(
            "DeleteCertificate",
            json!({"CertificateArn": arn}),
            "ResourceNotFoundException",
        )
        .await;
        h.cleanup().await;
    }
}

#[tokio::test]
async fn imports_are_refused_as_acm_refuses_them() {
    for h in Harness::all().await {
        let good = self_signed("good.example", &rcgen::PKCS_ECDSA_P256_SHA256);
        let other = self_signed("other.example", &rcgen::PKCS_ECDSA_P256_SHA256);
        let mismatched = import_body(&good.cert_pem, &other.key_pem, None);
        let err = h
            .fails("ImportCertificate", mismatched, "ValidationException")
            .await;
        assert!(err.message.contains("does not match"), "{}", err.message);
        let expired = made(
            params("old.example", -30, -1),
            &rcgen::PKCS_ECDSA_P256_SHA256,
            None,
        );
        h.fails(
            "ImportCertificate",
            import_body(&expired.cert_pem, &expired.key_pem, None),
            "ValidationException",
        )
        .await;
        let future = made(
            params("new.example", 2, 30),
            &rcgen::PKCS_ECDSA_P256_SHA256,
            None,
        );
        h.fails(
            "ImportCertificate",
            import_body(&future.cert_pem, &future.key_pem, None),
            "ValidationException",
        )
        .await;
        let two = format!("{}{}", good.cert_pem, other.cert_pem);
        let err = h
            .fails(
                "ImportCertificate",
                import_body(&two, &good.key_pem, None),
                "ValidationException",
            )
            .await;
        assert!(err.message.contains("more than one certificate"));
        let err = h
            .fails(
                "ImportCertificate",
                import_body(&good.cert_pem, "nonsense", None),
                "ValidationException",
            )
            .await;
        assert_eq!(err.message, "The private key is not supported.");
        // Nothing was stored.
        assert!(h.raw_rows("acm_certificates").await.is_empty());
        h.cleanup().await;
    }
}

#[tokio::test]
async fn chains_must_start_with_the_issuer_and_verify() {
    for h in Harness::all().await {
        let root = ca("Chain Root");
        let leaf = made(
            params("leaf.example", -1, 30),
            &rcgen::PKCS_ECDSA_P384_SHA384,
            Some(&root),
        );
        let body = import_body(&leaf.cert_pem, &leaf.key_pem, Some(&root.cert_pem));
        let arn = h.ok("ImportCertificate", body).await["CertificateArn"].clone();
        let got = h.ok("GetCertificate", json!({"CertificateArn": arn})).await;
        assert_eq!(
            got["CertificateChain"].as_str().unwrap().trim(),
            root.cert_pem.trim()
        );
        let stranger = ca("Stranger Root");
        let body = import_body(&leaf.cert_pem, &leaf.key_pem, Some(&stranger.cert_pem));
        let err = h
            .fails("ImportCertificate", body, "ValidationException")
            .await;
        assert!(
            err.message
                .ends_with("The index within the chain of the invalid certificate is: 0")
        );
        let body = import_body(
            &leaf.cert_pem,
            &leaf.key_pem,
            Some(&format!("{}{}", root.cert_pem, stranger.cert_pem)),
        );
        let err = h
            .fails("ImportCertificate", body, "ValidationException")
            .await;
        assert!(err.message.ends_with("is: 1"), "{}", err.message);
        h.cleanup().await;
    }
}

#[tokio::test]
async fn reimport_keeps_the_arn_and_refuses_tags_and_other_key_types() {
    for h in Harness::all().await {
        let first = self_signed("keep.example", &rcgen::PKCS_ECDSA_P256_SHA256);
        let mut body = import_body(&first.cert_pem, &first.key_pem, None);
        body["Tags"] = json!([{"Key": "team", "Value": "edge"}]);
        let arn = h.ok("ImportCertificate", body).await["CertificateArn"].clone();
        let second = self_signed("renamed.example", &rcgen::PKCS_ECDSA_P256_SHA256);
        let mut again = import_body(&second.cert_pem, &second.key_pem, None);
        again["CertificateArn"] = arn.clone();
        assert_eq!(
            h.ok("ImportCertificate", again.clone()).await["CertificateArn"],
            arn
        );
        let detail = h
            .ok("DescribeCertificate", json!({"CertificateArn": arn}))
            .await;
        assert_eq!(detail["Certificate"]["DomainName"], "renamed.example");
        let tags = h
            .ok("ListTagsForCertificate", json!({"CertificateArn": arn}))
            .await;
        assert_eq!(tags["Tags"], json!([{"Key": "team", "Value": "edge"}]));
        again["Tags"] = json!([{"Key": "a", "Value": "b"}]);
        let err = h
            .fails("ImportCertificate", again, "ValidationException")
            .await;
        assert_eq!(err.message, "Tagging is not permitted on re-import.");
        let rsa = self_signed("keep.example", &rcgen::PKCS_RSA_SHA256);
        let mut other_key = import_body(&rsa.cert_pem, &rsa.key_pem, None);
        other_key["CertificateArn"] = arn.clone();
        h.fails("ImportCertificate", other_key, "ValidationException")
            .await;
        let missing = arn.as_str().unwrap().replace(
            &arn.as_str().unwrap()[arn.as_str().unwrap().len() - 4..],
            "0000",
        );
        let mut nowhere = import_body(&second.cert_pem, &second.key_pem, None);
        nowhere["CertificateArn"] = json!(missing);
        let err = h
            .fails("ImportCertificate", nowhere, "ResourceNotFoundException")
            .await;
        assert_eq!(
            err.message,
            format!("Could not find certificate {missing}.")
        );
        h.cleanup().await;
    }
}

#[tokio::test]
async fn lists_hide_other_key_types_by_default_and_page() {
    for h in Harness::all().await {
        for i in 0..3 {
            let rsa = self_signed(&format!("rsa{i}.example"), &rcgen::PKCS_RSA_SHA256);
            h.ok(
                "ImportCertificate",
                import_body(&rsa.cert_pem, &rsa.key_pem, None),
            )
            .await;
            h.advance(time::Duration::seconds(1));
        }
        let ec = self_signed("ec.example", &rcgen::PKCS_ECDSA_P256_SHA256);
        h.ok(
            "ImportCertificate",
            import_body(&ec.cert_pem, &ec.key_pem, None),
        )
        .await;
        let all = h.ok("ListCertificates", json!({})).await["CertificateSummaryList"].clone();
        assert_eq!(all.as_array().unwrap().len(), 3);
        let with_ec = h
            .ok(
                "ListCertificates",
                json!({"Includes": {"keyTypes": ["EC_prime256v1"]}}),
            )
            .await;
        assert_eq!(
            with_ec["CertificateSummaryList"][0]["DomainName"],
            "ec.example"
        );
        let first = h.ok("ListCertificates", json!({"MaxItems": 2})).await;
        assert_eq!(first["CertificateSummaryList"].as_array().unwrap().len(), 2);
        assert_eq!(
            first["CertificateSummaryList"][0]["DomainName"],
            "rsa0.example"
        );
        let token = first["NextToken"].as_str().unwrap();
        let rest = h
            .ok(
                "ListCertificates",
                json!({"MaxItems": 2, "NextToken": token}),
            )
            .await;
        assert_eq!(
            rest["CertificateSummaryList"][0]["DomainName"],
            "rsa2.example"
        );
        assert!(rest.get("NextToken").is_none());
        let newest = h
            .ok(
                "ListCertificates",
                json!({"SortBy": "CREATED_AT", "SortOrder": "DESCENDING"}),
            )
            .await;
        assert_eq!(
            newest["CertificateSummaryList"][0]["DomainName"],
            "rsa2.example"
        );
        let expired = h
            .ok(
                "ListCertificates",
                json!({"CertificateStatuses": ["EXPIRED"]}),
            )
            .await;
        assert!(
            expired["CertificateSummaryList"]
                .as_array()
                .unwrap()
                .is_empty()
        );
        h.advance(time::Duration::days(100));
        let expired = h
            .ok(
                "ListCertificates",
                json!({"CertificateStatuses": ["EXPIRED"]}),
            )
            .await;
        assert_eq!(
            expired["CertificateSummaryList"].as_array().unwrap().len(),
            3
        );
        h.fails(
            "ListCertificates",
            json!({"NextToken": "bogus"}),
            "InvalidArgsException",
        )
        .await;
        h.fails(
            "ListCertificates",
            json!({"SortBy": "CREATED_AT"}),
            "ValidationException",
        )
        .await;
        h.cleanup().await;
    }
}

#[tokio::test]
async fn tags_are_added_replaced_and_removed() {
    for h in Harness::all().await {
        let cert = self_signed("tags.example", &rcgen::PKCS_ECDSA_P256_SHA256);
        let arn = h
            .ok(
                "ImportCertificate",
                import_body(&cert.cert_pem, &cert.key_pem, None),
            )
            .await["CertificateArn"]
            .clone();
        let add = |tags| json!({"CertificateArn": arn, "Tags": tags});
        h.ok(
            "AddTagsToCertificate",
            add(json!([{"Key": "a", "Value": "1"}, {"Key": "b"}])),
        )
        .await;
        h.ok(
            "AddTagsToCertificate",
            add(json!([{"Key": "a", "Value": "2"}])),
        )
        .await;
        h.ok(
            "RemoveTagsFromCertificate",
            add(json!([{"Key": "b"}, {"Key": "a", "Value": "1"}])),
        )
        .await;
        let tags = h
            .ok("ListTagsForCertificate", json!({"CertificateArn": arn}))
            .await;
        assert_eq!(tags["Tags"], json!([{"Key": "a", "Value": "2"}]));
        h.fails(
            "AddTagsToCertificate",
            add(json!([{"Key": "aws:x", "Value": "1"}])),
            "InvalidTagException",
        )
        .await;
        let many: Vec<_> = (0..50).map(|i| json!({"Key": format!("k{i}")})).collect();
        h.fails(
            "AddTagsToCertificate",
            add(json!(many)),
            "TooManyTagsException",
        )
        .await;
        h.cleanup().await;
    }
}

#[tokio::test]
async fn arns_that_are_not_certificates_are_refused() {
    for h in Harness::all().await {
        let bad = json!({"CertificateArn": format!("arn:aws:acm:us-east-1:{ACCOUNT}:certificate/not-a-uuid")});
        h.fails("DescribeCertificate", bad, "InvalidArnException")
            .await;
        let pattern = json!({"CertificateArn": "nonsense-but-long-enough"});
        h.fails("DescribeCertificate", pattern, "ValidationException")
            .await;
        h.cleanup().await;
    }
}

#[tokio::test]
async fn imported_keys_are_sealed_in_the_store() {
    for h in Harness::all().await {
        let cert = self_signed("sealed.example", &rcgen::PKCS_ECDSA_P256_SHA256);
        h.ok(
            "ImportCertificate",
            import_body(&cert.cert_pem, &cert.key_pem, None),
        )
        .await;
        let pkcs8 = cert.key.serialize_der();
        let secret = &pkcs8[pkcs8.len() - 40..pkcs8.len() - 8];
        for row in h.raw_rows("acm_certificates").await {
            assert!(!row.windows(secret.len()).any(|w| w == secret));
            assert!(!String::from_utf8_lossy(&row).contains("PRIVATE KEY"));
        }
        h.cleanup().await;
    }
}

#[tokio::test]
async fn search_combines_filter_statements_and_sorts() {
    for h in Harness::all().await {
        let rsa = self_signed("alpha.example", &rcgen::PKCS_RSA_SHA256);
        let rsa_arn = h
            .ok(
                "ImportCertificate",
                import_body(&rsa.cert_pem, &rsa.key_pem, None),
            )
            .await["CertificateArn"]
            .clone();
        h.advance(time::Duration::seconds(1));
        let ec = self_signed("beta.example", &rcgen::PKCS_ECDSA_P384_SHA384);
        let ec_arn = h
            .ok(
                "ImportCertificate",
                import_body(&ec.cert_pem, &ec.key_pem, None),
            )
            .await["CertificateArn"]
            .clone();
        h.advance(time::Duration::seconds(1));
        h.ok(
            "RequestCertificate",
            json!({"DomainName": "gamma.example", "ValidationMethod": "DNS"}),
        )
        .await;
        let search = |statement: serde_json::Value| json!({"FilterStatement": statement});
        let arns = |out: serde_json::Value| -> Vec<serde_json::Value> {
            out["Results"]
                .as_array()
                .unwrap()
                .iter()
                .map(|r| r["CertificateArn"].clone())
                .collect()
        };
        let all = h.ok("SearchCertificates", json!({})).await;
        assert_eq!(all["Results"].as_array().unwrap().len(), 3);
        let first = &all["Results"][0];
        assert_eq!(first["CertificateArn"], rsa_arn);
        assert_eq!(
            first["X509Attributes"]["Subject"]["CommonName"],
            "alpha.example"
        );
        assert_eq!(
            first["X509Attributes"]["Subject"]["Organization"],
            "Rampart Tests"
        );
        assert_eq!(
            first["X509Attributes"]["SubjectAlternativeNames"][1]["DnsName"],
            "www.alpha.example"
        );
        assert_eq!(
            first["CertificateMetadata"]["AcmCertificateMetadata"]["Type"],
            "IMPORTED"
        );
        let by_key =
            search(json!({"Filter": {"X509AttributeFilter": {"KeyAlgorithm": "EC_secp384r1"}}}));
        assert_eq!(
            arns(h.ok("SearchCertificates", by_key).await),
            vec![ec_arn.clone()]
        );
        let contains = search(
            json!({"Filter": {"X509AttributeFilter": {"SubjectAlternativeName": {"DnsName": {"Value": "WWW.", "ComparisonOperator": "CONTAINS"}}}}}),
        );
        assert_eq!(arns(h.ok("SearchCertificates", contains).await).len(), 2);
        let imported_not_ec = search(json!({"And": [
            {"Filter": {"AcmCertificateMetadataFilter": {"Type": "IMPORTED"}}},
            {"Not": {"Filter": {"CertificateArn": ec_arn}}},
        ]}));
        assert_eq!(
            arns(h.ok("SearchCertificates", imported_not_ec).await),
            vec![rsa_arn.clone()]
        );
        let pending_or_ec = search(json!({"Or": [
            {"Filter": {"AcmCertificateMetadataFilter": {"Status": "PENDING_VALIDATION"}}},
            {"Filter": {"X509AttributeFilter": {"Subject": {"CommonName": {"Value": "beta.example", "ComparisonOperator": "EQUALS"}}}}},
        ]}));
        assert_eq!(
            arns(h.ok("SearchCertificates", pending_or_ec).await).len(),
            2
        );
        let newest = h
            .ok(
                "SearchCertificates",
                json!({"SortBy": "CREATED_AT", "SortOrder": "DESCENDING", "MaxResults": 1}),
            )
            .await;
        assert_eq!(
            newest["Results"][0]["CertificateMetadata"]["AcmCertificateMetadata"]["Status"],
            "PENDING_VALIDATION"
        );
        let rest = h.ok("SearchCertificates", json!({"SortBy": "CREATED_AT", "SortOrder": "DESCENDING", "NextToken": newest["NextToken"]})).await;
        assert_eq!(arns(rest), vec![ec_arn, rsa_arn]);
        let two_members = search(
            json!({"Filter": {"CertificateArn": "arn:aws:acm:us-east-1:111122223333:certificate/x", "AcmCertificateMetadataFilter": {"Type": "IMPORTED"}}}),
        );
        h.fails("SearchCertificates", two_members, "ValidationException")
            .await;
        h.cleanup().await;
    }
}
