//! ACM PCA's unsigned HTTP endpoints (a `rampart_codec::PublicRoute`): published CRLs as S3
//! serves them (`GET /<bucket>/<key>`, virtual-hosted `<bucket>.s3[.<region>].amazonaws.com`
//! `/<key>`, or a CustomCname host `/<key>`), and the OCSP responder (RFC 6960: `POST` with
//! `application/ocsp-request`, or `GET /<url-encoded base64 request>`) at
//! `ocsp.acm-pca.<region>.amazonaws.com`, at an OcspCustomCname host, and at
//! `/_rampart/acm-pca/ocsp/<region>` for clients that cannot set the host.

use crate::AcmPcaService;
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use percent_encoding::percent_decode_str;
use rampart_codec::{BoxFuture, HttpRequest, HttpResponse, PublicHead, PublicRoute};
use std::sync::Arc;

/// The path prefix of the responder reached without DNS names.
pub const OCSP_PATH: &str = "/_rampart/acm-pca/ocsp/";
const OCSP_REQUEST: &str = "application/ocsp-request";
/// The largest OCSP request read (a one-certificate request is about 100 bytes).
const MAX_OCSP_REQUEST: usize = 8 * 1024;

/// The route, over the service.
pub struct AcmPcaPublic(pub Arc<AcmPcaService>);

/// What a claimed request is.
enum Target<'a> {
    /// OCSP, for the responder of a Region (or any, through a custom CNAME), the request in
    /// the path (GET) or body (POST).
    Ocsp {
        region: Option<String>,
        in_path: Option<&'a str>,
    },
    /// A published CRL object.
    Crl,
}

impl PublicRoute for AcmPcaPublic {
    fn claims(&self, head: &PublicHead<'_>) -> bool {
        target(head.method, head.host, head.path, head.content_type).is_some()
    }

    fn max_body(&self) -> usize {
        MAX_OCSP_REQUEST
    }

    fn serve<'a>(&'a self, request: &'a HttpRequest<'a>) -> BoxFuture<'a, HttpResponse> {
        Box::pin(async move {
            let host = host_of(request);
            let content_type = request.header_values("content-type").next();
            match target(request.method, &host, request.path, content_type) {
                Some(Target::Ocsp { region, in_path }) => {
                    let der = match in_path {
                        Some(encoded) => decode_get(encoded),
                        None => Some(request.body.to_vec()),
                    };
                    let answer = match der {
                        Some(der) => self.0.answer_ocsp(&der, region.as_deref()).await,
                        None => crate::ocsp::response::malformed(),
                    };
                    ok("application/ocsp-response", answer)
                }
                Some(Target::Crl) => self.serve_crl(&host, request.path).await,
                None => not_found(request.path),
            }
        })
    }
}

/// What the request is, if this route's.
fn target<'a>(
    method: &str,
    host: &str,
    path: &'a str,
    content_type: Option<&str>,
) -> Option<Target<'a>> {
    let (get, post) = (method == "GET", method == "POST");
    if let Some(rest) = path.strip_prefix(OCSP_PATH) {
        let (region, encoded) = rest.split_once('/').unwrap_or((rest, ""));
        let in_path = (get && !encoded.is_empty()).then_some(encoded);
        return (post || in_path.is_some()).then(|| Target::Ocsp {
            region: Some(region.to_owned()),
            in_path,
        });
    }
    let in_path = path.strip_prefix('/').filter(|p| get && !p.is_empty());
    if let Some(region) = ocsp_host_region(host) {
        return (post || in_path.is_some()).then(|| Target::Ocsp {
            region: Some(region.to_owned()),
            in_path,
        });
    }
    let ocsp_body = content_type.is_some_and(|t| t.starts_with(OCSP_REQUEST));
    if post && ocsp_body {
        return Some(Target::Ocsp {
            region: None,
            in_path: None,
        });
    }
    if get && path.ends_with(".crl") {
        return Some(Target::Crl);
    }
    let is_ocsp_get = in_path
        .and_then(decode_get)
        .is_some_and(|der| crate::ocsp::request::decode(&der).is_ok());
    is_ocsp_get.then_some(Target::Ocsp {
        region: None,
        in_path,
    })
}

/// The Region of AWS's responder host `ocsp.acm-pca.<region>.amazonaws.com`.
fn ocsp_host_region(host: &str) -> Option<&str> {
    let region = host
        .strip_prefix("ocsp.acm-pca.")?
        .strip_suffix(".amazonaws.com")?;
    (!region.is_empty() && !region.contains('.')).then_some(region)
}

/// The bucket of a virtual-hosted S3 host (`<bucket>.s3.amazonaws.com`,
/// `<bucket>.s3.<region>.amazonaws.com`).
fn s3_host_bucket(host: &str) -> Option<&str> {
    let rest = host.strip_suffix(".amazonaws.com")?;
    let (bucket, after) = rest.rsplit_once(".s3")?;
    let region_ok = after.is_empty()
        || after
            .strip_prefix('.')
            .is_some_and(|r| !r.is_empty() && !r.contains('.'));
    (region_ok && !bucket.is_empty()).then_some(bucket)
}

/// The DER of a GET request's url-encoded base64 path.
fn decode_get(encoded: &str) -> Option<Vec<u8>> {
    let text = percent_decode_str(encoded).decode_utf8().ok()?;
    STANDARD.decode(text.as_bytes()).ok()
}

impl AcmPcaPublic {
    /// A published CRL object named by host and path.
    async fn serve_crl(&self, host: &str, path: &str) -> HttpResponse {
        let Ok(decoded) = percent_decode_str(path).decode_utf8() else {
            return not_found(path);
        };
        let key_path = decoded.trim_start_matches('/');
        let found = match s3_host_bucket(host) {
            Some(bucket) => self.0.crl_object(bucket, key_path, false).await,
            None => match self.0.crl_object(host, key_path, true).await {
                Ok(None) => match key_path.split_once('/') {
                    Some((bucket, key)) => self.0.crl_object(bucket, key, false).await,
                    None => Ok(None),
                },
                other => other,
            },
        };
        match found {
            Ok(Some(object)) => match STANDARD.decode(object.der.as_bytes()) {
                Ok(der) => ok("application/pkix-crl", der),
                Err(_) => internal(),
            },
            Ok(None) => not_found(path),
            Err(err) => {
                tracing::error!(error = %err, "ACM PCA CRL storage failure");
                internal()
            }
        }
    }
}

/// The request's host, lower-case, without its port.
fn host_of(request: &HttpRequest<'_>) -> String {
    let named = request.header_values("host").next().unwrap_or_default();
    let host = match named.rsplit_once(':') {
        Some((host, port)) if port.bytes().all(|b| b.is_ascii_digit()) => host,
        _ => named,
    };
    host.to_ascii_lowercase()
}

fn ok(content_type: &str, body: Vec<u8>) -> HttpResponse {
    HttpResponse {
        status: 200,
        headers: vec![("content-type".into(), content_type.into())],
        body,
    }
}

/// S3's answer for a missing object.
fn not_found(path: &str) -> HttpResponse {
    let key = xml_escape(path.trim_start_matches('/'));
    let body = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>NoSuchKey</Code><Message>The specified key does not exist.</Message><Key>{key}</Key></Error>"
    );
    HttpResponse {
        status: 404,
        headers: vec![("content-type".into(), "application/xml".into())],
        body: body.into_bytes(),
    }
}

fn internal() -> HttpResponse {
    let body = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>InternalError</Code><Message>We encountered an internal error. Please try again.</Message></Error>";
    HttpResponse {
        status: 500,
        headers: vec![("content-type".into(), "application/xml".into())],
        body: body.as_bytes().to_vec(),
    }
}

fn xml_escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn claims_only_crl_and_ocsp_requests() {
        let crl = target("GET", "127.0.0.1", "/crls/crl/abc.crl", None);
        assert!(matches!(crl, Some(Target::Crl)));
        let ocsp = target("POST", "ocsp.acm-pca.eu-west-1.amazonaws.com", "/", None);
        assert!(matches!(ocsp, Some(Target::Ocsp { region: Some(r), .. }) if r == "eu-west-1"));
        let fixed = target(
            "POST",
            "localhost",
            "/_rampart/acm-pca/ocsp/us-east-1",
            None,
        );
        assert!(
            matches!(fixed, Some(Target::Ocsp { region: Some(r), in_path: None }) if r == "us-east-1")
        );
        let typed = target("POST", "ocsp.example.com", "/", Some(OCSP_REQUEST));
        assert!(matches!(typed, Some(Target::Ocsp { region: None, .. })));
        assert!(target("POST", "localhost", "/", Some("application/x-amz-json-1.1")).is_none());
        assert!(target("GET", "localhost", "/restapis/abc", None).is_none());
        assert!(target("GET", "localhost", "/_rampart/acm-pca/ocsp/us-east-1", None).is_none());
    }

    #[test]
    fn s3_hosts_name_their_bucket() {
        assert_eq!(
            s3_host_bucket("crls.s3.us-east-1.amazonaws.com"),
            Some("crls")
        );
        assert_eq!(s3_host_bucket("my.crls.s3.amazonaws.com"), Some("my.crls"));
        assert_eq!(s3_host_bucket("pki.example.com"), None);
        assert_eq!(
            ocsp_host_region("ocsp.acm-pca.us-west-2.amazonaws.com"),
            Some("us-west-2")
        );
    }
}
