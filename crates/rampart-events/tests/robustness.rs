//! Generated patterns, valid and not, from a small grammar of EventBridge's operators: parsing
//! never panics, every refusal carries a reason, and accepted patterns match generated events
//! without panicking. Deterministic (a fixed-seed generator, no dependency).

#![allow(clippy::unwrap_used)]

use rampart_events::Pattern;
use serde_json::{Value, json};

/// A xorshift generator: enough to vary the grammar's choices.
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: usize) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 % n as u64) as usize
    }

    fn pick(&mut self, values: &[Value]) -> Value {
        values[self.below(values.len())].clone()
    }
}

fn scalar(rng: &mut Rng) -> Value {
    rng.pick(&[
        json!("a"),
        json!(""),
        json!("10.0.0.1"),
        json!("A*b"),
        json!(5),
        json!(-2.5),
        json!(6.0e9),
        json!(true),
        json!(null),
        json!([]),
        json!({}),
        json!(["x", 1]),
    ])
}

fn operator(rng: &mut Rng, depth: usize) -> Value {
    let value = if depth > 0 && rng.below(4) == 0 {
        operator(rng, depth - 1)
    } else {
        scalar(rng)
    };
    let numeric = rng.pick(&[
        json!([">", 1, "<=", 5]),
        json!(["=", 2]),
        json!(["<"]),
        json!([">", 5, "<", 1]),
        json!(["<", 1, ">", 0]),
        json!([">=", "x"]),
    ]);
    match rng.below(12) {
        0 => json!({"prefix": value}),
        1 => json!({"suffix": {"equals-ignore-case": value}}),
        2 => json!({"equals-ignore-case": value}),
        3 => {
            json!({"wildcard": rng.pick(&[json!("*a*"), json!("a**"), json!("\\x"), json!("a\\*")])})
        }
        4 => json!({"exists": value}),
        5 => json!({"numeric": numeric}),
        6 => {
            json!({"cidr": rng.pick(&[json!("10.0.0.0/8"), json!("::/0"), json!("1.2.3/4"), value])})
        }
        7 => json!({"anything-but": value}),
        8 => json!({"anything-but": {"prefix": value}}),
        9 => json!({"anything-but": {"wildcard": [value, "*z"]}}),
        10 => json!({"exact": value, "x": 1}),
        _ => value,
    }
}

fn object(rng: &mut Rng, depth: usize) -> Value {
    let mut map = serde_json::Map::new();
    for name in ["a", "b", "$or"].iter().take(1 + rng.below(3)) {
        let field = match (rng.below(4), depth) {
            (0, d) if d > 0 => object(rng, d - 1),
            (1, d) if d > 0 => json!([object(rng, d - 1), object(rng, d - 1)]),
            (2, _) => scalar(rng),
            _ => json!([operator(rng, 1), operator(rng, 1)]),
        };
        map.insert((*name).to_owned(), field);
    }
    Value::Object(map)
}

#[test]
fn generated_patterns_never_panic() {
    let events = [
        json!({"a": "a", "b": {"a": [1, "10.0.0.1", null]}}),
        json!({"a": [{"b": "A*b"}, 5]}),
        json!({}),
        json!({"a": {"a": {"a": ""}}, "b": [[true]]}),
    ];
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let (mut accepted, mut refused, mut matched) = (0, 0, 0);
    for _ in 0..5_000 {
        let text = object(&mut rng, 3).to_string();
        match Pattern::parse(&text) {
            Ok(pattern) => {
                accepted += 1;
                matched += events.iter().filter(|event| pattern.matches(event)).count();
            }
            Err(error) => {
                refused += 1;
                assert!(!error.reason().is_empty(), "{text}");
            }
        }
    }
    assert!(
        accepted > 50 && refused > 1_000 && matched > 10,
        "accepted {accepted}, refused {refused}, matched {matched}"
    );
}
