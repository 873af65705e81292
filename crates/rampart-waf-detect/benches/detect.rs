//! Cost of one detection on a typical ~200-byte field value, benign and attack, for each
//! detector. Run: `cargo bench -p rampart-waf-detect --bench detect`.
//!
//! Figures on the shared 2-core VM while other builds ran (load average about 9, so several
//! times slower than on an idle core), criterion medians: `is_sqli` 5.2–8.2 µs on the benign
//! values, 4.7–5.2 µs on the SQLi value, 7.3–7.8 µs on the XSS value (its quotes add two quoted
//! contexts), LOW and HIGH alike; `is_xss` 5.1 µs on benign prose (its quotes make each word an
//! attribute in the attribute-value contexts), 2.3 µs on the query string, 3.1 µs on the SQLi
//! value and 0.38 µs on the XSS value (found at its first tag).

use criterion::{Criterion, criterion_group, criterion_main};
use rampart_waf_detect::{Sensitivity, is_sqli, is_xss};
use std::hint::black_box;

const BENIGN_TEXT: &str = "Hi! I'm Siobhan O'Brien and I'd like to order 2 or 3 of the blue \
    tables (model 10-12). Please select a plan for delivery; drop us a line at \
    siobhan.obrien@example.com if it's late. Thanks -- S.";
const BENIGN_QUERY: &str = "q=red+shoes&page=2&sort=price_desc&filter[size]=10-12&color=blue\
    &ref=https%3A%2F%2Fshop.example.com%2Fsearch%3Fq%3Dred&utm_source=newsletter&utm_campaign=\
    winter-sale-2026&session=5f0e8c1a-4b3d-4c2e-9a7f-1d2e3f4a5b6c";
const SQLI: &str = "-1' UNION ALL SELECT 1,concat(username,0x3a,password),3,4 FROM \
    information_schema.tables WHERE table_schema=database() AND 1=1 LIMIT 0,1-- \
    padding padding padding padding padding padding padding padding pad";
const XSS: &str = "\"><img src=x onerror=alert(document.cookie)><svg/onload=prompt(1)>\
    <a href=\"jav&#x09;ascript:alert(1)\">click</a> and some padding text to reach a typical \
    two hundred bytes of field value....................";

fn bench(c: &mut Criterion) {
    let inputs = [
        ("benign_text", BENIGN_TEXT),
        ("benign_query", BENIGN_QUERY),
        ("sqli", SQLI),
        ("xss", XSS),
    ];
    for (name, input) in inputs {
        let b = input.as_bytes();
        c.bench_function(&format!("is_sqli_low/{name}/{}B", b.len()), |x| {
            x.iter(|| is_sqli(black_box(b), Sensitivity::Low))
        });
        c.bench_function(&format!("is_sqli_high/{name}/{}B", b.len()), |x| {
            x.iter(|| is_sqli(black_box(b), Sensitivity::High))
        });
        c.bench_function(&format!("is_xss/{name}/{}B", b.len()), |x| {
            x.iter(|| is_xss(black_box(b)))
        });
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
