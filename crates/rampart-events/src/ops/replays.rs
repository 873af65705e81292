//! Replays: StartReplay, DescribeReplay, ListReplays and CancelReplay (the replaying itself is
//! the cluster job of `archive::replay`).

use super::connections::{authorize, internal, timestamp};
use super::paging::read_versioned;
use crate::EventsService;
use crate::archive::replay::{REPLAYS, ReplayRecord, key};
use crate::archive::{ARCHIVES, ArchiveRecord};
use crate::delivery::now_ms;
use crate::generated::errors::{
    illegal_status_exception, resource_already_exists_exception, resource_not_found_exception,
};
use crate::generated::*;
use rampart_core::RequestContext;
use rampart_store::{Expect, Versioned, Write, decode_record, encode_record};

fn arn(ctx: &RequestContext, name: &str) -> String {
    format!(
        "arn:aws:events:{}:{}:replay/{name}",
        ctx.region.as_str(),
        ctx.account().as_str()
    )
}

fn own_key(ctx: &RequestContext, name: &str) -> String {
    key(ctx.account().as_str(), ctx.region.as_str(), name)
}

fn not_found(name: &str) -> ServiceError {
    resource_not_found_exception(format!("Replay {name} does not exist."))
}

fn millis(t: Option<&Timestamp>) -> i64 {
    t.map_or(0, |t| i64::try_from(t.epoch_millis()).unwrap_or(i64::MAX))
}

impl EventsService {
    async fn read_replay(
        &self,
        ctx: &RequestContext,
        name: &str,
    ) -> Result<Versioned<ReplayRecord>, ServiceError> {
        read_versioned(&self.store, REPLAYS, &own_key(ctx, name), || {
            not_found(name)
        })
        .await
    }

    /// The archive `archive_arn` names, of the caller's account and Region.
    async fn archive_of(
        &self,
        ctx: &RequestContext,
        archive_arn: &str,
    ) -> Result<ArchiveRecord, ServiceError> {
        let name = archive_arn
            .rsplit_once(":archive/")
            .map_or(archive_arn, |(_, n)| n);
        let missing = || resource_not_found_exception(format!("Archive {name} does not exist."));
        let row = self
            .store
            .get(ARCHIVES, &own_key(ctx, name))
            .await
            .map_err(internal)?;
        let archive: ArchiveRecord =
            decode_record(&row.ok_or_else(missing)?.value).map_err(internal)?;
        Some(archive)
            .filter(|a| a.arn == archive_arn)
            .ok_or_else(missing)
    }
}

/// `(EventStartTime, EventEndTime)` in epoch ms, refused unless the start comes first.
fn window(input: &StartReplayRequest) -> Result<(i64, i64), ServiceError> {
    let start = millis(input.event_start_time.as_ref());
    let end = millis(input.event_end_time.as_ref());
    if end <= start {
        return Err(ServiceError::validation(
            "Parameter EventEndTime is not valid. Reason: EventStartTime must be before EventEndTime.",
        ));
    }
    Ok((start, end))
}

impl EventsService {
    /// Stores a new replay; ResourceAlreadyExistsException if the name is taken.
    async fn insert_replay(
        &self,
        ctx: &RequestContext,
        record: &ReplayRecord,
    ) -> Result<(), ServiceError> {
        let write = Write::Put {
            table: REPLAYS,
            key: own_key(ctx, &record.name),
            value: encode_record(record).map_err(internal)?,
            expect: Expect::Absent,
        };
        match self.store.transact(vec![write]).await {
            Ok(()) => Ok(()),
            Err(e) if e.is_conflict() => Err(resource_already_exists_exception(format!(
                "Replay {} already exists.",
                record.name
            ))),
            Err(e) => Err(internal(e)),
        }
    }
}

/// A STARTING replay of `archive` (its window `(start, end)` in epoch ms) into `destination`.
fn new_replay(
    ctx: &RequestContext,
    name: &str,
    description: Option<String>,
    archive: ArchiveRecord,
    destination: ReplayDestination,
    (start, end): (i64, i64),
    service: &EventsService,
) -> ReplayRecord {
    ReplayRecord {
        arn: arn(ctx, name),
        name: name.to_owned(),
        description,
        archive_arn: archive.arn,
        archive_id: archive.id,
        destination_arn: destination.arn.unwrap_or_default(),
        filter_arns: destination.filter_arns.filter(|f| !f.is_empty()),
        event_start_ms: start,
        event_end_ms: end,
        state: "STARTING".into(),
        state_reason: None,
        replay_start_ms: now_ms(service.clock.as_ref()),
        replay_end_ms: None,
        last_replayed_ms: None,
        cursor: None,
    }
}

impl StartReplay for EventsService {
    async fn start_replay(
        &self,
        ctx: &RequestContext,
        input: StartReplayRequest,
    ) -> Result<StartReplayResponse, ServiceError> {
        let name = input.replay_name.clone().unwrap_or_default();
        authorize(ctx, "StartReplay", &arn(ctx, &name))?;
        let window = window(&input)?;
        let archive = self
            .archive_of(ctx, input.event_source_arn.as_deref().unwrap_or_default())
            .await?;
        let destination = input.destination.unwrap_or_default();
        if destination.arn.as_deref() != Some(archive.event_source_arn.as_str()) {
            return Err(ServiceError::validation(
                "Parameter Destination.Arn is not valid. Reason: Cross event bus replay is not permitted.",
            ));
        }
        let record = new_replay(
            ctx,
            &name,
            input.description,
            archive,
            destination,
            window,
            self,
        );
        let now = record.replay_start_ms;
        self.insert_replay(ctx, &record).await?;
        Ok(StartReplayResponse {
            replay_arn: Some(record.arn),
            replay_start_time: Some(timestamp(now)),
            state: Some(ReplayState::Starting),
            state_reason: None,
        })
    }
}

impl DescribeReplay for EventsService {
    async fn describe_replay(
        &self,
        ctx: &RequestContext,
        input: DescribeReplayRequest,
    ) -> Result<DescribeReplayResponse, ServiceError> {
        let name = input.replay_name.unwrap_or_default();
        authorize(ctx, "DescribeReplay", &arn(ctx, &name))?;
        let r = self.read_replay(ctx, &name).await?.value;
        Ok(DescribeReplayResponse {
            description: r.description,
            destination: Some(ReplayDestination {
                arn: Some(r.destination_arn),
                filter_arns: r.filter_arns,
            }),
            event_end_time: Some(timestamp(r.event_end_ms)),
            event_last_replayed_time: r.last_replayed_ms.map(timestamp),
            event_source_arn: Some(r.archive_arn),
            event_start_time: Some(timestamp(r.event_start_ms)),
            replay_arn: Some(r.arn),
            replay_end_time: r.replay_end_ms.map(timestamp),
            replay_name: Some(r.name),
            replay_start_time: Some(timestamp(r.replay_start_ms)),
            state: Some(r.state.as_str().into()),
            state_reason: r.state_reason,
        })
    }
}

impl ListReplays for EventsService {
    async fn list_replays(
        &self,
        ctx: &RequestContext,
        input: ListReplaysRequest,
    ) -> Result<ListReplaysResponse, ServiceError> {
        authorize(ctx, "ListReplays", "*")?;
        let source = input.event_source_arn.as_deref();
        let state = input.state.as_ref().map(ToString::to_string);
        let page = super::paging::page(
            &self.store,
            REPLAYS,
            &own_key(ctx, ""),
            input.name_prefix.as_deref(),
            input.next_token.as_deref(),
            input.limit,
            |r: &ReplayRecord| {
                source.is_none_or(|s| s == r.archive_arn)
                    && state.as_ref().is_none_or(|s| *s == r.state)
            },
        )
        .await?;
        let replays = page
            .items
            .into_iter()
            .map(|r| Replay {
                event_end_time: Some(timestamp(r.event_end_ms)),
                event_last_replayed_time: r.last_replayed_ms.map(timestamp),
                event_source_arn: Some(r.archive_arn),
                event_start_time: Some(timestamp(r.event_start_ms)),
                replay_end_time: r.replay_end_ms.map(timestamp),
                replay_name: Some(r.name),
                replay_start_time: Some(timestamp(r.replay_start_ms)),
                state: Some(r.state.as_str().into()),
                state_reason: r.state_reason,
            })
            .collect();
        Ok(ListReplaysResponse {
            next_token: page.next_token,
            replays: Some(replays),
        })
    }
}

impl CancelReplay for EventsService {
    /// A STARTING or RUNNING replay becomes CANCELLING; the replay job then stops it
    /// (CANCELLED). AWS's wording for a replay in another state is not documented.
    async fn cancel_replay(
        &self,
        ctx: &RequestContext,
        input: CancelReplayRequest,
    ) -> Result<CancelReplayResponse, ServiceError> {
        let name = input.replay_name.unwrap_or_default();
        authorize(ctx, "CancelReplay", &arn(ctx, &name))?;
        let stored = self.read_replay(ctx, &name).await?;
        let mut r = stored.value;
        if !matches!(r.state.as_str(), "STARTING" | "RUNNING") {
            return Err(illegal_status_exception(format!(
                "Replay {name} is not in a valid state for cancellation."
            )));
        }
        r.state = "CANCELLING".into();
        let write = Write::Put {
            table: REPLAYS,
            key: own_key(ctx, &name),
            value: encode_record(&r).map_err(internal)?,
            expect: Expect::Version(stored.version),
        };
        self.store.transact(vec![write]).await.map_err(|e| {
            if e.is_conflict() {
                crate::generated::errors::concurrent_modification_exception(format!(
                    "Replay {name} was modified concurrently; try again."
                ))
            } else {
                internal(e)
            }
        })?;
        Ok(CancelReplayResponse {
            replay_arn: Some(r.arn),
            state: Some(ReplayState::Cancelling),
            state_reason: None,
        })
    }
}
