//! What an evaluation decides.

use std::sync::Arc;

/// A Block action's custom response.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CustomResponse {
    /// HTTP status (200–600).
    pub status: u16,
    /// Response headers, as configured.
    pub headers: Vec<(String, String)>,
    /// The body from `CustomResponseBodies`: (content type, content).
    pub body: Option<(String, String)>,
}

/// The action that ends the evaluation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FinalAction {
    /// Forward the request (with [`Verdict::insert_headers`]).
    Allow,
    /// Refuse it: 403, or the custom response.
    Block(Option<Arc<CustomResponse>>),
    /// Answer with a CAPTCHA puzzle (AWS: 405); the token was absent, invalid or too old.
    Captcha,
    /// Answer with a silent challenge (AWS: 202); the token was absent, invalid or too old.
    Challenge,
    /// Answer 402 Payment Required (the Monetize action).
    Monetize,
}

/// A rule that matched: its name and, for a rule inside a rule group, the group and its rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MatchedRule {
    /// The web ACL rule (for a group, the rule that references it).
    pub rule: String,
    /// The rule group's name, when the match came from one.
    pub rule_group: Option<String>,
    /// The rule inside the rule group, when the match came from one.
    pub group_rule: Option<String>,
    /// The action applied, AWS's name (`COUNT`, `CAPTCHA`…).
    pub action: &'static str,
}

/// A rate-based rule whose aggregation key is over its limit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RateMatch {
    /// The rule's name.
    pub rule: String,
    /// The aggregation key, readable (`ip=192.0.2.1`, `header:x-api-key=…;method=GET`).
    pub key: String,
    /// Requests counted for the key in the window, this one included.
    pub count: u64,
    /// The rule's limit.
    pub limit: u64,
    /// The window, seconds.
    pub window: u64,
}

/// The outcome of [`crate::WebAclPlan::evaluate`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verdict {
    /// The terminating action (the default action when no rule terminated).
    pub action: FinalAction,
    /// The terminating rule; `None` for the default action.
    pub terminating_rule: Option<MatchedRule>,
    /// Every label added, fully qualified, in order.
    pub labels: Vec<String>,
    /// Headers to add to the forwarded request (Count, Allow, and accepted CAPTCHA/challenge
    /// actions' `CustomRequestHandling`), already prefixed `x-amzn-waf-`.
    pub insert_headers: Vec<(String, String)>,
    /// Rules that matched without terminating (Count, override to Count, accepted tokens).
    pub non_terminating: Vec<MatchedRule>,
    /// Rate-based rules that matched.
    pub rate_based: Vec<RateMatch>,
}
