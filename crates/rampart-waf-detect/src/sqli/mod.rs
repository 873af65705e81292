//! SQL injection detection: the input is tokenized three times (as it stands, and as the
//! rest of a single- or double-quoted string the application opened), each token stream is
//! folded, and the folded stream is matched against injection fingerprints.

mod breakout;
mod fold;
mod lexer;
mod rules;
mod words;

use crate::Sensitivity;

/// True when `input` is SQL injection in any of the three quoting contexts.
pub fn detect(input: &[u8], sensitivity: Sensitivity) -> bool {
    [None, Some(b'\''), Some(b'"')].into_iter().any(|quote| {
        if quote.is_some_and(|q| !input.contains(&q)) {
            // Without the quote the input cannot leave the string: nothing to find there.
            return false;
        }
        let tokens = lexer::tokenize(input, quote);
        let folded = fold::fold(input, &tokens);
        rules::Stream::new(&folded, input, quote.is_some(), sensitivity).is_injection()
    })
}
