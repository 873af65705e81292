//! TestEventPattern: whether an event matches a pattern, with no bus, rule or target involved.

use crate::EventsService;
use crate::generated::errors::invalid_event_pattern_exception;
use crate::generated::{ServiceError, TestEventPattern};
use crate::generated::{TestEventPatternRequest, TestEventPatternResponse};
use crate::pattern::Pattern;
use rampart_core::RequestContext;
use serde_json::Value;

/// The fields AWS requires of a TestEventPattern event.
const REQUIRED_FIELDS: &[&str] = &["id", "account", "source", "time", "region", "detail-type"];

impl TestEventPattern for EventsService {
    async fn test_event_pattern(
        &self,
        _ctx: &RequestContext,
        input: TestEventPatternRequest,
    ) -> Result<TestEventPatternResponse, ServiceError> {
        let pattern = Pattern::parse(input.event_pattern.as_deref().unwrap_or_default())
            .map_err(|e| invalid_event_pattern_exception(e.to_string()))?;
        let event = parse_event(input.event.as_deref().unwrap_or_default())?;
        Ok(TestEventPatternResponse {
            result: Some(pattern.matches(&event)),
        })
    }
}

/// The event as JSON, refused as AWS does when it is not an object with the envelope fields.
fn parse_event(text: &str) -> Result<Value, ServiceError> {
    let invalid = || ServiceError::new("ValidationException", 400, "Parameter Event is not valid.");
    let event: Value = serde_json::from_str(text).map_err(|_| invalid())?;
    let object = event.as_object().ok_or_else(invalid)?;
    if REQUIRED_FIELDS.iter().any(|f| !object.contains_key(*f)) {
        return Err(invalid());
    }
    Ok(event)
}
