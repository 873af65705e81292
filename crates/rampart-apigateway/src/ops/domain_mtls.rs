//! Mutual TLS of custom domain names (`mutualTlsAuthentication`): only REGIONAL names may
//! carry it. The truststore URI is read through [`crate::truststore`] (Rampart's stand-in for
//! S3 is the `[edge] truststore_dir` directory); an unreadable one, or one without
//! certificates, answers BadRequestException and changes nothing. `truststoreVersion` is
//! recorded as given: a local file has no versions, and AWS only asks that the bucket be
//! versioned for one, so there is nothing to check it against. The truststore's warnings
//! are computed when the URI or version is set and answered until the next change.

use crate::generated::errors::bad_request_exception;
use crate::generated::*;
use crate::record::{DomainRecord, MutualTlsRecord};
use crate::service::ApiGatewayService;

/// The patch paths of UpdateDomainName that set mutual TLS.
pub(crate) const URI_PATH: &str = "/mutualTlsAuthentication/truststoreUri";
pub(crate) const VERSION_PATH: &str = "/mutualTlsAuthentication/truststoreVersion";

/// The response view of a domain's mutual TLS.
pub(crate) fn mutual_tls_view(record: &MutualTlsRecord) -> MutualTlsAuthentication {
    MutualTlsAuthentication {
        truststore_uri: Some(record.truststore_uri.clone()),
        truststore_version: record.truststore_version.clone(),
        truststore_warnings: (!record.truststore_warnings.is_empty())
            .then(|| record.truststore_warnings.clone()),
    }
}

impl ApiGatewayService {
    /// The mutual TLS CreateDomainName asks for on a domain of endpoint type `kind`: None
    /// when absent or without a truststore URI.
    pub(crate) fn new_mutual_tls(
        &self,
        input: Option<&MutualTlsAuthenticationInput>,
        kind: &str,
    ) -> Result<Option<MutualTlsRecord>, ServiceError> {
        let Some(input) = input else {
            return Ok(None);
        };
        let uri = input.truststore_uri.as_deref().unwrap_or_default();
        if uri.is_empty() {
            return Ok(None);
        }
        let version = input.truststore_version.clone().filter(|v| !v.is_empty());
        self.load_mutual_tls(uri, version, kind).map(Some)
    }

    /// Reads truststore `uri` (`version`) for a domain of endpoint type `kind`.
    fn load_mutual_tls(
        &self,
        uri: &str,
        version: Option<String>,
        kind: &str,
    ) -> Result<MutualTlsRecord, ServiceError> {
        if kind == "EDGE" {
            // Doubt: AWS's wording of this refusal is not documented.
            return Err(bad_request_exception(
                "Mutual TLS authentication is only supported for REGIONAL domain names",
            ));
        }
        let Some(dir) = self.truststore_dir.as_deref() else {
            return Err(bad_request_exception(format!(
                "Unable to read truststore from S3 URI {uri}"
            )));
        };
        let now_secs = self.now_ms() / 1000;
        let store = crate::truststore::load_truststore(dir, uri, now_secs);
        let store = store.map_err(bad_request_exception)?;
        Ok(MutualTlsRecord {
            truststore_uri: uri.to_owned(),
            truststore_version: version,
            truststore_warnings: store.warnings,
        })
    }

    /// Applies the mutual TLS patches of UpdateDomainName (`uri` and `version` as patched,
    /// each None when not patched) to `record`. An empty URI turns mutual TLS off.
    pub(crate) fn patch_mutual_tls(
        &self,
        record: &mut DomainRecord,
        uri: Option<String>,
        version: Option<String>,
    ) -> Result<(), ServiceError> {
        if uri.is_none() && version.is_none() {
            return Ok(());
        }
        let current = record.mutual_tls.as_ref();
        let uri = uri.or_else(|| current.map(|m| m.truststore_uri.clone()));
        let uri = uri.unwrap_or_default();
        if uri.is_empty() {
            record.mutual_tls = None;
            return Ok(());
        }
        let version = match version {
            Some(v) => Some(v).filter(|v| !v.is_empty()),
            None => current.and_then(|m| m.truststore_version.clone()),
        };
        let loaded = self.load_mutual_tls(&uri, version, &record.endpoint_type)?;
        record.mutual_tls = Some(loaded);
        Ok(())
    }
}
