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

/// An expression's extent and what it holds.
#[derive(Debug, Clone, Copy)]
struct Expr {
    end: usize,
    operands: usize,
    strength: Strength,
    /// A comparison with a literal or stronger side.
    compares: bool,
}

/// How far the rules look into a parenthesised group for SQL.
const GROUP_LOOK: usize = 48;

impl Stream<'_> {
    /// The application's value, then SQL that only makes sense outside it.
    pub(super) fn breakout(&self) -> bool {
        if !self.quoted && self.t(0) == Some(T::Logic) {
            // The input starts where the application's value ended: `AND isnull(1/0)`.
            return self.sqlish(1);
        }
        let Some(lead) = self.lead() else {
            return false;
        };
        let mut k = lead.end;
        while self.t(k) == Some(T::RParen) {
            k += 1;
        }
        if !self.quoted && lead.operands >= 2 {
            // `456 + ascii(substring(..))`: SQL arithmetic; `1=1 and ..`, `1!=0--`: a
            // tautology joined to more SQL or ending the query.
            let ends = k == self.toks.len() && self.toks[k - 1].clean_comment;
            let joined = self.t(k) == Some(T::Logic) || ends;
            if lead.strength == Strength::Strong || lead.compares && joined && self.valid_tail(k) {
                return true;
            }
        }
        self.after_lead(k)
    }

    /// What follows the application's value (at `k`).
    fn after_lead(&self, k: usize) -> bool {
        match self.t(k) {
            None => self.trailing_comment(k),
            Some(T::Logic) => self.sqlish(k + 1),
            Some(T::Semi) => self.statement(k + 1),
            Some(T::Cmp | T::Arith | T::Not) => self.operator_tail(k),
            Some(T::Clause(c)) => self.clause(k, c),
            Some(T::Stmt(_) | T::Select) => self.statement(k),
            Some(T::Comma) => match self.operand(k + 1) {
                Some((_, Strength::Strong)) => true,
                Some((_, Strength::Literal)) => self.quoted && self.valid_tail(k),
                _ => false,
            },
            _ => false,
        }
    }

    /// The leading value: in a quoted stream the application's string (closed by the input);
    /// otherwise an expression at the start, or a comma-separated list of them.
    fn lead(&self) -> Option<Expr> {
        match self.t(0)? {
            T::Str { closed: true } if self.quoted => Some(Expr {
                end: 1,
                operands: 1,
                strength: Strength::Literal,
                compares: false,
            }),
            _ if self.quoted => None,
            _ => {
                let mut e = self.expression(0)?;
                while self.t(e.end) == Some(T::Comma) && self.t(e.end + 1) == Some(T::Num) {
                    e.end = self.expression(e.end + 1).map_or(e.end + 1, |n| n.end);
                }
                Some(e)
            }
        }
    }

    /// An expression at `i`: operands joined by arithmetic and comparisons.
    fn expression(&self, i: usize) -> Option<Expr> {
        let (mut end, first) = self.operand(i)?;
        let mut e = Expr {
            end,
            operands: 1,
            strength: first,
            compares: false,
        };
        while let Some(mut op @ (T::Arith | T::Cmp | T::Not)) = self.t(end) {
            if op == T::Not {
                // `1 not between 0 and 1`, `a not like b`
                if self.t(end + 1) != Some(T::Cmp) {
                    break;
                }
                op = T::Cmp;
            }
            // Word operators come in pairs (`sounds like`, `is not`, `not between`).
            let worded = self.text(end).iter().any(u8::is_ascii_alphabetic);
            let mut r = end + 1;
            while worded && matches!(self.t(r), Some(T::Cmp | T::Not)) && r < end + 4 {
                r += 1;
            }
            let Some((next, s)) = self.operand(r) else {
                break;
            };
            // `1=1`, `x = 1`, `x is null`; not prose like "shell is 65" outside a string.
            let prose = !self.quoted
                && self.text_is(end, "is")
                && e.strength == Strength::Name
                && self.t(r) != Some(T::Const);
            // Outside a string, a name on the left wants a literal that is no plain number
            // on the right ("price>=10 and price<=20" is a filter, `x = 'a'`, `x is null`
            // and `1=1` are SQL).
            let filter = !self.quoted && e.strength == Strength::Name && self.t(r) == Some(T::Num);
            if op == T::Cmp
                && !prose
                && !filter
                && (e.strength > Strength::Name || s > Strength::Name)
            {
                e.compares = true;
            }
            e.strength = e.strength.max(s);
            e.operands += 1;
            end = next;
            e.end = end;
        }
        Some(e)
    }

    /// Nothing but a comment after the value: `admin'--`, `1/*`, `(1) --`, `@version--`.
    fn trailing_comment(&self, k: usize) -> bool {
        let commented = k > 0 && self.toks[k - 1].clean_comment;
        let group = self.t(0) == Some(T::LParen) && self.group(0) >= Strength::Literal;
        let var = matches!(self.t(0), Some(T::Var { .. })) && k == 1;
        // `1 --`, `1/*`, `1 * 1--`: a number ended by a comment (not `1611-abc--`).
        let number = self.t(0) == Some(T::Num)
            && !self
                .text(0)
                .iter()
                .any(|b| b.is_ascii_alphabetic() && !matches!(b, b'x' | b'X' | b'e' | b'E'));
        // Outside a string a lone number or variable needs a comment with no words in it
        // (`417652--`, `@version/*`; not "5 -- great", "@john -- lol").
        let bare = k > 0 && self.toks[k - 1].bare_comment;
        commented && (self.quoted || group || bare && (var || number && k == 1))
    }

    /// After `' <op>` or `1 <op>`: an operand that makes the whole an SQL expression.
    fn operator_tail(&self, k: usize) -> bool {
        let mut j = k + 1;
        while matches!(self.t(j), Some(T::Cmp | T::Not)) && j < k + 4 {
            j += 1;
        }
        let Some(e) = self.expression(j) else {
            return false;
        };
        match e.strength {
            Strength::Strong => true,
            // `'*column-0-'0`: more operators after the operand, ending in at most a short
            // string (not `"/APPS/">GALERIE D'APPLICATIONS</A>`).
            _ if e.operands >= 2 => {
                let long = self
                    .t(e.end - 1)
                    .is_some_and(|t| matches!(t, T::Str { .. }))
                    && self.toks[e.end - 1].end - self.toks[e.end - 1].start > 4;
                self.quoted && !long && self.valid_tail(k)
            }
            Strength::Literal => self.quoted && self.valid_tail(k) && self.juggling(e.end - 1),
            Strength::Name => self.quoted && self.high && self.valid_tail(k),
        }
    }

    /// `' = '`, `' * '`, `A '>>' B`: an operator between the closed string and a string
    /// operand works on type juggling of near-empty strings; longer strings around an operator
    /// are prose with quotes (`SMALL "&" SIGN`).
    fn juggling(&self, operand: usize) -> bool {
        let short = |i: usize| self.toks.get(i).is_some_and(|t| t.end - t.start <= 4);
        match self.t(operand) {
            Some(T::Str { .. }) => short(0) && short(operand),
            _ => true,
        }
    }

    /// Clause words after the value: `1 order by 2`, `id having 1`, `' into outfile`.
    fn clause(&self, k: usize, c: Clause) -> bool {
        let lit = |i| self.operand(i).is_some_and(|(_, s)| s >= Strength::Literal);
        match c {
            Clause::GroupOrder => {
                let tail_commented = self.toks.last().is_some_and(|t| t.clean_comment);
                self.t(k + 1) == Some(T::Clause(Clause::By))
                    && self.operand(k + 2).is_some()
                    && (self.quoted || lit(k + 2) || tail_commented)
            }
            // `1) from users where ..`
            Clause::From => {
                self.t(k + 1) == Some(T::Ident) && self.t(k + 2) == Some(T::Clause(Clause::Where))
            }
            Clause::Having | Clause::Where => self.sqlish(k + 1),
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
    /// (or both sides the same name), a call or subquery, or a literal that the rest of the
    /// input makes a query of (see [`Self::literal_tail`]).
    fn sqlish(&self, i: usize) -> bool {
        let Some(e) = self.expression(i) else {
            return false;
        };
        let last = e.end - 1;
        if e.compares || e.strength == Strength::Strong {
            return true;
        }
        if e.operands >= 2 && self.t(i + 1) == Some(T::Cmp) && self.same_text(i, last) {
            return true; // `x = x`
        }
        if self.high && self.probe(last) {
            return true;
        }
        let rest_commented = self.toks.last().is_some_and(|t| t.clean_comment);
        match e.strength {
            Strength::Name => {
                self.quoted
                    && (rest_commented || self.t(e.end) == Some(T::Logic))
                    && self.valid_tail(i)
            }
            _ => self.literal_tail(i, e, rest_commented),
        }
    }

    /// HIGH's extra probes: `' or 1` (the application's quote left dangling) and
    /// `395 /*!32359 AND 0 */` (MySQL's versioned comment, a filter-evasion device).
    fn probe(&self, last: usize) -> bool {
        let dangling =
            self.quoted && self.ends_after(last) && matches!(self.t(last), Some(T::Num | T::Const));
        dangling || self.input.windows(3).any(|w| w == b"/*!")
    }

    /// After a logic operator, a literal expression `e` at `i` is SQL when a comment ends the
    /// query right after it (`' or 1--`), a clause follows (`1 or (1) group by`), or, after
    /// a closed string, the rest is well-formed SQL and either holds an operator
    /// (`' or col ^ '1`), ends in a comment, or juggles near-empty strings (`' OR '`); at
    /// HIGH any well-formed rest after a closed string (`x' or 'x`).
    fn literal_tail(&self, i: usize, e: Expr, rest_commented: bool) -> bool {
        let last = e.end - 1;
        let commented = self.toks[last].clean_comment && self.ends_after(last);
        let clause = matches!(
            self.t(e.end),
            Some(T::Clause(Clause::GroupOrder | Clause::Having | Clause::Limit) | T::Union)
        );
        if commented || clause {
            return true;
        }
        let shaped = e.operands >= 2 || rest_commented || self.juggling(last) || self.high;
        self.quoted && shaped && self.valid_tail(i)
    }

    /// True when the tokens from `from` on read as SQL: no two operands side by side
    /// (`18 "`, `"MOD" "KITCHEN"`), and, after a closed string, an end the application's
    /// closing quote completes: an open string in that quote, or a comment.
    pub(super) fn valid_tail(&self, from: usize) -> bool {
        let end = self.toks.len().min(from + 64);
        for j in from..end.saturating_sub(1) {
            let (a, b) = (self.toks[j].t, self.toks[j + 1].t);
            let operand = |t: T| matches!(t, T::Num | T::Str { .. } | T::Const | T::Var { .. });
            let left = operand(a) || a == T::Ident || a == T::RParen;
            let right = operand(b)
                || matches!(b, T::Call { .. } | T::LParen)
                || b == T::Ident && a != T::RParen && a != T::Ident;
            if left && right && !(a == T::Ident && b == T::LParen) {
                return false;
            }
        }
        if !self.quoted || end < self.toks.len() {
            return true;
        }
        let Some(last) = end.checked_sub(1).and_then(|e| self.toks.get(e)) else {
            return false;
        };
        let quote = self.input.get(last.start).copied();
        last.comment_after || last.t == (T::Str { closed: false }) && quote == self.quote_byte()
    }

    fn same_text(&self, a: usize, b: usize) -> bool {
        self.text(a).eq_ignore_ascii_case(self.text(b))
    }

    /// One operand at `i` (after signs and NOTs): its end and strength.
    fn operand(&self, mut i: usize) -> Option<(usize, Strength)> {
        let start = i;
        while i < start + 16 && (matches!(self.t(i), Some(T::Not | T::Arith)) || self.binary(i)) {
            i += 1;
        }
        let t = self.t(i)?;
        Some(match t {
            T::Call { known: true, .. } if self.t(i + 1) == Some(T::LParen) => {
                (self.after_group(i + 1), Strength::Strong)
            }
            T::Call { .. } if self.t(i + 1) == Some(T::LParen) => (
                self.after_group(i + 1),
                self.group(i + 1).max(Strength::Literal),
            ),
            T::Call { .. } => (i + 1, Strength::Literal),
            T::LParen => (self.after_group(i), self.group(i)),
            T::Select => (self.toks.len(), Strength::Strong),
            T::Var { system: true } => (i + 1, Strength::Strong),
            T::Num | T::Str { .. } | T::Var { .. } | T::Const => (i + 1, Strength::Literal),
            T::Ident => (i + 1, Strength::Name),
            _ => return None,
        })
    }

    /// MySQL's `BINARY` cast operator (`or binary 1 = '1`).
    fn binary(&self, i: usize) -> bool {
        self.t(i) == Some(T::Clause(Clause::Other)) && self.text_is(i, "binary")
    }

    /// The index after the group opened at `open` (the stream's end when unclosed).
    fn after_group(&self, open: usize) -> usize {
        (self.close[open] + 1).min(self.toks.len())
    }

    /// A parenthesised group: strong when it holds a subquery, a call or a comparison.
    fn group(&self, open: usize) -> Strength {
        let end = self.close[open].min(open + GROUP_LOOK);
        let has = |f: &dyn Fn(T) -> bool| (open + 1..end).any(|j| self.t(j).is_some_and(f));
        let literal = has(&|t| t.is_value() && t != T::Ident);
        let sql = has(&|t| {
            matches!(
                t,
                T::Select
                    | T::Call { known: true, .. }
                    | T::Cmp
                    | T::Var { system: true }
                    | T::Clause(Clause::Case)
            )
        });
        // `(1 or 1)`: logic over literals; "(this or that)" stays prose.
        if sql || literal && has(&|t| t == T::Logic) {
            Strength::Strong
        } else if literal {
            Strength::Literal
        } else {
            Strength::Name
        }
    }
}
