//! The gate on read-only calls' audit records: only rules in state
//! ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS receive read-only management calls, so their
//! records reach the ingest queue only while such a rule exists somewhere in the cluster. An
//! index table holds one row per such rule (written with the rule); every node re-reads it each
//! ingest pass (a second), and a node that stores such a rule opens its own gate at once. The
//! bulk of calls (KMS's cryptographic ones are read-only) then costs no queue item, claim,
//! decode or ack.

use crate::EventsService;
use crate::generated::ServiceError;
use crate::store::{ALL_MANAGEMENT_RULES, RuleRecord, Tables, store_err};
use rampart_core::AuditSubscription;
use rampart_store::{Expect, Write};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

/// The gate: open while some rule takes read-only management events. `opened` counts the
/// rules this node stored that open it, so a re-read that began before one of them committed
/// cannot close the gate behind it.
#[derive(Default)]
pub struct Gate {
    open: Arc<AtomicBool>,
    opened: Mutex<u64>,
}

impl Gate {
    fn opened(&self) -> std::sync::MutexGuard<'_, u64> {
        self.opened.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Opens the gate for a rule this node stored.
    fn open_now(&self) {
        let mut opened = self.opened();
        *opened += 1;
        self.open.store(true, Ordering::Release);
    }

    /// Sets the gate to what a re-read begun at `opened_before` found.
    fn set(&self, found: bool, opened_before: u64) {
        let opened = self.opened();
        if found || *opened == opened_before {
            self.open.store(found, Ordering::Release);
        }
    }

    /// Closes the gate (a dev reset emptied the store).
    pub fn reset(&self) {
        let _opened = self.opened();
        self.open.store(false, Ordering::Release);
    }
}

/// Rules read per page of the start-up backfill.
const PAGE: usize = 500;

impl Tables {
    /// The write keeping the index in step with the rule stored at `row` (`None`: deleted).
    pub fn all_management_write(
        &self,
        row: &str,
        rule: Option<&RuleRecord>,
    ) -> Result<Write, ServiceError> {
        if rule.is_some_and(RuleRecord::takes_all_management_events) {
            self.all_management
                .put(row, &true, Expect::Any)
                .map_err(store_err)
        } else {
            Ok(self.all_management.delete(row, Expect::Any))
        }
    }

    /// Whether any rule of any bus, account or Region takes read-only management events.
    async fn any_all_management_rule(&self) -> Result<bool, ServiceError> {
        let keys = self
            .store
            .scan_keys(ALL_MANAGEMENT_RULES, "", None, 1)
            .await
            .map_err(store_err)?;
        Ok(!keys.is_empty())
    }
}

impl EventsService {
    /// The ingest queue's subscription to the audit trail, gated as the module says.
    pub fn audit_subscription(&self) -> AuditSubscription {
        let gate = Arc::clone(&self.gate.open);
        AuditSubscription::read_only_while(crate::ingest::AUDIT_QUEUE, gate)
    }

    /// Opens the gate after this node stored `rule` (no wait for the next re-read).
    pub(crate) fn note_rule_stored(&self, rule: &RuleRecord) {
        if rule.takes_all_management_events() {
            self.gate.open_now();
        }
    }

    /// Re-reads the index into the gate; answers the gate.
    pub async fn refresh_management_gate(&self) -> Result<bool, ServiceError> {
        let before = *self.gate.opened();
        let found = self.tables.any_all_management_rule().await?;
        self.gate.set(found, before);
        Ok(found)
    }

    /// Indexes every stored rule that takes read-only management events (rules stored before
    /// the index existed), then reads the gate. Run before the service answers; the writes are
    /// idempotent, so nodes starting together may both run it.
    pub async fn backfill_management_index(&self) -> Result<usize, ServiceError> {
        let mut indexed = 0;
        let mut after: Option<String> = None;
        loop {
            let page = self
                .tables
                .rules
                .scan("", after.as_deref(), PAGE)
                .await
                .map_err(store_err)?;
            after = page.last().map(|(row, _)| row.clone());
            let writes = page
                .iter()
                .filter(|(_, rule)| rule.value.takes_all_management_events())
                .map(|(row, rule)| self.tables.all_management_write(row, Some(&rule.value)))
                .collect::<Result<Vec<_>, _>>()?;
            indexed += writes.len();
            if !writes.is_empty() {
                self.store.transact(writes).await.map_err(store_err)?;
            }
            if page.len() < PAGE {
                break;
            }
        }
        self.refresh_management_gate().await?;
        Ok(indexed)
    }
}
