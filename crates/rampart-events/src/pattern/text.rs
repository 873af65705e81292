//! Case-insensitive comparisons for `equals-ignore-case` and the `prefix` / `suffix` forms that
//! take it: the pattern side is lowered once at parse time, the event side char by char while
//! comparing, so a match allocates nothing.

/// The pattern text lowered the way events are lowered while matching (per `char`).
pub(super) fn lower(text: &str) -> String {
    text.chars().flat_map(char::to_lowercase).collect()
}

/// `value` equals `lowered` ignoring case.
pub(super) fn eq_ignore_case(value: &str, lowered: &str) -> bool {
    if value.is_ascii() {
        return value.len() == lowered.len() && value.eq_ignore_ascii_case(lowered);
    }
    value
        .chars()
        .flat_map(char::to_lowercase)
        .eq(lowered.chars())
}

/// `value` starts with `lowered` ignoring case.
pub(super) fn starts_with_ignore_case(value: &str, lowered: &str) -> bool {
    let mut chars = value.chars().flat_map(char::to_lowercase);
    lowered.chars().all(|c| chars.next() == Some(c))
}

/// `value` ends with `lowered` ignoring case.
pub(super) fn ends_with_ignore_case(value: &str, lowered: &str) -> bool {
    let mut chars = value.chars().rev().flat_map(|c| c.to_lowercase().rev());
    lowered.chars().rev().all(|c| chars.next() == Some(c))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compares_ignoring_case() {
        assert!(eq_ignore_case("AliCE", "alice"));
        assert!(!eq_ignore_case("Alicia", "alice"));
        assert!(eq_ignore_case("ÉTÉ", &lower("été")));
        assert!(starts_with_ignore_case("EVENTBridge", "eventb"));
        assert!(!starts_with_ignore_case("Even", "eventb"));
        assert!(ends_with_ignore_case("IMAGE.PNG", ".png"));
        assert!(ends_with_ignore_case("ÇA.ÉTÉ", &lower(".été")));
        assert!(!ends_with_ignore_case("png", ".png"));
    }
}
