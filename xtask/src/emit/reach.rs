//! What a service generates: the served operations, the shapes they reach, and the structure
//! members that must be boxed because they close a cycle of structures.

use crate::model::{Model, Operation, Protocol, Shape, ShapeRef};
use std::collections::{BTreeMap, BTreeSet};

/// The served operations (model order) and the names of the others.
pub type Split<'m> = (Vec<(&'m str, &'m Operation)>, Vec<&'m str>);

/// Splits the model's operations by the spec's `served` list; every served name must exist.
pub fn split<'m>(model: &'m Model, served: &[&str]) -> Result<Split<'m>, String> {
    let all: Vec<&str>;
    let served = if served == ["*"] {
        all = model.operations.keys().map(String::as_str).collect();
        all.as_slice()
    } else {
        served
    };
    let wanted: BTreeSet<&str> = served.iter().copied().collect();
    if wanted.len() != served.len() {
        return Err(String::from("the served list names an operation twice"));
    }
    if let Some(unknown) = wanted.iter().find(|n| !model.operations.contains_key(**n)) {
        return Err(format!("served operation {unknown} is not in the model"));
    }
    let mut yes = Vec::new();
    let mut no = Vec::new();
    for (name, op) in &model.operations {
        // REST protocols route by URI, so the wire name (CloudFront's versioned
        // `AssociateAlias2020_05_31`) is never read; the others send it.
        let rest = matches!(
            model.metadata.resolved_protocol(),
            Ok(Protocol::RestJson | Protocol::RestXml)
        );
        if &op.name != name && !rest {
            return Err(format!("operation {name} is named {}", op.name));
        }
        if wanted.contains(name.as_str()) {
            yes.push((name.as_str(), op));
        } else {
            no.push(name.as_str());
        }
    }
    Ok((yes, no))
}

/// The shape references a shape holds: structure members, list member, map key and value.
pub fn refs(shape: &Shape) -> impl Iterator<Item = &ShapeRef> {
    shape
        .members
        .values()
        .chain(&shape.member)
        .chain(&shape.key)
        .chain(&shape.value)
}

/// Every shape reachable from `roots` (the roots included).
pub fn reach<'a>(
    model: &Model,
    roots: impl Iterator<Item = &'a str>,
) -> Result<BTreeSet<String>, String> {
    let mut seen = BTreeSet::new();
    let mut stack: Vec<String> = roots.map(str::to_owned).collect();
    while let Some(name) = stack.pop() {
        if !seen.insert(name.clone()) {
            continue;
        }
        stack.extend(refs(model.shape(&name)?).map(|r| r.shape.clone()));
    }
    Ok(seen)
}

/// The `(structure, member)` pairs whose member is a structure that reaches back to its
/// owner through structure members alone. Boxing them makes every structure finite in size;
/// lists and maps already break recursion, being heap-allocated.
pub fn boxed_members(
    model: &Model,
    structs: &BTreeSet<String>,
) -> Result<BTreeSet<(String, String)>, String> {
    let mut edges: BTreeMap<&str, Vec<(&str, &str)>> = BTreeMap::new();
    for name in structs {
        let mut out = Vec::new();
        for (member, r) in &model.shape(name)?.members {
            if structs.contains(&r.shape) {
                out.push((member.as_str(), r.shape.as_str()));
            }
        }
        edges.insert(name.as_str(), out);
    }
    let mut boxed = BTreeSet::new();
    for (owner, out) in &edges {
        for (member, target) in out {
            if reaches(&edges, target, owner) {
                boxed.insert(((*owner).to_owned(), (*member).to_owned()));
            }
        }
    }
    Ok(boxed)
}

/// True when `to` is reachable from `from` along `edges` (`from == to` counts).
fn reaches(edges: &BTreeMap<&str, Vec<(&str, &str)>>, from: &str, to: &str) -> bool {
    let mut seen = BTreeSet::new();
    let mut stack = vec![from];
    while let Some(at) = stack.pop() {
        if at == to {
            return true;
        }
        if seen.insert(at) {
            stack.extend(edges.get(at).into_iter().flatten().map(|(_, t)| *t));
        }
    }
    false
}
