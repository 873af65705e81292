//! Cross-site scripting detection: the input is tokenized as HTML from the places a reflected
//! value lands (between tags, and inside an unquoted, `'`, `"` or backquoted attribute value),
//! and the tags, attributes and URLs it opens are checked against the dangerous ones.

mod lexer;
mod rules;

use lexer::Start;

/// True when `input` opens script in any of the starting contexts.
pub fn detect(input: &[u8]) -> bool {
    let starts = [
        Start::Data,
        Start::AttrValue(b' '),
        Start::AttrValue(b'\''),
        Start::AttrValue(b'"'),
        Start::AttrValue(b'`'),
    ];
    starts.into_iter().any(|start| {
        if let Start::AttrValue(q) = start
            && q != b' '
            && !input.contains(&q)
        {
            return false;
        }
        let mut check = rules::Checker::new();
        lexer::scan(input, start, |event| check.event(event))
    }) || rules::nested_handler(input)
}
