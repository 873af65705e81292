//! The state of one evaluation: the request, the environment, the labels added so far and
//! the rate-based rules that matched.

use crate::rate::RateState;
use crate::request::{Environment, InspectedRequest};
use crate::verdict::RateMatch;
use std::cell::RefCell;
use std::sync::Arc;

pub(crate) struct Ctx<'r> {
    pub(crate) req: &'r InspectedRequest,
    pub(crate) env: &'r Environment<'r>,
    pub(crate) rate: &'r RateState,
    /// Fully qualified labels, in the order added.
    pub(crate) labels: RefCell<Vec<String>>,
    /// Rate-based rules whose key is over its limit.
    pub(crate) rate_matches: RefCell<Vec<RateMatch>>,
    /// The answers of the costly inspections made so far, by memo key.
    memo: RefCell<Vec<(Arc<str>, bool)>>,
}

impl<'r> Ctx<'r> {
    pub(crate) fn new(
        req: &'r InspectedRequest,
        env: &'r Environment<'r>,
        rate: &'r RateState,
    ) -> Ctx<'r> {
        Ctx {
            req,
            env,
            rate,
            labels: RefCell::new(Vec::new()),
            rate_matches: RefCell::new(Vec::new()),
            memo: RefCell::new(Vec::new()),
        }
    }

    /// The answer `run` gave for `key` earlier in this evaluation, else runs it and keeps it.
    /// Inspections with equal keys see the same field, transformed the same way, and test it
    /// the same way, so they answer alike.
    pub(crate) fn memo(&self, key: &Arc<str>, run: impl FnOnce() -> bool) -> bool {
        let known = self
            .memo
            .borrow()
            .iter()
            .find(|(k, _)| Arc::ptr_eq(k, key) || **k == **key)
            .map(|(_, v)| *v);
        if let Some(answer) = known {
            return answer;
        }
        let answer = run();
        self.memo.borrow_mut().push((key.clone(), answer));
        answer
    }

    /// Adds a label once.
    pub(crate) fn add_label(&self, label: String) {
        let mut labels = self.labels.borrow_mut();
        if !labels.contains(&label) {
            labels.push(label);
        }
    }
}
