//! Instance profiles, OpenID Connect providers and SAML providers through the query-protocol
//! dispatcher, on SQLite and (when `RAMPART_TEST_POSTGRES_URL` is set) PostgreSQL: life
//! cycles, AWS's errors and quotas, paging, tags, the DeleteRole conflict and authorization.

#![allow(clippy::unwrap_used)]

mod common;

use common::{ACCOUNT, Bench, assert_error, value, values};

/// Runs the async test body `$body(&Bench)` once per backend.
macro_rules! on_both_backends {
    ($body:ident, $sqlite:ident, $postgres:ident) => {
        #[tokio::test]
        async fn $sqlite() {
            $body(&Bench::new().await).await;
        }

        #[tokio::test]
        async fn $postgres() {
            let Some(b) = Bench::postgres().await else {
                return;
            };
            $body(&b).await;
            b.cleanup().await;
        }
    };
}

async fn profile_life_cycle(b: &Bench) {
    let created = b
        .ok(
            "CreateInstanceProfile",
            "InstanceProfileName=Web&Path=%2Fapp%2F&Tags.member.1.Key=env&Tags.member.1.Value=dev",
        )
        .await;
    let arn = format!("arn:aws:iam::{ACCOUNT}:instance-profile/app/Web");
    assert_eq!(value(&created, "Arn").as_deref(), Some(arn.as_str()));
    let id = value(&created, "InstanceProfileId").unwrap();
    assert!(id.starts_with("AIPA") && id.len() == 21, "{id}");
    assert!(created.contains("<Roles/>") || created.contains("<Roles></Roles>"));
    b.create_role("WebRole", "").await;
    b.ok(
        "AddRoleToInstanceProfile",
        "InstanceProfileName=web&RoleName=WebRole",
    )
    .await;
    let got = b.ok("GetInstanceProfile", "InstanceProfileName=Web").await;
    assert_eq!(values(&got, "RoleName"), ["WebRole"]);
    assert_eq!(value(&got, "MaxSessionDuration").as_deref(), Some("3600"));
    assert_eq!(values(&got, "Key"), ["env"]);
    let for_role = b
        .ok("ListInstanceProfilesForRole", "RoleName=WebRole")
        .await;
    assert_eq!(values(&for_role, "InstanceProfileName"), ["Web"]);
    // Terraform's destroy order: remove the role, delete the profile, delete the role.
    b.ok(
        "RemoveRoleFromInstanceProfile",
        "InstanceProfileName=Web&RoleName=WebRole",
    )
    .await;
    b.ok("DeleteInstanceProfile", "InstanceProfileName=Web")
        .await;
    b.ok("DeleteRole", "RoleName=WebRole").await;
    let err = b.err("GetInstanceProfile", "InstanceProfileName=Web").await;
    assert_error(
        &err,
        "NoSuchEntity",
        "Instance Profile Web cannot be found.",
    );
    assert_eq!(err.status, 404);
}
on_both_backends!(
    profile_life_cycle,
    profile_life_cycle_sqlite,
    profile_life_cycle_postgres
);

async fn profile_conflicts_and_quotas(b: &Bench) {
    b.ok("CreateInstanceProfile", "InstanceProfileName=P").await;
    let dup = b
        .err("CreateInstanceProfile", "InstanceProfileName=p")
        .await;
    assert_error(
        &dup,
        "EntityAlreadyExists",
        "Instance Profile p already exists.",
    );
    b.create_role("R1", "").await;
    b.create_role("R2", "").await;
    let missing = b
        .err(
            "AddRoleToInstanceProfile",
            "InstanceProfileName=P&RoleName=Nope",
        )
        .await;
    assert_error(
        &missing,
        "NoSuchEntity",
        "The role with name Nope cannot be found.",
    );
    b.ok(
        "AddRoleToInstanceProfile",
        "InstanceProfileName=P&RoleName=R1",
    )
    .await;
    let second = b
        .err(
            "AddRoleToInstanceProfile",
            "InstanceProfileName=P&RoleName=R2",
        )
        .await;
    assert_error(
        &second,
        "LimitExceeded",
        "Cannot exceed quota for InstanceSessionsPerInstanceProfile: 1",
    );
    let delete_profile = b
        .err("DeleteInstanceProfile", "InstanceProfileName=P")
        .await;
    assert_error(
        &delete_profile,
        "DeleteConflict",
        "Cannot delete entity, must remove roles from instance profile first.",
    );
    assert_eq!(delete_profile.status, 409);
    let delete_role = b.err("DeleteRole", "RoleName=R1").await;
    assert_error(
        &delete_role,
        "DeleteConflict",
        "Cannot delete entity, must remove roles from instance profile first.",
    );
    assert!(b.role("R1").await.is_some());
    let not_in = b
        .err(
            "RemoveRoleFromInstanceProfile",
            "InstanceProfileName=P&RoleName=R2",
        )
        .await;
    assert_error(
        &not_in,
        "NoSuchEntity",
        "The role with name R2 cannot be found.",
    );
    let no_role = b.err("ListInstanceProfilesForRole", "RoleName=Ghost").await;
    assert_error(
        &no_role,
        "NoSuchEntity",
        "The role with name Ghost cannot be found.",
    );
}
on_both_backends!(
    profile_conflicts_and_quotas,
    profile_conflicts_and_quotas_sqlite,
    profile_conflicts_and_quotas_postgres
);

async fn profiles_page_by_path_and_marker(b: &Bench) {
    for name in ["a1", "a2", "a3"] {
        let params = format!("InstanceProfileName={name}&Path=%2Fteam%2F");
        b.ok("CreateInstanceProfile", &params).await;
    }
    b.ok("CreateInstanceProfile", "InstanceProfileName=other")
        .await;
    let first = b
        .ok("ListInstanceProfiles", "PathPrefix=%2Fteam%2F&MaxItems=2")
        .await;
    assert_eq!(values(&first, "InstanceProfileName"), ["a1", "a2"]);
    assert_eq!(value(&first, "IsTruncated").as_deref(), Some("true"));
    let marker = value(&first, "Marker").unwrap();
    let rest = b
        .ok(
            "ListInstanceProfiles",
            &format!("PathPrefix=%2Fteam%2F&MaxItems=2&Marker={marker}"),
        )
        .await;
    assert_eq!(values(&rest, "InstanceProfileName"), ["a3"]);
    assert_eq!(value(&rest, "IsTruncated").as_deref(), Some("false"));
    let all = b.ok("ListInstanceProfiles", "").await;
    assert_eq!(values(&all, "InstanceProfileName").len(), 4);
}
on_both_backends!(
    profiles_page_by_path_and_marker,
    profiles_page_by_path_and_marker_sqlite,
    profiles_page_by_path_and_marker_postgres
);

async fn profile_tags(b: &Bench) {
    b.ok("CreateInstanceProfile", "InstanceProfileName=T").await;
    b.ok(
        "TagInstanceProfile",
        "InstanceProfileName=T&Tags.member.1.Key=a&Tags.member.1.Value=1\
         &Tags.member.2.Key=b&Tags.member.2.Value=2",
    )
    .await;
    b.ok(
        "UntagInstanceProfile",
        "InstanceProfileName=T&TagKeys.member.1=A",
    )
    .await;
    let listed = b
        .ok("ListInstanceProfileTags", "InstanceProfileName=T")
        .await;
    assert_eq!(values(&listed, "Key"), ["b"]);
    let dup = b
        .err(
            "TagInstanceProfile",
            "InstanceProfileName=T&Tags.member.1.Key=x&Tags.member.1.Value=1\
             &Tags.member.2.Key=X&Tags.member.2.Value=2",
        )
        .await;
    assert_eq!(dup.code, "InvalidInput");
    let missing = b
        .err("ListInstanceProfileTags", "InstanceProfileName=None")
        .await;
    assert_error(
        &missing,
        "NoSuchEntity",
        "Instance Profile None cannot be found.",
    );
}
on_both_backends!(profile_tags, profile_tags_sqlite, profile_tags_postgres);

#[tokio::test]
async fn callers_without_permission_are_refused_and_nothing_changes() {
    let b = Bench::new().await;
    b.seed_user("alice").await;
    let ctx = b.as_user("alice").await;
    let err = b
        .call_as(&ctx, "CreateInstanceProfile", "InstanceProfileName=X")
        .await
        .unwrap_err();
    assert_eq!(err.code, "AccessDenied");
    let all = b.ok("ListInstanceProfiles", "").await;
    assert!(values(&all, "InstanceProfileName").is_empty());
}

const THUMB: &str = "9e99a48a9960b14926bb7f3b02e22da2b0ab7280";

fn oidc_arn(resource: &str) -> String {
    format!("arn:aws:iam::{ACCOUNT}:oidc-provider/{resource}")
}

async fn oidc_life_cycle(b: &Bench) {
    let created = b
        .ok(
            "CreateOpenIDConnectProvider",
            &format!(
                "Url=https%3A%2F%2Ftoken.actions.githubusercontent.com\
                 &ClientIDList.member.1=sts.amazonaws.com&ThumbprintList.member.1={THUMB}\
                 &Tags.member.1.Key=ci&Tags.member.1.Value=gh"
            ),
        )
        .await;
    let arn = oidc_arn("token.actions.githubusercontent.com");
    assert_eq!(
        value(&created, "OpenIDConnectProviderArn").as_deref(),
        Some(arn.as_str())
    );
    let on = format!("OpenIDConnectProviderArn={arn}");
    b.ok(
        "AddClientIDToOpenIDConnectProvider",
        &format!("{on}&ClientID=other"),
    )
    .await;
    b.ok(
        "AddClientIDToOpenIDConnectProvider",
        &format!("{on}&ClientID=other"),
    )
    .await;
    b.ok(
        "RemoveClientIDFromOpenIDConnectProvider",
        &format!("{on}&ClientID=sts.amazonaws.com"),
    )
    .await;
    b.ok(
        "UpdateOpenIDConnectProviderThumbprint",
        &format!("{on}&ThumbprintList.member.1={}", "A".repeat(40)),
    )
    .await;
    let got = b.ok("GetOpenIDConnectProvider", &on).await;
    assert_eq!(
        value(&got, "Url").as_deref(),
        Some("token.actions.githubusercontent.com")
    );
    assert_eq!(values(&got, "ClientIDList").len(), 1);
    assert!(got.contains("<member>other</member>"), "{got}");
    assert!(got.contains(&"A".repeat(40)), "{got}");
    assert_eq!(values(&got, "Key"), ["ci"]);
    let listed = b.ok("ListOpenIDConnectProviders", "").await;
    assert_eq!(values(&listed, "Arn"), [arn.as_str()]);
    b.ok("DeleteOpenIDConnectProvider", &on).await;
    // Idempotent, as AWS documents.
    b.ok("DeleteOpenIDConnectProvider", &on).await;
    let err = b.err("GetOpenIDConnectProvider", &on).await;
    assert_error(
        &err,
        "NoSuchEntity",
        &format!("OpenIDConnect Provider not found for arn {arn}"),
    );
}
on_both_backends!(
    oidc_life_cycle,
    oidc_life_cycle_sqlite,
    oidc_life_cycle_postgres
);

async fn oidc_refusals(b: &Bench) {
    let url = "Url=https%3A%2F%2Fissuer.example.com%2Fpath";
    b.ok("CreateOpenIDConnectProvider", url).await;
    let dup = b
        .err(
            "CreateOpenIDConnectProvider",
            "Url=https%3A%2F%2FISSUER.example.com%2Fpath%2F",
        )
        .await;
    assert_error(
        &dup,
        "EntityAlreadyExists",
        "Provider with url https://ISSUER.example.com/path/ already exists.",
    );
    let http = b
        .err(
            "CreateOpenIDConnectProvider",
            "Url=http%3A%2F%2Fa.example.com",
        )
        .await;
    assert_error(
        &http,
        "InvalidInput",
        "Invalid Open ID Connect Provider URL. The URL must begin with https://.",
    );
    let many: String = (1..=6)
        .map(|i| format!("&ThumbprintList.member.{i}={THUMB}"))
        .collect();
    let err = b
        .err(
            "CreateOpenIDConnectProvider",
            &format!("Url=https%3A%2F%2Fb.example.com{many}"),
        )
        .await;
    assert_error(
        &err,
        "InvalidInput",
        "Thumbprint list must contain fewer than 5 entries.",
    );
    let listed = b.ok("ListOpenIDConnectProviders", "").await;
    assert_eq!(values(&listed, "Arn").len(), 1);
    let other =
        "OpenIDConnectProviderArn=arn:aws:iam::210987654321:oidc-provider/issuer.example.com/path";
    let err = b.err("GetOpenIDConnectProvider", other).await;
    assert_eq!(err.code, "NoSuchEntity");
}
on_both_backends!(oidc_refusals, oidc_refusals_sqlite, oidc_refusals_postgres);

/// IdP metadata for `entity_id` with a fresh self-signed signing certificate (and its key's
/// PKCS#8 PEM, usable as a decryption key).
fn idp_metadata(entity_id: &str) -> (String, String) {
    use base64::Engine as _;
    let key = rcgen::KeyPair::generate().unwrap();
    let params = rcgen::CertificateParams::new(vec!["idp.example.com".to_owned()]).unwrap();
    let cert = params.self_signed(&key).unwrap();
    let der = base64::engine::general_purpose::STANDARD.encode(cert.der());
    let document = format!(
        r#"<?xml version="1.0"?>
<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata"
  xmlns:ds="http://www.w3.org/2000/09/xmldsig#" entityID="{entity_id}" validUntil="2099-01-01T00:00:00Z">
  <md:IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">
    <md:KeyDescriptor use="signing"><ds:KeyInfo><ds:X509Data>
      <ds:X509Certificate>{der}</ds:X509Certificate>
    </ds:X509Data></ds:KeyInfo></md:KeyDescriptor>
    <md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST"
      Location="https://idp.example.com/sso"/>
  </md:IDPSSODescriptor>
</md:EntityDescriptor>"#
    );
    (document, key.serialize_pem())
}

fn saml_arn(name: &str) -> String {
    format!("arn:aws:iam::{ACCOUNT}:saml-provider/{name}")
}

async fn saml_life_cycle(b: &Bench) {
    let (document, key_pem) = idp_metadata("https://idp.example.com/meta");
    let created = b
        .ok(
            "CreateSAMLProvider",
            &format!(
                "Name=Corp&SAMLMetadataDocument={}&AddPrivateKey={}\
                 &AssertionEncryptionMode=Allowed&Tags.member.1.Key=a&Tags.member.1.Value=b",
                common::enc(&document),
                common::enc(&key_pem)
            ),
        )
        .await;
    let arn = saml_arn("Corp");
    assert_eq!(
        value(&created, "SAMLProviderArn").as_deref(),
        Some(arn.as_str())
    );
    let on = format!("SAMLProviderArn={arn}");
    let got = b.ok("GetSAMLProvider", &on).await;
    assert_eq!(value(&got, "SAMLMetadataDocument").unwrap(), document);
    assert!(value(&got, "ValidUntil").unwrap().starts_with("2099-01-01"));
    assert_eq!(
        value(&got, "AssertionEncryptionMode").as_deref(),
        Some("Allowed")
    );
    let key_id = value(&got, "KeyId").unwrap();
    assert!(!got.contains("PRIVATE KEY"));
    // The key is stored sealed, never in plaintext.
    let row = format!("{ACCOUNT}/corp");
    let stored = b
        .dir
        .tables
        .store
        .get("iam_saml_providers", &row)
        .await
        .unwrap()
        .unwrap();
    let stored = String::from_utf8_lossy(&stored.value).into_owned();
    assert!(!stored.contains("PRIVATE KEY") && stored.contains(&key_id));
    let (newer, _) = idp_metadata("https://idp.example.com/meta2");
    b.ok(
        "UpdateSAMLProvider",
        &format!(
            "{on}&SAMLMetadataDocument={}&RemovePrivateKey={key_id}",
            common::enc(&newer)
        ),
    )
    .await;
    let got = b.ok("GetSAMLProvider", &on).await;
    assert_eq!(value(&got, "SAMLMetadataDocument").unwrap(), newer);
    assert_eq!(value(&got, "KeyId"), None);
    let listed = b.ok("ListSAMLProviders", "").await;
    assert_eq!(values(&listed, "Arn"), [arn.as_str()]);
    b.ok("UntagSAMLProvider", &format!("{on}&TagKeys.member.1=a"))
        .await;
    let tags = b.ok("ListSAMLProviderTags", &on).await;
    assert!(values(&tags, "Key").is_empty());
    b.ok("DeleteSAMLProvider", &on).await;
    let err = b.err("GetSAMLProvider", &on).await;
    assert_error(
        &err,
        "NoSuchEntity",
        &format!("Manifest not found for arn {arn}"),
    );
    let err = b.err("DeleteSAMLProvider", &on).await;
    assert_eq!(err.code, "NoSuchEntity");
}
on_both_backends!(
    saml_life_cycle,
    saml_life_cycle_sqlite,
    saml_life_cycle_postgres
);

#[tokio::test]
async fn saml_metadata_must_be_idp_metadata_with_a_signing_certificate() {
    let b = Bench::new().await;
    let (good, _) = idp_metadata("https://idp.example.com/meta");
    let cases = [
        good.replace("use=\"signing\"", "use=\"encryption\""),
        good.replace("IDPSSODescriptor", "SPSSODescriptor"),
        good.replace("</md:EntityDescriptor>", ""),
        good.replace("X509Certificate>M", "X509Certificate>!"),
        format!("<!DOCTYPE x []>{good}"),
    ];
    for bad in cases {
        let params = format!("Name=Bad&SAMLMetadataDocument={}", common::enc(&bad));
        let err = b.err("CreateSAMLProvider", &params).await;
        assert_error(&err, "InvalidInput", "Could not parse metadata");
    }
    let listed = b.ok("ListSAMLProviders", "").await;
    assert!(values(&listed, "Arn").is_empty());
    let params = format!("Name=Good&SAMLMetadataDocument={}", common::enc(&good));
    b.ok("CreateSAMLProvider", &params).await;
    let dup = b.err("CreateSAMLProvider", &params).await;
    assert_eq!(dup.code, "EntityAlreadyExists");
    let bad_key = format!("{params}&AddPrivateKey=not-a-key");
    let params2 = bad_key.replace("Name=Good", "Name=Other");
    let err = b.err("CreateSAMLProvider", &params2).await;
    assert_eq!(err.code, "InvalidInput");
}

#[tokio::test]
async fn resource_tags_are_condition_keys() {
    let b = Bench::new().await;
    b.ok(
        "CreateInstanceProfile",
        "InstanceProfileName=Dev&Tags.member.1.Key=env&Tags.member.1.Value=dev",
    )
    .await;
    b.ok("CreateInstanceProfile", "InstanceProfileName=Prod")
        .await;
    b.seed_user("bob").await;
    let only_dev = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:GetInstanceProfile","Resource":"*","Condition":{"StringEquals":{"aws:ResourceTag/env":"dev"}}}]}"#;
    b.put_inline_policy("bob", "dev", only_dev).await;
    let ctx = b.as_user("bob").await;
    let dev = b
        .call_as(&ctx, "GetInstanceProfile", "InstanceProfileName=Dev")
        .await;
    assert!(dev.is_ok());
    let prod = b
        .call_as(&ctx, "GetInstanceProfile", "InstanceProfileName=Prod")
        .await
        .unwrap_err();
    assert_eq!(prod.code, "AccessDenied");
}

#[tokio::test]
async fn metadata_without_valid_until_is_valid_for_a_hundred_years() {
    let b = Bench::new().await;
    let (document, _) = idp_metadata("https://idp.example.com/meta");
    let document = document.replace(" validUntil=\"2099-01-01T00:00:00Z\"", "");
    let params = format!("Name=Old&SAMLMetadataDocument={}", common::enc(&document));
    b.ok("CreateSAMLProvider", &params).await;
    let listed = b.ok("ListSAMLProviders", "").await;
    let created: i32 = value(&listed, "CreateDate").unwrap()[..4].parse().unwrap();
    let until: i32 = value(&listed, "ValidUntil").unwrap()[..4].parse().unwrap();
    assert!((99..=100).contains(&(until - created)), "{listed}");
    let stored = b
        .dir
        .tables
        .store
        .get("iam_saml_providers", &format!("{ACCOUNT}/old"))
        .await
        .unwrap()
        .unwrap();
    let stored = String::from_utf8_lossy(&stored.value).into_owned();
    assert!(stored.contains("\"entity_id\":\"https://idp.example.com/meta\""));
}

#[tokio::test]
async fn a_role_in_several_profiles_pages_through_them() {
    let b = Bench::new().await;
    b.create_role("Shared", "").await;
    for name in ["p1", "p2", "p3"] {
        b.ok(
            "CreateInstanceProfile",
            &format!("InstanceProfileName={name}"),
        )
        .await;
        let params = format!("InstanceProfileName={name}&RoleName=Shared");
        b.ok("AddRoleToInstanceProfile", &params).await;
    }
    let first = b
        .ok("ListInstanceProfilesForRole", "RoleName=shared&MaxItems=2")
        .await;
    assert_eq!(values(&first, "InstanceProfileName"), ["p1", "p2"]);
    let marker = value(&first, "Marker").unwrap();
    let rest = b
        .ok(
            "ListInstanceProfilesForRole",
            &format!("RoleName=Shared&MaxItems=2&Marker={marker}"),
        )
        .await;
    assert_eq!(values(&rest, "InstanceProfileName"), ["p3"]);
}
