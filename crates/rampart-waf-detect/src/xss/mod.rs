//! Cross-site scripting detection (placeholder while the tokenizer lands).

pub fn detect(input: &[u8]) -> bool {
    let _ = input;
    false
}
