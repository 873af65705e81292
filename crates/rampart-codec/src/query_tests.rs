//! Form decoding against the parameter layouts botocore's `QuerySerializer` produces.

#![allow(clippy::unwrap_used)]

use super::*;
use time::macros::datetime;

/// Two-level input: `Tags` (list of structures), `Ids` (flattened list of strings),
/// `Attrs` (map of lists), `Nested.Inner.Flag`.
#[derive(Debug, Default, PartialEq)]
struct Tag {
    key: Option<String>,
    value: Option<String>,
}

impl FromQuery for Tag {
    fn from_query(node: &QueryNode, _path: &str) -> Result<Self, ServiceError> {
        Ok(Self {
            key: string(node.get("Key")),
            value: string(node.get("Value")),
        })
    }
}

fn tags(root: &QueryNode) -> Option<Vec<Tag>> {
    list(root.get("Tags"), "Tags", Some("member"), structure::<Tag>).unwrap()
}

#[test]
fn form_decoding_handles_plus_percent_and_bad_utf8() {
    let pairs = form_pairs(b"Action=CreateUser&UserName=a+b%2Bc%3D&Empty=&NoValue&&Bad=%FF");
    assert_eq!(
        pairs,
        [
            ("Action", "CreateUser"),
            ("UserName", "a b+c="),
            ("Empty", ""),
            ("NoValue", ""),
            ("Bad", "\u{FFFD}"),
        ]
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
    );
    let root = QueryNode::parse_form(b"Action=A&Action=B");
    assert_eq!(root.param("Action"), Some("B"));
    assert_eq!(root.param("Missing"), None);
}

#[test]
fn lists_of_structures_in_index_order() {
    let root = QueryNode::parse_form(
        b"Tags.member.2.Key=k2&Tags.member.10.Key=k10&Tags.member.1.Key=k1&Tags.member.1.Value=v1\
          &Tags.member.x.Key=ignored&Tags.member.0.Key=ignored",
    );
    let got = tags(&root).unwrap();
    let keys: Vec<_> = got.iter().map(|t| t.key.as_deref().unwrap()).collect();
    assert_eq!(keys, ["k1", "k2", "k10"]);
    assert_eq!(got[0].value.as_deref(), Some("v1"));
    assert_eq!(got[1].value, None);
}

#[test]
fn empty_and_absent_lists() {
    // botocore serializes an empty list as `Tags=`.
    let root = QueryNode::parse_form(b"Tags=");
    assert_eq!(tags(&root), Some(Vec::new()));
    assert_eq!(tags(&QueryNode::parse_form(b"Other=1")), None);
}

#[test]
fn flattened_and_named_lists() {
    let root = QueryNode::parse_form(b"Id.1=a&Id.2=b&Names.Name.1=x");
    let ids = list(root.get("Id"), "Id", None, |n, _| Ok(string(n))).unwrap();
    assert_eq!(ids, Some(vec![String::from("a"), String::from("b")]));
    let names = list(root.get("Names"), "Names", Some("Name"), |n, _| {
        Ok(string(n))
    })
    .unwrap();
    assert_eq!(names, Some(vec![String::from("x")]));
}

#[test]
fn maps_of_lists() {
    let root = QueryNode::parse_form(
        b"Attrs.entry.1.key=a&Attrs.entry.1.value.member.1=1&Attrs.entry.1.value.member.2=2\
          &Attrs.entry.2.key=b&Attrs.entry.2.value=&Attrs.entry.3.value.member.1=nokey",
    );
    let names = MapNames {
        flattened: false,
        key: "key",
        value: "value",
    };
    let got = map(root.get("Attrs"), "Attrs", names, |n, p| {
        list(n, p, Some("member"), number::<i32>)
    })
    .unwrap()
    .unwrap();
    assert_eq!(got.len(), 2);
    assert_eq!(got["a"], [1, 2]);
    assert!(got["b"].is_empty());
    let flat = QueryNode::parse_form(b"M.1.Name=k&M.1.Val=v");
    let names = MapNames {
        flattened: true,
        key: "Name",
        value: "Val",
    };
    let got = map(flat.get("M"), "M", names, |n, _| Ok(string(n))).unwrap();
    assert_eq!(got.unwrap()["k"], "v");
}

#[test]
fn nested_structures() {
    #[derive(Debug)]
    struct Inner {
        flag: Option<bool>,
        count: Option<i64>,
    }
    impl FromQuery for Inner {
        fn from_query(node: &QueryNode, path: &str) -> Result<Self, ServiceError> {
            Ok(Self {
                flag: boolean(node.get("Flag"), &join(path, "Flag"))?,
                count: number(node.get("Count"), &join(path, "Count"))?,
            })
        }
    }
    let root = QueryNode::parse_form(b"Outer.Inner.Flag=true&Outer.Inner.Count=-7");
    let outer = root.get("Outer").unwrap();
    let inner: Inner = structure(outer.get("Inner"), "Outer.Inner")
        .unwrap()
        .unwrap();
    assert_eq!((inner.flag, inner.count), (Some(true), Some(-7)));
    let bad = QueryNode::parse_form(b"Outer.Inner.Flag=yes");
    let err =
        structure::<Inner>(bad.get("Outer").unwrap().get("Inner"), "Outer.Inner").unwrap_err();
    assert_eq!(
        (err.code.as_ref(), err.status),
        ("InvalidParameterValue", 400)
    );
    assert_eq!(
        err.message,
        "Invalid value for parameter Outer.Inner.Flag: expected true or false."
    );
}

#[test]
fn scalars() {
    let root = QueryNode::parse_form(
        b"I=42&F=1.5&Inf=Infinity&B=aGk%3D&T=2024-01-07T10%3A20%3A30Z&BadI=4x&BadB=%%%&BadT=now",
    );
    assert_eq!(number::<i32>(root.get("I"), "I").unwrap(), Some(42));
    assert_eq!(number::<f64>(root.get("F"), "F").unwrap(), Some(1.5));
    assert_eq!(
        number::<f64>(root.get("Inf"), "Inf").unwrap(),
        Some(f64::INFINITY)
    );
    assert_eq!(
        blob(root.get("B"), "B").unwrap(),
        Some(Blob(b"hi".to_vec()))
    );
    let t = timestamp(root.get("T"), "T").unwrap().unwrap();
    assert_eq!(t.0, datetime!(2024-01-07 10:20:30 UTC));
    let err = number::<i32>(root.get("BadI"), "BadI").unwrap_err();
    assert_eq!(
        err.message,
        "Invalid value for parameter BadI: expected a number."
    );
    assert!(blob(root.get("BadB"), "BadB").is_err());
    assert!(timestamp(root.get("BadT"), "BadT").is_err());
    assert_eq!(number::<i32>(root.get("Absent"), "Absent").unwrap(), None);
    // An int overflow is a bad value, not a panic.
    let big = QueryNode::parse_form(b"I=99999999999");
    assert!(number::<i32>(big.get("I"), "I").is_err());
}

#[test]
fn merge_lets_the_body_override_the_query_string() {
    let mut root = QueryNode::parse_form(b"Action=ListUsers&Version=2010-05-08");
    root.merge_form(b"Action=GetUser&UserName=bob");
    assert_eq!(root.param("Action"), Some("GetUser"));
    assert_eq!(root.param("Version"), Some("2010-05-08"));
    assert_eq!(root.param("UserName"), Some("bob"));
    assert!(!root.is_empty());
    assert!(QueryNode::parse_form(b"").is_empty());
}

#[test]
fn absurdly_deep_names_are_ignored_without_recursion() {
    let deep = "a.".repeat(500_000) + "b=1";
    let mut root = QueryNode::parse_form(deep.as_bytes());
    assert!(root.is_empty());
    root.merge_form(deep.as_bytes());
    assert!(root.is_empty());
    let ok = format!("{}b=1", "a.".repeat(MAX_DEPTH - 1));
    assert!(!QueryNode::parse_form(ok.as_bytes()).is_empty());
}
