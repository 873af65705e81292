//! Big-endian reading and writing of the message's length-prefixed fields.

use crate::error::{Error, Result};

/// A cursor over bytes already read; every read checks the bounds.
pub struct Cursor<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Cursor<'a> {
    /// A cursor at the start of `bytes`.
    pub fn new(bytes: &'a [u8]) -> Self {
        Self { bytes, at: 0 }
    }

    /// True when every byte has been read.
    pub fn is_empty(&self) -> bool {
        self.at == self.bytes.len()
    }

    /// The next `n` bytes.
    pub fn take(&mut self, n: usize, what: &'static str) -> Result<&'a [u8]> {
        let end = self.at.checked_add(n).ok_or(Error::Malformed(what))?;
        let slice = self.bytes.get(self.at..end).ok_or(Error::Malformed(what))?;
        self.at = end;
        Ok(slice)
    }

    /// One byte.
    pub fn u8(&mut self, what: &'static str) -> Result<u8> {
        Ok(self.take(1, what)?[0])
    }

    /// A big-endian `u16`.
    pub fn u16(&mut self, what: &'static str) -> Result<u16> {
        let b = self.take(2, what)?;
        Ok(u16::from_be_bytes([b[0], b[1]]))
    }

    /// A big-endian `u32`.
    pub fn u32(&mut self, what: &'static str) -> Result<u32> {
        let b = self.take(4, what)?;
        Ok(u32::from_be_bytes([b[0], b[1], b[2], b[3]]))
    }

    /// A field prefixed by its `u16` length.
    pub fn short_bytes(&mut self, what: &'static str) -> Result<&'a [u8]> {
        let len = self.u16(what)?;
        self.take(usize::from(len), what)
    }
}

/// Appends `bytes` prefixed by their `u16` length; fails when longer than 65,535 bytes.
pub fn put_short_bytes(out: &mut Vec<u8>, bytes: &[u8], what: &'static str) -> Result<()> {
    let len = u16::try_from(bytes.len()).map_err(|_| Error::Malformed(what))?;
    out.extend_from_slice(&len.to_be_bytes());
    out.extend_from_slice(bytes);
    Ok(())
}
