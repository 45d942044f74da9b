//! Cache keys: a hash of everything an emitted item is printed from, so the
//! emit cache can skip building tokens for items a change did not touch.
//! Each key must cover every input of its emitter; the benchmark checks that
//! a warm run's output equals a cold run's.

use std::hash::{DefaultHasher, Hash, Hasher};

use super::EmitOptions;
use crate::ir::Example;
use crate::resolve::{ModelId, NodeId, ROperation, RType, TypeSpace};

/// What `models::model_struct` prints from.
pub fn model(space: &TypeSpace, options: &EmitOptions, id: ModelId) -> u64 {
    let mut hasher = DefaultHasher::new();
    ("model", options.features, &space.models[id]).hash(&mut hasher);
    for field in &space.models[id].fields {
        referenced_names(space, &field.ty, &mut hasher);
    }
    hasher.finish()
}

/// What a model's representation round-trip test prints from.
pub fn representation_test(space: &TypeSpace, options: &EmitOptions, id: ModelId) -> u64 {
    let mut hasher = DefaultHasher::new();
    let model = &space.models[id];
    ("representation", options.features, &model.areas, &model.representation).hash(&mut hasher);
    referenced_names(space, &RType::Model(id), &mut hasher);
    hasher.finish()
}

/// What `models::enumeration` prints from.
pub fn enumeration(space: &TypeSpace, id: usize) -> u64 {
    let mut hasher = DefaultHasher::new();
    ("enum", &space.enums[id]).hash(&mut hasher);
    hasher.finish()
}

/// What `models::polymorph` prints from: the enum and each variant's type.
pub fn polymorph(space: &TypeSpace, options: &EmitOptions, id: usize) -> u64 {
    let mut hasher = DefaultHasher::new();
    let poly = &space.polymorphs[id];
    ("polymorph", options.features, poly).hash(&mut hasher);
    for model in std::iter::once(&poly.base).chain(&poly.variants).map(|m| &space.models[*m]) {
        (&model.rust_name, &model.doc_name, &model.areas).hash(&mut hasher);
    }
    hasher.finish()
}

/// What a builder (its struct, operations and child accessors) prints from.
pub fn node(space: &TypeSpace, options: &EmitOptions, id: NodeId) -> u64 {
    let mut hasher = DefaultHasher::new();
    let node = &space.nodes[id];
    ("node", options.features, &options.base_url, node).hash(&mut hasher);
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
    }
    hasher.finish()
}

/// The names a type reference prints as: another item's rename reaches here.
fn referenced_names(space: &TypeSpace, ty: &RType, hasher: &mut DefaultHasher) {
    match ty {
        RType::Model(id) => (&space.models[*id].rust_name, &space.models[*id].home).hash(hasher),
        RType::Enum(id) => (&space.enums[*id].rust_name, space.enums[*id].is_flags).hash(hasher),
        RType::Collection(inner) => referenced_names(space, inner, hasher),
        RType::Polymorphic(id) => space.polymorphs[*id].rust_name.hash(hasher),
        RType::Primitive(_) | RType::Untyped | RType::Reference => {}
    }
}

/// What one example's tests print from: the operation, the example, the
/// names claimed for them, and the builders on the way to the operation;
/// the same for the operation its contract test calls (`called`), when the
/// example URL follows another operation's path.
pub fn example_tests(
    space: &TypeSpace,
    options: &EmitOptions,
    op: &ROperation,
    called: &ROperation,
    example: &Example,
    names: &super::tests::TestNames,
) -> u64 {
    let mut hasher = DefaultHasher::new();
    ("tests", options.features, &options.base_url, names).hash(&mut hasher);
    // Examples hold JSON, which has no Hash; its text stands in for it.
    serde_json::to_vec(example).unwrap_or_default().hash(&mut hasher);
    for op in [op, called] {
        op.hash(&mut hasher);
        let mut node = Some(op.target);
        while let Some(id) = node {
            let n = &space.nodes[id];
            (&n.accessor, &n.params, &n.segment).hash(&mut hasher);
            node = n.parent;
        }
        for ty in op.body.iter().chain(op.response.decoded_type()) {
            referenced_names(space, ty, &mut hasher);
        }
    }
    hasher.finish()
}
