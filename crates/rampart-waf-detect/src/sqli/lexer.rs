//! SQL tokenizer: splits an input into typed tokens the way a permissive SQL lexer (MySQL,
//! PostgreSQL, SQL Server, Oracle, SQLite dialects together) would, starting either outside a
//! string or inside a string opened by the application's own quote.
//!
//! Every step consumes at least one byte and looks ahead a bounded distance, except string,
//! comment and quoted-identifier bodies, which are consumed in one forward scan; the whole
//! pass is linear in the input.

use super::words::{Clause, Word, classify};

/// The lexical class of a token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A string literal; `closed` is false when the input ended inside it.
    Str {
        closed: bool,
    },
    /// A number (decimal, hex `0x..`, binary `0b..`, `\N`).
    Num,
    /// An identifier or a word that is no keyword (also `backquoted` and `[bracketed]` names).
    Ident,
    /// A keyword or a known name; see [`Word`].
    Word(Word),
    /// A user or system variable: `@x`, `@@version`, `:x`-less forms only.
    Var,
    /// A comparison operator: `=`, `<`, `>`, `<=`, `>=`, `<>`, `!=`, `<=>`.
    Cmp,
    /// An arithmetic or bit operator: `+ - * / % ^ & | ~ << >> ::` and `:=`.
    Arith,
    /// `&&` or `||`.
    LogicSym,
    /// `!` (NOT).
    Bang,
    LParen,
    RParen,
    Comma,
    Semi,
    Dot,
    /// A comment (`-- ..`, `# ..`, `/* .. */`).
    Comment,
    /// Anything else (`?`, `:`, `{`, `}`, `\`, non-ASCII bytes...).
    Other,
}

/// A token: its kind and its byte range in the input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Token {
    pub kind: Kind,
    pub start: usize,
    pub end: usize,
}

/// The most tokens read from one input; the rest of a longer input is not looked at.
pub const MAX_TOKENS: usize = 4096;

/// Tokenizes `input`. With `quote` set, the input is taken to start inside a string opened by
/// that quote character (the first token is then the rest of that string).
pub fn tokenize(input: &[u8], quote: Option<u8>) -> Vec<Token> {
    let mut out = Vec::new();
    let mut pos = 0;
    if let Some(q) = quote {
        let (end, closed) = string_end(input, 0, q);
        out.push(Token {
            kind: Kind::Str { closed },
            start: 0,
            end,
        });
        pos = end;
    }
    while pos < input.len() && out.len() < MAX_TOKENS {
        match next(input, pos) {
            Step::Skip(n) => pos = n,
            Step::Tok(kind, end) => {
                out.push(Token {
                    kind,
                    start: pos,
                    end,
                });
                pos = end;
            }
        }
    }
    out
}

enum Step {
    Skip(usize),
    Tok(Kind, usize),
}

fn is_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\r' | 0x0b | 0x0c | 0xa0 | 0)
}

fn is_word_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'_' | b'$') || b >= 0x80 && b != 0xa0
}

fn at(input: &[u8], i: usize) -> u8 {
    input.get(i).copied().unwrap_or(0)
}

/// One lexing step at `pos` (which is in bounds).
fn next(input: &[u8], pos: usize) -> Step {
    let b = input[pos];
    let n1 = at(input, pos + 1);
    match b {
        _ if is_space(b) => Step::Skip(pos + 1),
        b'\'' | b'"' => {
            let (end, closed) = string_end(input, pos + 1, b);
            Step::Tok(Kind::Str { closed }, end)
        }
        b'`' => Step::Tok(Kind::Ident, delimited_end(input, pos + 1, b'`')),
        b'[' => Step::Tok(Kind::Ident, delimited_end(input, pos + 1, b']')),
        b'#' => Step::Tok(Kind::Comment, line_end(input, pos)),
        b'-' if n1 == b'-' => Step::Tok(Kind::Comment, line_end(input, pos)),
        b'/' if n1 == b'*' => block_comment(input, pos),
        b'*' if n1 == b'/' => Step::Skip(pos + 2),
        b'0'..=b'9' => Step::Tok(Kind::Num, number_end(input, pos)),
        b'.' if n1.is_ascii_digit() => Step::Tok(Kind::Num, number_end(input, pos)),
        b'\\' if n1 == b'N' => Step::Tok(Kind::Num, pos + 2),
        b'@' => Step::Tok(Kind::Var, variable_end(input, pos)),
        b'(' => Step::Tok(Kind::LParen, pos + 1),
        b')' => Step::Tok(Kind::RParen, pos + 1),
        b',' => Step::Tok(Kind::Comma, pos + 1),
        b';' => Step::Tok(Kind::Semi, pos + 1),
        b'.' => Step::Tok(Kind::Dot, pos + 1),
        _ if is_word_byte(b) => word(input, pos),
        _ => operator(input, pos),
    }
}

/// End of a string body starting at `from` (after the opening quote): the position after the
/// closing quote, or the input's end. A doubled quote and a backslash escape stay inside.
fn string_end(input: &[u8], from: usize, q: u8) -> (usize, bool) {
    let mut i = from;
    while i < input.len() {
        let b = input[i];
        // A backslash escape or a doubled quote stays inside the string.
        let escaped = b == b'\\' || b == q && i + 1 < input.len() && input[i + 1] == q;
        if escaped {
            i += 2;
        } else if b == q {
            return (i + 1, true);
        } else {
            i += 1;
        }
    }
    (input.len(), false)
}

fn delimited_end(input: &[u8], from: usize, close: u8) -> usize {
    match input[from.min(input.len())..]
        .iter()
        .position(|&b| b == close)
    {
        Some(p) => from + p + 1,
        None => input.len(),
    }
}

fn line_end(input: &[u8], pos: usize) -> usize {
    match input[pos..].iter().position(|&b| b == b'\n') {
        Some(p) => pos + p + 1,
        None => input.len(),
    }
}

/// `/* .. */` is a comment; MySQL's `/*! .. */` (optionally with a version number) runs its
/// body as code, so only the marker is skipped.
fn block_comment(input: &[u8], pos: usize) -> Step {
    if at(input, pos + 2) == b'!' {
        let mut i = pos + 3;
        while i < input.len() && input[i].is_ascii_digit() {
            i += 1;
        }
        return Step::Skip(i);
    }
    let body = pos + 2;
    let end = input[body..]
        .windows(2)
        .position(|w| w == b"*/")
        .map_or(input.len(), |p| body + p + 2);
    Step::Tok(Kind::Comment, end)
}

fn number_end(input: &[u8], pos: usize) -> usize {
    let lead = at(input, pos + 1).to_ascii_lowercase();
    if input[pos] == b'0' && (lead == b'x' || lead == b'b') {
        let digits = input[pos + 2..]
            .iter()
            .take_while(|b| b.is_ascii_hexdigit())
            .count();
        if digits > 0 {
            return pos + 2 + digits;
        }
    }
    let mut i = pos;
    while i < input.len() && (input[i].is_ascii_digit() || input[i] == b'.') {
        i += 1;
    }
    let e = at(input, i).to_ascii_lowercase();
    if e == b'e' {
        let mut j = i + 1;
        if matches!(at(input, j), b'+' | b'-') {
            j += 1;
        }
        let digits = input[j.min(input.len())..]
            .iter()
            .take_while(|b| b.is_ascii_digit())
            .count();
        // MySQL reads `1.e3` and even `0.eUNION` style junk as a number: take the `e` only
        // when digits follow.
        if digits > 0 {
            i = j + digits;
        }
    }
    i
}

fn variable_end(input: &[u8], pos: usize) -> usize {
    let mut i = pos + 1;
    if at(input, i) == b'@' {
        i += 1;
    }
    if matches!(at(input, i), b'\'' | b'"' | b'`') {
        let (end, _) = string_end(input, i + 1, input[i]);
        return end;
    }
    while i < input.len() && (is_word_byte(input[i]) || input[i] == b'.') {
        i += 1;
    }
    i
}

fn word(input: &[u8], pos: usize) -> Step {
    let mut i = pos;
    while i < input.len() && is_word_byte(input[i]) {
        i += 1;
    }
    // `a.b.c` is one dotted name unless its first part is a statement or operator keyword
    // (`SELECT.2`, `1.UNION.x`); `table.column` and `user.name` stay names.
    let structural = matches!(
        classify(&input[pos..i]),
        Some(Word::Union | Word::Select | Word::Stmt(_) | Word::Logic | Word::Clause(Clause::From))
    );
    if at(input, i) == b'.' && !structural {
        while i < input.len() && (is_word_byte(input[i]) || input[i] == b'.') {
            i += 1;
        }
    }
    // A trailing dot belongs to the next token (`a.` then `*`).
    while i > pos + 1 && input[i - 1] == b'.' {
        i -= 1;
    }
    let text = &input[pos..i];
    let kind = if text.contains(&b'.') {
        Kind::Ident
    } else {
        classify(text).map_or(Kind::Ident, Kind::Word)
    };
    Step::Tok(kind, i)
}

fn operator(input: &[u8], pos: usize) -> Step {
    let b = input[pos];
    let n1 = at(input, pos + 1);
    let two = |k| Step::Tok(k, pos + 2);
    let one = |k| Step::Tok(k, pos + 1);
    match (b, n1) {
        (b'<', b'=') if at(input, pos + 2) == b'>' => Step::Tok(Kind::Cmp, pos + 3),
        (b'<', b'=' | b'>') | (b'>', b'=') | (b'!', b'=') => two(Kind::Cmp),
        (b'<', b'<') | (b'>', b'>') | (b':', b':') | (b':', b'=') => two(Kind::Arith),
        (b'&', b'&') | (b'|', b'|') => two(Kind::LogicSym),
        (b'=' | b'<' | b'>', _) => one(Kind::Cmp),
        (b'!', _) => one(Kind::Bang),
        (b'+' | b'-' | b'*' | b'/' | b'%' | b'^' | b'&' | b'|' | b'~', _) => one(Kind::Arith),
        _ => one(Kind::Other),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn kinds(s: &str, q: Option<u8>) -> Vec<Kind> {
        tokenize(s.as_bytes(), q)
            .into_iter()
            .map(|t| t.kind)
            .collect()
    }

    #[test]
    fn quote_context_closes_the_application_string() {
        let k = kinds("x' or 1=1--", Some(b'\''));
        assert_eq!(k[0], Kind::Str { closed: true });
        assert_eq!(k[2], Kind::Num);
        assert_eq!(k[3], Kind::Cmp);
        assert_eq!(*k.last().unwrap(), Kind::Comment);
    }

    #[test]
    fn doubled_quotes_and_escapes_stay_inside_strings() {
        assert_eq!(kinds("'a''b\\'c'", None), vec![Kind::Str { closed: true }]);
        assert_eq!(kinds("'abc", None), vec![Kind::Str { closed: false }]);
    }

    #[test]
    fn mysql_executable_comments_are_code() {
        let k = kinds("/*!50000union*/ select", None);
        assert!(matches!(k[0], Kind::Word(_)));
        assert_eq!(k.len(), 2);
    }

    #[test]
    fn numbers_variables_and_operators() {
        assert_eq!(kinds("0x41 0b01 1.5e3 .5 \\N", None), vec![Kind::Num; 5]);
        assert_eq!(kinds("@@version", None), vec![Kind::Var]);
        assert_eq!(
            kinds("<=> <> || :=", None),
            vec![Kind::Cmp, Kind::Cmp, Kind::LogicSym, Kind::Arith]
        );
    }
}
