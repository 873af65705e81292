//! A LookupEvents request checked the way CloudTrail checks it (its own exceptions, not model
//! validation), with defaults applied: the attribute filter, the time range, the page size and
//! where to continue.

use crate::generated::errors;
use crate::generated::{EventCategory, LookupAttributeKey, LookupEventsRequest, ServiceError};
use crate::record::Record;
use crate::token::{self, Cursor};
use time::{Duration, OffsetDateTime};

/// How far back event history reaches.
pub(crate) const RETENTION: Duration = Duration::days(90);
/// Results per page when MaxResults is not given, and the most allowed.
const MAX_RESULTS: i32 = 50;
/// Longest AttributeValue, counting `_`, space, `,` and newline twice.
const MAX_VALUE_WEIGHT: usize = 2000;

/// One lookup attribute: events whose `key` equals `value` exactly.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Filter {
    pub key: LookupAttributeKey,
    pub value: String,
}

/// The caller's account and Region: the only events LookupEvents shows them.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Scope<'a> {
    pub account: &'a str,
    pub region: &'a str,
}

/// A checked LookupEvents request.
#[derive(Debug, Clone)]
pub(crate) struct Query {
    pub filter: Option<Filter>,
    pub start: OffsetDateTime,
    pub end: OffsetDateTime,
    pub max: usize,
    pub insight: bool,
    pub cursor: Cursor,
    /// Binds NextTokens to the parameters that produced them.
    pub fingerprint: String,
}

impl Query {
    /// Checks `input` (received at `now`, from `scope`) as CloudTrail does.
    pub fn new(
        input: &LookupEventsRequest,
        scope: Scope<'_>,
        now: OffsetDateTime,
    ) -> Result<Query, ServiceError> {
        let insight = check_category(input.event_category.as_ref())?;
        let max = check_max_results(input.max_results)?;
        let filter = check_attributes(input, insight)?;
        let start = input.start_time.map_or(now - RETENTION, |t| t.0);
        let end = input.end_time.map_or(now, |t| t.0);
        if start > end {
            return Err(errors::invalid_time_range_exception(
                "Start time must not be after end time.",
            ));
        }
        let fingerprint = token::fingerprint(input, scope);
        let cursor = match &input.next_token {
            None => Cursor::END,
            Some(text) => token::decode(text, &fingerprint).ok_or_else(|| {
                errors::invalid_next_token_exception(
                    "Invalid NextToken: it is malformed or was issued for different parameters.",
                )
            })?,
        };
        Ok(Query {
            filter,
            start: start.max(now - RETENTION),
            end,
            max,
            insight,
            cursor,
            fingerprint,
        })
    }
}

/// True for `insight`; any other value is refused.
fn check_category(category: Option<&EventCategory>) -> Result<bool, ServiceError> {
    match category {
        None => Ok(false),
        Some(EventCategory::Insight) => Ok(true),
        Some(EventCategory::Unknown(_)) => Err(errors::invalid_event_category_exception(
            "EventCategory is not valid. The only valid value is insight.",
        )),
    }
}

fn check_max_results(max: Option<i32>) -> Result<usize, ServiceError> {
    let max = max.unwrap_or(MAX_RESULTS);
    if !(1..=MAX_RESULTS).contains(&max) {
        return Err(errors::invalid_max_results_exception(
            "MaxResults must be between 1 and 50.",
        ));
    }
    usize::try_from(max).map_err(|_| ServiceError::internal())
}

fn invalid_attributes(message: &str) -> ServiceError {
    errors::invalid_lookup_attributes_exception(message)
}

/// The one lookup attribute (if any); Insights events support EventId, EventName, EventSource.
fn check_attributes(
    input: &LookupEventsRequest,
    insight: bool,
) -> Result<Option<Filter>, ServiceError> {
    let attributes = input.lookup_attributes.as_deref().unwrap_or_default();
    let Some(attribute) = attributes.first() else {
        return Ok(None);
    };
    if attributes.len() > 1 {
        return Err(invalid_attributes(
            "Only one lookup attribute is allowed per request.",
        ));
    }
    let key = match &attribute.attribute_key {
        None => return Err(invalid_attributes("AttributeKey is required.")),
        Some(LookupAttributeKey::Unknown(_)) => {
            return Err(invalid_attributes(&format!(
                "AttributeKey is not valid. Valid keys: {}.",
                LookupAttributeKey::VALUES.join(", ")
            )));
        }
        Some(key) => key.clone(),
    };
    let value = attribute.attribute_value.clone().unwrap_or_default();
    let weight: usize = value
        .chars()
        .map(|c| {
            if matches!(c, '_' | ' ' | ',' | '\n') {
                2
            } else {
                1
            }
        })
        .sum();
    if value.is_empty() || weight > MAX_VALUE_WEIGHT {
        return Err(invalid_attributes(
            "AttributeValue must be 1 to 2000 characters long ('_', ' ', ',' and newline count as two).",
        ));
    }
    let insight_key = matches!(
        key,
        LookupAttributeKey::EventId
            | LookupAttributeKey::EventName
            | LookupAttributeKey::EventSource
    );
    if insight && !insight_key {
        return Err(invalid_attributes(
            "Insights events can be looked up by EventId, EventName or EventSource only.",
        ));
    }
    Ok(Some(Filter { key, value }))
}

impl Filter {
    /// True when the record's attribute equals the value exactly.
    pub fn matches(&self, record: &Record<'_>) -> bool {
        let value = self.value.as_str();
        match &self.key {
            LookupAttributeKey::EventId => record.event_id == value,
            LookupAttributeKey::EventName => record.event_name == value,
            LookupAttributeKey::EventSource => record.event_source == value,
            LookupAttributeKey::ReadOnly => {
                value == if record.read_only { "true" } else { "false" }
            }
            LookupAttributeKey::Username => record.username().as_deref() == Some(value),
            LookupAttributeKey::AccessKeyId => record.access_key_id() == Some(value),
            LookupAttributeKey::ResourceType => record
                .resources
                .iter()
                .any(|r| r.kind.as_deref() == Some(value)),
            LookupAttributeKey::ResourceName => record
                .resources
                .iter()
                .any(|r| r.arn.as_deref() == Some(value)),
            LookupAttributeKey::Unknown(_) => false,
        }
    }

    /// Bytes every compact entry holding a matching record contains: the value itself, when
    /// it is stored as is (a string needing no JSON escape, matched against a stored string
    /// or the identity's JSON text). `None` for ReadOnly, `root` and unknown keys.
    pub fn raw_needle(&self) -> Option<Vec<u8>> {
        let plain = serde_json::to_string(&self.value).ok()? == format!("\"{}\"", self.value);
        let usable = match &self.key {
            LookupAttributeKey::ReadOnly | LookupAttributeKey::Unknown(_) => false,
            LookupAttributeKey::Username => self.value != "root",
            _ => true,
        };
        (plain && usable && !self.value.is_empty()).then(|| self.value.as_bytes().to_vec())
    }

    /// What every matching record's JSON line contains (a cheap test before parsing it).
    pub fn needle(&self) -> Needle {
        let quoted = serde_json::to_string(&self.value).unwrap_or_default();
        match &self.key {
            LookupAttributeKey::ReadOnly => match self.value.as_str() {
                "true" => Needle::Text(String::from("\"readOnly\":true")),
                "false" => Needle::Text(String::from("\"readOnly\":false")),
                _ => Needle::Nothing,
            },
            // `root` comes from the identity type; any other user name is in the record as
            // written: the IAM user's `userName`, or the end of the ARN (a role session name).
            LookupAttributeKey::Username if self.value == "root" => Needle::Any,
            LookupAttributeKey::Username => {
                let inner = quoted.get(1..quoted.len().saturating_sub(1));
                inner.map_or(Needle::Any, |text| Needle::Text(text.to_owned()))
            }
            LookupAttributeKey::Unknown(_) => Needle::Nothing,
            _ => Needle::Text(quoted),
        }
    }
}

/// A necessary condition on the raw JSON line of a matching record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Needle {
    /// No record can match.
    Nothing,
    /// No cheap test: parse every record.
    Any,
    /// The line must contain this text.
    Text(String),
}
