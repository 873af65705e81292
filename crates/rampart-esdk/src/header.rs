//! The message header: its body (format 1 or 2), serialized for writing and read from a stream
//! under limits, and its authentication fields.

use crate::context::{self, EncryptionContext};
use crate::error::{Error, Result};
use crate::materials::EncryptedDataKey;
use crate::suite::{AlgorithmSuite, IV_LEN, TAG_LEN};
use crate::wire::{Cursor, put_short_bytes};
use std::io::Read;

/// Content type of framed bodies.
pub const FRAMED: u8 = 0x02;
/// Content type of non-framed bodies (read only).
pub const NON_FRAMED: u8 = 0x01;
/// Format 1's only message type: customer authenticated encrypted data.
const TYPE_CUSTOMER_AED: u8 = 0x80;

/// A parsed or to-be-written header body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HeaderBody {
    /// The suite (and so the format version).
    pub suite: AlgorithmSuite,
    /// 16 (format 1) or 32 (format 2) random bytes.
    pub message_id: Vec<u8>,
    /// The stored encryption context.
    pub context: EncryptionContext,
    /// The encrypted data keys.
    pub encrypted_data_keys: Vec<EncryptedDataKey>,
    /// [`FRAMED`] or [`NON_FRAMED`].
    pub content_type: u8,
    /// Plaintext bytes per regular frame (0 for non-framed).
    pub frame_length: u32,
    /// Format 2: the commit key.
    pub suite_data: Vec<u8>,
}

impl HeaderBody {
    /// The serialized header body.
    pub fn serialize(&self) -> Result<Vec<u8>> {
        let version = self.suite.message_version();
        let mut out = vec![version];
        if version == 1 {
            out.push(TYPE_CUSTOMER_AED);
        }
        out.extend_from_slice(&self.suite.id().to_be_bytes());
        out.extend_from_slice(&self.message_id);
        put_short_bytes(
            &mut out,
            &context::serialize(&self.context)?,
            "context too long",
        )?;
        let count = u16::try_from(self.encrypted_data_keys.len())
            .map_err(|_| Error::Usage("more than 65,535 encrypted data keys"))?;
        out.extend_from_slice(&count.to_be_bytes());
        for edk in &self.encrypted_data_keys {
            put_short_bytes(&mut out, edk.provider_id.as_bytes(), "provider id too long")?;
            put_short_bytes(&mut out, &edk.provider_info, "provider info too long")?;
            put_short_bytes(&mut out, &edk.ciphertext, "encrypted data key too long")?;
        }
        out.push(self.content_type);
        if version == 1 {
            out.extend_from_slice(&[0, 0, 0, 0]);
            out.push(IV_LEN as u8);
        }
        out.extend_from_slice(&self.frame_length.to_be_bytes());
        out.extend_from_slice(&self.suite_data);
        Ok(out)
    }
}

/// Limits applied while reading a header.
#[derive(Debug, Clone, Copy)]
pub struct ReadLimits {
    /// Most encrypted data keys accepted (`None`: no limit beyond the format's).
    pub max_encrypted_data_keys: Option<usize>,
}

/// Reads a header body from `input`, returning it with its exact bytes.
pub fn read_body(input: &mut dyn Read, limits: ReadLimits) -> Result<(HeaderBody, Vec<u8>)> {
    let mut raw = Vec::with_capacity(256);
    let version = read_into(input, &mut raw, 1, "version")?[0];
    if version == 1 && read_into(input, &mut raw, 1, "type")?[0] != TYPE_CUSTOMER_AED {
        return Err(Error::Malformed("unknown message type"));
    }
    if version != 1 && version != 2 {
        return Err(Error::Malformed("unknown message format version"));
    }
    let id = read_into(input, &mut raw, 2, "suite id")?;
    let suite = AlgorithmSuite::from_id(u16::from_be_bytes([id[0], id[1]]))?;
    if suite.message_version() != version {
        return Err(Error::Malformed(
            "algorithm suite of another format version",
        ));
    }
    read_into(input, &mut raw, suite.message_id_len(), "message id")?;
    let context_len = read_u16(input, &mut raw, "context length")?;
    read_into(input, &mut raw, context_len, "encryption context")?;
    let edk_count = read_u16(input, &mut raw, "encrypted data key count")?;
    if edk_count == 0 {
        return Err(Error::Malformed("no encrypted data key"));
    }
    if let Some(limit) = limits.max_encrypted_data_keys.filter(|l| edk_count > *l) {
        return Err(Error::TooManyDataKeys {
            found: edk_count,
            limit,
        });
    }
    for _ in 0..edk_count * 3 {
        let len = read_u16(input, &mut raw, "encrypted data key")?;
        read_into(input, &mut raw, len, "encrypted data key")?;
    }
    let tail = if version == 1 { 1 + 4 + 1 + 4 } else { 1 + 4 };
    read_into(input, &mut raw, tail + suite.suite_data_len(), "header")?;
    let body = parse_body(&raw)?;
    Ok((body, raw))
}

/// Parses a complete header body (already bounded by [`read_body`]).
fn parse_body(raw: &[u8]) -> Result<HeaderBody> {
    let mut c = Cursor::new(raw);
    let version = c.u8("version")?;
    if version == 1 {
        c.u8("type")?;
    }
    let suite = AlgorithmSuite::from_id(c.u16("suite id")?)?;
    let message_id = c.take(suite.message_id_len(), "message id")?.to_vec();
    let context = context::parse(c.short_bytes("encryption context")?)?;
    let count = c.u16("encrypted data key count")?;
    let mut encrypted_data_keys = Vec::with_capacity(usize::from(count));
    for _ in 0..count {
        let provider_id = std::str::from_utf8(c.short_bytes("provider id")?)
            .map_err(|_| Error::Malformed("provider id not UTF-8"))?
            .to_owned();
        let provider_info = c.short_bytes("provider info")?.to_vec();
        let ciphertext = c.short_bytes("encrypted data key")?.to_vec();
        encrypted_data_keys.push(EncryptedDataKey {
            provider_id,
            provider_info,
            ciphertext,
        });
    }
    let content_type = c.u8("content type")?;
    if version == 1 {
        if c.u32("reserved")? != 0 {
            return Err(Error::Malformed("reserved bytes are not zero"));
        }
        if usize::from(c.u8("IV length")?) != IV_LEN {
            return Err(Error::Malformed("IV length does not match the suite"));
        }
    }
    let frame_length = c.u32("frame length")?;
    let suite_data = c
        .take(suite.suite_data_len(), "algorithm suite data")?
        .to_vec();
    check_content(content_type, frame_length)?;
    Ok(HeaderBody {
        suite,
        message_id,
        context,
        encrypted_data_keys,
        content_type,
        frame_length,
        suite_data,
    })
}

fn check_content(content_type: u8, frame_length: u32) -> Result<()> {
    match (content_type, frame_length) {
        (FRAMED, 0) => Err(Error::Malformed("framed content with a zero frame length")),
        (FRAMED, _) | (NON_FRAMED, 0) => Ok(()),
        (NON_FRAMED, _) => Err(Error::Malformed("non-framed content with a frame length")),
        _ => Err(Error::Malformed("unknown content type")),
    }
}

/// The header authentication fields after the body: the IV (format 1, all zeros) and the tag.
pub fn auth_len(suite: AlgorithmSuite) -> usize {
    if suite.message_version() == 1 {
        IV_LEN + TAG_LEN
    } else {
        TAG_LEN
    }
}

/// Most memory reserved ahead of the bytes actually read.
const READ_STEP: usize = 1 << 20;

/// Reads exactly `n` bytes, appending them to `raw`; answers the bytes read (a short input is
/// `Malformed(what)`).
pub fn read_into<'a>(
    input: &mut dyn Read,
    raw: &'a mut Vec<u8>,
    n: usize,
    what: &'static str,
) -> Result<&'a [u8]> {
    let start = raw.len();
    // Memory follows the bytes that really arrive, not the length a message claims: a
    // truncated message announcing a 4 GiB frame costs what it holds (found by fuzzing).
    raw.reserve(n.min(READ_STEP));
    let got = Read::take(&mut *input, n as u64).read_to_end(raw)?;
    if got != n {
        return Err(Error::Malformed(what));
    }
    Ok(&raw[start..])
}

fn read_u16(input: &mut dyn Read, raw: &mut Vec<u8>, what: &'static str) -> Result<usize> {
    let b = read_into(input, raw, 2, what)?;
    Ok(usize::from(u16::from_be_bytes([b[0], b[1]])))
}
