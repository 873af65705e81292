//! The message body's building blocks: the AAD and IV of each frame, and the header
//! authentication tag computed with the same derived key.

use crate::error::Result;
use crate::keys::DerivedKey;
use crate::suite::{IV_LEN, TAG_LEN};

/// The sequence number that marks a final frame.
pub const FINAL_FRAME_MARK: u32 = 0xFFFF_FFFF;

/// Which kind of content a body AAD authenticates.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Content {
    /// A regular frame.
    Frame,
    /// The final frame.
    FinalFrame,
    /// A non-framed body.
    SingleBlock,
}

impl Content {
    fn label(self) -> &'static [u8] {
        match self {
            Content::Frame => b"AWSKMSEncryptionClient Frame",
            Content::FinalFrame => b"AWSKMSEncryptionClient Final Frame",
            Content::SingleBlock => b"AWSKMSEncryptionClient Single Block",
        }
    }
}

/// The AAD of one frame: message id, content label, sequence number, plaintext length.
pub fn body_aad(message_id: &[u8], content: Content, sequence: u32, length: u64) -> Vec<u8> {
    let label = content.label();
    let mut aad = Vec::with_capacity(message_id.len() + label.len() + 12);
    aad.extend_from_slice(message_id);
    aad.extend_from_slice(label);
    aad.extend_from_slice(&sequence.to_be_bytes());
    aad.extend_from_slice(&length.to_be_bytes());
    aad
}

/// The IV of frame `sequence`: the sequence number, left-padded with zeros.
pub fn frame_iv(sequence: u32) -> [u8; IV_LEN] {
    let mut iv = [0u8; IV_LEN];
    iv[IV_LEN - 4..].copy_from_slice(&sequence.to_be_bytes());
    iv
}

/// The header authentication tag: AES-GCM of nothing, IV zero, AAD the header body followed
/// by the serialized authenticate-only context (`extra`, empty unless some context keys are
/// required but not stored).
pub fn header_tag(key: &DerivedKey, header_body: &[u8], extra: &[u8]) -> Result<[u8; TAG_LEN]> {
    let mut aad = Vec::with_capacity(header_body.len() + extra.len());
    aad.extend_from_slice(header_body);
    aad.extend_from_slice(extra);
    key.seal([0u8; IV_LEN], &aad, &mut [])
}

/// Checks a header's tag.
pub fn verify_header_tag(
    key: &DerivedKey,
    header_body: &[u8],
    extra: &[u8],
    tag: &[u8],
) -> Result<()> {
    let mut aad = Vec::with_capacity(header_body.len() + extra.len());
    aad.extend_from_slice(header_body);
    aad.extend_from_slice(extra);
    let mut sealed = tag.to_vec();
    key.open(
        [0u8; IV_LEN],
        &aad,
        &mut sealed,
        "header authentication tag",
    )?;
    Ok(())
}
