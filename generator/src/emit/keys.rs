//! Cache keys: a hash of everything an emitted item is printed from, so the
//! emit cache can skip building tokens for items a change did not touch.
//! Each key must cover every input of its emitter; the benchmark checks that
//! a warm run's output equals a cold run's.

use std::collections::BTreeSet;
use std::hash::{Hash, Hasher};

use serde_json::Value;

use super::EmitOptions;
use crate::ir::{Body, Example, ExampleRequest, ExampleResponse};
use crate::resolve::{ModelId, NodeId, ROperation, RType, TypeSpace};
use crate::{ContentHasher, content_hasher};

/// What `models::model_struct` prints from.
pub fn model(space: &TypeSpace, options: &EmitOptions, id: ModelId) -> u64 {
    let mut hasher = content_hasher();
    ("model", options.features, &space.models[id]).hash(&mut hasher);
    for field in &space.models[id].fields {
        referenced_names(space, &field.ty, &mut hasher);
    }
    hasher.finish()
}

/// What a model's representation round-trip test prints from.
pub fn representation_test(space: &TypeSpace, options: &EmitOptions, id: ModelId) -> u64 {
    let mut hasher = content_hasher();
    let model = &space.models[id];
    ("representation", options.features, &model.areas, &model.representation).hash(&mut hasher);
    referenced_names(space, &RType::Model(id), &mut hasher);
    hasher.finish()
}

/// What one entry of `models/mod.rs` prints from: module, item name, areas.
pub fn module_entry(options: &EmitOptions, entry: &(&str, &str, &BTreeSet<String>)) -> u64 {
    let mut hasher = content_hasher();
    ("module entry", options.features, entry).hash(&mut hasher);
    hasher.finish()
}

/// What `models::enumeration` prints from.
pub fn enumeration(space: &TypeSpace, id: usize) -> u64 {
    let mut hasher = content_hasher();
    ("enum", &space.enums[id]).hash(&mut hasher);
    hasher.finish()
}

/// What `models::polymorph` prints from: the enum and each variant's type.
pub fn polymorph(space: &TypeSpace, options: &EmitOptions, id: usize) -> u64 {
    let mut hasher = content_hasher();
    let poly = &space.polymorphs[id];
    ("polymorph", options.features, poly).hash(&mut hasher);
    for model in std::iter::once(&poly.base).chain(&poly.variants).map(|m| &space.models[*m]) {
        (&model.rust_name, &model.doc_name, &model.areas).hash(&mut hasher);
    }
    hasher.finish()
}

/// What a builder (its struct, operations and child accessors) prints from.
pub fn node(space: &TypeSpace, options: &EmitOptions, id: NodeId) -> u64 {
    let mut hasher = content_hasher();
    let node = &space.nodes[id];
    ("node", options.features, node).hash(&mut hasher);
    if id == 0 {
        // The root builder is the client, which prints the default base URL.
        options.base_url.hash(&mut hasher);
    }
    for op in node.operations.iter().map(|op| &space.operations[*op]) {
        op.hash(&mut hasher);
        space.nodes[op.target].segment.hash(&mut hasher);
        if let Some(body) = &op.body {
            referenced_names(space, body, &mut hasher);
        }
        if let Some(ty) = op.response.decoded_type() {
            referenced_names(space, ty, &mut hasher);
        }
    }
    for child in &node.children {
        let child = &space.nodes[*child];
        (&child.accessor, &child.rust_name, &child.module, &child.params, &child.segment, &child.path, &child.areas)
            .hash(&mut hasher);
        // An alias's accessor returns its target's builder.
        if let Some(target) = child.alias_of.map(|t| &space.nodes[t]) {
            (&target.rust_name, &target.module, &target.path).hash(&mut hasher);
        }
    }
    hasher.finish()
}

/// The names a type reference prints as: another item's rename reaches here.
fn referenced_names(space: &TypeSpace, ty: &RType, hasher: &mut ContentHasher) {
    match ty {
        RType::Model(id) => (&space.models[*id].rust_name, &space.models[*id].home).hash(hasher),
        RType::Enum(id) => (&space.enums[*id].rust_name, space.enums[*id].is_flags).hash(hasher),
        RType::Collection(inner) => referenced_names(space, inner, hasher),
        RType::Polymorphic(id) => space.polymorphs[*id].rust_name.hash(hasher),
        RType::Primitive(_) | RType::Untyped | RType::Reference => {}
    }
}

/// What one example's tests print from: the operation, the example, the
/// names claimed for them, and the builder calls that reach the operation
/// (`chains`: the contract test's and the request test's); the same for
/// the operation its contract test calls (`called`), when the example URL
/// follows another operation's path.
pub fn example_tests(
    space: &TypeSpace,
    options: &EmitOptions,
    op: &ROperation,
    called: &ROperation,
    example_digest: u64,
    names: &super::tests::TestNames,
    chains: &impl Hash,
) -> u64 {
    let mut hasher = content_hasher();
    ("tests", options.features, names, example_digest).hash(&mut hasher);
    chains.hash(&mut hasher);
    for op in [op, called] {
        op.hash(&mut hasher);
        space.nodes[op.target].segment.hash(&mut hasher);
        for ty in op.body.iter().chain(op.response.decoded_type()) {
            referenced_names(space, ty, &mut hasher);
        }
    }
    hasher.finish()
}

/// The bases the example tests' names are claimed from, in order.
pub fn test_bases(bases: &[String]) -> u64 {
    let mut hasher = content_hasher();
    ("test bases", bases).hash(&mut hasher);
    hasher.finish()
}

/// What the manifest at `path` prints: its rows and the options (the docs
/// label is in its header).
pub fn manifest(path: &str, options: &EmitOptions, rows: &(impl Hash + ?Sized)) -> u64 {
    let mut hasher = content_hasher();
    ("manifest", path, options, rows).hash(&mut hasher);
    hasher.finish()
}

/// A hash of every field of an example (the patterns are exhaustive, so a
/// new field does not compile until it is hashed here). Walking the JSON
/// costs a fraction of serializing it.
pub fn example_digest(example: &Example) -> u64 {
    let mut hasher = content_hasher();
    let Example { request, response } = example;
    if let Some(ExampleRequest { method, url, headers, body, name, location }) = request {
        (1u8, method, url, headers, name, location).hash(&mut hasher);
        hash_body(body, &mut hasher);
    }
    if let Some(ExampleResponse { status, headers, body, truncated, odata_type, is_collection, location }) = response {
        (2u8, status, headers, truncated, odata_type, is_collection, location).hash(&mut hasher);
        hash_body(body, &mut hasher);
    }
    hasher.finish()
}

fn hash_body(body: &Body, hasher: &mut ContentHasher) {
    match body {
        Body::None => 0u8.hash(hasher),
        Body::Json { value, repairs } => {
            (1u8, repairs).hash(hasher);
            hash_json(value, hasher);
        }
        Body::Invalid { text, error } => (2u8, text, error).hash(hasher),
        Body::Text { text } => (3u8, text).hash(hasher),
    }
}

/// JSON has no `Hash`; this walks it, tagging each kind of value so that
/// `"1"`, `1` and `[1]` hash apart. Keys go in the map's order, the order
/// they are printed in.
fn hash_json(value: &Value, hasher: &mut ContentHasher) {
    match value {
        Value::Null => 0u8.hash(hasher),
        Value::Bool(b) => (1u8, b).hash(hasher),
        Value::Number(n) => (2u8, n.as_u64(), n.as_i64(), n.as_f64().map(f64::to_bits)).hash(hasher),
        Value::String(s) => (3u8, s).hash(hasher),
        Value::Array(items) => {
            (4u8, items.len()).hash(hasher);
            items.iter().for_each(|item| hash_json(item, hasher));
        }
        Value::Object(map) => {
            (5u8, map.len()).hash(hasher);
            for (key, value) in map {
                key.hash(hasher);
                hash_json(value, hasher);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn response(body: &str) -> Example {
        let value = serde_json::from_str(body).unwrap();
        let response = ExampleResponse {
            status: 200,
            headers: Vec::new(),
            body: Body::Json { value, repairs: Vec::new() },
            truncated: false,
            odata_type: None,
            is_collection: false,
            location: Default::default(),
        };
        Example { request: None, response: Some(response) }
    }

    #[test]
    fn example_digest_tells_json_values_apart() {
        let bodies =
            [r#"{"a": 1}"#, r#"{"a": "1"}"#, r#"{"a": [1]}"#, r#"{"a": 1.0}"#, r#"{"b": 1}"#, r#"{"a": null}"#];
        let digests: BTreeSet<u64> = bodies.iter().map(|b| example_digest(&response(b))).collect();
        assert_eq!(digests.len(), bodies.len());
        assert_eq!(example_digest(&response(r#"{"a": 1}"#)), example_digest(&response(r#"{ "a":1 }"#)));
    }
}
