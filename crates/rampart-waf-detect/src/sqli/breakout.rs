//! The breakout fingerprints: what follows the application's own value (the string the input
//! closes, or the number or name it starts with) when the input escapes it.

use super::fold::T;
use super::rules::Stream;
use super::words::Clause;

/// How much an operand says about SQL.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Strength {
    /// A bare name (`dogs`): English text has these too.
    Name,
    /// A literal or user variable (`1`, `'a'`, `NULL`, `@x`).
    Literal,
    /// A call, a subquery or a system variable: SQL and nothing else.
    Strong,
}

/// How far the rules look into a parenthesised group for SQL.
const GROUP_LOOK: usize = 48;

impl Stream<'_> {
    /// The application's value, then SQL that only makes sense outside it.
    pub(super) fn breakout(&self) -> bool {
        let Some(mut k) = self.lead() else { return false };
        while self.t(k) == Some(T::RParen) {
            k += 1;
        }
        match self.t(k) {
            None => self.trailing_comment(k),
            Some(T::Logic) => self.sqlish(k + 1),
            Some(T::Semi) => self.statement(k + 1) || self.quoted && self.ends_after(k),
            Some(T::Cmp | T::Arith) => self.operator_tail(k),
            Some(T::Clause(c)) => self.clause(k, c),
            Some(T::Stmt(_) | T::Select) => self.statement(k),
            Some(T::Comma) => self.quoted && self.operand(k + 1).is_some_and(|(_, s)| s >= Strength::Literal),
            _ => false,
        }
    }

    /// The index after the leading value, if the stream starts with one.
    fn lead(&self) -> Option<usize> {
        match self.t(0)? {
            T::Str { closed: true } if self.quoted => Some(1),
            _ if self.quoted => None,
            _ => self.expression(0),
        }
    }

    /// The end of an expression at `i`: operands joined by arithmetic and comparisons.
    fn expression(&self, i: usize) -> Option<usize> {
        let (mut end, _) = self.operand(i)?;
        while matches!(self.t(end), Some(T::Arith | T::Cmp)) {
            match self.operand(end + 1) {
                Some((e, _)) => end = e,
                None => break,
            }
        }
        Some(end)
    }

    /// Nothing but a comment after the value: `admin'--`, `1/*` (the latter at HIGH).
    fn trailing_comment(&self, k: usize) -> bool {
        let commented = k > 0 && self.toks[k - 1].comment_after;
        let group = self.t(0) == Some(T::LParen) && self.group(0) >= Strength::Literal;
        commented && (self.quoted || group || self.high && self.t(0) == Some(T::Num))
    }

    /// After `' <op>` or `1 <op>`: an operand that makes the whole an SQL expression.
    fn operator_tail(&self, k: usize) -> bool {
        match self.operand(k + 1) {
            Some((_, Strength::Strong)) => true,
            Some((_, Strength::Literal)) => self.quoted,
            Some((_, Strength::Name)) => self.quoted && self.high,
            None => false,
        }
    }

    /// Clause words after the value: `1 order by 2`, `id having 1`, `' into outfile`.
    fn clause(&self, k: usize, c: Clause) -> bool {
        let lit = |i| self.operand(i).is_some_and(|(_, s)| s >= Strength::Literal);
        match c {
            Clause::GroupOrder => self.t(k + 1) == Some(T::Clause(Clause::By)) && (self.quoted || lit(k + 2)),
            Clause::Having | Clause::Where => self.sqlish(k + 1) || self.quoted && lit(k + 1),
            Clause::Limit => self.t(k + 1) == Some(T::Num),
            Clause::Into => {
                self.t(k + 1) == Some(T::Clause(Clause::Outfile))
                    || self.quoted && matches!(self.t(k + 1), Some(T::Var { .. }))
            }
            Clause::Procedure => matches!(self.t(k + 1), Some(T::Ident | T::Call { .. })),
            _ => false,
        }
    }

    /// An expression that is SQL rather than prose: a comparison with a literal or call side
    /// (or both sides the same name), a call or subquery, or (after a closed string) a literal.
    fn sqlish(&self, i: usize) -> bool {
        let Some((e1, s1)) = self.operand(i) else { return false };
        if matches!(self.t(e1), Some(T::Cmp)) {
            let mut r = e1 + 1;
            while matches!(self.t(r), Some(T::Cmp | T::Not)) && r < e1 + 4 {
                r += 1;
            }
            let Some((_, s2)) = self.operand(r) else { return self.quoted };
            return s1 > Strength::Name || s2 > Strength::Name || self.same_text(i, r);
        }
        match s1 {
            Strength::Strong => true,
            Strength::Literal => self.quoted || self.high || self.toks[e1 - 1].comment_after,
            Strength::Name => false,
        }
    }

    fn same_text(&self, a: usize, b: usize) -> bool {
        self.text(a).eq_ignore_ascii_case(self.text(b))
    }

    /// One operand at `i` (after signs and NOTs): its end and strength.
    fn operand(&self, mut i: usize) -> Option<(usize, Strength)> {
        let start = i;
        while matches!(self.t(i), Some(T::Not | T::Arith)) && i < start + 4 {
            i += 1;
        }
        let t = self.t(i)?;
        Some(match t {
            T::Call { .. } if self.t(i + 1) == Some(T::LParen) => (self.after_group(i + 1), Strength::Strong),
            T::Call { .. } => (i + 1, Strength::Strong),
            T::LParen => (self.after_group(i), self.group(i)),
            T::Select => (self.toks.len(), Strength::Strong),
            T::Var { system: true } => (i + 1, Strength::Strong),
            T::Num | T::Str { .. } | T::Var { .. } | T::Const => (i + 1, Strength::Literal),
            T::Ident => (i + 1, Strength::Name),
            _ => return None,
        })
    }

    /// The index after the group opened at `open` (the stream's end when unclosed).
    fn after_group(&self, open: usize) -> usize {
        (self.close[open] + 1).min(self.toks.len())
    }

    /// A parenthesised group: strong when it holds a subquery, a call or a comparison.
    fn group(&self, open: usize) -> Strength {
        let end = self.close[open].min(open + GROUP_LOOK);
        let strong = (open + 1..end).any(|j| {
            matches!(self.t(j), Some(T::Select | T::Call { .. } | T::Cmp | T::Var { system: true }))
        });
        if strong {
            Strength::Strong
        } else if (open + 1..end).any(|j| self.t(j).is_some_and(|t| t.is_value() && t != T::Ident)) {
            Strength::Literal
        } else {
            Strength::Name
        }
    }
}
