//! Where the KMS client finds its settings, as the AWS CLI and SDKs do: credentials from the
//! environment or the shared credentials file, the endpoint override, the CA bundle, the
//! default Region.

use super::sigv4::Credentials;
use rustls::pki_types::CertificateDer;
use rustls::pki_types::pem::PemObject;
use std::sync::Arc;
use zeroize::Zeroizing;

/// Credentials from `AWS_ACCESS_KEY_ID` / `AWS_SECRET_ACCESS_KEY` / `AWS_SESSION_TOKEN`, else
/// the profile `AWS_PROFILE` (or `default`) of `~/.aws/credentials`.
pub fn credentials() -> Result<Credentials, String> {
    let var = |name| std::env::var(name).ok().filter(|v: &String| !v.is_empty());
    if let (Some(id), Some(secret)) = (var("AWS_ACCESS_KEY_ID"), var("AWS_SECRET_ACCESS_KEY")) {
        return Ok(Credentials {
            access_key_id: id,
            secret_access_key: Zeroizing::new(secret),
            session_token: var("AWS_SESSION_TOKEN"),
        });
    }
    let path = var("AWS_SHARED_CREDENTIALS_FILE")
        .map(std::path::PathBuf::from)
        .or_else(|| var("HOME").map(|h| std::path::Path::new(&h).join(".aws/credentials")))
        .ok_or("no AWS credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY")?;
    let text = Zeroizing::new(
        std::fs::read_to_string(&path)
            .map_err(|e| format!("no AWS credentials ({}: {e})", path.display()))?,
    );
    let profile = var("AWS_PROFILE").unwrap_or_else(|| "default".into());
    profile_credentials(&text, &profile).ok_or_else(|| {
        format!(
            "no credentials for profile {profile:?} in {}",
            path.display()
        )
    })
}

/// The credentials of `[profile]` in an INI credentials file.
fn profile_credentials(text: &str, profile: &str) -> Option<Credentials> {
    let mut in_profile = false;
    let (mut id, mut secret, mut token) = (None, None, None);
    for line in text.lines().map(str::trim) {
        if let Some(name) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
            in_profile = name.trim() == profile;
            continue;
        }
        let Some((key, value)) = line.split_once('=').filter(|_| in_profile) else {
            continue;
        };
        let value = value.trim().to_owned();
        match key.trim() {
            "aws_access_key_id" => id = Some(value),
            "aws_secret_access_key" => secret = Some(Zeroizing::new(value)),
            "aws_session_token" => token = Some(value),
            _ => {}
        }
    }
    Some(Credentials {
        access_key_id: id?,
        secret_access_key: secret?,
        session_token: token,
    })
}

/// `AWS_ENDPOINT_URL_KMS`, else `AWS_ENDPOINT_URL`.
pub fn endpoint_override() -> Option<String> {
    ["AWS_ENDPOINT_URL_KMS", "AWS_ENDPOINT_URL"]
        .into_iter()
        .find_map(|name| std::env::var(name).ok().filter(|v| !v.is_empty()))
}

/// The default Region: `AWS_REGION`, else `AWS_DEFAULT_REGION`.
pub fn default_region() -> Option<String> {
    ["AWS_REGION", "AWS_DEFAULT_REGION"]
        .into_iter()
        .find_map(|name| std::env::var(name).ok().filter(|v| !v.is_empty()))
}

/// Trusted roots: `AWS_CA_BUNDLE` if set, else the system bundle.
pub fn tls_config() -> Result<Arc<rustls::ClientConfig>, String> {
    const SYSTEM: [&str; 3] = [
        "/etc/ssl/certs/ca-certificates.crt",
        "/etc/pki/tls/certs/ca-bundle.crt",
        "/etc/ssl/cert.pem",
    ];
    let bundle = std::env::var("AWS_CA_BUNDLE")
        .ok()
        .filter(|v| !v.is_empty());
    let paths: Vec<String> = match bundle {
        Some(path) => vec![path],
        None => SYSTEM.iter().map(|p| (*p).to_owned()).collect(),
    };
    let mut roots = rustls::RootCertStore::empty();
    for path in &paths {
        let Ok(pem) = std::fs::read(path) else {
            continue;
        };
        for cert in CertificateDer::pem_slice_iter(&pem).flatten() {
            let _ = roots.add(cert);
        }
    }
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| e.to_string())?
        .with_root_certificates(roots)
        .with_no_client_auth();
    Ok(Arc::new(config))
}

/// The current time as SigV4's `X-Amz-Date`.
pub fn amz_date() -> String {
    let now = time::OffsetDateTime::now_utc();
    format!(
        "{:04}{:02}{:02}T{:02}{:02}{:02}Z",
        now.year(),
        u8::from(now.month()),
        now.day(),
        now.hour(),
        now.minute(),
        now.second()
    )
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_named_profile() {
        let text = "[default]\naws_access_key_id = A\naws_secret_access_key = B\n\n[ci]\naws_access_key_id=C\naws_secret_access_key=D\naws_session_token=T\n";
        let ci = profile_credentials(text, "ci").unwrap();
        assert_eq!(
            (ci.access_key_id.as_str(), ci.secret_access_key.as_str()),
            ("C", "D")
        );
        assert_eq!(ci.session_token.as_deref(), Some("T"));
        assert_eq!(
            profile_credentials(text, "default").unwrap().access_key_id,
            "A"
        );
        assert!(profile_credentials(text, "none").is_none());
    }
}
