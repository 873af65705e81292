//! Transformations that reshape text: whitespace, case, command lines, comments, paths,
//! nulls and the two digests.

use md5::{Digest, Md5};
use sha2::Sha256;

/// `Some(out)` when `out` differs from `input`.
fn changed(input: &[u8], out: Vec<u8>) -> Option<Vec<u8>> {
    (out != input).then_some(out)
}

fn is_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\r' | 0x0b | 0x0c | 0xa0)
}

/// Whitespace characters (tab, newline, vertical tab, form feed, carriage return, 160) become
/// spaces and runs of spaces one space.
pub(super) fn compress_white_space(input: &[u8]) -> Option<Vec<u8>> {
    if !input.iter().any(|&b| is_space(b) && b != b' ') && !input.windows(2).any(|w| w == b"  ") {
        return None;
    }
    let mut out = Vec::with_capacity(input.len());
    for &b in input {
        let b = if is_space(b) { b' ' } else { b };
        if !(b == b' ' && out.last() == Some(&b' ')) {
            out.push(b);
        }
    }
    changed(input, out)
}

/// ASCII A-Z to a-z.
pub(super) fn lowercase(input: &[u8]) -> Option<Vec<u8>> {
    input
        .iter()
        .any(u8::is_ascii_uppercase)
        .then(|| input.to_ascii_lowercase())
}

/// ASCII a-z to A-Z.
pub(super) fn uppercase(input: &[u8]) -> Option<Vec<u8>> {
    input
        .iter()
        .any(u8::is_ascii_lowercase)
        .then(|| input.to_ascii_uppercase())
}

/// CMD_LINE as AWS documents it: delete `\ " ' ^`, delete spaces before `/` and `(`, `,` and
/// `;` become spaces, runs of spaces one space, lower case.
pub(super) fn cmd_line(input: &[u8]) -> Option<Vec<u8>> {
    cmd_line_with(input, b"\\\"'^", true)
}

/// CMD_LINE_WIN: CMD_LINE for `cmd.exe`, whose escape character is `^` and quote `"`; the
/// backslash is a path separator there, so it is kept.
pub(super) fn cmd_line_win(input: &[u8]) -> Option<Vec<u8>> {
    cmd_line_with(input, b"\"^", true)
}

/// CMD_LINE_UNIX: CMD_LINE for POSIX shells: `$IFS` / `${IFS}` are word separators (spaces),
/// `\ " '` (escape and quotes) are deleted; `^` is kept (no meaning to a shell).
pub(super) fn cmd_line_unix(input: &[u8]) -> Option<Vec<u8>> {
    let mut spaced = Vec::with_capacity(input.len());
    let mut i = 0;
    while i < input.len() {
        let rest = &input[i..];
        if rest.starts_with(b"${IFS}") {
            spaced.push(b' ');
            i += 6;
        } else if rest.starts_with(b"$IFS") {
            spaced.push(b' ');
            i += 4;
        } else {
            spaced.push(input[i]);
            i += 1;
        }
    }
    let out = cmd_line_with(&spaced, b"\\\"'", true).unwrap_or(spaced);
    changed(input, out)
}

fn cmd_line_with(input: &[u8], deleted: &[u8], lower: bool) -> Option<Vec<u8>> {
    let mut out: Vec<u8> = Vec::with_capacity(input.len());
    for &b in input {
        match b {
            _ if deleted.contains(&b) => {}
            b',' | b';' | b' ' | b'\t' | b'\n' | b'\r' | 0x0b | 0x0c => {
                if out.last() != Some(&b' ') {
                    out.push(b' ');
                }
            }
            b'/' | b'(' => {
                while out.last() == Some(&b' ') {
                    out.pop();
                }
                out.push(b);
            }
            _ => out.push(if lower { b.to_ascii_lowercase() } else { b }),
        }
    }
    changed(input, out)
}

/// The 16-byte MD5 digest of the value.
pub(super) fn md5(input: &[u8]) -> Vec<u8> {
    Md5::digest(input).to_vec()
}

/// The 32-byte SHA-256 digest of the value.
pub(super) fn sha256(input: &[u8]) -> Vec<u8> {
    Sha256::digest(input).to_vec()
}

/// Each C-style comment `/* … */` (an unterminated one too) becomes one space.
pub(super) fn replace_comments(input: &[u8]) -> Option<Vec<u8>> {
    let first = find(input, b"/*")?;
    let mut out = input[..first].to_vec();
    let mut rest = &input[first..];
    while let Some(start) = find(rest, b"/*") {
        out.extend_from_slice(&rest[..start]);
        out.push(b' ');
        match find(&rest[start + 2..], b"*/") {
            Some(end) => rest = &rest[start + 2 + end + 2..],
            None => return Some(out),
        }
    }
    out.extend_from_slice(rest);
    Some(out)
}

/// Deletes the comment characters `/*`, `*/`, `<!--`, `-->`, `--` and `#`.
pub(super) fn remove_comments_char(input: &[u8]) -> Option<Vec<u8>> {
    const TOKENS: [&[u8]; 6] = [b"<!--", b"-->", b"/*", b"*/", b"--", b"#"];
    let mut out = Vec::with_capacity(input.len());
    let mut i = 0;
    'outer: while i < input.len() {
        for token in TOKENS {
            if input[i..].starts_with(token) {
                i += token.len();
                continue 'outer;
            }
        }
        out.push(input[i]);
        i += 1;
    }
    changed(input, out)
}

pub(super) fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// Removes repeated slashes, `.` segments and `..` segments with the one before them (never
/// above the root); NORMALIZE_PATH_WIN first turns `\` into `/`.
pub(super) fn normalize_path(input: &[u8], windows: bool) -> Option<Vec<u8>> {
    let converted = (windows && input.contains(&b'\\')).then(|| {
        input
            .iter()
            .map(|&b| if b == b'\\' { b'/' } else { b })
            .collect::<Vec<_>>()
    });
    let path = converted.as_deref().unwrap_or(input);
    if is_normal_path(path) {
        return converted;
    }
    let absolute = path.first() == Some(&b'/');
    let trailing = path.ends_with(b"/") || path.ends_with(b"/.") || path.ends_with(b"/..");
    let mut segments: Vec<&[u8]> = Vec::new();
    for segment in path.split(|&b| b == b'/') {
        match segment {
            b"" | b"." => {}
            b".." if segments.last().is_some_and(|s| *s != b"..") => {
                segments.pop();
            }
            b".." if absolute => {}
            _ => segments.push(segment),
        }
    }
    let mut out = Vec::with_capacity(path.len());
    if absolute {
        out.push(b'/');
    }
    out.extend_from_slice(&segments.join(&b'/'));
    if trailing && !segments.is_empty() {
        out.push(b'/');
    }
    changed(input, out)
}

/// No repeated slash and no `.` or `..` segment: nothing to normalize.
fn is_normal_path(path: &[u8]) -> bool {
    let mut segments = path.split(|&b| b == b'/');
    let first = segments.next().unwrap_or_default();
    first != b"." && first != b".." && segments.all(|s| !s.is_empty() && s != b"." && s != b"..")
        || path == b"/"
}

/// Deletes NUL bytes.
pub(super) fn remove_nulls(input: &[u8]) -> Option<Vec<u8>> {
    input
        .contains(&0)
        .then(|| input.iter().copied().filter(|&b| b != 0).collect())
}

/// NUL bytes become spaces.
pub(super) fn replace_nulls(input: &[u8]) -> Option<Vec<u8>> {
    input.contains(&0).then(|| {
        input
            .iter()
            .map(|&b| if b == 0 { b' ' } else { b })
            .collect()
    })
}

/// Deletes every whitespace character.
pub(super) fn remove_whitespace(input: &[u8]) -> Option<Vec<u8>> {
    input
        .iter()
        .any(|&b| is_space(b))
        .then(|| input.iter().copied().filter(|&b| !is_space(b)).collect())
}

/// Removes leading and/or trailing whitespace.
pub(super) fn trim(input: &[u8], left: bool, right: bool) -> Option<Vec<u8>> {
    let start = if left {
        input
            .iter()
            .position(|&b| !is_space(b))
            .unwrap_or(input.len())
    } else {
        0
    };
    let end = if right {
        input
            .iter()
            .rposition(|&b| !is_space(b))
            .map_or(start, |i| i + 1)
    } else {
        input.len()
    };
    let out = input[start..end.max(start)].to_vec();
    changed(input, out)
}
