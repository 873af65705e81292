//! TextTransformations: every value of the model's `TextTransformationType`, applied in
//! priority order. Each step returns `None` when it changes nothing, so an unchanged value is
//! never copied (`Cow::Borrowed` through the chain).

mod decode;
mod text;

use crate::error::{CompileError, Result};
use crate::json;
use serde_json::Value;
use std::borrow::Cow;

/// One text transformation type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[allow(missing_docs)]
pub enum TransformKind {
    None,
    CompressWhiteSpace,
    HtmlEntityDecode,
    Lowercase,
    CmdLine,
    UrlDecode,
    Base64Decode,
    HexDecode,
    Md5,
    ReplaceComments,
    EscapeSeqDecode,
    SqlHexDecode,
    CssDecode,
    JsDecode,
    NormalizePath,
    NormalizePathWin,
    RemoveNulls,
    ReplaceNulls,
    Base64DecodeExt,
    UrlDecodeUni,
    Utf8ToUnicode,
    RemoveWhitespace,
    Trim,
    TrimLeft,
    TrimRight,
    RemoveCommentsChar,
    Uppercase,
    CmdLineWin,
    CmdLineUnix,
    JsDecodeExt,
    Sha256,
}

/// The model's names, in the model's order.
const NAMES: [(&str, TransformKind); 31] = [
    ("NONE", TransformKind::None),
    ("COMPRESS_WHITE_SPACE", TransformKind::CompressWhiteSpace),
    ("HTML_ENTITY_DECODE", TransformKind::HtmlEntityDecode),
    ("LOWERCASE", TransformKind::Lowercase),
    ("CMD_LINE", TransformKind::CmdLine),
    ("URL_DECODE", TransformKind::UrlDecode),
    ("BASE64_DECODE", TransformKind::Base64Decode),
    ("HEX_DECODE", TransformKind::HexDecode),
    ("MD5", TransformKind::Md5),
    ("REPLACE_COMMENTS", TransformKind::ReplaceComments),
    ("ESCAPE_SEQ_DECODE", TransformKind::EscapeSeqDecode),
    ("SQL_HEX_DECODE", TransformKind::SqlHexDecode),
    ("CSS_DECODE", TransformKind::CssDecode),
    ("JS_DECODE", TransformKind::JsDecode),
    ("NORMALIZE_PATH", TransformKind::NormalizePath),
    ("NORMALIZE_PATH_WIN", TransformKind::NormalizePathWin),
    ("REMOVE_NULLS", TransformKind::RemoveNulls),
    ("REPLACE_NULLS", TransformKind::ReplaceNulls),
    ("BASE64_DECODE_EXT", TransformKind::Base64DecodeExt),
    ("URL_DECODE_UNI", TransformKind::UrlDecodeUni),
    ("UTF8_TO_UNICODE", TransformKind::Utf8ToUnicode),
    ("REMOVE_WHITESPACE", TransformKind::RemoveWhitespace),
    ("TRIM", TransformKind::Trim),
    ("TRIM_LEFT", TransformKind::TrimLeft),
    ("TRIM_RIGHT", TransformKind::TrimRight),
    ("REMOVE_COMMENTS_CHAR", TransformKind::RemoveCommentsChar),
    ("UPPERCASE", TransformKind::Uppercase),
    ("CMD_LINE_WIN", TransformKind::CmdLineWin),
    ("CMD_LINE_UNIX", TransformKind::CmdLineUnix),
    ("JS_DECODE_EXT", TransformKind::JsDecodeExt),
    ("SHA256", TransformKind::Sha256),
];

impl TransformKind {
    /// The kind named `name` in the model (`"URL_DECODE"`).
    pub fn from_name(name: &str) -> Option<TransformKind> {
        NAMES.iter().find(|(n, _)| *n == name).map(|(_, k)| *k)
    }

    /// All kinds, in the model's order.
    pub fn all() -> impl Iterator<Item = TransformKind> {
        NAMES.iter().map(|(_, k)| *k)
    }

    /// Applies this transformation; `None` when the value is unchanged.
    pub fn apply(self, input: &[u8]) -> Option<Vec<u8>> {
        use TransformKind as K;
        match self {
            K::None => None,
            K::CompressWhiteSpace => text::compress_white_space(input),
            K::HtmlEntityDecode => decode::html_entity(input),
            K::Lowercase => text::lowercase(input),
            K::Uppercase => text::uppercase(input),
            K::CmdLine => text::cmd_line(input),
            K::CmdLineWin => text::cmd_line_win(input),
            K::CmdLineUnix => text::cmd_line_unix(input),
            K::UrlDecode => decode::url(input, false),
            K::UrlDecodeUni => decode::url(input, true),
            K::Base64Decode => decode::base64(input, false),
            K::Base64DecodeExt => decode::base64(input, true),
            K::HexDecode => decode::hex(input),
            K::Md5 => Some(text::md5(input)),
            K::Sha256 => Some(text::sha256(input)),
            K::ReplaceComments => text::replace_comments(input),
            K::RemoveCommentsChar => text::remove_comments_char(input),
            K::EscapeSeqDecode => decode::escape_seq(input),
            K::SqlHexDecode => decode::sql_hex(input),
            K::CssDecode => decode::css(input),
            K::JsDecode => decode::js(input, false),
            K::JsDecodeExt => decode::js(input, true),
            K::NormalizePath => text::normalize_path(input, false),
            K::NormalizePathWin => text::normalize_path(input, true),
            K::RemoveNulls => text::remove_nulls(input),
            K::ReplaceNulls => text::replace_nulls(input),
            K::Utf8ToUnicode => decode::utf8_to_unicode(input),
            K::RemoveWhitespace => text::remove_whitespace(input),
            K::Trim => text::trim(input, true, true),
            K::TrimLeft => text::trim(input, true, false),
            K::TrimRight => text::trim(input, false, true),
        }
    }
}

/// A statement's transformations, sorted by priority.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Transforms(Vec<TransformKind>);

impl Transforms {
    /// Transformations in the given order.
    pub fn new(kinds: Vec<TransformKind>) -> Transforms {
        Transforms(kinds)
    }

    /// Parses a `TextTransformations` list (`[{"Priority": 0, "Type": "NONE"}]`): priorities
    /// must differ; applied lowest first.
    pub(crate) fn parse(items: &[Value], what: &str) -> Result<Transforms> {
        let mut list = Vec::with_capacity(items.len());
        for item in items {
            let obj = json::object(item, what)?;
            let priority = json::req_i64(obj, "Priority", what)?;
            let kind = json::enum_str(obj, "Type", what, TransformKind::from_name)?;
            if list.iter().any(|(p, _)| *p == priority) {
                return Err(CompileError::invalid(format!(
                    "{what}: the priorities of text transformations must be different ({priority} is repeated)"
                )));
            }
            list.push((priority, kind));
        }
        list.sort_by_key(|(p, _)| *p);
        let kinds = list
            .into_iter()
            .map(|(_, k)| k)
            .filter(|k| *k != TransformKind::None);
        Ok(Transforms(kinds.collect()))
    }

    /// No transformation to apply.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Applies every transformation in order, copying only when one changes the value.
    pub fn apply<'a>(&self, input: &'a [u8]) -> Cow<'a, [u8]> {
        let mut value = Cow::Borrowed(input);
        for kind in &self.0 {
            if let Some(changed) = kind.apply(&value) {
                value = Cow::Owned(changed);
            }
        }
        value
    }
}

#[cfg(test)]
mod tests;
