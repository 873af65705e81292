//! A table per transformation: (input, expected output).

use super::{TransformKind as K, Transforms};
use std::borrow::Cow;

fn check(kind: K, cases: &[(&[u8], &[u8])]) {
    for (input, expected) in cases {
        let out = kind.apply(input);
        let got: &[u8] = out.as_deref().unwrap_or(input);
        assert_eq!(
            got,
            *expected,
            "{kind:?} of {:?}: got {:?}",
            String::from_utf8_lossy(input),
            String::from_utf8_lossy(got)
        );
        if got == *input {
            assert!(out.is_none(), "{kind:?} copied an unchanged value");
        }
    }
}

#[test]
fn names_cover_the_model_enum() {
    let model = [
        "NONE",
        "COMPRESS_WHITE_SPACE",
        "HTML_ENTITY_DECODE",
        "LOWERCASE",
        "CMD_LINE",
        "URL_DECODE",
        "BASE64_DECODE",
        "HEX_DECODE",
        "MD5",
        "REPLACE_COMMENTS",
        "ESCAPE_SEQ_DECODE",
        "SQL_HEX_DECODE",
        "CSS_DECODE",
        "JS_DECODE",
        "NORMALIZE_PATH",
        "NORMALIZE_PATH_WIN",
        "REMOVE_NULLS",
        "REPLACE_NULLS",
        "BASE64_DECODE_EXT",
        "URL_DECODE_UNI",
        "UTF8_TO_UNICODE",
        "REMOVE_WHITESPACE",
        "TRIM",
        "TRIM_LEFT",
        "TRIM_RIGHT",
        "REMOVE_COMMENTS_CHAR",
        "UPPERCASE",
        "CMD_LINE_WIN",
        "CMD_LINE_UNIX",
        "JS_DECODE_EXT",
        "SHA256",
    ];
    for name in model {
        assert!(K::from_name(name).is_some(), "{name}");
    }
    assert_eq!(K::all().count(), model.len());
    assert_eq!(K::from_name("url_decode"), None);
}

#[test]
fn whitespace_and_case() {
    check(
        K::CompressWhiteSpace,
        &[
            (b"a\t\n b\x0b\x0cc\xa0\xa0d", b"a b c d"),
            (b"a b", b"a b"),
            (b"a  b", b"a b"),
        ],
    );
    check(
        K::RemoveWhitespace,
        &[(b" a b\tc\n", b"abc"), (b"abc", b"abc")],
    );
    check(
        K::Trim,
        &[(b"  a b \t", b"a b"), (b"ab", b"ab"), (b"   ", b"")],
    );
    check(K::TrimLeft, &[(b"  a b ", b"a b ")]);
    check(K::TrimRight, &[(b"  a b ", b"  a b")]);
    check(
        K::Lowercase,
        &[
            (b"SeLeCt", b"select"),
            (b"abc", b"abc"),
            (b"\xc3\x89", b"\xc3\x89"),
        ],
    );
    check(K::Uppercase, &[(b"SeLeCt", b"SELECT"), (b"ABC", b"ABC")]);
}

#[test]
fn command_lines() {
    check(
        K::CmdLine,
        &[
            (b"C^ommand /c \"dir\"", b"command/c dir"),
            (b"a,b;c  d", b"a b c d"),
            (b"ec'h'o (x)", b"echo(x)"),
            (b"x\\y", b"xy"),
            (b"ls", b"ls"),
        ],
    );
    check(
        K::CmdLineWin,
        &[
            (b"p^o^w\"er\"shell", b"powershell"),
            (b"C:\\Windows", b"c:\\windows"),
        ],
    );
    check(
        K::CmdLineUnix,
        &[
            (b"cat$IFS/etc/passwd", b"cat/etc/passwd"),
            (b"c\\a't' ${IFS}x", b"cat x"),
            (b"a^b", b"a^b"),
        ],
    );
}

#[test]
fn url_decoding() {
    check(
        K::UrlDecode,
        &[
            (b"%3Cscript%3e", b"<script>"),
            (b"a+b", b"a b"),
            (b"100%", b"100%"),
            (b"%zz%4", b"%zz%4"),
            (b"plain", b"plain"),
            (b"runs %41 and+more %2", b"runs A and more %2"),
            (b"%%41++x%", b"%A  x%"),
        ],
    );
    check(
        K::UrlDecodeUni,
        &[(b"%u0041%uff1c%41", b"A<A"), (b"%u00", b"%u00")],
    );
}

#[test]
fn base64_and_hex() {
    check(
        K::Base64Decode,
        &[
            (b"SGVsbG8=", b"Hello"),
            (b"SGVs!bG8=", b"Hel"),
            (b"SGVsbG8", b"Hello"),
        ],
    );
    check(
        K::Base64DecodeExt,
        &[(b"SGV s!bG8=", b"Hello"), (b"S.G.V.s.b.G.8", b"Hello")],
    );
    check(
        K::HexDecode,
        &[(b"414243", b"ABC"), (b"41424", b"41424"), (b"4g", b"4g")],
    );
    check(
        K::SqlHexDecode,
        &[
            (b"select 0x414243 from", b"select ABC from"),
            (b"0x4", b"0x4"),
            (b"0x41x", b"Ax"),
        ],
    );
}

#[test]
fn entities_and_escapes() {
    check(
        K::HtmlEntityDecode,
        &[
            (b"&lt;script&gt;", b"<script>"),
            (b"&#60;&#x3c;&#X3C", b"<<<"),
            (b"&quot;&amp;&nbsp;", b"\"&\xa0"),
            (b"&#233;", "é".as_bytes()),
            (b"&unknown; &#;", b"&unknown; &#;"),
        ],
    );
    check(
        K::EscapeSeqDecode,
        &[
            (b"a\\nb\\x41\\101\\\\\\q", b"a\nbAA\\q"),
            (b"end\\", b"end\\"),
        ],
    );
    check(
        K::JsDecode,
        &[
            (b"\\u0041\\x42\\103\\t\\'", b"ABC\t'"),
            (b"\\uff1cscript", b"<script"),
            (b"\\u00", b"u00"),
        ],
    );
    check(
        K::JsDecodeExt,
        &[(b"\\u{1F600}\\u00e9", "😀é".as_bytes()), (b"\\u{41}", b"A")],
    );
    check(
        K::CssDecode,
        &[
            (b"ja\\vascript", b"javascript"),
            (b"\\6a avascript", b"javascript"),
            (b"a\\\nb", b"ab"),
            (b"\\00ff1c", b"<"),
            (b"\\0000ff1c", b"\xff1c"),
        ],
    );
    check(
        K::Utf8ToUnicode,
        &[
            ("é€".as_bytes(), b"%u00e9%u20ac"),
            (b"abc", b"abc"),
            (b"a\xffb", b"a\xffb"),
        ],
    );
}

#[test]
fn comments() {
    check(
        K::ReplaceComments,
        &[
            (b"sel/*x*/ect", b"sel ect"),
            (b"a/*open", b"a "),
            (b"a*/b", b"a*/b"),
            (b"a/**/b/**/c", b"a b c"),
        ],
    );
    check(
        K::RemoveCommentsChar,
        &[
            (b"sel/*x*/ect", b"selxect"),
            (b"a-- b#c<!--d-->", b"a bcd"),
            (b"a-b", b"a-b"),
        ],
    );
}

#[test]
fn paths() {
    check(
        K::NormalizePath,
        &[
            (b"/a//b/./c/../d", b"/a/b/d"),
            (b"/../../etc/passwd", b"/etc/passwd"),
            (b"/a/b/", b"/a/b/"),
            (b"/a/b/..", b"/a/"),
            (b"a/../../b", b"../b"),
            (b"/index.html", b"/index.html"),
            (b"a//b", b"a/b"),
            (b"./a", b"a"),
            (b"/", b"/"),
        ],
    );
    check(
        K::NormalizePathWin,
        &[
            (b"\\a\\..\\b\\.\\c", b"/b/c"),
            (b"/x", b"/x"),
            (b"\\a\\b", b"/a/b"),
        ],
    );
}

#[test]
fn nulls_and_digests() {
    check(K::RemoveNulls, &[(b"a\0b\0", b"ab"), (b"ab", b"ab")]);
    check(K::ReplaceNulls, &[(b"a\0b", b"a b")]);
    let md5 = K::Md5.apply(b"abc").unwrap_or_default();
    assert_eq!(md5, hex(b"900150983cd24fb0d6963f7d28e17f72"));
    let sha = K::Sha256.apply(b"abc").unwrap_or_default();
    assert_eq!(
        sha,
        hex(b"ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    );
}

fn hex(text: &[u8]) -> Vec<u8> {
    K::HexDecode.apply(text).unwrap_or_default()
}

#[test]
fn chains_apply_by_priority_and_borrow_when_unchanged() {
    let items: Vec<serde_json::Value> = serde_json::from_str(
        r#"[{"Priority": 2, "Type": "LOWERCASE"}, {"Priority": 1, "Type": "URL_DECODE"}, {"Priority": 0, "Type": "NONE"}]"#,
    )
    .unwrap_or_default();
    let tts = Transforms::parse(&items, "t").expect("parses");
    assert_eq!(&*tts.apply(b"%53ELECT"), b"select");
    assert!(matches!(tts.apply(b"plain"), Cow::Borrowed(_)));
    let dup: Vec<serde_json::Value> = serde_json::from_str(
        r#"[{"Priority": 1, "Type": "LOWERCASE"}, {"Priority": 1, "Type": "NONE"}]"#,
    )
    .unwrap_or_default();
    assert!(Transforms::parse(&dup, "t").is_err());
    let bad: Vec<serde_json::Value> =
        serde_json::from_str(r#"[{"Priority": 1, "Type": "ROT13"}]"#).unwrap_or_default();
    let err = Transforms::parse(&bad, "t")
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
    assert!(err.contains("ROT13"), "{err}");
}
