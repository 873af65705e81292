//! Request dates: ISO-8601 basic format parsing, the 15-minute skew window and presigned expiry.

use crate::AuthError;
use crate::error::MSG_REQUEST_EXPIRED;
use time::format_description::well_known::Rfc2822;
use time::{Date, Duration, Month, OffsetDateTime, PrimitiveDateTime, Time, UtcOffset};

/// How far the request date may be from the server's clock.
const MAX_SKEW: Duration = Duration::minutes(15);

/// The longest lifetime a presigned URL may ask for (seven days).
const MAX_EXPIRES_SECS: i64 = 604_800;

/// Parses `yyyymmddThhmmssZ`.
pub(crate) fn parse_amz_date(s: &str) -> Option<OffsetDateTime> {
    let b = s.as_bytes();
    if b.len() != 16 || b[8] != b'T' || b[15] != b'Z' {
        return None;
    }
    let num = |range: std::ops::Range<usize>| -> Option<u32> {
        let digits = s.get(range)?;
        digits
            .bytes()
            .all(|c| c.is_ascii_digit())
            .then(|| digits.parse().ok())?
    };
    let year = i32::try_from(num(0..4)?).ok()?;
    let month = Month::try_from(u8::try_from(num(4..6)?).ok()?).ok()?;
    let day = u8::try_from(num(6..8)?).ok()?;
    let date = Date::from_calendar_date(year, month, day).ok()?;
    let (h, m, sec) = (num(9..11)?, num(11..13)?, num(13..15)?);
    let time = Time::from_hms(
        u8::try_from(h).ok()?,
        u8::try_from(m).ok()?,
        u8::try_from(sec).ok()?,
    )
    .ok()?;
    Some(PrimitiveDateTime::new(date, time).assume_utc())
}

/// Formats a time as `yyyymmddThhmmssZ` (UTC).
pub(crate) fn format_amz(t: OffsetDateTime) -> String {
    let t = t.to_offset(UtcOffset::UTC);
    format!(
        "{:04}{:02}{:02}T{:02}{:02}{:02}Z",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second()
    )
}

/// Parses the request date (in UTC), answering AWS's format error.
///
/// An HTTP `Date` may carry any offset; it is normalized to UTC here, so a date whose UTC
/// instant is outside the representable range (`Fri, 31 Dec 9999 23:59:59 -2359`) is malformed
/// rather than a value that panics when converted later (seen while writing `fuzz/sigv4_header`).
pub(crate) fn parse_request_date(raw: &str, is_http: bool) -> Result<OffsetDateTime, AuthError> {
    let parsed = if is_http {
        OffsetDateTime::parse(raw.trim(), &Rfc2822)
            .ok()
            .and_then(|t| t.checked_to_offset(UtcOffset::UTC))
    } else {
        parse_amz_date(raw)
    };
    parsed.ok_or_else(|| {
        AuthError::IncompleteSignature(format!(
            "Date must be in ISO-8601 'basic format'. Got '{raw}'. See http://en.wikipedia.org/wiki/ISO_8601"
        ))
    })
}

/// Rejects a signing time more than 15 minutes away from `now`, with AWS's messages.
pub(crate) fn check_skew(signed: OffsetDateTime, now: OffsetDateTime) -> Result<(), AuthError> {
    if signed < now - MAX_SKEW {
        return Err(AuthError::SignatureExpired(format!(
            "Signature expired: {} is now earlier than {} ({} - 15 min.)",
            format_amz(signed),
            format_amz(now - MAX_SKEW),
            format_amz(now)
        )));
    }
    check_not_in_future(signed, now)
}

/// Rejects a signing time more than 15 minutes ahead of `now`.
fn check_not_in_future(signed: OffsetDateTime, now: OffsetDateTime) -> Result<(), AuthError> {
    if signed > now + MAX_SKEW {
        return Err(AuthError::SignatureExpired(format!(
            "Signature not yet current: {} is still later than {} ({} + 15 min.)",
            format_amz(signed),
            format_amz(now + MAX_SKEW),
            format_amz(now)
        )));
    }
    Ok(())
}

/// Checks a presigned URL's lifetime. Without `X-Amz-Expires` the skew window applies.
pub(crate) fn check_presigned(
    signed: OffsetDateTime,
    expires: Option<&str>,
    now: OffsetDateTime,
) -> Result<(), AuthError> {
    let Some(raw) = expires else {
        return check_skew(signed, now);
    };
    let secs: i64 = raw.parse().map_err(|_| {
        AuthError::IncompleteSignature("X-Amz-Expires should be a number".to_owned())
    })?;
    if secs < 0 {
        return Err(AuthError::IncompleteSignature(
            "X-Amz-Expires must be non-negative".to_owned(),
        ));
    }
    if secs > MAX_EXPIRES_SECS {
        return Err(AuthError::IncompleteSignature(
            "X-Amz-Expires must be less than a week (in seconds) that is 604800".to_owned(),
        ));
    }
    check_not_in_future(signed, now)?;
    if now > signed + Duration::seconds(secs) {
        return Err(AuthError::RequestExpired(MSG_REQUEST_EXPIRED.to_owned()));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn parses_and_formats_basic_format() {
        let t = parse_amz_date("20150830T123600Z");
        assert_eq!(t, Some(datetime!(2015-08-30 12:36:00 UTC)));
        assert_eq!(
            format_amz(datetime!(2015-08-30 12:36:00 UTC)),
            "20150830T123600Z"
        );
        for bad in [
            "2015-08-30T12:36:00Z",
            "20150830T123600",
            "20151330T123600Z",
            "2015083aT123600Z",
            "",
        ] {
            assert_eq!(parse_amz_date(bad), None, "{bad}");
        }
    }

    #[test]
    fn parses_http_date_header() {
        let t = parse_request_date("Sun, 30 Aug 2015 12:36:00 GMT", true);
        assert_eq!(t, Ok(datetime!(2015-08-30 12:36:00 UTC)));
    }

    #[test]
    fn http_dates_are_utc_and_in_range() {
        let t = parse_request_date("Sun, 30 Aug 2015 14:36:00 +0200", true);
        assert_eq!(t, Ok(datetime!(2015-08-30 12:36:00 UTC)));
        assert_eq!(t.map(|t| t.offset()), Ok(UtcOffset::UTC));
        // 9999-12-31 23:59:59 at -23:59 is in year 10000 in UTC: malformed, and no panic when
        // the skew check formats it (it used to, in `format_amz`).
        let now = datetime!(2026-01-01 00:00:00 UTC);
        for raw in [
            "Fri, 31 Dec 9999 23:59:59 -2359",
            "Fri, 31 Dec 9999 12:00:00 -1200",
        ] {
            let parsed = parse_request_date(raw, true);
            assert!(
                matches!(parsed, Err(AuthError::IncompleteSignature(_))),
                "{raw}"
            );
        }
        let last = parse_request_date("Fri, 31 Dec 9999 23:59:59 +0100", true);
        assert_eq!(last, Ok(datetime!(9999-12-31 22:59:59 UTC)));
        let err = last.and_then(|t| check_skew(t, now)).err();
        assert!(matches!(err, Some(AuthError::SignatureExpired(_))));
    }

    #[test]
    fn skew_messages_match_aws() {
        let now = datetime!(2026-01-01 00:25:00 UTC);
        let err = check_skew(datetime!(2026-01-01 00:00:00 UTC), now).err();
        assert_eq!(
            err.map(|e| e.to_string()).as_deref(),
            Some(
                "Signature expired: 20260101T000000Z is now earlier than 20260101T001000Z (20260101T002500Z - 15 min.)"
            )
        );
        let err = check_skew(datetime!(2026-01-01 00:50:00 UTC), now).err();
        assert_eq!(
            err.map(|e| e.to_string()).as_deref(),
            Some(
                "Signature not yet current: 20260101T005000Z is still later than 20260101T004000Z (20260101T002500Z + 15 min.)"
            )
        );
        assert_eq!(check_skew(datetime!(2026-01-01 00:10:00 UTC), now), Ok(()));
        assert_eq!(check_skew(datetime!(2026-01-01 00:40:00 UTC), now), Ok(()));
    }

    #[test]
    fn presigned_expiry() {
        let signed = datetime!(2026-01-01 00:00:00 UTC);
        assert_eq!(
            check_presigned(signed, Some("3600"), datetime!(2026-01-01 01:00:00 UTC)),
            Ok(())
        );
        let late = check_presigned(signed, Some("3600"), datetime!(2026-01-01 01:00:01 UTC));
        assert_eq!(
            late,
            Err(AuthError::RequestExpired("Request has expired".to_owned()))
        );
        let bad = check_presigned(signed, Some("x"), signed);
        assert!(matches!(bad, Err(AuthError::IncompleteSignature(_))));
        let negative = check_presigned(signed, Some("-1"), signed);
        assert!(matches!(negative, Err(AuthError::IncompleteSignature(_))));
        let long = check_presigned(signed, Some("604801"), signed);
        assert!(matches!(long, Err(AuthError::IncompleteSignature(_))));
        let future = check_presigned(datetime!(2026-01-01 01:00:00 UTC), Some("60"), signed);
        assert!(matches!(future, Err(AuthError::SignatureExpired(_))));
    }
}
