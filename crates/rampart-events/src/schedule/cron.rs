//! EventBridge's six-field cron (`Minutes Hours Day-of-month Month Day-of-week Year`, UTC):
//! `, - * /` everywhere, `?` in exactly one of the day fields, `L` and `W` in day-of-month,
//! `L` and `#` in day-of-week, month and weekday names.

use time::{Date, OffsetDateTime, Weekday};

/// A parsed cron expression.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cron {
    minutes: u64,
    hours: u64,
    months: u64,
    /// Flags indexed by year (only 1970..=2199 can be set).
    years: Vec<bool>,
    dom: DayOfMonth,
    dow: DayOfWeek,
}

/// The day-of-month field.
#[derive(Debug, Clone, PartialEq, Eq)]
enum DayOfMonth {
    Any,
    Days(u64),
    Last,
    /// The weekday nearest the day (`15W`).
    NearestWeekday(u8),
}

/// The day-of-week field (1 = Sunday ... 7 = Saturday).
#[derive(Debug, Clone, PartialEq, Eq)]
enum DayOfWeek {
    Any,
    Days(u64),
    /// The last given weekday of the month (`5L`, or `L` for Saturday).
    Last(u8),
    /// The n-th given weekday of the month (`3#2`).
    Nth(u8, u8),
}

const MONTHS: [&str; 12] = [
    "JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC",
];
const DAYS: [&str; 7] = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"];
const FIRST_YEAR: u16 = 1970;
const LAST_YEAR: u16 = 2199;

impl Cron {
    /// The six space-separated fields; `None` when EventBridge would refuse them.
    pub fn parse(body: &str) -> Option<Cron> {
        let fields: Vec<&str> = body.split(' ').collect();
        let [min, hour, dom, month, dow, year] = fields.as_slice() else {
            return None;
        };
        let dom = parse_dom(dom)?;
        let dow = parse_dow(dow)?;
        // Exactly one of the day fields is `?`.
        if (dom == DayOfMonth::Any) == (dow == DayOfWeek::Any) {
            return None;
        }
        let years = set(year, u64::from(FIRST_YEAR), u64::from(LAST_YEAR), &[])?;
        Some(Cron {
            minutes: bits(set(min, 0, 59, &[])?),
            hours: bits(set(hour, 0, 23, &[])?),
            months: bits(set(month, 1, 12, &MONTHS)?),
            years,
            dom,
            dow,
        })
    }

    /// The first matching minute strictly after `after_ms`; `None` past year 2199.
    pub fn next_after(&self, after_ms: i64) -> Option<i64> {
        let start = after_ms
            .div_euclid(60_000)
            .checked_add(1)?
            .checked_mul(60)?;
        let start = OffsetDateTime::from_unix_timestamp(start).ok()?;
        let mut date = start.date();
        let mut first_minute = u32::from(start.hour()) * 60 + u32::from(start.minute());
        while date.year() <= i32::from(LAST_YEAR) {
            if let Some(m) = self
                .day_matches(date)
                .then(|| self.minute_in_day(first_minute))
                .flatten()
            {
                let midnight = date.midnight().assume_utc().unix_timestamp();
                return Some((midnight + i64::from(m) * 60) * 1000);
            }
            date = date.next_day()?;
            first_minute = 0;
        }
        None
    }

    /// The first matching minute of a day at or after `from` (minutes since midnight).
    fn minute_in_day(&self, from: u32) -> Option<u32> {
        (from..1440).find(|m| has(self.hours, m / 60) && has(self.minutes, m % 60))
    }

    fn day_matches(&self, date: Date) -> bool {
        let year_ok = u16::try_from(date.year())
            .ok()
            .and_then(|y| self.years.get(usize::from(y)))
            .copied()
            .unwrap_or(false);
        year_ok
            && has(self.months, u32::from(u8::from(date.month())))
            && dom_matches(&self.dom, date)
            && dow_matches(&self.dow, date)
    }
}

fn has(bits: u64, n: u32) -> bool {
    n < 64 && bits & (1 << n) != 0
}

fn bits(flags: Vec<bool>) -> u64 {
    flags
        .iter()
        .enumerate()
        .filter(|(_, on)| **on)
        .fold(0, |acc, (i, _)| acc | (1 << i))
}

fn days_in_month(date: Date) -> u8 {
    date.month().length(date.year())
}

fn dom_matches(dom: &DayOfMonth, date: Date) -> bool {
    let day = date.day();
    match dom {
        DayOfMonth::Any => true,
        DayOfMonth::Days(days) => has(*days, u32::from(day)),
        DayOfMonth::Last => day == days_in_month(date),
        DayOfMonth::NearestWeekday(target) => nearest_weekday(date, *target) == Some(day),
    }
}

/// The weekday of `date`'s month nearest to day `target` (never leaving the month).
fn nearest_weekday(date: Date, target: u8) -> Option<u8> {
    let last = days_in_month(date);
    if target > last {
        return None;
    }
    let t = Date::from_calendar_date(date.year(), date.month(), target).ok()?;
    Some(match t.weekday() {
        Weekday::Saturday if target == 1 => 3,
        Weekday::Saturday => target - 1,
        Weekday::Sunday if target == last => target - 2,
        Weekday::Sunday => target + 1,
        _ => target,
    })
}

fn dow_matches(dow: &DayOfWeek, date: Date) -> bool {
    let weekday = date.weekday().number_from_sunday();
    match dow {
        DayOfWeek::Any => true,
        DayOfWeek::Days(days) => has(*days, u32::from(weekday)),
        DayOfWeek::Last(d) => *d == weekday && date.day() + 7 > days_in_month(date),
        DayOfWeek::Nth(d, n) => *d == weekday && (date.day() - 1) / 7 + 1 == *n,
    }
}

fn parse_dom(field: &str) -> Option<DayOfMonth> {
    match field {
        "?" => Some(DayOfMonth::Any),
        "L" => Some(DayOfMonth::Last),
        _ => match field.strip_suffix('W') {
            Some(day) => Some(DayOfMonth::NearestWeekday(number(day, 1, 31, &[])? as u8)),
            None => Some(DayOfMonth::Days(bits(set(field, 1, 31, &[])?))),
        },
    }
}

fn parse_dow(field: &str) -> Option<DayOfWeek> {
    if field == "?" {
        return Some(DayOfWeek::Any);
    }
    if field == "L" {
        return Some(DayOfWeek::Last(7));
    }
    if let Some(day) = field.strip_suffix('L') {
        return Some(DayOfWeek::Last(number(day, 1, 7, &DAYS)? as u8));
    }
    if let Some((day, n)) = field.split_once('#') {
        let n = number(n, 1, 5, &[])? as u8;
        return Some(DayOfWeek::Nth(number(day, 1, 7, &DAYS)? as u8, n));
    }
    Some(DayOfWeek::Days(bits(set(field, 1, 7, &DAYS)?)))
}

/// A list field (`a,b-c,*/n,d/n`) as flags indexed by value.
fn set(field: &str, min: u64, max: u64, names: &[&str]) -> Option<Vec<bool>> {
    let mut flags = vec![false; usize::try_from(max + 1).ok()?];
    for item in field.split(',') {
        let (range, step) = match item.split_once('/') {
            Some((range, step)) => (range, number(step, 1, max, &[])?),
            None => (item, 1),
        };
        let (lo, hi) = match range {
            "*" => (min, max),
            _ => match range.split_once('-') {
                Some((a, b)) => (number(a, min, max, names)?, number(b, min, max, names)?),
                None if item.contains('/') => (number(range, min, max, names)?, max),
                None => {
                    let n = number(range, min, max, names)?;
                    (n, n)
                }
            },
        };
        if lo > hi {
            return None;
        }
        let mut v = lo;
        while v <= hi {
            *flags.get_mut(usize::try_from(v).ok()?)? = true;
            v += step;
        }
    }
    Some(flags)
}

/// One value: digits within `[min, max]`, or a name (`names[0]` is `min`).
fn number(text: &str, min: u64, max: u64, names: &[&str]) -> Option<u64> {
    if let Some(i) = names.iter().position(|n| n.eq_ignore_ascii_case(text)) {
        return Some(min + i as u64);
    }
    if text.is_empty() || text.len() > 4 || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.parse().ok().filter(|n| (min..=max).contains(n))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use time::macros::datetime;

    fn ms(t: OffsetDateTime) -> i64 {
        (t.unix_timestamp_nanos() / 1_000_000) as i64
    }

    fn next(expr: &str, after: OffsetDateTime) -> OffsetDateTime {
        let at = Cron::parse(expr).unwrap().next_after(ms(after)).unwrap();
        OffsetDateTime::from_unix_timestamp(at / 1000).unwrap()
    }

    #[test]
    fn aws_documented_examples_parse() {
        for ok in [
            "0 10 * * ? *",
            "15 12 * * ? *",
            "0 18 ? * MON-FRI *",
            "0 8 1 * ? *",
            "0/15 * * * ? *",
            "0/10 * ? * MON-FRI *",
            "0/5 8-17 ? * MON-FRI *",
            "0 9 ? * 2#1 *",
            "0 0 L * ? *",
            "0 0 15W * ? *",
            "0 12 ? * 6L 2030",
            "5,35 14 * JAN,MAR ? 2025-2030",
        ] {
            assert!(Cron::parse(ok).is_some(), "{ok}");
        }
        for bad in [
            "0 10 * * * *",
            "0 10 ? * ? *",
            "0 10 * *",
            "60 10 * * ? *",
            "0 24 * * ? *",
            "0 10 32 * ? *",
            "0 10 ? * 8 *",
            "0 10 * 13 ? *",
            "0 10 * * ? 2200",
            "0 10 * * ?  *",
            "5-1 10 * * ? *",
            "0 10 * * ? * *",
        ] {
            assert!(Cron::parse(bad).is_none(), "{bad}");
        }
    }

    #[test]
    fn next_firings_follow_the_fields() {
        let t = datetime!(2026-03-04 10:07:30 UTC); // a Wednesday
        assert_eq!(next("0/15 * * * ? *", t), datetime!(2026-03-04 10:15 UTC));
        assert_eq!(next("0 10 * * ? *", t), datetime!(2026-03-05 10:00 UTC));
        assert_eq!(
            next("0 18 ? * MON-FRI *", t),
            datetime!(2026-03-04 18:00 UTC)
        );
        assert_eq!(next("0 9 ? * 2#1 *", t), datetime!(2026-04-06 09:00 UTC));
        assert_eq!(next("0 0 L * ? *", t), datetime!(2026-03-31 00:00 UTC));
        assert_eq!(next("0 12 ? * 6L *", t), datetime!(2026-03-27 12:00 UTC));
        // 2026-03-15 is a Sunday: the nearest weekday is Monday the 16th.
        assert_eq!(next("0 0 15W * ? *", t), datetime!(2026-03-16 00:00 UTC));
        assert_eq!(next("0 0 1 1 ? 2027", t), datetime!(2027-01-01 00:00 UTC));
        assert!(
            Cron::parse("0 0 1 1 ? 2020")
                .unwrap()
                .next_after(ms(t))
                .is_none()
        );
    }
}
