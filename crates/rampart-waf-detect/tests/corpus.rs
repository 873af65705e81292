//! libinjection's sample corpus (tests/data/libinjection, BSD-3-Clause): every SQLi and XSS
//! sample must be caught but a few, and few of the known false positives may be flagged.
//! `cargo test -p rampart-waf-detect --test corpus -- --nocapture` prints the counts;
//! `WAF_DETECT_SHOW=1` also prints each miss and each false positive.

#![allow(clippy::unwrap_used)]

use rampart_waf_detect::{Sensitivity, is_sqli, is_xss};
use std::path::PathBuf;

/// The bounds.
const MAX_SQLI_MISSED_HIGH: usize = 18;
const MAX_SQLI_MISSED_LOW: usize = 30;
const MAX_XSS_MISSED: usize = 18;
const MAX_FALSE_POSITIVES: usize = 21;

fn data_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data/libinjection/data")
}

fn hex(b: u8) -> Option<u8> {
    (b as char).to_digit(16).and_then(|d| u8::try_from(d).ok())
}

/// Query-string decoding as the corpus was written for: `%XX` and `+` for a space; a `%`
/// without two hex digits stays as it is.
fn url_decode(line: &str) -> Vec<u8> {
    let b = line.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        let pair = (
            b.get(i + 1).copied().and_then(hex),
            b.get(i + 2).copied().and_then(hex),
        );
        match (b[i], pair) {
            (b'%', (Some(h), Some(l))) => {
                out.push(h << 4 | l);
                i += 3;
            }
            (b'+', _) => {
                out.push(b' ');
                i += 1;
            }
            (c, _) => {
                out.push(c);
                i += 1;
            }
        }
    }
    out
}

/// Every sample line of the files whose names start with `prefix`, decoded.
fn samples(prefix: &str) -> Vec<(String, Vec<u8>)> {
    let mut files: Vec<_> = std::fs::read_dir(data_dir())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.file_name().unwrap().to_string_lossy().starts_with(prefix))
        .collect();
    files.sort();
    assert!(!files.is_empty(), "no {prefix} files");
    let mut out = Vec::new();
    for f in files {
        let text = String::from_utf8_lossy(&std::fs::read(&f).unwrap()).into_owned();
        for line in text.lines() {
            if line.trim().is_empty() || line.starts_with('#') {
                continue;
            }
            let name = f.file_name().unwrap().to_string_lossy().into_owned();
            out.push((format!("{name}: {line}"), url_decode(line)));
        }
    }
    out
}

fn show() -> bool {
    std::env::var_os("WAF_DETECT_SHOW").is_some()
}

fn missed(set: &[(String, Vec<u8>)], detect: impl Fn(&[u8]) -> bool, label: &str) -> usize {
    let misses: Vec<_> = set.iter().filter(|(_, d)| !detect(d)).collect();
    if show() {
        for (line, _) in &misses {
            println!("{label}: {line}");
        }
    }
    misses.len()
}

#[test]
fn url_decoding() {
    assert_eq!(url_decode("a+b%27%2"), b"a b'%2");
}

#[test]
fn sqli_samples_are_caught() {
    let set = samples("sqli-");
    let low = missed(&set, |d| is_sqli(d, Sensitivity::Low), "sqli missed at LOW");
    let high = missed(
        &set,
        |d| is_sqli(d, Sensitivity::High),
        "sqli missed at HIGH",
    );
    println!(
        "SQLi samples: {}; missed at LOW: {low}; missed at HIGH: {high}",
        set.len()
    );
    assert!(high <= low, "HIGH must catch at least what LOW catches");
    assert!(
        high <= MAX_SQLI_MISSED_HIGH,
        "{high} SQLi samples missed at HIGH"
    );
    assert!(
        low <= MAX_SQLI_MISSED_LOW,
        "{low} SQLi samples missed at LOW"
    );
}

#[test]
fn xss_samples_are_caught() {
    let set = samples("xss-");
    let n = missed(&set, is_xss, "xss missed");
    println!("XSS samples: {}; missed: {n}", set.len());
    assert!(n <= MAX_XSS_MISSED, "{n} XSS samples missed");
}

#[test]
fn few_known_false_positives_are_flagged() {
    let set = samples("false_positives");
    let count = |f: &dyn Fn(&[u8]) -> bool, label: &str| {
        set.iter()
            .filter(|(line, d)| {
                f(d) && (!show() || {
                    println!("{label}: {line}");
                    true
                })
            })
            .count()
    };
    let low = count(&|d| is_sqli(d, Sensitivity::Low), "fp sqli LOW");
    let high = count(&|d| is_sqli(d, Sensitivity::High), "fp sqli HIGH");
    let xss = count(&is_xss, "fp xss");
    let either = count(&|d| is_sqli(d, Sensitivity::High) || is_xss(d), "fp either");
    println!(
        "false_positives.txt: {} lines; flagged SQLi LOW {low}, SQLi HIGH {high}, XSS {xss}, \
         SQLi HIGH or XSS {either}",
        set.len()
    );
    assert!(
        either <= MAX_FALSE_POSITIVES,
        "{either} known false positives flagged"
    );
}
