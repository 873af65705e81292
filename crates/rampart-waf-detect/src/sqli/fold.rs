//! Folding: turns lexer tokens into the shorter stream the rules read. Comments disappear
//! (remembered on the token before them), dotted names become one name, a name directly
//! followed by `(` becomes a call, signs merge into the value they precede, `AND`/`&&`-style
//! operators become one logic class, and `value op value` arithmetic chains become one value.

use super::lexer::{Kind, Token};
use super::words::{Clause, Stmt, Word, classify};

/// A folded token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum T {
    Num,
    Str {
        closed: bool,
    },
    Var {
        system: bool,
    },
    Ident,
    Const,
    /// A function name directly followed by `(` (the parenthesis stays in the stream).
    Call {
        attack: bool,
        known: bool,
    },
    Union,
    Select,
    Stmt(Stmt),
    Clause(Clause),
    Logic,
    Not,
    Cmp,
    Arith,
    LParen,
    RParen,
    Comma,
    Semi,
    Other,
}

impl T {
    /// A value: something an operator can apply to (calls count, their arguments follow).
    pub fn is_value(self) -> bool {
        matches!(
            self,
            T::Num | T::Str { .. } | T::Var { .. } | T::Ident | T::Const | T::Call { .. }
        )
    }
}

/// A folded token with its source range and whether a comment followed it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Tok {
    pub t: T,
    pub start: usize,
    pub end: usize,
    pub comment_after: bool,
    /// A comment followed and its text does not start with a letter or digit (`--`, `-- -`,
    /// `#`, `/**/`), unlike prose after a `#` or `--` (`#2 MOM`, `--INFANT`).
    pub clean_comment: bool,
    /// A comment followed whose text has no letter or digit at all (`--`, `/**/`, `#`).
    pub bare_comment: bool,
}

/// Folds `tokens` (of `input`).
pub fn fold(input: &[u8], tokens: &[Token]) -> Vec<Tok> {
    // For each token, the next token that is no comment (one backward pass).
    let mut next_code = vec![None; tokens.len()];
    let mut seen = None;
    for (i, tok) in tokens.iter().enumerate().rev() {
        next_code[i] = seen;
        if tok.kind != Kind::Comment {
            seen = Some(tok);
        }
    }
    let mut out: Vec<Tok> = Vec::with_capacity(tokens.len());
    for (tok, next) in tokens.iter().zip(next_code) {
        let Some(t) = map(input, tok, next) else {
            if let Some(last) = out.last_mut() {
                last.comment_after = true;
                let text = &input[tok.start..tok.end];
                last.clean_comment |= clean(text);
                last.bare_comment |= !text.iter().any(u8::is_ascii_alphanumeric) || hides(text);
            }
            continue;
        };
        let new = Tok {
            t,
            start: tok.start,
            end: tok.end,
            comment_after: false,
            clean_comment: false,
            bare_comment: false,
        };
        push(&mut out, new);
    }
    out
}

/// True when a comment's text (after its `--`, `#` or `/*`) does not start with a letter or
/// digit.
fn clean(comment: &[u8]) -> bool {
    let marker = if comment.starts_with(b"#") { 1 } else { 2 };
    let body = comment.get(marker..).unwrap_or(&[]);
    // `-- a`, `-- ikjC`: MySQL's comment needs the blank, and tools put a short filler word
    // after it; "-- great product" is prose.
    let filler = body.trim_ascii();
    let short_word = filler.len() <= 4 && !filler.iter().any(u8::is_ascii_whitespace);
    if comment.starts_with(b"--") && body.first().is_some_and(u8::is_ascii_whitespace) && short_word
    {
        return true;
    }
    hides(body)
        || body
            .iter()
            .find(|b| !b.is_ascii_whitespace())
            .is_none_or(|b| !b.is_ascii_alphanumeric())
}

/// `-- sp_password` hides the statement from SQL Server's log.
fn hides(comment: &[u8]) -> bool {
    comment
        .windows(11)
        .any(|w| w.eq_ignore_ascii_case(b"sp_password"))
}

/// Maps one lexer token; `None` for a comment.
fn map(input: &[u8], tok: &Token, next: Option<&Token>) -> Option<T> {
    let paren_next = next.is_some_and(|n| n.kind == Kind::LParen);
    Some(match tok.kind {
        Kind::Comment => return None,
        Kind::Str { closed } => T::Str { closed },
        Kind::Num => T::Num,
        Kind::Var => T::Var {
            system: input.get(tok.start + 1) == Some(&b'@'),
        },
        Kind::Ident if paren_next => dotted_call(&input[tok.start..tok.end]),
        Kind::Ident => T::Ident,
        Kind::Word(w) => word(w, paren_next),
        Kind::Cmp => T::Cmp,
        Kind::Arith => T::Arith,
        Kind::LogicSym => T::Logic,
        Kind::Bang => T::Not,
        Kind::LParen => T::LParen,
        Kind::RParen => T::RParen,
        Kind::Comma => T::Comma,
        Kind::Semi => T::Semi,
        // A dot between names belongs to the name in the lexer; a lone one is punctuation.
        Kind::Dot => T::Other,
        Kind::Other => T::Other,
    })
}

/// A call to a name that is no keyword: Oracle's packages (`dbms_lock.sleep(`,
/// `utl_inaddr.get_host_address(`) and qualified attack functions count as attacks.
fn dotted_call(name: &[u8]) -> T {
    let lower = |p: &[u8]| name.len() >= p.len() && name[..p.len()].eq_ignore_ascii_case(p);
    let last = name.rsplit(|&b| b == b'.').next().unwrap_or(name);
    let attack = lower(b"dbms_")
        || lower(b"utl_")
        || lower(b"sys.")
        || name.contains(&b'.') && classify(last) == Some(Word::Func { attack: true });
    T::Call {
        attack,
        known: attack,
    }
}

fn word(w: Word, paren_next: bool) -> T {
    match w {
        Word::Func { attack } if paren_next => T::Call {
            attack,
            known: true,
        },
        Word::Func { .. } => T::Ident,
        // Words that are also function names: IF(), REPLACE(), INSERT(), LEFT()...
        Word::Stmt(Stmt::If | Stmt::Insert)
        | Word::Clause(Clause::Object | Clause::Other)
        | Word::Const
            if paren_next =>
        {
            T::Call {
                attack: false,
                known: true,
            }
        }
        Word::Union => T::Union,
        Word::Select => T::Select,
        Word::Stmt(s) => T::Stmt(s),
        Word::Logic => T::Logic,
        Word::Not => T::Not,
        Word::Cmp => T::Cmp,
        Word::Arith => T::Arith,
        Word::Const => T::Const,
        Word::Clause(c) => T::Clause(c),
    }
}

/// Appends `new`, folding signs and simple arithmetic into values.
fn push(out: &mut Vec<Tok>, new: Tok) {
    let plain = |t: T| matches!(t, T::Num | T::Var { .. } | T::Const | T::Ident);
    let n = out.len();
    if plain(new.t) && n >= 1 && out[n - 1].t == T::Arith && !out[n - 1].comment_after {
        let before = if n >= 2 { Some(out[n - 2].t) } else { None };
        match before {
            // `1 - 2` -> one value (the left one, widened).
            Some(b) if plain(b) => {
                out.truncate(n - 1);
                out[n - 2].end = new.end;
            }
            // A value or `)` before: a binary operator on something that is not plain.
            Some(b) if b.is_value() || b == T::RParen => out.push(new),
            // At the start or after an operator or keyword: a sign.
            _ => {
                out[n - 1] = Tok {
                    start: out[n - 1].start,
                    ..new
                }
            }
        }
        return;
    }
    out.push(new);
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::sqli::lexer::tokenize;

    fn f(s: &str) -> Vec<T> {
        fold(s.as_bytes(), &tokenize(s.as_bytes(), None))
            .into_iter()
            .map(|t| t.t)
            .collect()
    }

    #[test]
    fn arithmetic_and_signs_fold_into_values() {
        assert_eq!(f("1-2 or 3"), vec![T::Num, T::Logic, T::Num]);
        assert_eq!(f("-1 union"), vec![T::Num, T::Union]);
        assert_eq!(f("1=-1"), vec![T::Num, T::Cmp, T::Num]);
    }

    #[test]
    fn calls_and_comments() {
        let toks = fold(b"sleep/**/(5)--", &tokenize(b"sleep/**/(5)--", None));
        assert_eq!(
            toks[0].t,
            T::Call {
                attack: true,
                known: true
            }
        );
        assert!(toks[3].comment_after);
        assert_eq!(
            f("foo (1)")[0],
            T::Call {
                attack: false,
                known: false
            }
        );
    }
}
