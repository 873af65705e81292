//! The TagResource family over ACME resources: an endpoint, an external account binding or a
//! domain validation keeps its own tags (those given at creation), which TagResource,
//! UntagResource and ListTagsForResource read and change here.

use crate::acme::authorize;
use crate::acme::names::{BINDING, ChildRef, DOMAIN, EndpointRef, endpoint_not_found, not_found};
use crate::acme::rows::mutate;
use crate::generated::ServiceError;
use crate::service::{AcmService, internal};
use rampart_core::RequestContext;

/// A tag list as `(key, value)` pairs.
pub(crate) type TagList = Vec<(String, String)>;

/// A taggable ACME resource.
pub(crate) enum AcmeResource {
    Endpoint(EndpointRef),
    Binding(ChildRef),
    Domain(ChildRef),
}

impl AcmeResource {
    /// The ACME resource `arn` names, or `None` when it names none (`acme-endpoint/...`).
    pub(crate) fn parse(arn: &str) -> Option<Result<AcmeResource, ServiceError>> {
        let resource = rampart_core::Arn::parse(arn)?.resource;
        if !resource.starts_with("acme-endpoint/") {
            return None;
        }
        Some(match resource.split('/').nth(2) {
            None => EndpointRef::parse(arn).map(AcmeResource::Endpoint),
            Some(BINDING) => ChildRef::parse(arn, BINDING).map(AcmeResource::Binding),
            Some(_) => ChildRef::parse(arn, DOMAIN).map(AcmeResource::Domain),
        })
    }

    /// The resource's ARN and owning account.
    fn owner(&self) -> (&str, &str) {
        match self {
            AcmeResource::Endpoint(e) => (&e.arn, &e.scope.account),
            AcmeResource::Binding(c) | AcmeResource::Domain(c) => {
                (&c.arn, &c.endpoint.scope.account)
            }
        }
    }

    /// ResourceNotFoundException for this resource.
    fn missing(&self) -> ServiceError {
        match self {
            AcmeResource::Endpoint(e) => endpoint_not_found(e),
            AcmeResource::Binding(c) => not_found(
                "external account binding",
                &c.arn,
                &c.endpoint.scope.account,
            ),
            AcmeResource::Domain(c) => {
                not_found("ACME domain validation", &c.arn, &c.endpoint.scope.account)
            }
        }
    }
}

impl AcmService {
    /// The tags of `resource`, after authorizing `operation` on it.
    pub(crate) async fn acme_tags(
        &self,
        ctx: &RequestContext,
        operation: &str,
        resource: &AcmeResource,
    ) -> Result<TagList, ServiceError> {
        let (arn, account) = resource.owner();
        authorize(ctx, operation, arn, account)?;
        let tags = match resource {
            AcmeResource::Endpoint(e) => {
                let found = self.acme.endpoints.get(&e.row()).await;
                found.map(|f| f.map(|f| f.value.tags))
            }
            AcmeResource::Binding(c) => {
                let found = self.acme.bindings.get(&c.row()).await;
                found.map(|f| f.map(|f| f.value.tags))
            }
            AcmeResource::Domain(c) => {
                let found = self.acme.domains.get(&c.row()).await;
                found.map(|f| f.map(|f| f.value.tags))
            }
        };
        tags.map_err(internal)?.ok_or_else(|| resource.missing())
    }

    /// Applies `change` to the tags of `resource`, after authorizing `operation` on it.
    pub(crate) async fn change_acme_tags(
        &self,
        ctx: &RequestContext,
        operation: &str,
        resource: &AcmeResource,
        change: &(dyn Fn(&mut TagList) -> Result<(), ServiceError> + Sync),
    ) -> Result<(), ServiceError> {
        let (arn, account) = resource.owner();
        authorize(ctx, operation, arn, account)?;
        let missing = || resource.missing();
        match resource {
            AcmeResource::Endpoint(e) => {
                let table = &self.acme.endpoints;
                mutate(&self.store, table, &e.row(), missing, |r| {
                    change(&mut r.tags)
                })
                .await?;
            }
            AcmeResource::Binding(c) => {
                let table = &self.acme.bindings;
                mutate(&self.store, table, &c.row(), missing, |r| {
                    change(&mut r.tags)
                })
                .await?;
            }
            AcmeResource::Domain(c) => {
                let table = &self.acme.domains;
                mutate(&self.store, table, &c.row(), missing, |r| {
                    change(&mut r.tags)
                })
                .await?;
            }
        }
        Ok(())
    }
}
