//! Archives: CreateArchive, DescribeArchive, UpdateArchive, DeleteArchive and ListArchives.

use super::connections::{authorize, internal, timestamp};
use super::paging::read_versioned;
use crate::EventsService;
use crate::access::bus_not_found;
use crate::archive::{self, ARCHIVES, ArchiveRecord};
use crate::delivery::now_ms;
use crate::generated::errors::{
    concurrent_modification_exception, internal_exception, invalid_event_pattern_exception,
    resource_already_exists_exception, resource_not_found_exception,
};
use crate::generated::*;
use crate::pattern::Pattern;
use crate::store::{BusRef, parse_bus_arn};
use rampart_core::RequestContext;
use rampart_store::{Expect, Versioned, Write, encode_record};

fn arn(ctx: &RequestContext, name: &str) -> String {
    format!(
        "arn:aws:events:{}:{}:archive/{name}",
        ctx.region.as_str(),
        ctx.account().as_str()
    )
}

fn key(ctx: &RequestContext, name: &str) -> String {
    format!("{}/{}/{name}", ctx.account().as_str(), ctx.region.as_str())
}

fn not_found(name: &str) -> ServiceError {
    resource_not_found_exception(format!("Archive {name} does not exist."))
}

fn check_pattern(pattern: Option<&str>) -> Result<(), ServiceError> {
    match pattern {
        Some(p) => Pattern::parse(p)
            .map(drop)
            .map_err(|e| invalid_event_pattern_exception(e.to_string())),
        None => Ok(()),
    }
}

/// The bus an archive reads: one of the caller's account and Region (a bus of another account
/// or Region is refused as AWS refuses an unknown one; whether it exists is checked with the
/// managed rule's write).
fn source_bus(ctx: &RequestContext, source: &str) -> Result<BusRef, ServiceError> {
    let bus = parse_bus_arn(source);
    let own = |b: &BusRef| b.account == ctx.account().as_str() && b.region == ctx.region.as_str();
    bus.filter(own).ok_or_else(|| {
        let name = source.rsplit_once(":event-bus/").map_or(source, |(_, n)| n);
        bus_not_found(name)
    })
}

/// The bus of a stored archive (an unreadable one is an internal fault, logged, not answered).
fn bus_of(a: &ArchiveRecord) -> Result<BusRef, ServiceError> {
    parse_bus_arn(&a.event_source_arn).ok_or_else(|| {
        tracing::error!(archive = %a.arn, "stored archive without a bus ARN");
        internal_exception("An internal error occurred.")
    })
}

impl EventsService {
    async fn read_archive(
        &self,
        ctx: &RequestContext,
        name: &str,
    ) -> Result<Versioned<ArchiveRecord>, ServiceError> {
        read_versioned(&self.store, ARCHIVES, &key(ctx, name), || not_found(name)).await
    }

    /// Writes the archive (expected at `version`, or absent) and its managed rule (over the
    /// rule row at `rule_version`, or a new one) in one transaction.
    async fn write_archive(
        &self,
        ctx: &RequestContext,
        record: &ArchiveRecord,
        version: Option<u64>,
        rule_version: Option<u64>,
    ) -> Result<(), ServiceError> {
        let bus = bus_of(record)?;
        let rule = archive::rule::rule_record(record, &bus);
        let rule_expect = rule_version.map_or(Expect::Absent, Expect::Version);
        let mut writes = match version {
            Some(_) => Vec::new(),
            None => self.bus_guard(&bus).await?,
        };
        writes.extend([
            Write::Put {
                table: ARCHIVES,
                key: key(ctx, &record.name),
                value: encode_record(record).map_err(internal)?,
                expect: version.map_or(Expect::Absent, Expect::Version),
            },
            self.tables
                .rules
                .put(&bus.rule_row(&rule.name), &rule, rule_expect)
                .map_err(internal)?,
            self.tables.touch_rule_set(&bus)?,
        ]);
        match self.store.transact(writes).await {
            Ok(()) => Ok(()),
            Err(e) if e.is_conflict() && version.is_none() => {
                Err(resource_already_exists_exception(format!(
                    "Archive {} already exists.",
                    record.name
                )))
            }
            Err(e) if e.is_conflict() => Err(concurrent_modification_exception(format!(
                "Archive {} was modified concurrently; try again.",
                record.name
            ))),
            Err(e) => Err(internal(e)),
        }
    }
}

impl CreateArchive for EventsService {
    async fn create_archive(
        &self,
        ctx: &RequestContext,
        input: CreateArchiveRequest,
    ) -> Result<CreateArchiveResponse, ServiceError> {
        let name = input.archive_name.unwrap_or_default();
        authorize(ctx, "CreateArchive", &arn(ctx, &name))?;
        let source = input.event_source_arn.unwrap_or_default();
        let bus = source_bus(ctx, &source)?;
        check_pattern(input.event_pattern.as_deref())?;
        let rule = archive::rule::rule_name(&name);
        let existing = self.tables.rule(&bus, &rule).await?;
        // A user's rule of that name is in the way; the archive's own means the archive exists
        // (answered by the archive write's conflict).
        if existing.is_some_and(|r| r.value.managed_by.is_none()) {
            return Err(resource_already_exists_exception(format!(
                "Rule {rule} already exists on EventBus {}.",
                bus.name
            )));
        }
        let record = ArchiveRecord {
            arn: arn(ctx, &name),
            id: uuid::Uuid::new_v4().simple().to_string(),
            name,
            description: input.description,
            event_source_arn: source,
            event_pattern: input.event_pattern,
            retention_days: input.retention_days.unwrap_or(0),
            kms_key_identifier: input.kms_key_identifier,
            created_ms: now_ms(self.clock.as_ref()),
        };
        self.write_archive(ctx, &record, None, None).await?;
        Ok(CreateArchiveResponse {
            archive_arn: Some(record.arn),
            creation_time: Some(timestamp(record.created_ms)),
            state: Some(ArchiveState::Enabled),
            state_reason: None,
        })
    }
}

impl DescribeArchive for EventsService {
    async fn describe_archive(
        &self,
        ctx: &RequestContext,
        input: DescribeArchiveRequest,
    ) -> Result<DescribeArchiveResponse, ServiceError> {
        let name = input.archive_name.unwrap_or_default();
        authorize(ctx, "DescribeArchive", &arn(ctx, &name))?;
        let a = self.read_archive(ctx, &name).await?.value;
        let (count, size) = archive::usage(&self.store, &a.id).await.map_err(internal)?;
        Ok(DescribeArchiveResponse {
            archive_arn: Some(a.arn),
            archive_name: Some(a.name),
            creation_time: Some(timestamp(a.created_ms)),
            description: a.description,
            event_count: Some(count),
            event_pattern: a.event_pattern,
            event_source_arn: Some(a.event_source_arn),
            kms_key_identifier: a.kms_key_identifier,
            retention_days: Some(a.retention_days),
            size_bytes: Some(size),
            state: Some(ArchiveState::Enabled),
            state_reason: None,
        })
    }
}

impl UpdateArchive for EventsService {
    async fn update_archive(
        &self,
        ctx: &RequestContext,
        input: UpdateArchiveRequest,
    ) -> Result<UpdateArchiveResponse, ServiceError> {
        let name = input.archive_name.unwrap_or_default();
        authorize(ctx, "UpdateArchive", &arn(ctx, &name))?;
        check_pattern(input.event_pattern.as_deref())?;
        let stored = self.read_archive(ctx, &name).await?;
        let mut a = stored.value;
        if input.event_pattern.is_some() {
            a.event_pattern = input.event_pattern;
        }
        if input.description.is_some() {
            a.description = input.description;
        }
        if let Some(days) = input.retention_days {
            a.retention_days = days;
        }
        if input.kms_key_identifier.is_some() {
            a.kms_key_identifier = input.kms_key_identifier;
        }
        let bus = bus_of(&a)?;
        let rule = self
            .tables
            .rule(&bus, &archive::rule::rule_name(&name))
            .await?;
        let rule_version = rule.map(|r| r.version);
        self.write_archive(ctx, &a, Some(stored.version), rule_version)
            .await?;
        Ok(UpdateArchiveResponse {
            archive_arn: Some(a.arn),
            creation_time: Some(timestamp(a.created_ms)),
            state: Some(ArchiveState::Enabled),
            state_reason: None,
        })
    }
}

impl DeleteArchive for EventsService {
    /// Deletes the archive and its managed rule, then its events.
    async fn delete_archive(
        &self,
        ctx: &RequestContext,
        input: DeleteArchiveRequest,
    ) -> Result<DeleteArchiveResponse, ServiceError> {
        let name = input.archive_name.unwrap_or_default();
        authorize(ctx, "DeleteArchive", &arn(ctx, &name))?;
        let stored = self.read_archive(ctx, &name).await?;
        let bus = bus_of(&stored.value)?;
        let writes = vec![
            Write::Delete {
                table: ARCHIVES,
                key: key(ctx, &name),
                expect: Expect::Version(stored.version),
            },
            self.tables
                .rules
                .delete(&bus.rule_row(&archive::rule::rule_name(&name)), Expect::Any),
            self.tables.touch_rule_set(&bus)?,
        ];
        match self.store.transact(writes).await {
            Ok(()) => {}
            Err(e) if e.is_conflict() => return Err(not_found(&name)),
            Err(e) => return Err(internal(e)),
        }
        archive::purge(&self.store, &stored.value.id, i64::MAX)
            .await
            .map_err(internal)?;
        Ok(DeleteArchiveResponse {})
    }
}

impl ListArchives for EventsService {
    async fn list_archives(
        &self,
        ctx: &RequestContext,
        input: ListArchivesRequest,
    ) -> Result<ListArchivesResponse, ServiceError> {
        authorize(ctx, "ListArchives", "*")?;
        let source = input.event_source_arn.as_deref();
        let enabled = input
            .state
            .as_ref()
            .is_none_or(|s| *s == ArchiveState::Enabled);
        let page = super::paging::page(
            &self.store,
            ARCHIVES,
            &key(ctx, ""),
            input.name_prefix.as_deref(),
            input.next_token.as_deref(),
            input.limit,
            |a: &ArchiveRecord| enabled && source.is_none_or(|s| s == a.event_source_arn),
        )
        .await?;
        let mut archives = Vec::with_capacity(page.items.len());
        for a in page.items {
            let (count, size) = archive::usage(&self.store, &a.id).await.map_err(internal)?;
            archives.push(Archive {
                archive_name: Some(a.name),
                creation_time: Some(timestamp(a.created_ms)),
                event_count: Some(count),
                event_source_arn: Some(a.event_source_arn),
                retention_days: Some(a.retention_days),
                size_bytes: Some(size),
                state: Some(ArchiveState::Enabled),
                state_reason: None,
            });
        }
        Ok(ListArchivesResponse {
            archives: Some(archives),
            next_token: page.next_token,
        })
    }
}
