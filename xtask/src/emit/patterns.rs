//! Model (Java) regular expressions to `regex` crate syntax with the same meaning.
//!
//! Java's `\w`, `\d` and `\s` are ASCII-only while the `regex` crate's are Unicode, so they become
//! explicit ASCII classes (nested classes are valid inside `[...]` too); `\uXXXX` becomes
//! `\x{XXXX}`. Everything else is passed through, and every pattern must compile at generation.

/// The `regex` crate form of a model pattern, checked to compile.
pub fn to_rust(pattern: &str) -> Result<Compiled, String> {
    let mut out = String::with_capacity(pattern.len() + 16);
    let mut chars = pattern.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        let Some(e) = chars.next() else {
            return Err(format!("pattern {pattern:?} ends with a lone backslash"));
        };
        match e {
            'w' => out.push_str("[0-9A-Za-z_]"),
            'W' => out.push_str("[^0-9A-Za-z_]"),
            'd' => out.push_str("[0-9]"),
            'D' => out.push_str("[^0-9]"),
            's' => out.push_str(r"[\t\n\x0B\x0C\r ]"),
            'S' => out.push_str(r"[^\t\n\x0B\x0C\r ]"),
            'u' => {
                let hex: String = (0..4).filter_map(|_| chars.next()).collect();
                if hex.len() != 4 || !hex.chars().all(|h| h.is_ascii_hexdigit()) {
                    return Err(format!("pattern {pattern:?}: bad \\u escape"));
                }
                out.push_str(&format!(r"\x{{{hex}}}"));
            }
            other => {
                out.push('\\');
                out.push(other);
            }
        }
    }
    match regex::Regex::new(&out) {
        Ok(_) => Ok(Compiled::Regex(out)),
        Err(e) if e.to_string().contains("look-around") => {
            Ok(Compiled::Skipped("needs look-around"))
        }
        Err(regex::Error::CompiledTooBig(_)) => Ok(Compiled::Skipped("is too large to compile")),
        Err(e) => Err(format!("pattern {pattern:?} (as {out:?}): {e}")),
    }
}

/// A model pattern in `regex` crate syntax, or why it is left unenforced.
#[derive(Debug, PartialEq, Eq)]
pub enum Compiled {
    /// The translated pattern; it compiles.
    Regex(String),
    /// The `regex` crate cannot run it (look-around, size): the check is left out.
    Skipped(&'static str),
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn rust(pattern: &str) -> String {
        match to_rust(pattern).unwrap() {
            Compiled::Regex(r) => r,
            Compiled::Skipped(why) => panic!("{pattern} skipped: {why}"),
        }
    }

    fn matches(pattern: &str, value: &str) -> bool {
        regex::Regex::new(&rust(pattern)).unwrap().is_match(value)
    }

    #[test]
    fn java_classes_are_ascii() {
        assert_eq!(rust(r"[\w]+"), "[[0-9A-Za-z_]]+");
        assert!(matches(r"^[\w+=,.@:/-]+$", "alias/my_key+1"));
        assert!(!matches(r"^[\w]+$", "é"));
        assert!(matches(r"^([a-z]+-){2,3}\d+$", "us-west-2"));
        assert!(!matches(r"^([a-z]+-){2,3}\d+$", "us-west-٢"));
        assert!(matches(r"^[a-zA-Z0-9:/_\s.-]+$", "a b"));
    }

    #[test]
    fn unicode_escapes() {
        assert_eq!(rust(r"[\u0020-\u00FF]*"), r"[\x{0020}-\x{00FF}]*");
        assert!(matches(
            r"^[\u0009\u000A\u000D\u0020-\u00FF]+$",
            "hello\tworld"
        ));
        assert!(!matches(r"^[\u0009\u000A\u000D\u0020-\u00FF]+$", "\u{1}"));
    }

    #[test]
    fn unanchored_patterns_search() {
        assert!(matches("[0-9]{12}", "acct 111122223333"));
        assert!(matches(
            "cluster-[2-7a-zA-Z]{11,16}",
            "cluster-234567abcdefg"
        ));
    }

    #[test]
    fn broken_patterns_fail_generation() {
        assert!(to_rust("(unclosed").is_err());
        assert!(to_rust(r"\u12").is_err());
        let skipped = |p: &str| matches!(to_rust(p), Ok(Compiled::Skipped(_)));
        assert!(skipped(r"^(?!\s*$).+"));
        assert!(skipped("^.{1,100000}$"));
    }
}
