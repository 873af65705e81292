//! The few DER (X.690) encodings aws-lc-rs cannot write for ML-KEM: a tag-length-value writer and
//! a strict reader (definite, minimal lengths only). Encoding only — no cryptography here.

/// SEQUENCE.
pub(crate) const SEQUENCE: u8 = 0x30;
/// INTEGER.
pub(crate) const INTEGER: u8 = 0x02;
/// OCTET STRING.
pub(crate) const OCTET_STRING: u8 = 0x04;
/// BIT STRING.
pub(crate) const BIT_STRING: u8 = 0x03;
/// OBJECT IDENTIFIER.
pub(crate) const OID: u8 = 0x06;

/// `tag || length || content`.
pub(crate) fn tlv(tag: u8, content: &[u8]) -> Vec<u8> {
    let len = content.len();
    let mut out = Vec::with_capacity(content.len() + 6);
    out.push(tag);
    if len < 0x80 {
        out.push(len as u8);
    } else {
        let bytes = len.to_be_bytes();
        let skip = bytes.iter().take_while(|b| **b == 0).count();
        out.push(0x80 | (bytes.len() - skip) as u8);
        out.extend_from_slice(&bytes[skip..]);
    }
    out.extend_from_slice(content);
    out
}

/// Reads one element with tag `tag` from the front of `input`: `(content, rest)`. `None` when
/// the tag differs, the length is not minimal DER, or the input is short.
pub(crate) fn read(input: &[u8], tag: u8) -> Option<(&[u8], &[u8])> {
    let (&first, rest) = input.split_first()?;
    if first != tag {
        return None;
    }
    let (&len_byte, rest) = rest.split_first()?;
    let (len, rest) = if len_byte < 0x80 {
        (usize::from(len_byte), rest)
    } else {
        long_length(len_byte, rest)?
    };
    if rest.len() < len {
        return None;
    }
    Some(rest.split_at(len))
}

/// A long-form length: `0x80 | n` then `n` big-endian bytes, minimal (no leading zero, ≥ 128).
fn long_length(len_byte: u8, rest: &[u8]) -> Option<(usize, &[u8])> {
    let n = usize::from(len_byte & 0x7f);
    if n == 0 || n > 4 || rest.len() < n || rest[0] == 0 {
        return None;
    }
    let (bytes, rest) = rest.split_at(n);
    let len = bytes
        .iter()
        .fold(0usize, |acc, b| (acc << 8) | usize::from(*b));
    (len >= 0x80).then_some((len, rest))
}

/// Reads exactly one element with tag `tag` that fills all of `input`.
pub(crate) fn read_all(input: &[u8], tag: u8) -> Option<&[u8]> {
    match read(input, tag)? {
        (content, []) => Some(content),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lengths_round_trip() {
        for len in [0usize, 1, 127, 128, 255, 256, 3168, 70000] {
            let content = vec![7u8; len];
            let encoded = tlv(OCTET_STRING, &content);
            assert_eq!(read_all(&encoded, OCTET_STRING), Some(&content[..]));
        }
    }

    #[test]
    fn rejects_non_minimal_and_short() {
        assert_eq!(read(&[0x04, 0x81, 0x05, 1, 2, 3, 4, 5], OCTET_STRING), None);
        assert_eq!(read(&[0x04, 0x82, 0x00, 0x80], OCTET_STRING), None);
        assert_eq!(read(&[0x04, 0x03, 1, 2], OCTET_STRING), None);
        assert_eq!(read(&[0x04, 0x01, 1], SEQUENCE), None);
        assert_eq!(read_all(&[0x04, 0x01, 1, 0], OCTET_STRING), None);
    }
}
