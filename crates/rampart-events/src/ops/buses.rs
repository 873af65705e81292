//! Event buses: CreateEventBus, DescribeEventBus, ListEventBuses, UpdateEventBus,
//! DeleteEventBus. The `default` bus exists implicitly in every account and Region; it gets a
//! row only once something is stored about it (a policy, a description).

use crate::EventsService;
use crate::access::{authorize, bus_not_found, validation};
use crate::generated::errors::resource_already_exists_exception;
use crate::generated::*;
use crate::store::{BusRecord, BusRef, DEFAULT_BUS, is_conflict, store_err};
use rampart_core::RequestContext;
use rampart_store::{Expect, Versioned, retry_conflicts};

/// Most buses ListEventBuses reads (AWS's quota is 100 per account and Region).
const MAX_BUSES: usize = 1000;

/// AWS's default quota of custom event buses per account and Region.
const MAX_CUSTOM_BUSES: usize = 100;

fn ts(ms: i64) -> Option<Timestamp> {
    time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000)
        .ok()
        .map(Timestamp)
}

/// The bus `name_or_arn` names for the caller.
pub(crate) fn caller_bus(ctx: &RequestContext, name_or_arn: Option<&str>) -> BusRef {
    BusRef::resolve(ctx.account().as_str(), ctx.region.as_str(), name_or_arn)
}

/// Authorizes `events:<operation>` on the caller's bus.
fn authorize_bus(ctx: &RequestContext, op: &str, bus: &BusRef) -> Result<(), ServiceError> {
    authorize(ctx, op, &bus.arn(), &bus.account, None)
}

impl EventsService {
    /// The bus row, or a fresh record for the implicit default bus; NotFound otherwise.
    pub(crate) async fn load_bus(
        &self,
        bus: &BusRef,
    ) -> Result<(BusRecord, Option<u64>), ServiceError> {
        match self.tables.bus(bus).await? {
            Some(Versioned { value, version }) => Ok((value, Some(version))),
            None if bus.name == DEFAULT_BUS => Ok((
                BusRecord {
                    name: DEFAULT_BUS.into(),
                    ..BusRecord::default()
                },
                None,
            )),
            None => Err(bus_not_found(&bus.name)),
        }
    }

    /// LimitExceededException when the account already has AWS's quota of custom buses in
    /// the Region.
    async fn check_bus_quota(&self, bus: &BusRef) -> Result<(), ServiceError> {
        let scope = format!("{}/{}/", bus.account, bus.region);
        let keys = self
            .tables
            .store
            .scan_keys(crate::store::BUSES, &scope, None, MAX_CUSTOM_BUSES + 1)
            .await
            .map_err(store_err)?;
        let default = format!("{scope}{DEFAULT_BUS}");
        if keys.iter().filter(|k| **k != default).count() >= MAX_CUSTOM_BUSES {
            return Err(crate::generated::errors::limit_exceeded_exception(
                "The requested resource exceeds the maximum number allowed.",
            ));
        }
        Ok(())
    }

    /// Stores `record` for `bus`, expecting the version it was read at.
    pub(crate) async fn save_bus(
        &self,
        bus: &BusRef,
        record: &BusRecord,
        version: Option<u64>,
    ) -> Result<(), ServiceError> {
        let expect = version.map_or(Expect::Absent, Expect::Version);
        let write = self
            .tables
            .buses
            .put(&bus.row(), record, expect)
            .map_err(store_err)?;
        self.tables.commit(vec![write]).await
    }
}

/// The record CreateEventBus stores.
fn new_bus(input: &CreateEventBusRequest, now: i64) -> BusRecord {
    BusRecord {
        name: input.name.clone().unwrap_or_default(),
        description: input.description.clone(),
        kms_key_identifier: input.kms_key_identifier.clone(),
        dead_letter_config: input.dead_letter_config.clone(),
        policy: None,
        created_ms: now,
        modified_ms: now,
        tags: input.tags.clone().unwrap_or_default(),
    }
}

impl CreateEventBus for EventsService {
    async fn create_event_bus(
        &self,
        ctx: &RequestContext,
        input: CreateEventBusRequest,
    ) -> Result<CreateEventBusResponse, ServiceError> {
        let name = input.name.clone().unwrap_or_default();
        let bus = caller_bus(ctx, Some(&name));
        authorize_bus(ctx, "CreateEventBus", &bus)?;
        if input.event_source_name.is_some() {
            return Err(validation(
                "Partner event buses (EventSourceName) are not supported by Rampart.",
            ));
        }
        // AWS keeps `/` for partner buses; a custom bus name has none (doubt: exact message).
        if name.contains('/') {
            return Err(validation(format!("Event bus name {name} is not valid.")));
        }
        crate::ops::tags::check_tags(input.tags.as_deref().unwrap_or_default())?;
        if self.tables.bus_exists(&bus).await? {
            return Err(resource_already_exists_exception(format!(
                "Event bus {name} already exists."
            )));
        }
        self.check_bus_quota(&bus).await?;
        let record = new_bus(&input, self.now_ms());
        self.save_bus(&bus, &record, None).await.map_err(|e| {
            if is_conflict(&e) {
                resource_already_exists_exception(format!("Event bus {} already exists.", bus.name))
            } else {
                e
            }
        })?;
        ctx.note_resource(bus.arn(), "AWS::Events::EventBus");
        Ok(CreateEventBusResponse {
            event_bus_arn: Some(bus.arn()),
            description: input.description,
            kms_key_identifier: input.kms_key_identifier,
            dead_letter_config: input.dead_letter_config,
            log_config: None,
        })
    }
}

impl DescribeEventBus for EventsService {
    async fn describe_event_bus(
        &self,
        ctx: &RequestContext,
        input: DescribeEventBusRequest,
    ) -> Result<DescribeEventBusResponse, ServiceError> {
        let bus = caller_bus(ctx, input.name.as_deref());
        authorize_bus(ctx, "DescribeEventBus", &bus)?;
        let (record, version) = self.load_bus(&bus).await?;
        let stored = version.is_some() && record.created_ms > 0;
        Ok(DescribeEventBusResponse {
            name: Some(bus.name.clone()),
            arn: Some(bus.arn()),
            description: record.description,
            kms_key_identifier: record.kms_key_identifier,
            dead_letter_config: record.dead_letter_config,
            policy: record.policy,
            creation_time: stored.then(|| ts(record.created_ms)).flatten(),
            last_modified_time: stored.then(|| ts(record.modified_ms)).flatten(),
            ..Default::default()
        })
    }
}

impl ListEventBuses for EventsService {
    async fn list_event_buses(
        &self,
        ctx: &RequestContext,
        input: ListEventBusesRequest,
    ) -> Result<ListEventBusesResponse, ServiceError> {
        authorize(ctx, "ListEventBuses", "*", ctx.account().as_str(), None)?;
        let scope = caller_bus(ctx, Some(""));
        let prefix = scope.row();
        let rows = self
            .tables
            .buses
            .scan(&prefix, None, MAX_BUSES)
            .await
            .map_err(store_err)?;
        let mut buses: Vec<(String, Option<BusRecord>)> = rows
            .into_iter()
            .map(|(_, r)| (r.value.name.clone(), Some(r.value)))
            .collect();
        if !buses.iter().any(|(n, _)| n == DEFAULT_BUS) {
            buses.push((DEFAULT_BUS.to_owned(), None));
        }
        buses.sort_by(|a, b| a.0.cmp(&b.0));
        let prefix = input.name_prefix.unwrap_or_default();
        let after = input.next_token.unwrap_or_default();
        let limit = input
            .limit
            .map_or(100, |l| usize::try_from(l).unwrap_or(100));
        let mut matching = buses
            .into_iter()
            .filter(|(n, _)| n.starts_with(&prefix) && (after.is_empty() || *n > after));
        let page: Vec<_> = matching.by_ref().take(limit).collect();
        let more = matching.next().is_some();
        let next_token = more.then(|| page.last().map(|(n, _)| n.clone())).flatten();
        let event_buses = page
            .into_iter()
            .map(|(name, record)| listed_bus(&scope, name, record))
            .collect();
        Ok(ListEventBusesResponse {
            event_buses: Some(event_buses),
            next_token,
        })
    }
}

fn listed_bus(scope: &BusRef, name: String, record: Option<BusRecord>) -> EventBus {
    let bus = BusRef {
        name: name.clone(),
        ..scope.clone()
    };
    let record = record.unwrap_or_default();
    let stored = record.created_ms > 0;
    EventBus {
        arn: Some(bus.arn()),
        name: Some(name),
        description: record.description,
        policy: record.policy,
        creation_time: stored.then(|| ts(record.created_ms)).flatten(),
        last_modified_time: stored.then(|| ts(record.modified_ms)).flatten(),
        managed_by: None,
    }
}

impl UpdateEventBus for EventsService {
    async fn update_event_bus(
        &self,
        ctx: &RequestContext,
        input: UpdateEventBusRequest,
    ) -> Result<UpdateEventBusResponse, ServiceError> {
        let bus = caller_bus(ctx, input.name.as_deref());
        authorize_bus(ctx, "UpdateEventBus", &bus)?;
        let record = retry_conflicts(is_conflict, || async {
            let (mut record, version) = self.load_bus(&bus).await?;
            record.description = input.description.clone().or(record.description);
            record.kms_key_identifier = input.kms_key_identifier.clone();
            record.dead_letter_config = input.dead_letter_config.clone();
            record.modified_ms = self.now_ms();
            self.save_bus(&bus, &record, version).await?;
            Ok(record)
        })
        .await?;
        Ok(UpdateEventBusResponse {
            arn: Some(bus.arn()),
            name: Some(bus.name.clone()),
            description: record.description,
            kms_key_identifier: record.kms_key_identifier,
            dead_letter_config: record.dead_letter_config,
            log_config: None,
        })
    }
}

impl DeleteEventBus for EventsService {
    async fn delete_event_bus(
        &self,
        ctx: &RequestContext,
        input: DeleteEventBusRequest,
    ) -> Result<(), ServiceError> {
        let bus = caller_bus(ctx, input.name.as_deref());
        authorize_bus(ctx, "DeleteEventBus", &bus)?;
        if bus.name == DEFAULT_BUS {
            return Err(validation("Cannot delete event bus default."));
        }
        retry_conflicts(is_conflict, || self.delete_bus_once(&bus)).await
    }
}

impl EventsService {
    async fn delete_bus_once(&self, bus: &BusRef) -> Result<(), ServiceError> {
        let Some(row) = self.tables.bus(bus).await? else {
            // AWS answers success for a bus that does not exist.
            return Ok(());
        };
        // AWS: "All rules associated with this event bus need to be deleted" first.
        let rules = self
            .tables
            .rules
            .scan(&bus.rules_prefix(), None, 1)
            .await
            .map_err(store_err)?;
        if !rules.is_empty() {
            return Err(validation("EventBus can't be deleted since it has rules."));
        }
        let write = self
            .tables
            .buses
            .delete(&bus.row(), Expect::Version(row.version));
        self.tables.commit(vec![write]).await
    }
}
