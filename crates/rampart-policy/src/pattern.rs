//! Wildcard patterns (`*`, `?`) compiled once: exact and prefix fast paths, a DP matcher for
//! the rest (linear memory, no backtracking blow-up), and ARN patterns matched per segment.

/// One element of a wildcard pattern.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Tok {
    /// A literal character.
    Ch(char),
    /// `?`: any one character.
    One,
    /// `*`: any run of characters; `cross` = may span `:` (ARN segment boundaries).
    Star { cross: bool },
}

/// Turns pattern text into tokens: `*` and `?` are wildcards, everything else literal.
pub(crate) fn tokens(text: &str, out: &mut Vec<Tok>) {
    for c in text.chars() {
        out.push(match c {
            '*' => Tok::Star { cross: true },
            '?' => Tok::One,
            c => Tok::Ch(c),
        });
    }
}

/// Literal tokens for `text` (substituted values and escapes are never wildcards).
pub(crate) fn literal(text: &str, out: &mut Vec<Tok>) {
    out.extend(text.chars().map(Tok::Ch));
}

/// Resource rule: a `*` may span `:` only when it ends its ARN segment (AWS's Resource
/// element reference: wildcards apply within a segment; a trailing `*` may expand further).
pub(crate) fn restrict_to_segments(toks: &mut [Tok]) {
    for i in 0..toks.len() {
        if let Tok::Star { .. } = toks[i] {
            let ends_segment = matches!(toks.get(i + 1), None | Some(Tok::Ch(':')));
            toks[i] = Tok::Star {
                cross: ends_segment,
            };
        }
    }
}

/// A compiled wildcard pattern.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Pattern {
    /// `*` alone.
    Any,
    /// No wildcard.
    Exact(String),
    /// A literal followed by one final `*`.
    Prefix(String),
    /// Anything else.
    Glob(Vec<Tok>),
}

impl Pattern {
    /// Compiles tokens into the cheapest matching form.
    pub(crate) fn from_tokens(toks: Vec<Tok>) -> Pattern {
        let lit = |t: &[Tok]| -> Option<String> {
            t.iter()
                .map(|t| match t {
                    Tok::Ch(c) => Some(*c),
                    _ => None,
                })
                .collect()
        };
        match toks.split_last() {
            Some((Tok::Star { cross: true }, [])) => Pattern::Any,
            Some((Tok::Star { cross: true }, rest)) => match lit(rest) {
                Some(p) => Pattern::Prefix(p),
                None => Pattern::Glob(toks),
            },
            _ => match lit(&toks) {
                Some(e) => Pattern::Exact(e),
                None => Pattern::Glob(toks),
            },
        }
    }

    /// Compiles pattern text (`*`/`?` wildcards).
    pub(crate) fn parse(text: &str) -> Pattern {
        let mut toks = Vec::with_capacity(text.len());
        tokens(text, &mut toks);
        Pattern::from_tokens(toks)
    }

    /// Whether `value` matches; `ci` = ASCII case-insensitive (action names).
    pub(crate) fn matches(&self, value: &str, ci: bool) -> bool {
        match self {
            Pattern::Any => true,
            Pattern::Exact(e) if ci => e.eq_ignore_ascii_case(value),
            Pattern::Exact(e) => e == value,
            Pattern::Prefix(p) => {
                value.len() >= p.len()
                    && value.is_char_boundary(p.len())
                    && if ci {
                        value[..p.len()].eq_ignore_ascii_case(p)
                    } else {
                        value.starts_with(p.as_str())
                    }
            }
            Pattern::Glob(toks) => greedy(toks, value, ci).unwrap_or_else(|| glob(toks, value, ci)),
        }
    }
}

fn same(a: char, b: char, ci: bool) -> bool {
    a == b || (ci && a.eq_ignore_ascii_case(&b))
}

/// The usual linear-time wildcard match (a mismatch resumes after the most recent `*`, which
/// swallows one more character). `None` when it cannot decide: a `*` that may not span `:` would
/// have had to swallow one, and only an earlier `*` could have matched there — then the DP
/// ([`glob`]) decides. Any `Some` answer equals the DP's (see the exhaustive test).
fn greedy(toks: &[Tok], value: &str, ci: bool) -> Option<bool> {
    let chars: Vec<char> = value.chars().collect();
    let (mut t, mut v) = (0, 0);
    let mut resume: Option<(usize, usize)> = None;
    while v < chars.len() {
        match toks.get(t) {
            Some(Tok::Star { .. }) => {
                resume = Some((t, v));
                t += 1;
            }
            Some(Tok::One) => (t, v) = (t + 1, v + 1),
            Some(Tok::Ch(p)) if same(*p, chars[v], ci) => (t, v) = (t + 1, v + 1),
            _ => {
                let (star, from) = resume?;
                let cross = matches!(toks[star], Tok::Star { cross: true });
                if !cross && chars[from] == ':' {
                    return None;
                }
                resume = Some((star, from + 1));
                (t, v) = (star + 1, from + 1);
            }
        }
    }
    let rest_is_stars = toks[t..].iter().all(|t| matches!(t, Tok::Star { .. }));
    Some(rest_is_stars)
}

/// Dynamic-programming wildcard match: O(tokens × chars) time, two rows of memory.
pub(crate) fn glob(toks: &[Tok], value: &str, ci: bool) -> bool {
    const STACK: usize = 192;
    let n = value.chars().count();
    let (mut a, mut b) = ([false; STACK], [false; STACK]);
    let (mut va, mut vb);
    let (prev, next): (&mut [bool], &mut [bool]) = if n < STACK {
        (&mut a[..=n], &mut b[..=n])
    } else {
        va = vec![false; n + 1];
        vb = vec![false; n + 1];
        (&mut va[..], &mut vb[..])
    };
    prev[0] = true;
    for tok in toks {
        step(*tok, value, prev, next, ci);
        prev.copy_from_slice(next);
        if !prev.iter().any(|x| *x) {
            return false;
        }
    }
    prev[n]
}

fn step(tok: Tok, value: &str, prev: &[bool], next: &mut [bool], ci: bool) {
    match tok {
        Tok::Star { cross } => {
            next[0] = prev[0];
            for (j, c) in value.chars().enumerate() {
                next[j + 1] = prev[j + 1] || (next[j] && (cross || c != ':'));
            }
        }
        Tok::One => {
            next[0] = false;
            for (j, _) in value.chars().enumerate() {
                next[j + 1] = prev[j];
            }
        }
        Tok::Ch(p) => {
            next[0] = false;
            for (j, c) in value.chars().enumerate() {
                next[j + 1] = prev[j] && same(p, c, ci);
            }
        }
    }
}

/// An ARN pattern for the Arn* condition operators: each of the six colon-separated parts
/// is matched on its own (the last part keeps any further colons).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum ArnPattern {
    /// `*` alone: any ARN.
    Any,
    /// Six segment patterns.
    Segments(Vec<Pattern>),
    /// Fewer than six segments: matches nothing.
    Never,
}

impl ArnPattern {
    /// Splits tokens at the first five literal colons.
    pub(crate) fn from_tokens(toks: Vec<Tok>) -> ArnPattern {
        if toks == [Tok::Star { cross: true }] {
            return ArnPattern::Any;
        }
        let mut parts = Vec::with_capacity(6);
        let mut current = Vec::new();
        for t in toks {
            if t == Tok::Ch(':') && parts.len() < 5 {
                parts.push(Pattern::from_tokens(std::mem::take(&mut current)));
            } else {
                current.push(t);
            }
        }
        parts.push(Pattern::from_tokens(current));
        if parts.len() == 6 {
            ArnPattern::Segments(parts)
        } else {
            ArnPattern::Never
        }
    }

    /// Whether the ARN `value` matches (case-sensitive).
    pub(crate) fn matches(&self, value: &str) -> bool {
        match self {
            ArnPattern::Any => true,
            ArnPattern::Never => false,
            ArnPattern::Segments(parts) => {
                let mut n = 0;
                let all = value.splitn(6, ':').zip(parts).all(|(v, p)| {
                    n += 1;
                    p.matches(v, false)
                });
                all && n == 6
            }
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn resource(p: &str) -> Pattern {
        let mut t = Vec::new();
        tokens(p, &mut t);
        restrict_to_segments(&mut t);
        Pattern::from_tokens(t)
    }

    #[test]
    fn fast_paths() {
        assert_eq!(Pattern::parse("*"), Pattern::Any);
        assert_eq!(Pattern::parse("kms:*"), Pattern::Prefix("kms:".into()));
        assert_eq!(
            Pattern::parse("kms:Encrypt"),
            Pattern::Exact("kms:Encrypt".into())
        );
        assert!(matches!(Pattern::parse("kms:*crypt"), Pattern::Glob(_)));
    }

    #[test]
    fn globbing() {
        assert!(Pattern::parse("kms:*crypt").matches("KMS:ReEncrypt", true));
        assert!(!Pattern::parse("kms:*crypt").matches("KMS:ReEncrypt", false));
        assert!(Pattern::parse("a?c").matches("abc", false));
        assert!(!Pattern::parse("a?c").matches("ac", false));
        assert!(Pattern::parse("*a*a*a*a*a*a*a*b").matches(&"a".repeat(300).add_b(), false));
        assert!(!Pattern::parse("*a*a*a*a*a*a*a*b").matches(&"a".repeat(300), false));
        assert!(Pattern::parse("é?").matches("éé", false));
    }

    trait AddB {
        fn add_b(self) -> String;
    }
    impl AddB for String {
        fn add_b(mut self) -> String {
            self.push('b');
            self
        }
    }

    /// Every pattern and value over a small alphabet up to length 5: the greedy matcher agrees
    /// with the DP whenever it answers.
    #[test]
    fn greedy_agrees_with_the_dp() {
        fn all(alphabet: &[char], max: usize) -> Vec<String> {
            let mut out = vec![String::new()];
            let mut frontier = vec![String::new()];
            for _ in 0..max {
                let next: Vec<String> = frontier
                    .iter()
                    .flat_map(|s| alphabet.iter().map(move |c| format!("{s}{c}")))
                    .collect();
                out.extend(next.iter().cloned());
                frontier = next;
            }
            out
        }
        let values = all(&['a', 'b', ':'], 5);
        let mut decided = 0;
        for text in all(&['a', ':', '*', '?'], 5) {
            let mut toks = Vec::new();
            tokens(&text, &mut toks);
            restrict_to_segments(&mut toks);
            for value in &values {
                if let Some(answer) = greedy(&toks, value, false) {
                    decided += 1;
                    assert_eq!(answer, glob(&toks, value, false), "{text:?} vs {value:?}");
                }
            }
        }
        assert!(
            decided > 100_000,
            "the fast path decides most cases ({decided})"
        );
    }

    #[test]
    fn resource_stars_stay_in_segment_unless_trailing() {
        let arn = "arn:aws:kms:us-east-1:111122223333:key/k1";
        assert!(resource("arn:aws:kms:*:111122223333:key/*").matches(arn, false));
        assert!(resource("arn:aws:kms:us-*").matches(arn, false));
        assert!(!resource("arn:aws:kms:us*1:key/k1").matches(arn, false));
        assert!(resource("arn:aws:kms:us*1:111122223333:key/k1").matches(arn, false));
        assert!(resource("arn:aws:s3:::b/*").matches("arn:aws:s3:::b/x:y", false));
    }

    #[test]
    fn arn_segments() {
        let p = |s: &str| {
            let mut t = Vec::new();
            tokens(s, &mut t);
            ArnPattern::from_tokens(t)
        };
        assert!(p("arn:aws:iam::*:role/*").matches("arn:aws:iam::111122223333:role/a/b"));
        assert!(!p("arn:aws:iam::*:role/*").matches("arn:aws:iam::111122223333:user/a"));
        assert!(!p("arn:aws:iam::*").matches("arn:aws:iam::1:root"));
        assert!(p("*").matches("anything"));
        assert!(!p("arn:aws:iam::*:*").matches("not-an-arn"));
        assert!(p("arn:aws:logs:*:*:log-group:*").matches("arn:aws:logs:r:1:log-group:g:x"));
    }
}
