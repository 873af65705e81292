//! GetServiceLastAccessedDetails and GetServiceLastAccessedDetailsWithEntities: a stored
//! access advisor report, paged (MaxItems/Marker). Reports are complete when Generate
//! answers, so JobStatus is `COMPLETED` and no `Error` is ever set. Entities are listed most
//! recent access first, those without an access in the tracking period last (by name).

use super::common::{page, required, store_failure, timestamp};
use crate::IamService;
use crate::access_advisor::{EntityRecord, JobRecord, LastAccess, ServiceReport, job_row};
use crate::generated::enums::{
    AccessAdvisorUsageGranularityType, JobStatusType, PolicyOwnerEntityType,
};
use crate::generated::errors;
use crate::generated::shapes::*;
use crate::generated::{GetServiceLastAccessedDetails, GetServiceLastAccessedDetailsWithEntities};
use rampart_codec::ServiceError;
use rampart_core::RequestContext;
use std::cmp::Reverse;

impl GetServiceLastAccessedDetails for IamService {
    async fn get_service_last_accessed_details(
        &self,
        ctx: &RequestContext,
        input: GetServiceLastAccessedDetailsRequest,
    ) -> Result<GetServiceLastAccessedDetailsResponse, ServiceError> {
        self.authorize(ctx, "iam:GetServiceLastAccessedDetails", "*")?;
        let job_id = required(input.job_id, "jobId")?;
        let job = self.advisor_job(ctx, &job_id).await?;
        let services = page(
            job.services,
            input.marker.as_deref(),
            input.max_items,
            |s| s.namespace.clone(),
        )?;
        Ok(GetServiceLastAccessedDetailsResponse {
            job_status: Some(JobStatusType::Completed),
            job_type: Some(AccessAdvisorUsageGranularityType::from(
                job.granularity.as_str(),
            )),
            job_creation_date: Some(timestamp(job.created_ms)),
            job_completion_date: Some(timestamp(job.completed_ms)),
            services_last_accessed: Some(services.items.into_iter().map(service_out).collect()),
            is_truncated: Some(services.is_truncated),
            marker: services.marker,
            error: None,
        })
    }
}

impl GetServiceLastAccessedDetailsWithEntities for IamService {
    async fn get_service_last_accessed_details_with_entities(
        &self,
        ctx: &RequestContext,
        input: GetServiceLastAccessedDetailsWithEntitiesRequest,
    ) -> Result<GetServiceLastAccessedDetailsWithEntitiesResponse, ServiceError> {
        self.authorize(ctx, "iam:GetServiceLastAccessedDetailsWithEntities", "*")?;
        let job_id = required(input.job_id, "jobId")?;
        let namespace = required(input.service_namespace, "serviceNamespace")?;
        let job = self.advisor_job(ctx, &job_id).await?;
        let details = entity_details(&job, &namespace);
        let paged = page(details, input.marker.as_deref(), input.max_items, |d| {
            d.0.clone()
        })?;
        Ok(GetServiceLastAccessedDetailsWithEntitiesResponse {
            job_status: Some(JobStatusType::Completed),
            job_creation_date: Some(timestamp(job.created_ms)),
            job_completion_date: Some(timestamp(job.completed_ms)),
            entity_details_list: Some(paged.items.into_iter().map(|d| d.1).collect()),
            is_truncated: Some(paged.is_truncated),
            marker: paged.marker,
            error: None,
        })
    }
}

impl IamService {
    /// The report `job_id` of the caller's account; `NoSuchEntity` when there is none.
    async fn advisor_job(
        &self,
        ctx: &RequestContext,
        job_id: &str,
    ) -> Result<JobRecord, ServiceError> {
        let row = job_row(ctx.account().as_str(), job_id);
        let found = self.job_table().get(&row).await.map_err(store_failure)?;
        found.map(|v| v.value).ok_or_else(|| {
            errors::no_such_entity_exception(format!("No such job exists with id {job_id}."))
        })
    }
}

/// The report's entities with their last access to `namespace`, most recent first, each
/// keyed by its position (the paging key); none when the report does not cover the service.
fn entity_details(job: &JobRecord, namespace: &str) -> Vec<(String, EntityDetails)> {
    let Some(service) = job
        .services
        .iter()
        .find(|s| s.namespace.eq_ignore_ascii_case(namespace))
    else {
        return Vec::new();
    };
    let mut rows: Vec<(&EntityRecord, Option<i64>)> = job
        .entities
        .iter()
        .zip(service.entity_last_ms.iter().copied())
        .collect();
    rows.sort_by(|a, b| (Reverse(a.1), &a.0.name).cmp(&(Reverse(b.1), &b.0.name)));
    rows.into_iter()
        .enumerate()
        .map(|(i, (entity, last))| {
            let detail = EntityDetails {
                entity_info: Some(entity_info(entity)),
                last_authenticated: last.map(timestamp),
            };
            (format!("{i:08}"), detail)
        })
        .collect()
}

fn entity_info(entity: &EntityRecord) -> EntityInfo {
    EntityInfo {
        arn: Some(entity.arn.clone()),
        name: Some(entity.name.clone()),
        type_: Some(PolicyOwnerEntityType::from(entity.kind.as_str())),
        id: Some(entity.id.clone()),
        path: Some(entity.path.clone()),
    }
}

fn service_out(service: ServiceReport) -> ServiceLastAccessed {
    let tracked = (!service.actions.is_empty()).then(|| {
        service
            .actions
            .iter()
            .map(|(name, last)| tracked_out(name, last))
            .collect()
    });
    let last = service.last.as_ref();
    ServiceLastAccessed {
        service_name: Some(service.name),
        service_namespace: Some(service.namespace),
        last_authenticated: last.map(|l| timestamp(l.time_ms)),
        last_authenticated_entity: last.map(|l| l.entity.clone()),
        last_authenticated_region: last.map(|l| l.region.clone()),
        total_authenticated_entities: Some(service.total_entities),
        tracked_actions_last_accessed: tracked,
    }
}

fn tracked_out(name: &str, last: &LastAccess) -> TrackedActionLastAccessed {
    TrackedActionLastAccessed {
        action_name: Some(name.to_owned()),
        last_accessed_entity: Some(last.entity.clone()),
        last_accessed_region: Some(last.region.clone()),
        last_accessed_time: Some(timestamp(last.time_ms)),
    }
}
