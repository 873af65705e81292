//! What makes markup dangerous: tags that run or load code (`script`, `iframe`, `object`,
//! `svg`...), event-handler attributes (`on*`), styles that run code (`expression(`,
//! `behavior:`), and URLs with script schemes (`javascript:`, `vbscript:`, `data:` other than
//! images), after undoing the character references and the blanks browsers ignore in them.

use super::lexer::Event;

/// Tags that run script or load active content whatever their attributes.
const TAGS: &[&str] = &[
    "script", "iframe", "frame", "frameset", "object", "embed", "applet", "base", "link", "meta",
    "style", "svg", "math", "xml", "import", "isindex", "vmlframe", "xss", "layer", "ilayer",
    "bgsound", "template", "portal", "set", "animate", "handler", "listener",
];

/// Event-handler name prefixes, for attributes found outside a tag the input opened (where a
/// plain word starting with "on" is likelier prose than a handler).
const HANDLERS: &[&str] = &[
    "onerror",
    "onload",
    "onclick",
    "ondblclick",
    "onmouse",
    "onkey",
    "onfocus",
    "onblur",
    "onchange",
    "onsubmit",
    "onreset",
    "onselect",
    "ondrag",
    "ondrop",
    "onanimation",
    "ontransition",
    "onpage",
    "onbegin",
    "onend",
    "onscroll",
    "onresize",
    "oninput",
    "oninvalid",
    "onpointer",
    "ontoggle",
    "onstart",
    "onfinish",
    "onbounce",
    "onhashchange",
    "onmessage",
    "onpopstate",
    "onunload",
    "onbefore",
    "onafter",
    "onreadystatechange",
    "onform",
    "onactivate",
    "onwheel",
    "oncopy",
    "oncut",
    "onpaste",
    "oncontextmenu",
    "onplay",
    "onpause",
    "onended",
    "oncanplay",
    "onprogress",
    "ontouch",
    "onshow",
    "onstorage",
    "onpropertychange",
    "onfilterchange",
    "onrepeat",
    "onmove",
    "onhelp",
    "onabort",
    "onsearch",
    "onqt",
];

fn known_handler(lower_name: &[u8]) -> bool {
    HANDLERS
        .iter()
        .any(|h| lower_name.starts_with(h.as_bytes()))
}

/// Reads the events of one scan.
pub struct Checker {
    /// True once the input opened a tag of its own.
    in_own_tag: bool,
}

impl Checker {
    pub fn new() -> Self {
        Checker { in_own_tag: false }
    }

    /// True when `event` is dangerous.
    pub fn event(&mut self, event: Event<'_>) -> bool {
        match event {
            Event::Tag { name, close } => {
                self.in_own_tag = true;
                dangerous_tag(name, close)
            }
            Event::Attr { name, value } => self.attribute(name, value),
            Event::Comment(body) => conditional_comment(body),
        }
    }

    fn attribute(&self, name: &[u8], value: &[u8]) -> bool {
        let lower = Lower::new(name);
        let n = lower.as_bytes();
        let handler = n.len() > 2
            && n.starts_with(b"on")
            && if self.in_own_tag {
                n[2].is_ascii_alphabetic()
            } else {
                // Outside the input's own tag only a known handler with a value ("x onerror y"
                // is prose).
                known_handler(n) && !value.is_empty()
            };
        // Inside a tag the input opened, any style can carry script (IE's expression(),
        // behaviors, bindings, escapes that hide them) and IE's data binding loads markup.
        let own = self.in_own_tag
            && (n == b"style" || n.starts_with(b"xmlns") || n.starts_with(b"data") && n.len() > 6);
        handler
            || own
            || script_url(value)
            || (n == b"style" && script_style(value))
            || n == b"srcdoc"
            || n == b"formaction" && !value.is_empty()
    }
}

/// A name lowercased into a fixed buffer (longer names are cut: no rule needs their tail).
struct Lower {
    buf: [u8; 32],
    len: usize,
}

impl Lower {
    fn new(s: &[u8]) -> Self {
        let mut buf = [0u8; 32];
        let len = s.len().min(buf.len());
        for (d, c) in buf.iter_mut().zip(s) {
            *d = c.to_ascii_lowercase();
        }
        Lower { buf, len }
    }

    fn as_bytes(&self) -> &[u8] {
        &self.buf[..self.len]
    }
}

fn dangerous_tag(name: &[u8], close: bool) -> bool {
    // Browsers drop NULs inside tag names (`<scr\0ipt>`).
    let mut buf = [0u8; 32];
    let mut len = 0;
    for &b in name.iter().filter(|&&b| b != 0).take(buf.len()) {
        buf[len] = b.to_ascii_lowercase();
        len += 1;
    }
    let n = &buf[..len];
    let prefixes: [&[u8]; 4] = [b"svg:", b"xsl:", b"xml:", b"html:"];
    if prefixes.iter().any(|p| n.starts_with(p)) {
        return true;
    }
    // `<svg:script`, `<x:script>`: the local name counts.
    let local = n.rsplit(|&b| b == b':').next().unwrap_or(n);
    let hit = |list: &[&str]| list.iter().any(|t| local == t.as_bytes());
    if close {
        hit(&["script", "style"])
    } else {
        hit(TAGS)
    }
}

/// Markup declarations that run or pull in markup: IE's conditional comments
/// (`<!--[if ...]>`), `<?import`, `<?xml-stylesheet`, `<?xml:namespace`, and DTDs declaring
/// entities or attribute defaults (`<!DOCTYPE x [<!ENTITY ..`, `<!ATTLIST ..`, `<!ENTITY ..`).
fn conditional_comment(body: &[u8]) -> bool {
    let lower = Lower::new(body);
    let b = lower.as_bytes();
    let starts = [
        &b"[if"[..],
        b"<![if",
        b"import",
        b"xml-stylesheet",
        b"xml:namespace",
        b"entity",
    ];
    let declares = |d: &[u8]| body.windows(d.len()).any(|w| w.eq_ignore_ascii_case(d));
    starts.iter().any(|s| b.starts_with(s))
        || b.starts_with(b"doctype") && (declares(b"!entity") || declares(b"!attlist"))
}

/// The first bytes of a value as a browser reads a URL or a style: character references
/// decoded, blanks and control characters dropped, lowercased (in a fixed buffer).
struct Normalized {
    buf: [u8; 256],
    len: usize,
}

impl Normalized {
    fn new(value: &[u8], limit: usize) -> Self {
        let mut n = Normalized {
            buf: [0; 256],
            len: 0,
        };
        let limit = limit.min(n.buf.len());
        let mut i = 0;
        while i < value.len() && n.len < limit {
            let (b, next) = if value[i] == b'&' {
                entity(value, i)
            } else {
                (value[i], i + 1)
            };
            if b > b' ' {
                n.buf[n.len] = b.to_ascii_lowercase();
                n.len += 1;
            }
            i = next;
        }
        n
    }

    fn as_bytes(&self) -> &[u8] {
        &self.buf[..self.len]
    }
}

/// The named character references that matter in URLs and styles.
const NAMED: &[(&[u8], u8)] = &[
    (b"colon;", b':'),
    (b"tab;", b'\t'),
    (b"newline;", b'\n'),
    (b"lpar;", b'('),
    (b"rpar;", b')'),
    (b"sol;", b'/'),
    (b"lt;", b'<'),
    (b"gt;", b'>'),
    (b"quot;", b'"'),
    (b"apos;", b'\''),
    (b"amp;", b'&'),
];

/// Decodes a character reference at `i` (`&#106;`, `&#x6A`, `&colon;`...), or takes the `&`.
fn entity(v: &[u8], i: usize) -> (u8, usize) {
    let rest = &v[i + 1..];
    if let Some(num) = rest.strip_prefix(b"#") {
        let hex = matches!(num.first(), Some(b'x' | b'X'));
        let digits = if hex { &num[1..] } else { num };
        let len = digits
            .iter()
            .take_while(|b| {
                if hex {
                    b.is_ascii_hexdigit()
                } else {
                    b.is_ascii_digit()
                }
            })
            .count();
        let text = std::str::from_utf8(&digits[..len]).unwrap_or("");
        let code = u32::from_str_radix(text, if hex { 16 } else { 10 }).unwrap_or(0xfffd);
        let mut end = i + 2 + usize::from(hex) + len;
        if v.get(end) == Some(&b';') {
            end += 1;
        }
        return (u8::try_from(code).unwrap_or(b'?'), end);
    }
    for (name, b) in NAMED {
        if rest.len() >= name.len() && rest[..name.len()].eq_ignore_ascii_case(name) {
            return (*b, i + 1 + name.len());
        }
    }
    (b'&', i + 1)
}

/// A URL with a scheme that runs script: `javascript:`, `vbscript:`, `livescript:`, or `data:`
/// that is not an image.
fn script_url(value: &[u8]) -> bool {
    // A scheme needs a `:`, written as is or as a character reference.
    if !value.iter().any(|&b| b == b':' || b == b'&') {
        return false;
    }
    let norm = Normalized::new(value, 48);
    let v = norm.as_bytes();
    let schemes: [&[u8]; 4] = [b"javascript:", b"vbscript:", b"livescript:", b"jscript:"];
    if schemes.iter().any(|s| v.starts_with(s)) {
        return true;
    }
    v.starts_with(b"data:") && !v[5..].starts_with(b"image/") || v.starts_with(b"data:image/svg")
}

/// A style that runs script: IE's `expression(` and `behavior:`, Firefox's `-moz-binding`,
/// or a script URL.
fn script_style(value: &[u8]) -> bool {
    let norm = Normalized::new(value, 256);
    let v = norm.as_bytes();
    let has = |needle: &[u8]| v.windows(needle.len()).any(|w| w == needle);
    has(b"expression(")
        || has(b"behavior:")
        || has(b"-moz-binding")
        || has(b"javascript:")
        || has(b"vbscript:")
}

/// A known event handler assigned somewhere after a tag the input opens, even where a parser would
/// see it inside another attribute's value or a raw-text element (`<style><img src="</style>
/// <img src=x onerror=..>`): browsers and their quirks disagree on those boundaries.
pub fn nested_handler(input: &[u8]) -> bool {
    let lead = input
        .iter()
        .take_while(|&&b| b <= b' ' || b == b'+')
        .count();
    let starts_with_on =
        input.len() > lead + 2 && input[lead..lead + 2].eq_ignore_ascii_case(b"on");
    let tag = input
        .windows(2)
        .position(|w| w[0] == b'<' && w[1].is_ascii_alphabetic());
    // An input that is itself a handler assignment (`onmouseover=alert(1)`) lands in a tag
    // when reflected into one unquoted.
    let Some(open) = (if starts_with_on { Some(lead) } else { tag }) else {
        return false;
    };
    let rest = &input[open..];
    let mut i = 0;
    while i + 2 < rest.len() {
        let at_word = i == 0 || !rest[i - 1].is_ascii_alphanumeric();
        if at_word
            && rest[i..i + 2].eq_ignore_ascii_case(b"on")
            && rest[i + 2].is_ascii_alphabetic()
        {
            let name_len = rest[i..]
                .iter()
                .take_while(|b| b.is_ascii_alphanumeric() || **b == b'_')
                .count();
            let after = &rest[i + name_len..];
            let gap = after.iter().take_while(|&&b| b <= b' ').count();
            let known = known_handler(Lower::new(&rest[i..i + name_len]).as_bytes());
            if known && after.get(gap) == Some(&b'=') {
                return true;
            }
            i += name_len;
        } else {
            i += 1;
        }
    }
    false
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn urls_are_normalized_before_the_scheme_check() {
        assert!(script_url(b"jav&#x09;ascript:alert(1)"));
        assert!(script_url(b" &#14;  javascript:alert(1)"));
        assert!(script_url(
            b"&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;x"
        ));
        assert!(script_url(b"data:text/html;base64,PHNjcmlwdD4="));
        assert!(!script_url(b"data:image/png;base64,iVBOR"));
        assert!(!script_url(b"/path/to?q=javascript"));
    }

    #[test]
    fn nested_handlers() {
        assert!(nested_handler(
            b"<style><img src=\"</style><img src=x onerror=alert(1)//\">"
        ));
        assert!(!nested_handler(b"<b>online</b> only=1"));
        assert!(!nested_handler(b"see ?onboarding=1"));
    }
}
