//! An HTML5-style tokenizer, reduced to what XSS detection needs: tag names, attribute names
//! and values, comments and text, following the HTML5 tokenizer's states (data, tag open, tag
//! name, attribute name, attribute value in its three quotings, bogus comment, comment).
//!
//! It can start in the data state or inside an attribute value (unquoted, `'`, `"` or
//! backquoted), where an input reflected into an attribute would start. Every step consumes
//! at least one byte: the pass is linear.

/// Where the input starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Start {
    /// Between tags (text).
    Data,
    /// Inside an attribute value delimited by this byte (`b' '` for unquoted).
    AttrValue(u8),
}

/// A token the rules look at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Event<'a> {
    /// A start tag's name (`<img` gives `img`); `close` for an end tag (`</script`).
    Tag { name: &'a [u8], close: bool },
    /// An attribute of the current tag; `value` is empty when there is none.
    Attr { name: &'a [u8], value: &'a [u8] },
    /// `<!-- .. -->`, `<! .. >`, `<? .. >` bodies.
    Comment(&'a [u8]),
}

/// The most events read from one input.
pub const MAX_EVENTS: usize = 4096;

/// Tokenizes `input` from `start`, calling `sink` for each event until it returns true (a
/// detection) or the input ends. Returns whether `sink` ever returned true.
pub fn scan<'a>(input: &'a [u8], start: Start, mut sink: impl FnMut(Event<'a>) -> bool) -> bool {
    let mut pos = 0;
    if let Start::AttrValue(q) = start {
        let end = value_end(input, 0, q);
        // The value the input started in: the rules see it as the value of an unknown
        // attribute; what follows is the rest of the tag.
        pos = if q == b' ' {
            end
        } else {
            (end + 1).min(input.len())
        };
        if sink(Event::Attr {
            name: b"",
            value: &input[..end],
        }) {
            return true;
        }
        match attributes(input, pos, &mut sink) {
            Flow::Hit => return true,
            Flow::At(p) => pos = p,
        }
    }
    let mut events = 0;
    while pos < input.len() && events < MAX_EVENTS {
        events += 1;
        match data(input, pos, &mut sink) {
            Flow::Hit => return true,
            Flow::At(p) => pos = p,
        }
    }
    false
}

enum Flow {
    Hit,
    At(usize),
}

fn is_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\r' | 0x0b | 0x0c)
}

/// The data state from `pos`: skips text to the next `<` and reads the markup there.
fn data<'a>(input: &'a [u8], pos: usize, sink: &mut impl FnMut(Event<'a>) -> bool) -> Flow {
    let Some(lt) = input[pos..]
        .iter()
        .position(|&b| b == b'<')
        .map(|p| pos + p)
    else {
        return Flow::At(input.len());
    };
    let next = input.get(lt + 1).copied().unwrap_or(0);
    match next {
        b'!' if input[lt..].starts_with(b"<!--") => comment(input, lt + 4, b"-->", sink),
        b'!' | b'?' => comment(input, lt + 2, b">", sink),
        b'/' => tag(input, lt + 2, true, sink),
        _ if next.is_ascii_alphabetic() => tag(input, lt + 1, false, sink),
        _ => Flow::At(lt + 1),
    }
}

fn comment<'a>(
    input: &'a [u8],
    body: usize,
    end: &[u8],
    sink: &mut impl FnMut(Event<'a>) -> bool,
) -> Flow {
    let body = body.min(input.len());
    let close = input[body..].windows(end.len()).position(|w| w == end);
    let stop = close.map_or(input.len(), |p| body + p);
    if sink(Event::Comment(&input[body..stop])) {
        return Flow::Hit;
    }
    Flow::At(close.map_or(input.len(), |p| body + p + end.len()))
}

/// Tag name from `pos`, then its attributes.
fn tag<'a>(
    input: &'a [u8],
    pos: usize,
    close: bool,
    sink: &mut impl FnMut(Event<'a>) -> bool,
) -> Flow {
    let pos = pos.min(input.len());
    let len = input[pos..]
        .iter()
        .take_while(|&&b| !is_space(b) && b != b'/' && b != b'>')
        .count();
    if sink(Event::Tag {
        name: &input[pos..pos + len],
        close,
    }) {
        return Flow::Hit;
    }
    attributes(input, pos + len, sink)
}

/// The attribute states from `pos` to the tag's `>`.
fn attributes<'a>(
    input: &'a [u8],
    mut pos: usize,
    sink: &mut impl FnMut(Event<'a>) -> bool,
) -> Flow {
    while pos < input.len() {
        let b = input[pos];
        if b == b'>' {
            return Flow::At(pos + 1);
        }
        if is_space(b) || b == b'/' {
            pos += 1;
            continue;
        }
        let (name, value, next) = attribute(input, pos);
        pos = next;
        if sink(Event::Attr { name, value }) {
            return Flow::Hit;
        }
    }
    Flow::At(input.len())
}

/// One attribute at `pos` (not a blank, `/` or `>`): its name, its value (empty when it has
/// none) and the position after it. The name runs to a blank, `/`, `>` or `=` (a leading `=`
/// belongs to the name).
fn attribute(input: &[u8], start: usize) -> (&[u8], &[u8], usize) {
    let skip_blanks = |mut p: usize| {
        while p < input.len() && is_space(input[p]) {
            p += 1;
        }
        p
    };
    let mut pos = start + 1;
    while pos < input.len() && !matches!(input[pos], b'/' | b'>' | b'=') && !is_space(input[pos]) {
        pos += 1;
    }
    let name = &input[start..pos];
    pos = skip_blanks(pos);
    if input.get(pos) != Some(&b'=') {
        return (name, b"", pos);
    }
    let (value, next) = attribute_value(input, skip_blanks(pos + 1));
    (name, value, next)
}

/// An attribute value at `pos`: quoted (`"`, `'`, backquote) or unquoted. Returns the value and
/// the position after it.
fn attribute_value(input: &[u8], pos: usize) -> (&[u8], usize) {
    match input.get(pos) {
        Some(&q @ (b'"' | b'\'' | b'`')) => {
            let end = value_end(input, pos + 1, q);
            (&input[pos + 1..end], (end + 1).min(input.len()))
        }
        _ => {
            let end = value_end(input, pos, b' ');
            (&input[pos..end], end)
        }
    }
}

/// The end of a value from `pos` delimited by `q` (`b' '`: unquoted, ended by space or `>`).
fn value_end(input: &[u8], pos: usize, q: u8) -> usize {
    let pos = pos.min(input.len());
    let stop = |b: u8| {
        if q == b' ' {
            is_space(b) || b == b'>'
        } else {
            b == q
        }
    };
    input[pos..]
        .iter()
        .position(|&b| stop(b))
        .map_or(input.len(), |p| pos + p)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn events(s: &str, start: Start) -> Vec<String> {
        let mut out = Vec::new();
        scan(s.as_bytes(), start, |e| {
            out.push(match e {
                Event::Tag { name, close } => format!(
                    "tag {}{}",
                    if close { "/" } else { "" },
                    String::from_utf8_lossy(name)
                ),
                Event::Attr { name, value } => format!(
                    "attr {}={}",
                    String::from_utf8_lossy(name),
                    String::from_utf8_lossy(value)
                ),
                Event::Comment(c) => format!("comment {}", String::from_utf8_lossy(c)),
            });
            false
        });
        out
    }

    #[test]
    fn tags_attributes_and_comments() {
        let e = events(
            "a < b <img src=x onerror='alert(1)'><!--c--></b>",
            Start::Data,
        );
        assert_eq!(
            e,
            [
                "tag img",
                "attr src=x",
                "attr onerror=alert(1)",
                "comment c",
                "tag /b"
            ]
        );
    }

    #[test]
    fn attribute_value_start_breaks_out() {
        let e = events("x\" onmouseover=\"alert(1)", Start::AttrValue(b'"'));
        assert_eq!(e, ["attr =x", "attr onmouseover=alert(1)"]);
    }
}
