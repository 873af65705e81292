//! Injection fingerprints over the folded token stream. Each rule is a token-type shape that
//! only makes sense when the input changes the structure of the application's query:
//!
//! - **breakout** (`breakout.rs`): the application's string (or number) is closed and what
//!   follows is SQL: a logic operator with a comparison or call (`' or 'a'='a`, `1 and 1=1`),
//!   an operator with an operand (`' + ascii(..)`, `' = '`), a clause (`1 order by 2`,
//!   `id having (1 or 1)`), a statement, or nothing but a comment (`admin'--`); or the input
//!   starts with SQL arithmetic on a call (`456 + ascii(..)`) or a tautology (`1=1 and ..`);
//! - **union**: `UNION [ALL|DISTINCT] [(] SELECT` anywhere, UNION before a statement or a
//!   number list, and (the query's end cut off) a trailing UNION after a number;
//! - **stacked**: `;` followed by a well-formed statement start (`; drop table`,
//!   `; exec master..xp_cmdshell`, `; waitfor delay`), or a statement right after a value
//!   (`21 update t set c=..`);
//! - **calls**: functions that are almost only called by attacks (`sleep(`, `benchmark(`,
//!   `extractvalue(`...), niladic introspection (`version()`, `database()`), `@@version`;
//! - **select**: a SELECT with an SQL projection where a subquery could stand, or opening the
//!   input as a whole query (not "Select one from the list");
//! - **expressions**: `CASE .. WHEN .. THEN`, `LIMIT n[,m]--` opening the input.
//!
//! The rules look a bounded number of tokens ahead of each position, and parentheses are
//! matched once up front, so the whole check is linear in the token count.

use super::fold::{T, Tok};
use super::words::{Clause, Stmt};
use crate::Sensitivity;

/// How far past a keyword the rules skip `(`, `ALL`, `DISTINCT` and `TOP n`.
const LOOKAHEAD: usize = 16;

/// The token stream of one quoting context and what the rules need to read it.
pub struct Stream<'a> {
    pub(super) toks: &'a [Tok],
    pub(super) input: &'a [u8],
    /// True when the input was read as starting inside the application's string.
    pub(super) quoted: bool,
    pub(super) high: bool,
    /// For each `(`, the index of its `)` (or `toks.len()` when unclosed).
    pub(super) close: Vec<usize>,
}

impl<'a> Stream<'a> {
    pub fn new(toks: &'a [Tok], input: &'a [u8], quoted: bool, s: Sensitivity) -> Self {
        let mut close = vec![toks.len(); toks.len()];
        let mut open = Vec::new();
        for (i, t) in toks.iter().enumerate() {
            match t.t {
                T::LParen => open.push(i),
                T::RParen => {
                    if let Some(o) = open.pop() {
                        close[o] = i;
                    }
                }
                _ => {}
            }
        }
        Stream {
            toks,
            input,
            quoted,
            high: s == Sensitivity::High,
            close,
        }
    }

    /// The application's quote in a quoted stream (the byte the closed first string ends with).
    pub(super) fn quote_byte(&self) -> Option<u8> {
        let first = self.toks.first()?;
        self.input.get(first.end.checked_sub(1)?).copied()
    }

    pub(super) fn t(&self, i: usize) -> Option<T> {
        self.toks.get(i).map(|t| t.t)
    }

    pub(super) fn text(&self, i: usize) -> &[u8] {
        self.toks
            .get(i)
            .map_or(&[][..], |t| &self.input[t.start..t.end])
    }

    pub(super) fn text_is(&self, i: usize, word: &str) -> bool {
        self.text(i).eq_ignore_ascii_case(word.as_bytes())
    }

    /// True when the input after the token at `i` holds nothing but comments.
    pub(super) fn ends_after(&self, i: usize) -> bool {
        i + 1 >= self.toks.len()
    }

    /// True when the stream matches an injection fingerprint.
    pub fn is_injection(&self) -> bool {
        self.breakout() || (0..self.toks.len()).any(|i| self.anywhere(i))
    }

    /// The rules that may match at any position.
    fn anywhere(&self, i: usize) -> bool {
        match self.toks[i].t {
            T::Union => self.union_select(i),
            T::Semi => self.statement(i + 1),
            T::Call { attack: true, .. } => self.sql_arguments(i + 1),
            T::Call { known: true, .. } => self.introspection(i),
            // `@@version`: a named system variable (not a lone `@@`).
            T::Var { system: true } => {
                let named = self.text(i).len() > 2;
                named && (self.high || self.toks.len() > 1)
            }
            // After a value (`1FUNION SELECT 2`, `-123 inion select 1`) only with a projection
            // that is no bare name ("3 select boxes") or as a whole query.
            T::Select if i > 0 => {
                // Never right after a string: `"select"` is a JSON key, not a subquery.
                let after_str = matches!(
                    i.checked_sub(1).and_then(|p| self.t(p)),
                    Some(T::Str { .. })
                );
                let plain = self.after_value(i) && self.t(i + 1) == Some(T::Ident);
                !after_str && self.select_body(i) && (!plain || self.whole_select(i))
            }
            T::Select => self.whole_select(i) && self.select_body(i),
            T::Stmt(s) if i == 0 => {
                matches!(s, Stmt::Exec | Stmt::Declare | Stmt::Waitfor | Stmt::Set)
                    && self.statement(i)
            }
            T::Stmt(_) => self.after_value(i) && self.statement(i),
            T::Clause(Clause::Case) => self.case_when(i),
            // `limit 0,1--`: the input starts in the application's ORDER BY or LIMIT.
            T::Clause(Clause::Limit) if i == 0 => {
                self.t(1) == Some(T::Num) && self.toks.last().is_some_and(|t| t.clean_comment)
            }
            _ => false,
        }
    }

    /// A statement keyword right after a value or `)` (`21 update t set ..`, `1) insert into`).
    pub(super) fn after_value(&self, i: usize) -> bool {
        i.checked_sub(1)
            .and_then(|p| self.t(p))
            .is_some_and(|p| p.is_value() || p == T::RParen)
    }

    /// `UNION [ALL|DISTINCT] [(...] SELECT`; at HIGH also a value then a bare trailing UNION.
    fn union_select(&self, i: usize) -> bool {
        let mut j = i + 1;
        while j < i + LOOKAHEAD
            && matches!(self.t(j), Some(T::Clause(Clause::Quantifier) | T::LParen))
        {
            j += 1;
        }
        match self.t(j) {
            Some(T::Select) => true,
            // `union exec master..xp_cmdshell`
            Some(T::Stmt(_)) => self.statement(j),
            // `-1 union 1,2,3--`, sqlmap's reversed `select union 1,2`.
            Some(T::Num | T::Const) => {
                i > 0 && (self.t(j + 1) == Some(T::Comma) || self.t(i - 1) == Some(T::Select))
            }
            // `-1 union` (the query's end cut off); at HIGH after any value.
            None => i > 0 && self.after_value(i) && (self.high || self.t(i - 1) == Some(T::Num)),
            _ => false,
        }
    }

    /// `version()`, `database()`, `user()`: reading the server's identity, with no arguments.
    fn introspection(&self, i: usize) -> bool {
        let names = [
            "version",
            "database",
            "user",
            "schema",
            "current_user",
            "system_user",
        ];
        self.t(i + 1) == Some(T::LParen)
            && self.t(i + 2) == Some(T::RParen)
            && names.iter().any(|n| self.text_is(i, n))
    }

    /// A well-formed statement start at `i`.
    pub(super) fn statement(&self, i: usize) -> bool {
        match self.t(i) {
            Some(T::Select) => self.select_body(i),
            Some(T::Stmt(s)) => self.statement_of(i, s),
            Some(T::Call { .. }) => self.text_is(i, "if"),
            _ => false,
        }
    }

    /// What must follow each statement word at `i` for a statement to start there.
    fn statement_of(&self, i: usize, s: Stmt) -> bool {
        let next = self.t(i + 1);
        match s {
            Stmt::Insert => next == Some(T::Clause(Clause::Into)),
            // `update t set c=..`
            Stmt::Update => {
                next.is_some()
                    && self.t(i + 2) == Some(T::Stmt(Stmt::Set))
                    && self.t(i + 4) == Some(T::Cmp)
            }
            // `delete from t [where ..]`, `delete quick from t`
            Stmt::Delete => {
                let from = if next == Some(T::Ident) { i + 2 } else { i + 1 };
                self.t(from) == Some(T::Clause(Clause::From))
                    && self.t(from + 1) == Some(T::Ident)
                    && (self.toks[from + 1].comment_after
                        || matches!(
                            self.t(from + 2),
                            None | Some(T::Semi | T::Clause(Clause::Where | Clause::Limit))
                        ))
            }
            // `drop table x`; `drop members --` (a name, then a comment).
            Stmt::Ddl => {
                let named_end =
                    matches!(self.t(i + 3), None | Some(T::Semi | T::LParen | T::Comma));
                next == Some(T::Clause(Clause::Object))
                    && self.t(i + 2) == Some(T::Ident)
                    && (named_end || self.toks[i + 2].comment_after)
                    || next == Some(T::Ident) && self.toks[i + 1].clean_comment
            }
            Stmt::Exec => self.exec_target(i + 1),
            Stmt::Declare => {
                matches!(next, Some(T::Var { .. }))
                    || next == Some(T::Ident) && self.text_is(i + 2, "cursor")
            }
            Stmt::Set => matches!(next, Some(T::Var { .. })),
            Stmt::Shutdown => matches!(next, None | Some(T::Semi)),
            Stmt::Waitfor => next == Some(T::Clause(Clause::Delay)) || self.text_is(i + 1, "time"),
            Stmt::If => matches!(next, Some(T::Not | T::LParen | T::Call { known: true, .. })),
            Stmt::Begin => matches!(next, Some(T::Stmt(_) | T::Select | T::Call { .. })),
            // `call p(..)`, `load data infile`, `do (1=1)`
            Stmt::Call => matches!(next, Some(T::Call { .. })),
            Stmt::Load => self.text_is(i + 1, "data") || self.text_is(i + 1, "xml"),
            Stmt::Do => next == Some(T::LParen),
            Stmt::Goto => next == Some(T::Ident),
        }
    }

    /// After EXEC: a variable, `(`, `AS LOGIN`, or a procedure name (`xp_cmdshell`,
    /// `master..xp_cmdshell`, `sp_add_job`).
    fn exec_target(&self, j: usize) -> bool {
        match self.t(j) {
            Some(T::Var { .. } | T::LParen) => true,
            Some(T::Clause(Clause::Other)) => self.text_is(j, "as"),
            Some(T::Ident) => self.text(j).iter().any(|&b| b == b'_' || b == b'.'),
            _ => false,
        }
    }

    /// SELECT followed by a projection SQL would accept: a literal, a call, `*`, a variable,
    /// a subquery, or a column name followed by `,` or `FROM`.
    fn select_body(&self, i: usize) -> bool {
        let mut j = i + 1;
        while j < i + LOOKAHEAD
            && matches!(self.t(j), Some(T::Clause(Clause::Quantifier) | T::LParen))
        {
            j += if self.text_is(j, "top") { 2 } else { 1 };
        }
        match self.t(j) {
            Some(T::Num | T::Str { .. } | T::Var { .. } | T::Const | T::Call { .. }) => true,
            Some(T::Arith | T::Not | T::Select) => true,
            Some(T::Ident) => match self.t(j + 1) {
                Some(T::Comma | T::Arith) => true,
                // `select (id),(2)`, not "(select box)"
                Some(T::RParen) => j > i + 1,
                Some(T::Clause(Clause::From)) => self.high || self.table_tail(j + 2, i > 0),
                _ => false,
            },
            _ => false,
        }
    }

    /// The `(` at `open` starts an argument list SQL would accept: no two operands side by
    /// side (`sleep(5)`, `benchmark(1000000,md5(1))`; not "sleep(8 hours)").
    fn sql_arguments(&self, open: usize) -> bool {
        if self.t(open) != Some(T::LParen) {
            return false;
        }
        let end = self.close[open].min(open + LOOKAHEAD * 3);
        let operand = |t: T| {
            matches!(
                t,
                T::Num | T::Str { .. } | T::Const | T::Var { .. } | T::Ident
            )
        };
        (open + 1..end).all(|j| {
            let (a, b) = (self.toks[j].t, self.t(j + 1));
            !(operand(a) && b.is_some_and(|b| operand(b) || matches!(b, T::Call { .. })))
        })
    }

    /// `CASE [x] WHEN .. THEN`: a searched or simple CASE expression.
    fn case_when(&self, i: usize) -> bool {
        let ahead =
            |word: &str| (i + 1..self.toks.len().min(i + 12)).any(|j| self.text_is(j, word));
        self.text_is(i, "case") && ahead("when") && ahead("then")
    }

    /// A SELECT at the input's start that is a query rather than a sentence ("Select one"):
    /// it has a FROM, or selects a variable or a call, or a number list or commented number.
    fn whole_select(&self, i: usize) -> bool {
        let j = i + 1;
        let named = self.t(j) == Some(T::Ident) && self.t(j + 1) == Some(T::Clause(Clause::From));
        if self.has_from(i) && (!named || self.table_tail(j + 2, false)) {
            return true;
        }
        match self.t(j) {
            Some(T::Var { .. } | T::Call { known: true, .. }) => true,
            Some(T::Num) => self.t(j + 1) == Some(T::Comma) || self.toks[j].clean_comment,
            _ => false,
        }
    }

    /// A FROM shortly after the SELECT at `i`: a whole query, not a sentence starting "Select".
    fn has_from(&self, i: usize) -> bool {
        (i + 1..self.toks.len().min(i + 64)).any(|j| self.t(j) == Some(T::Clause(Clause::From)))
    }

    /// After `FROM`: a table name, then the end of a query part.
    /// `tail_ok`: a following WHERE, LIMIT, GROUP/ORDER, `;`, `)` or UNION suffices (inside a
    /// subquery); otherwise (a SELECT opening the input) the table name must look like SQL
    /// (`information_schema.tables`, `all_tab_tables`) or a comment follow it.
    fn table_tail(&self, k: usize, tail_ok: bool) -> bool {
        if !matches!(self.t(k), Some(T::Ident)) {
            return false;
        }
        let sqlish = self.text(k).contains(&b'.') || self.text(k).contains(&b'_');
        let tail = matches!(
            self.t(k + 1),
            Some(
                T::Clause(Clause::Where | Clause::Limit | Clause::GroupOrder)
                    | T::Semi
                    | T::RParen
                    | T::Union
            )
        );
        (tail && (tail_ok || self.high)) || sqlish || self.toks[k].comment_after
    }
}
