//! The state of one evaluation: the request, the environment, the labels added so far and
//! the rate-based rules that matched.

use crate::rate::RateState;
use crate::request::{Environment, InspectedRequest};
use crate::verdict::RateMatch;
use std::cell::RefCell;

pub(crate) struct Ctx<'r> {
    pub(crate) req: &'r InspectedRequest,
    pub(crate) env: &'r Environment<'r>,
    pub(crate) rate: &'r RateState,
    /// Fully qualified labels, in the order added.
    pub(crate) labels: RefCell<Vec<String>>,
    /// Rate-based rules whose key is over its limit.
    pub(crate) rate_matches: RefCell<Vec<RateMatch>>,
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
        }
    }

    /// Adds a label once.
    pub(crate) fn add_label(&self, label: String) {
        let mut labels = self.labels.borrow_mut();
        if !labels.contains(&label) {
            labels.push(label);
        }
    }
}
