//! `wildcard` patterns: `*` matches any sequence of characters (AWS, "Content filtering…",
//! wildcard matching). `\*` is a literal star and `\\` a literal backslash; any other escape,
//! and consecutive `*` characters, make the pattern invalid, as EventBridge answers.

/// A compiled wildcard: the literal pieces between stars.
#[derive(Debug, Clone)]
pub(super) struct Wildcard {
    pieces: Vec<String>,
    leading_star: bool,
    trailing_star: bool,
}

impl Wildcard {
    /// Parses a wildcard pattern. Positions in the reasons are EventBridge's: byte offsets
    /// into the value as a JSON string, opening quote included (so one more than the offset
    /// into the text; `abc**def` is refused "at pos 4").
    pub(super) fn parse(text: &str) -> Result<Wildcard, String> {
        let mut pieces = vec![String::new()];
        let mut chars = text.char_indices().peekable();
        while let Some((at, c)) = chars.next() {
            match c {
                '*' if chars.peek().is_some_and(|&(_, next)| next == '*') => {
                    return Err(format!("Consecutive wildcard characters at pos {}", at + 1));
                }
                '*' => pieces.push(String::new()),
                '\\' => match chars.next() {
                    Some((_, escaped @ ('*' | '\\'))) => push(&mut pieces, escaped),
                    _ => return Err(format!("Invalid escape character at pos {}", at + 1)),
                },
                other => push(&mut pieces, other),
            }
        }
        let leading_star = pieces.len() > 1 && pieces[0].is_empty();
        let trailing_star = pieces.len() > 1 && pieces.last().is_some_and(String::is_empty);
        pieces.retain(|piece| !piece.is_empty());
        Ok(Wildcard {
            pieces,
            leading_star,
            trailing_star,
        })
    }

    /// Whether `value` matches: the first piece anchored at the start unless the pattern
    /// starts with `*`, the last at the end unless it ends with `*`, the ones between found
    /// leftmost in order (greedy leftmost search is exact for `*`-only patterns).
    pub(super) fn matches(&self, value: &str) -> bool {
        let mut rest = value;
        let count = self.pieces.len();
        if count == 0 {
            return self.leading_star || value.is_empty();
        }
        for (index, piece) in self.pieces.iter().enumerate() {
            let first = index == 0 && !self.leading_star;
            let last = index + 1 == count && !self.trailing_star;
            if last {
                return rest.ends_with(piece.as_str()) && (!first || rest.len() == piece.len());
            }
            if first {
                match rest.strip_prefix(piece.as_str()) {
                    Some(after) => rest = after,
                    None => return false,
                }
                continue;
            }
            match rest.find(piece.as_str()) {
                Some(at) => rest = &rest[at + piece.len()..],
                None => return false,
            }
        }
        true
    }
}

fn push(pieces: &mut [String], c: char) {
    if let Some(piece) = pieces.last_mut() {
        piece.push(c);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn matches(pattern: &str, value: &str) -> bool {
        Wildcard::parse(pattern)
            .map(|w| w.matches(value))
            .unwrap_or(false)
    }

    #[test]
    fn stars_match_any_sequence() {
        assert!(matches("dir/*.png", "dir/a/b.png"));
        assert!(!matches("dir/*.png", "dir/a.jpg"));
        assert!(matches("*", ""));
        assert!(matches("a*b*c", "abc"));
        assert!(matches("a*b*c", "axxbyyc"));
        assert!(!matches("a*b*c", "acb"));
        assert!(matches("*/lib/*", "/usr/lib/x"));
        assert!(!matches("ab", "abab"));
        assert!(!matches("ab*ab", "ab"));
        assert!(matches("ab*ab", "abab"));
        assert!(matches(r"a\*b", "a*b"));
        assert!(!matches(r"a\*b", "axb"));
        assert!(matches("", ""));
        assert!(!matches("", "a"));
    }

    #[test]
    fn refuses_consecutive_stars_and_bad_escapes() {
        assert_eq!(
            Wildcard::parse("a**b").err().as_deref(),
            Some("Consecutive wildcard characters at pos 2")
        );
        assert_eq!(
            Wildcard::parse("abc**def").err().as_deref(),
            Some("Consecutive wildcard characters at pos 4")
        );
        assert_eq!(
            Wildcard::parse(r"a\b").err().as_deref(),
            Some("Invalid escape character at pos 2")
        );
    }
}
