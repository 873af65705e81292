//! API destinations: CreateApiDestination, DescribeApiDestination, UpdateApiDestination,
//! DeleteApiDestination and ListApiDestinations.

use super::connections::{authorize, internal, timestamp};
use crate::EventsService;
use crate::connection::destination::{API_DESTINATIONS, DEFAULT_RATE, DestinationRecord};
use crate::connection::{self, ConnectionRecord};
use crate::delivery::now_ms;
use crate::generated::errors::{
    concurrent_modification_exception, resource_already_exists_exception,
    resource_not_found_exception,
};
use crate::generated::*;
use rampart_core::RequestContext;
use rampart_store::{Expect, Versioned, Write, decode_record, encode_record};

/// The IAM resource ARN of an API destination (`api-destination/<name>`).
fn resource(ctx: &RequestContext, name: &str) -> String {
    format!(
        "arn:aws:events:{}:{}:api-destination/{name}",
        ctx.region.as_str(),
        ctx.account().as_str()
    )
}

fn not_found(name: &str) -> ServiceError {
    resource_not_found_exception(format!(
        "Failed to describe the api-destination(s). An api-destination '{name}' does not exist."
    ))
}

fn key(ctx: &RequestContext, name: &str) -> String {
    connection::key(ctx.account().as_str(), ctx.region.as_str(), name)
}

/// Rampart calls http:// endpoints too (local receivers); AWS accepts only https://.
fn check_endpoint(endpoint: &str) -> Result<(), ServiceError> {
    let ok = endpoint.starts_with("https://") || endpoint.starts_with("http://");
    if ok
        && endpoint
            .parse::<http::Uri>()
            .is_ok_and(|u| u.host().is_some())
    {
        return Ok(());
    }
    Err(ServiceError::validation(format!(
        "Parameter InvocationEndpoint is not valid. Reason: {endpoint} is not an http(s) URL."
    )))
}

impl EventsService {
    /// The connection `arn` names, if it is one of the caller's account and Region.
    async fn connection_for(
        &self,
        ctx: &RequestContext,
        arn: &str,
    ) -> Result<ConnectionRecord, ServiceError> {
        let missing =
            || resource_not_found_exception(format!("Connection '{arn}' does not exist."));
        let (account, region, name) = connection::parse_arn(arn).ok_or_else(missing)?;
        if account != ctx.account().as_str() || region != ctx.region.as_str() {
            return Err(missing());
        }
        let record = self
            .read_connection(ctx, name)
            .await
            .map_err(|_| missing())?;
        Some(record.value)
            .filter(|c| c.arn == arn)
            .ok_or_else(missing)
    }

    async fn read_destination(
        &self,
        ctx: &RequestContext,
        name: &str,
    ) -> Result<Versioned<DestinationRecord>, ServiceError> {
        let record = self
            .store
            .get(API_DESTINATIONS, &key(ctx, name))
            .await
            .map_err(internal)?;
        let record = record.ok_or_else(|| not_found(name))?;
        Ok(Versioned {
            value: decode_record(&record.value).map_err(internal)?,
            version: record.version,
        })
    }

    async fn write_destination(
        &self,
        ctx: &RequestContext,
        record: &DestinationRecord,
        version: Option<u64>,
    ) -> Result<(), ServiceError> {
        let write = Write::Put {
            table: API_DESTINATIONS,
            key: key(ctx, &record.name),
            value: encode_record(record).map_err(internal)?,
            expect: version.map_or(Expect::Absent, Expect::Version),
        };
        match self.store.transact(vec![write]).await {
            Ok(()) => Ok(()),
            Err(e) if e.is_conflict() && version.is_none() => {
                Err(resource_already_exists_exception(format!(
                    "An api-destination '{}' already exists.",
                    record.name
                )))
            }
            Err(e) if e.is_conflict() => Err(concurrent_modification_exception(format!(
                "Api-destination {} was modified concurrently; try again.",
                record.name
            ))),
            Err(e) => Err(internal(e)),
        }
    }
}

impl CreateApiDestination for EventsService {
    async fn create_api_destination(
        &self,
        ctx: &RequestContext,
        input: CreateApiDestinationRequest,
    ) -> Result<CreateApiDestinationResponse, ServiceError> {
        let name = input.name.unwrap_or_default();
        authorize(ctx, "CreateApiDestination", &resource(ctx, &name))?;
        let endpoint = input.invocation_endpoint.unwrap_or_default();
        check_endpoint(&endpoint)?;
        let connection_arn = input.connection_arn.unwrap_or_default();
        self.connection_for(ctx, &connection_arn).await?;
        super::paging::check_region_quota(&self.store, API_DESTINATIONS, ctx).await?;
        let now = now_ms(self.clock.as_ref());
        let (region, account) = (ctx.region.as_str(), ctx.account().as_str());
        let record = DestinationRecord {
            arn: format!(
                "arn:aws:events:{region}:{account}:api-destination/{name}/{}",
                uuid::Uuid::new_v4()
            ),
            name,
            description: input.description,
            connection_arn,
            endpoint,
            http_method: input.http_method.map(|m| m.to_string()).unwrap_or_default(),
            rate_per_second: input
                .invocation_rate_limit_per_second
                .unwrap_or(DEFAULT_RATE),
            created_ms: now,
            modified_ms: now,
        };
        self.write_destination(ctx, &record, None).await?;
        Ok(CreateApiDestinationResponse {
            api_destination_arn: Some(record.arn),
            api_destination_state: Some(ApiDestinationState::Active),
            creation_time: Some(timestamp(now)),
            last_modified_time: Some(timestamp(now)),
        })
    }
}

impl DescribeApiDestination for EventsService {
    async fn describe_api_destination(
        &self,
        ctx: &RequestContext,
        input: DescribeApiDestinationRequest,
    ) -> Result<DescribeApiDestinationResponse, ServiceError> {
        let name = input.name.unwrap_or_default();
        authorize(ctx, "DescribeApiDestination", &resource(ctx, &name))?;
        let d = self.read_destination(ctx, &name).await?.value;
        Ok(DescribeApiDestinationResponse {
            api_destination_arn: Some(d.arn),
            api_destination_state: Some(ApiDestinationState::Active),
            connection_arn: Some(d.connection_arn),
            creation_time: Some(timestamp(d.created_ms)),
            description: d.description,
            http_method: Some(d.http_method.as_str().into()),
            invocation_endpoint: Some(d.endpoint),
            invocation_rate_limit_per_second: Some(d.rate_per_second),
            last_modified_time: Some(timestamp(d.modified_ms)),
            name: Some(d.name),
        })
    }
}

impl UpdateApiDestination for EventsService {
    async fn update_api_destination(
        &self,
        ctx: &RequestContext,
        input: UpdateApiDestinationRequest,
    ) -> Result<UpdateApiDestinationResponse, ServiceError> {
        let name = input.name.unwrap_or_default();
        authorize(ctx, "UpdateApiDestination", &resource(ctx, &name))?;
        let stored = self.read_destination(ctx, &name).await?;
        let mut d = stored.value;
        if let Some(endpoint) = input.invocation_endpoint {
            check_endpoint(&endpoint)?;
            d.endpoint = endpoint;
        }
        if let Some(arn) = input.connection_arn {
            self.connection_for(ctx, &arn).await?;
            d.connection_arn = arn;
        }
        if let Some(method) = input.http_method {
            d.http_method = method.to_string();
        }
        if let Some(rate) = input.invocation_rate_limit_per_second {
            d.rate_per_second = rate;
        }
        if input.description.is_some() {
            d.description = input.description;
        }
        d.modified_ms = now_ms(self.clock.as_ref());
        self.write_destination(ctx, &d, Some(stored.version))
            .await?;
        Ok(UpdateApiDestinationResponse {
            api_destination_arn: Some(d.arn),
            api_destination_state: Some(ApiDestinationState::Active),
            creation_time: Some(timestamp(d.created_ms)),
            last_modified_time: Some(timestamp(d.modified_ms)),
        })
    }
}

impl DeleteApiDestination for EventsService {
    async fn delete_api_destination(
        &self,
        ctx: &RequestContext,
        input: DeleteApiDestinationRequest,
    ) -> Result<DeleteApiDestinationResponse, ServiceError> {
        let name = input.name.unwrap_or_default();
        authorize(ctx, "DeleteApiDestination", &resource(ctx, &name))?;
        let stored = self.read_destination(ctx, &name).await?;
        let write = Write::Delete {
            table: API_DESTINATIONS,
            key: key(ctx, &name),
            expect: Expect::Version(stored.version),
        };
        match self.store.transact(vec![write]).await {
            Ok(()) => Ok(DeleteApiDestinationResponse {}),
            Err(e) if e.is_conflict() => Err(not_found(&name)),
            Err(e) => Err(internal(e)),
        }
    }
}

impl ListApiDestinations for EventsService {
    async fn list_api_destinations(
        &self,
        ctx: &RequestContext,
        input: ListApiDestinationsRequest,
    ) -> Result<ListApiDestinationsResponse, ServiceError> {
        authorize(ctx, "ListApiDestinations", "*")?;
        let scope = key(ctx, "");
        let connection = input.connection_arn.as_deref();
        let page = super::paging::page(
            &self.store,
            API_DESTINATIONS,
            &scope,
            input.name_prefix.as_deref(),
            input.next_token.as_deref(),
            input.limit,
            |d: &DestinationRecord| connection.is_none_or(|c| c == d.connection_arn),
        )
        .await?;
        Ok(ListApiDestinationsResponse {
            api_destinations: Some(page.items.into_iter().map(summary).collect()),
            next_token: page.next_token,
        })
    }
}

fn summary(d: DestinationRecord) -> ApiDestination {
    ApiDestination {
        api_destination_arn: Some(d.arn),
        api_destination_state: Some(ApiDestinationState::Active),
        connection_arn: Some(d.connection_arn),
        creation_time: Some(timestamp(d.created_ms)),
        http_method: Some(d.http_method.as_str().into()),
        invocation_endpoint: Some(d.endpoint),
        invocation_rate_limit_per_second: Some(d.rate_per_second),
        last_modified_time: Some(timestamp(d.modified_ms)),
        name: Some(d.name),
    }
}
