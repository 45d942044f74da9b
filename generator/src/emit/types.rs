//! The one place that maps documented types to Rust types.

use proc_macro2::{Ident, Span};

use super::syntax::{reference_type, slice_reference_type};

use crate::ir::Primitive;
use crate::resolve::{Home, RType, ResponseShape, TypeSpace};

/// An identifier from a name made by `resolve::names` (`r#type` becomes a raw identifier).
pub fn ident(name: &str) -> Ident {
    match name.strip_prefix("r#") {
        Some(raw) => Ident::new_raw(raw, Span::call_site()),
        None => Ident::new(name, Span::call_site()),
    }
}

/// The Rust type a JSON answer of this shape decodes into (`Page<T>` for a
/// collection, `ValueWrapper<T>` for one primitive or enum value); `None`
/// when the operation does not answer with JSON.
pub fn response_type(space: &TypeSpace, shape: &ResponseShape) -> Option<syn::Type> {
    let ty = rust_type(space, shape.decoded_type()?);
    Some(match shape {
        ResponseShape::Page(_) => path_type(&["graph_runtime", "Page"], Some(ty)),
        ResponseShape::Wrapped(_) => path_type(&["graph_runtime", "ValueWrapper"], Some(ty)),
        ResponseShape::Json(_) | ResponseShape::Empty | ResponseShape::Bytes => ty,
    })
}

/// The Rust type of a value of `ty`, as written in a field or a return type.
/// A syntax tree, since most items are built as trees (see `syntax`); in a
/// `quote!`, it interpolates as the same tokens.
pub fn rust_type(space: &TypeSpace, ty: &RType) -> syn::Type {
    match ty {
        RType::Primitive(primitive) => primitive_type(*primitive),
        RType::Model(id) => model_path(space, *id),
        RType::Enum(id) if space.enums[*id].is_flags => {
            path_type(&["graph_runtime", "Flags"], Some(model_type(&space.enums[*id].rust_name)))
        }
        RType::Enum(id) => model_type(&space.enums[*id].rust_name),
        RType::Collection(inner) => path_type(&["Vec"], Some(rust_type(space, inner))),
        RType::Untyped => path_type(&["serde_json", "Value"], None),
        RType::Reference => path_type(&["graph_runtime", "Reference"], None),
        RType::Polymorphic(id) => model_type(&space.polymorphs[*id].rust_name),
    }
}

/// The path of a generated struct, wherever it lives.
pub fn model_path(space: &TypeSpace, id: usize) -> syn::Type {
    let model = &space.models[id];
    match &model.home {
        Home::Models { .. } => model_type(&model.rust_name),
        Home::Requests { module } => path_type(&["crate", "requests", module, &model.rust_name], None),
    }
}

/// `crate::models::<name>`.
fn model_type(name: &str) -> syn::Type {
    path_type(&["crate", "models", name], None)
}

/// The type at the path `segments` (`a::b::C`), with `arguments` as the
/// last segment's generic arguments (`C<T>`; none for `None`).
pub fn path_type(segments: &[&str], arguments: impl IntoIterator<Item = syn::Type>) -> syn::Type {
    syn::Type::Path(syn::TypePath { qself: None, path: path(segments, arguments) })
}

/// The path `segments` (`a::b::C`), with `arguments` as the last segment's
/// generic arguments.
pub fn path(segments: &[&str], arguments: impl IntoIterator<Item = syn::Type>) -> syn::Path {
    let mut path = syn::Path { leading_colon: None, segments: syn::punctuated::Punctuated::new() };
    for segment in segments {
        path.segments.push(syn::PathSegment::from(ident(segment)));
    }
    let args: syn::punctuated::Punctuated<syn::GenericArgument, syn::Token![,]> =
        arguments.into_iter().map(syn::GenericArgument::Type).collect();
    if let (false, Some(last)) = (args.is_empty(), path.segments.last_mut()) {
        last.arguments = syn::PathArguments::AngleBracketed(syn::AngleBracketedGenericArguments {
            colon2_token: None,
            lt_token: Default::default(),
            args,
            gt_token: Default::default(),
        });
    }
    path
}

/// The type of a struct field and the `skip_serializing_if` that goes with
/// it. Fields are optional (absent in the JSON); in models sent as PATCH
/// bodies they are `Nullable`, so "leave unchanged" (absent), "clear" (null)
/// and "set" stay apart. Struct-typed fields are boxed so that types that
/// refer to each other still have a size.
pub fn field_type(space: &TypeSpace, ty: &RType, tri_state: bool) -> (syn::Type, &'static str) {
    let inner = rust_type(space, ty);
    let inner = match ty {
        RType::Model(_) => path_type(&["Box"], Some(inner)),
        _ => inner,
    };
    if tri_state {
        (path_type(&["graph_runtime", "Nullable"], Some(inner)), "graph_runtime::Nullable::is_absent")
    } else {
        (path_type(&["Option"], Some(inner)), "Option::is_none")
    }
}

/// The type of a request-body parameter: borrowed, and a slice for collections.
pub fn body_param_type(space: &TypeSpace, ty: &RType) -> syn::Type {
    match ty {
        RType::Collection(inner) => slice_reference_type(rust_type(space, inner)),
        RType::Primitive(Primitive::String) => reference_type(path_type(&["str"], None)),
        other => reference_type(rust_type(space, other)),
    }
}

/// Primitives. Dates, times, durations, GUIDs, binary data, 64-bit integers
/// and doubles are runtime types that keep what Graph sent (so nothing changes
/// on a round trip) and parse it on request.
fn primitive_type(primitive: Primitive) -> syn::Type {
    let runtime = |name: &str| path_type(&["graph_runtime", name], None);
    match primitive {
        Primitive::String => path_type(&["String"], None),
        Primitive::DateTimeOffset => runtime("DateTimeOffset"),
        Primitive::Date => runtime("Date"),
        Primitive::TimeOfDay => runtime("TimeOfDay"),
        Primitive::Duration => runtime("Duration"),
        Primitive::Guid => runtime("Guid"),
        Primitive::Binary => runtime("Base64"),
        Primitive::Boolean => path_type(&["bool"], None),
        Primitive::Byte => path_type(&["u8"], None),
        Primitive::Int16 => path_type(&["i16"], None),
        Primitive::Int32 => path_type(&["i32"], None),
        Primitive::Int64 => runtime("Int64"),
        Primitive::Single | Primitive::Double | Primitive::Decimal => runtime("Double"),
        Primitive::Stream | Primitive::Json => path_type(&["serde_json", "Value"], None),
    }
}
