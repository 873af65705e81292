//! IssueCertificate's `Validity` and `ValidityNotBefore`: END_DATE (UTCTime `YYMMDDHHMMSS` or
//! GeneralizedTime `YYYYMMDDHHMMSS`), ABSOLUTE (epoch seconds), DAYS / MONTHS / YEARS after
//! issuance. Without `ValidityNotBefore` a certificate is valid from 60 minutes before issuance
//! (AWS backdates to absorb clock skew).

use crate::generated::{Validity, ValidityPeriodType};
use time::{Date, Duration, Month, OffsetDateTime, PrimitiveDateTime, Time};

/// How far AWS backdates NotBefore.
pub const BACKDATE: Duration = Duration::minutes(60);

/// A validity that cannot be read as a time.
#[derive(Debug, PartialEq, Eq)]
pub struct BadValidity;

/// The end of `validity` for a certificate issued at `now`.
pub fn not_after(validity: &Validity, now: OffsetDateTime) -> Result<OffsetDateTime, BadValidity> {
    let value = validity.value.ok_or(BadValidity)?;
    match validity.type_.as_ref().ok_or(BadValidity)? {
        ValidityPeriodType::EndDate => end_date(value),
        ValidityPeriodType::Absolute => absolute(value),
        ValidityPeriodType::Days => Ok(now + Duration::days(value)),
        ValidityPeriodType::Months => add_months(now, value),
        ValidityPeriodType::Years => add_months(now, value.checked_mul(12).ok_or(BadValidity)?),
        ValidityPeriodType::Unknown(_) => Err(BadValidity),
    }
}

/// The start of validity: `ValidityNotBefore` (END_DATE or ABSOLUTE) or `now` backdated.
// Doubt: AWS documents ABSOLUTE for ValidityNotBefore; relative types are refused here.
pub fn not_before(
    validity: Option<&Validity>,
    now: OffsetDateTime,
) -> Result<OffsetDateTime, BadValidity> {
    let Some(validity) = validity else {
        return Ok(now - BACKDATE);
    };
    let value = validity.value.ok_or(BadValidity)?;
    match validity.type_.as_ref().ok_or(BadValidity)? {
        ValidityPeriodType::EndDate => end_date(value),
        ValidityPeriodType::Absolute => absolute(value),
        _ => Err(BadValidity),
    }
}

/// Epoch seconds.
fn absolute(value: i64) -> Result<OffsetDateTime, BadValidity> {
    OffsetDateTime::from_unix_timestamp(value).map_err(|_| BadValidity)
}

/// `YYMMDDHHMMSS` (years 50-99 are 19YY) or `YYYYMMDDHHMMSS`.
fn end_date(value: i64) -> Result<OffsetDateTime, BadValidity> {
    let digits = value.to_string();
    let (year, rest) = match digits.len() {
        12 => {
            let yy: i32 = digits[..2].parse().map_err(|_| BadValidity)?;
            (if yy >= 50 { 1900 + yy } else { 2000 + yy }, &digits[2..])
        }
        11 => (
            2000 + digits[..1].parse::<i32>().map_err(|_| BadValidity)?,
            &digits[1..],
        ),
        14 => (digits[..4].parse().map_err(|_| BadValidity)?, &digits[4..]),
        _ => return Err(BadValidity),
    };
    let field = |i: usize| rest[i..i + 2].parse::<u8>().map_err(|_| BadValidity);
    let month = Month::try_from(field(0)?).map_err(|_| BadValidity)?;
    let date = Date::from_calendar_date(year, month, field(2)?).map_err(|_| BadValidity)?;
    let time = Time::from_hms(field(4)?, field(6)?, field(8)?).map_err(|_| BadValidity)?;
    Ok(PrimitiveDateTime::new(date, time).assume_utc())
}

/// `at` plus `months` calendar months (the day clamped to the month's last).
fn add_months(at: OffsetDateTime, months: i64) -> Result<OffsetDateTime, BadValidity> {
    let index = i64::from(at.year()) * 12 + i64::from(u8::from(at.month())) - 1 + months;
    let year = i32::try_from(index.div_euclid(12)).map_err(|_| BadValidity)?;
    let month = u8::try_from(index.rem_euclid(12) + 1).map_err(|_| BadValidity)?;
    let month = Month::try_from(month).map_err(|_| BadValidity)?;
    let day = at.day().min(time::util::days_in_month(month, year));
    let date = Date::from_calendar_date(year, month, day).map_err(|_| BadValidity)?;
    Ok(at.replace_date(date))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use time::macros::datetime;

    fn v(kind: ValidityPeriodType, value: i64) -> Validity {
        Validity {
            type_: Some(kind),
            value: Some(value),
        }
    }

    #[test]
    fn validity_types_follow_aws_examples() {
        let now = datetime!(2020-10-12 12:34:54 UTC);
        let end = not_after(&v(ValidityPeriodType::EndDate, 491231235959), now).unwrap();
        assert_eq!(end, datetime!(2049-12-31 23:59:59 UTC));
        let end = not_after(&v(ValidityPeriodType::EndDate, 20501231235959), now).unwrap();
        assert_eq!(end, datetime!(2050-12-31 23:59:59 UTC));
        let abs = not_after(&v(ValidityPeriodType::Absolute, 2524608000), now).unwrap();
        assert_eq!(abs, datetime!(2050-01-01 00:00:00 UTC));
        let days = not_after(&v(ValidityPeriodType::Days, 90), now).unwrap();
        assert_eq!(days, datetime!(2021-01-10 12:34:54 UTC));
        let months = not_after(&v(ValidityPeriodType::Months, 4), now).unwrap();
        assert_eq!(months, datetime!(2021-02-12 12:34:54 UTC));
        let years = not_after(&v(ValidityPeriodType::Years, 1), now).unwrap();
        assert_eq!(years, datetime!(2021-10-12 12:34:54 UTC));
        let bad = not_after(&v(ValidityPeriodType::EndDate, 491331235959), now);
        assert_eq!(bad, Err(BadValidity));
        assert_eq!(not_before(None, now).unwrap(), now - BACKDATE);
        let rel = v(ValidityPeriodType::Days, 1);
        assert_eq!(not_before(Some(&rel), now), Err(BadValidity));
    }
}
