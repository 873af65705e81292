//! Decoding transformations: URL, Base64, hex, HTML entities, C/JS/CSS escapes, SQL hex and
//! UTF-8 to `%uHHHH`. Malformed sequences stay as they are (they are evidence).

fn hex_val(b: u8) -> Option<u8> {
    (b as char).to_digit(16).map(|d| d as u8)
}

/// The value of the hex digits `digits` (at most 8), if all are hex.
fn hex_num(digits: &[u8]) -> Option<u32> {
    digits.iter().try_fold(0u32, |acc, &b| {
        Some(acc.checked_mul(16)? + u32::from(hex_val(b)?))
    })
}

/// A code point as output: ASCII as itself, others UTF-8 encoded (invalid ones as their low byte).
fn push_code_point(out: &mut Vec<u8>, cp: u32) {
    match char::from_u32(cp) {
        Some(c) if cp >= 0x80 => {
            let mut buf = [0u8; 4];
            out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
        }
        _ => out.push((cp & 0xff) as u8),
    }
}

/// A `\uHHHH` value as one byte, as IIS and ModSecurity decode it: full-width ASCII
/// (U+FF01–U+FF5E) becomes its ASCII form, other code points their low byte.
fn unicode_byte(cp: u32) -> u8 {
    if (0xff01..=0xff5e).contains(&cp) {
        ((cp & 0xff) + 0x20) as u8
    } else {
        (cp & 0xff) as u8
    }
}

/// URL_DECODE: `%HH` and `+` (space). URL_DECODE_UNI also `%uHHHH` (see [`unicode_byte`]).
/// The runs between `%` and `+` are found with `memchr2` (SIMD) and copied whole.
pub(super) fn url(input: &[u8], uni: bool) -> Option<Vec<u8>> {
    let first = memchr::memchr2(b'%', b'+', input)?;
    let mut out = Vec::with_capacity(input.len());
    out.extend_from_slice(&input[..first]);
    let mut i = first;
    while i < input.len() {
        i += url_escape(&input[i..], uni, &mut out);
        let run_end = memchr::memchr2(b'%', b'+', &input[i..]).map_or(input.len(), |p| i + p);
        out.extend_from_slice(&input[i..run_end]);
        i = run_end;
    }
    (out != input).then_some(out)
}

/// Decodes the escape `rest` starts with (`%`, `+`) into `out`; the bytes it took.
fn url_escape(rest: &[u8], uni: bool, out: &mut Vec<u8>) -> usize {
    if uni
        && rest.len() >= 6
        && rest[0] == b'%'
        && (rest[1] | 0x20) == b'u'
        && let Some(cp) = hex_num(&rest[2..6])
    {
        out.push(unicode_byte(cp));
        return 6;
    }
    match rest {
        [b'%', h, l, ..] if hex_val(*h).is_some() && hex_val(*l).is_some() => {
            out.push(hex_val(*h).unwrap_or(0) * 16 + hex_val(*l).unwrap_or(0));
            3
        }
        [b'+', ..] => {
            out.push(b' ');
            1
        }
        [b, ..] => {
            out.push(*b);
            1
        }
        [] => 0,
    }
}

fn base64_val(b: u8) -> Option<u32> {
    match b {
        b'A'..=b'Z' => Some(u32::from(b - b'A')),
        b'a'..=b'z' => Some(u32::from(b - b'a') + 26),
        b'0'..=b'9' => Some(u32::from(b - b'0') + 52),
        b'+' | b'-' => Some(62),
        b'/' | b'_' => Some(63),
        _ => None,
    }
}

/// BASE64_DECODE decodes up to the first character outside the alphabet (or `=`);
/// BASE64_DECODE_EXT skips characters outside it and decodes the rest.
pub(super) fn base64(input: &[u8], forgiving: bool) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(input.len() / 4 * 3 + 2);
    let (mut acc, mut bits) = (0u32, 0u32);
    for &b in input {
        let Some(v) = base64_val(b) else {
            if forgiving && b != b'=' {
                continue;
            }
            break;
        };
        acc = (acc << 6) | v;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    (out != input).then_some(out)
}

/// HEX_DECODE: pairs of hex digits to bytes; a value that is not all hex pairs is unchanged.
pub(super) fn hex(input: &[u8]) -> Option<Vec<u8>> {
    if input.is_empty() || !input.len().is_multiple_of(2) {
        return None;
    }
    input
        .chunks(2)
        .map(|pair| Some(hex_val(pair[0])? * 16 + hex_val(pair[1])?))
        .collect()
}

/// HTML_ENTITY_DECODE: `&#xhhhh;`, `&#dddd;` (the `;` optional), `&quot;`, `&amp;`, `&lt;`,
/// `&gt;`, `&apos;` and `&nbsp;` (byte 160); numeric references above 127 as UTF-8.
pub(super) fn html_entity(input: &[u8]) -> Option<Vec<u8>> {
    if !input.contains(&b'&') {
        return None;
    }
    let mut out = Vec::with_capacity(input.len());
    let mut i = 0;
    while i < input.len() {
        let entity = if input[i] == b'&' {
            entity_at(&input[i..])
        } else {
            None
        };
        match entity {
            Some((used, cp)) if cp <= 0xff && input[i + 1] != b'#' => {
                out.push(cp as u8);
                i += used;
            }
            Some((used, cp)) => {
                push_code_point(&mut out, cp);
                i += used;
            }
            None => {
                out.push(input[i]);
                i += 1;
            }
        }
    }
    (out != input).then_some(out)
}

/// The entity at the start of `s`: (bytes used, code point).
fn entity_at(s: &[u8]) -> Option<(usize, u32)> {
    const NAMED: [(&[u8], u32); 6] = [
        (b"&quot;", 34),
        (b"&amp;", 38),
        (b"&lt;", 60),
        (b"&gt;", 62),
        (b"&apos;", 39),
        (b"&nbsp;", 160),
    ];
    if let Some((name, cp)) = NAMED
        .iter()
        .find(|(n, _)| s.len() >= n.len() && s[..n.len()].eq_ignore_ascii_case(n))
    {
        return Some((name.len(), *cp));
    }
    let rest = s.strip_prefix(b"&#")?;
    let (hex, digits) = match rest.first() {
        Some(b'x' | b'X') => (true, &rest[1..]),
        _ => (false, rest),
    };
    let valid = |b: &u8| {
        if hex {
            b.is_ascii_hexdigit()
        } else {
            b.is_ascii_digit()
        }
    };
    let n = digits.iter().take_while(|b| valid(b)).count().min(8);
    if n == 0 {
        return None;
    }
    let radix = if hex { 16 } else { 10 };
    let text = std::str::from_utf8(&digits[..n]).ok()?;
    let cp = u32::from_str_radix(text, radix).ok()?;
    let semi = usize::from(digits.get(n) == Some(&b';'));
    Some((2 + usize::from(hex) + n + semi, cp))
}

/// ESCAPE_SEQ_DECODE: the ANSI C escapes `\a \b \f \n \r \t \v \\ \? \' \"`, `\xHH` and
/// `\0oo` octal (one to three digits); an unknown escape keeps its character.
pub(super) fn escape_seq(input: &[u8]) -> Option<Vec<u8>> {
    if !input.contains(&b'\\') {
        return None;
    }
    let mut out = Vec::with_capacity(input.len());
    let mut i = 0;
    while i < input.len() {
        if input[i] != b'\\' || i + 1 == input.len() {
            out.push(input[i]);
            i += 1;
            continue;
        }
        let (byte, used) = c_escape(&input[i + 1..]);
        out.push(byte);
        i += 1 + used;
    }
    (out != input).then_some(out)
}

/// One C escape after its backslash: (byte, bytes used). `rest` is never empty.
fn c_escape(rest: &[u8]) -> (u8, usize) {
    let simple = match rest[0] {
        b'a' => Some(7),
        b'b' => Some(8),
        b'f' => Some(12),
        b'n' => Some(10),
        b'r' => Some(13),
        b't' => Some(9),
        b'v' => Some(11),
        _ => None,
    };
    if let Some(b) = simple {
        return (b, 1);
    }
    if rest[0] == b'x'
        && let Some(v) = rest.get(1..3).and_then(hex_num)
    {
        return (v as u8, 3);
    }
    let octal = rest
        .iter()
        .take(3)
        .take_while(|b| (b'0'..=b'7').contains(b))
        .count();
    if octal > 0 {
        let v = rest[..octal]
            .iter()
            .fold(0u32, |acc, b| acc * 8 + u32::from(b - b'0'));
        return ((v & 0xff) as u8, octal);
    }
    (rest[0], 1)
}

/// SQL_HEX_DECODE: `0x` followed by hex pairs becomes the bytes (`0x414243` → `ABC`).
pub(super) fn sql_hex(input: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(input.len());
    let mut i = 0;
    while i < input.len() {
        let rest = &input[i..];
        let pairs = if rest.len() >= 4 && rest[0] == b'0' && (rest[1] | 0x20) == b'x' {
            rest[2..]
                .iter()
                .take_while(|b| b.is_ascii_hexdigit())
                .count()
                / 2
        } else {
            0
        };
        if pairs == 0 {
            out.push(input[i]);
            i += 1;
            continue;
        }
        for pair in rest[2..2 + pairs * 2].chunks(2) {
            out.push(hex_val(pair[0]).unwrap_or(0) * 16 + hex_val(pair[1]).unwrap_or(0));
        }
        i += 2 + pairs * 2;
    }
    (out != input).then_some(out)
}

/// CSS_DECODE (CSS 2.x escapes): `\` + one to six hex digits (one following whitespace
/// consumed) becomes the character from the last two digits, full-width ASCII as ASCII;
/// `\` + newline is removed; `\` + another character is that character.
pub(super) fn css(input: &[u8]) -> Option<Vec<u8>> {
    if !input.contains(&b'\\') {
        return None;
    }
    let mut out = Vec::with_capacity(input.len());
    let mut i = 0;
    while i < input.len() {
        if input[i] != b'\\' || i + 1 == input.len() {
            out.push(input[i]);
            i += 1;
            continue;
        }
        let rest = &input[i + 1..];
        let n = rest
            .iter()
            .take(6)
            .take_while(|b| b.is_ascii_hexdigit())
            .count();
        if n > 0 {
            let cp = hex_num(&rest[..n]).unwrap_or(0);
            out.push(unicode_byte(cp));
            let ws = usize::from(rest.get(n).is_some_and(u8::is_ascii_whitespace));
            i += 1 + n + ws;
        } else if rest[0] == b'\n' {
            i += 2;
        } else {
            out.push(rest[0]);
            i += 2;
        }
    }
    (out != input).then_some(out)
}

/// JS_DECODE: `\uHHHH` (as [`unicode_byte`]), `\xHH`, octal and the C escapes; an unknown
/// escape keeps its character. JS_DECODE_EXT decodes `\uHHHH` and `\u{H…}` to UTF-8 instead.
pub(super) fn js(input: &[u8], ext: bool) -> Option<Vec<u8>> {
    if !input.contains(&b'\\') {
        return None;
    }
    let mut out = Vec::with_capacity(input.len());
    let mut i = 0;
    while i < input.len() {
        if input[i] != b'\\' || i + 1 == input.len() {
            out.push(input[i]);
            i += 1;
            continue;
        }
        let rest = &input[i + 1..];
        if let Some((cp, used)) = js_unicode(rest, ext) {
            if ext {
                push_code_point(&mut out, cp);
            } else {
                out.push(unicode_byte(cp));
            }
            i += 1 + used;
            continue;
        }
        let (byte, used) = c_escape(rest);
        out.push(byte);
        i += 1 + used;
    }
    (out != input).then_some(out)
}

/// `uHHHH` (or, with `ext`, `u{H…}` of one to six digits) after a backslash.
fn js_unicode(rest: &[u8], ext: bool) -> Option<(u32, usize)> {
    let body = rest.strip_prefix(b"u")?;
    if ext && body.first() == Some(&b'{') {
        let close = body.iter().position(|&b| b == b'}')?;
        if (2..=7).contains(&close) {
            return Some((hex_num(&body[1..close])?, 2 + close));
        }
        return None;
    }
    Some((hex_num(body.get(..4)?)?, 5))
}

/// UTF8_TO_UNICODE: each multi-byte UTF-8 sequence becomes `%uHHHH` (the code point, at least
/// four hex digits); other bytes are unchanged.
pub(super) fn utf8_to_unicode(input: &[u8]) -> Option<Vec<u8>> {
    if input.is_ascii() {
        return None;
    }
    let mut out = Vec::with_capacity(input.len() * 2);
    for chunk in input.utf8_chunks() {
        for c in chunk.valid().chars() {
            if c.is_ascii() {
                out.push(c as u8);
            } else {
                out.extend_from_slice(format!("%u{:04x}", u32::from(c)).as_bytes());
            }
        }
        out.extend_from_slice(chunk.invalid());
    }
    (out != input).then_some(out)
}
