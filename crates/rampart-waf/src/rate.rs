//! Rate-based rules: aggregation keys, and [`RateState`], the shared per-key counters over the
//! rule's evaluation window.
//!
//! Each key counts requests in ten slots of a tenth of the window (a sliding window to within
//! one slot). Keys idle for a whole window are swept; a bounded number of keys is kept (new
//! keys beyond it are counted as if seen once, never stored).

use crate::error::{CompileError, Result};
use crate::eval::Ctx;
use crate::ipset::ForwardedIp;
use crate::json;
use crate::statement::{Compiler, Statement};
use crate::verdict::RateMatch;
use serde_json::{Map, Value};
use std::collections::HashMap;
use std::hash::{BuildHasher, RandomState};
use std::sync::{Arc, Mutex};

const SLOTS: u64 = 10;
const SHARDS: usize = 16;
/// Inserts between sweeps of a shard.
const SWEEP_EVERY: u32 = 4096;

mod keys;

use keys::KeySpec;

/// A compiled RateBasedStatement.
#[derive(Debug)]
pub(crate) struct RateRule {
    id: Arc<str>,
    name: String,
    limit: u64,
    window: u64,
    key: KeySpec,
    scope_down: Option<Statement>,
}

impl RateRule {
    pub(crate) fn parse(
        obj: &Map<String, Value>,
        cx: &Compiler,
        scope_down: Option<Statement>,
        what: &str,
    ) -> Result<RateRule> {
        let limit = json::req_i64(obj, "Limit", what)?;
        let limit = u64::try_from(limit)
            .ok()
            .filter(|l| (10..=2_000_000_000).contains(l))
            .ok_or_else(|| {
                CompileError::invalid(format!("{what}.Limit must be between 10 and 2000000000"))
            })?;
        let window = match obj.get("EvaluationWindowSec").and_then(Value::as_i64) {
            None => 300,
            Some(w @ (60 | 120 | 300 | 600)) => w as u64,
            Some(w) => {
                return Err(CompileError::invalid(format!(
                    "{what}.EvaluationWindowSec must be 60, 120, 300 or 600, not {w}"
                )));
            }
        };
        let forwarded = match obj.get("ForwardedIPConfig").filter(|v| !v.is_null()) {
            Some(v) => Some(ForwardedIp::parse(
                v,
                &format!("{what}.ForwardedIPConfig"),
                false,
            )?),
            None => None,
        };
        let key = KeySpec::parse(obj, forwarded, what)?;
        Ok(RateRule {
            id: cx.rule_id.clone(),
            name: cx.rule_name.clone(),
            limit,
            window,
            key,
            scope_down,
        })
    }

    /// Counts the request under its key; matches when the key is over the limit.
    pub(crate) fn eval(&self, ctx: &Ctx) -> bool {
        if self.scope_down.as_ref().is_some_and(|s| !s.eval(ctx)) {
            return false;
        }
        let key = match self.key.build(ctx) {
            Ok(Some(key)) => key,
            Ok(None) => return false,
            Err(fallback_match) => return fallback_match,
        };
        let count = ctx.rate.hit(&self.id, &key, self.window, ctx.env.now);
        if count <= self.limit {
            return false;
        }
        ctx.rate_matches.borrow_mut().push(RateMatch {
            rule: self.name.clone(),
            key: String::from_utf8_lossy(&key).into_owned(),
            count,
            limit: self.limit,
            window: self.window,
        });
        true
    }
}

/// Per-key request counts of a plan's rate-based rules; share one between evaluations (it is
/// `Sync`). Counters are keyed by web ACL id, rule group namespace and rule name, so they
/// survive a recompiled plan of the same web ACL.
#[derive(Debug)]
pub struct RateState {
    shards: Vec<Mutex<Shard>>,
    hasher: RandomState,
    max_keys_per_shard: usize,
}

#[derive(Debug, Default)]
struct Shard {
    counters: HashMap<Vec<u8>, Counter>,
    inserts: u32,
}

#[derive(Debug, Clone, Copy)]
struct Counter {
    slots: [u32; SLOTS as usize],
    /// Slot number (time / slot width) of the last hit.
    last: u64,
    width: u64,
}

impl Counter {
    fn new(slot: u64, width: u64) -> Counter {
        Counter {
            slots: [0; SLOTS as usize],
            last: slot,
            width,
        }
    }

    fn hit(&mut self, slot: u64) -> u64 {
        if slot > self.last {
            for s in (self.last + 1)..=slot.min(self.last + SLOTS) {
                self.slots[(s % SLOTS) as usize] = 0;
            }
            self.last = slot;
        }
        let i = (self.last % SLOTS) as usize;
        self.slots[i] = self.slots[i].saturating_add(1);
        self.slots.iter().map(|&c| u64::from(c)).sum()
    }

    fn idle(&self, now: u64) -> bool {
        now / self.width >= self.last + SLOTS
    }
}

impl Default for RateState {
    fn default() -> RateState {
        RateState::new(200_000)
    }
}

impl RateState {
    /// Counters for at most about `max_keys` aggregation keys at once.
    pub fn new(max_keys: usize) -> RateState {
        RateState {
            shards: (0..SHARDS).map(|_| Mutex::new(Shard::default())).collect(),
            hasher: RandomState::new(),
            max_keys_per_shard: max_keys.div_ceil(SHARDS).max(1),
        }
    }

    /// Keys currently tracked.
    pub fn len(&self) -> usize {
        self.shards
            .iter()
            .map(|s| s.lock().map_or(0, |s| s.counters.len()))
            .sum()
    }

    /// No key is tracked.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Counts one request for `key` of rule `rule` at `now`; the count within the window.
    pub(crate) fn hit(&self, rule: &str, key: &[u8], window: u64, now: u64) -> u64 {
        let mut full = Vec::with_capacity(rule.len() + 1 + key.len());
        full.extend_from_slice(rule.as_bytes());
        full.push(0);
        full.extend_from_slice(key);
        let shard = &self.shards[(self.hasher.hash_one(&full) as usize) % SHARDS];
        let Ok(mut shard) = shard.lock() else {
            return 1;
        };
        let width = (window / SLOTS).max(1);
        let slot = now / width;
        if let Some(counter) = shard.counters.get_mut(&full) {
            return counter.hit(slot);
        }
        shard.inserts += 1;
        if shard.inserts >= SWEEP_EVERY || shard.counters.len() >= self.max_keys_per_shard {
            shard.inserts = 0;
            shard.counters.retain(|_, c| !c.idle(now));
        }
        let mut counter = Counter::new(slot, width);
        let count = counter.hit(slot);
        if shard.counters.len() < self.max_keys_per_shard {
            shard.counters.insert(full, counter);
        }
        count
    }
}
