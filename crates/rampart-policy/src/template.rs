//! Policy variables (`${aws:username}`, `${aws:PrincipalTag/team, 'none'}`, `${*}` `${?}`
//! `${$}`) in Resource and string/ARN condition values: parsed once, resolved per request.

use crate::pattern::{self, Tok};

/// One piece of a value that holds policy variables.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Part {
    /// Policy text: `*` and `?` keep their wildcard meaning in pattern contexts.
    Text(String),
    /// `${*}`, `${?}` or `${$}`: that character, always literal.
    Escaped(char),
    /// `${key}` or `${key, 'default'}`; `key` is lower-cased (keys are case-insensitive).
    Var {
        key: String,
        default: Option<String>,
    },
}

/// A value with at least one `${...}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Template {
    parts: Vec<Part>,
}

/// Looks up a single-valued context key for substitution (None: missing or multi-valued).
pub(crate) trait Resolve {
    fn resolve(&self, key_lower: &str) -> Option<&str>;
}

impl Template {
    /// Parses `text`; `None` when it holds no `${...}` (then it is plain policy text).
    pub(crate) fn parse(text: &str) -> Option<Template> {
        if !text.contains("${") {
            return None;
        }
        let mut parts = Vec::new();
        let mut rest = text;
        while let Some(start) = rest.find("${") {
            let Some(len) = rest[start..].find('}') else {
                break;
            };
            if start > 0 {
                parts.push(Part::Text(rest[..start].to_string()));
            }
            parts.push(parse_var(&rest[start + 2..start + len]));
            rest = &rest[start + len + 1..];
        }
        if !rest.is_empty() {
            parts.push(Part::Text(rest.to_string()));
        }
        Some(Template { parts })
    }

    /// The value as a plain string, or None when a variable cannot be resolved.
    pub(crate) fn render(&self, ctx: &dyn Resolve) -> Option<String> {
        let mut out = String::new();
        for part in &self.parts {
            match part {
                Part::Text(t) => out.push_str(t),
                Part::Escaped(c) => out.push(*c),
                Part::Var { key, default } => out.push_str(var_value(ctx, key, default)?),
            }
        }
        Some(out)
    }

    /// The value as wildcard tokens (text keeps `*`/`?`; substitutions are literal).
    pub(crate) fn tokens(&self, ctx: &dyn Resolve) -> Option<Vec<Tok>> {
        let mut out = Vec::new();
        for part in &self.parts {
            match part {
                Part::Text(t) => pattern::tokens(t, &mut out),
                Part::Escaped(c) => out.push(Tok::Ch(*c)),
                Part::Var { key, default } => {
                    pattern::literal(var_value(ctx, key, default)?, &mut out)
                }
            }
        }
        Some(out)
    }
}

fn var_value<'a>(ctx: &'a dyn Resolve, key: &str, default: &'a Option<String>) -> Option<&'a str> {
    ctx.resolve(key).or(default.as_deref())
}

/// Parses the inside of `${...}`.
fn parse_var(inner: &str) -> Part {
    match inner {
        "*" => return Part::Escaped('*'),
        "?" => return Part::Escaped('?'),
        "$" => return Part::Escaped('$'),
        _ => {}
    }
    let (key, default) = match inner.split_once(',') {
        Some((k, d)) => (k, parse_default(d.trim())),
        None => (inner, None),
    };
    Part::Var {
        key: key.trim().to_ascii_lowercase(),
        default,
    }
}

/// `'text'` with `''` standing for one quote.
fn parse_default(quoted: &str) -> Option<String> {
    let body = quoted.strip_prefix('\'')?.strip_suffix('\'')?;
    Some(body.replace("''", "'"))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    struct Ctx;
    impl Resolve for Ctx {
        fn resolve(&self, key: &str) -> Option<&str> {
            (key == "aws:username").then_some("alice")
        }
    }

    #[test]
    fn plain_text_is_not_a_template() {
        assert!(Template::parse("arn:aws:s3:::b/*").is_none());
    }

    #[test]
    fn substitutes_and_escapes() {
        let t = Template::parse("home/${aws:UserName}/${*}${?}${$}").unwrap();
        assert_eq!(t.render(&Ctx).unwrap(), "home/alice/*?$");
        let toks = t.tokens(&Ctx).unwrap();
        assert_eq!(toks[toks.len() - 3], Tok::Ch('*'));
    }

    #[test]
    fn missing_variable_and_default() {
        assert!(
            Template::parse("${aws:userid}")
                .unwrap()
                .render(&Ctx)
                .is_none()
        );
        let t = Template::parse("${aws:userid, 'it''s'}x").unwrap();
        assert_eq!(t.render(&Ctx).unwrap(), "it'sx");
    }

    #[test]
    fn unterminated_is_text() {
        let t = Template::parse("a${aws:username").unwrap();
        assert_eq!(t.render(&Ctx).unwrap(), "a${aws:username");
    }
}
