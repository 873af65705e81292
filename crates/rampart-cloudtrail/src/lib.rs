//! AWS CloudTrail: LookupEvents over the audit trail every Rampart service call writes.

pub mod generated;
