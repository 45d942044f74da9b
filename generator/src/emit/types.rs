//! The one place that maps documented types to Rust types.

use proc_macro2::{Ident, Span, TokenStream};
use quote::{format_ident, quote};

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
pub fn response_type(space: &TypeSpace, shape: &ResponseShape) -> Option<TokenStream> {
    let ty = rust_type(space, shape.decoded_type()?);
    Some(match shape {
        ResponseShape::Page(_) => quote! { graph_runtime::Page<#ty> },
        ResponseShape::Wrapped(_) => quote! { graph_runtime::ValueWrapper<#ty> },
        ResponseShape::Json(_) | ResponseShape::Empty | ResponseShape::Bytes => ty,
    })
}

/// The Rust type of a value of `ty`, as written in a field or a return type.
pub fn rust_type(space: &TypeSpace, ty: &RType) -> TokenStream {
    match ty {
        RType::Primitive(primitive) => primitive_type(*primitive),
        RType::Model(id) => model_path(space, *id),
        RType::Enum(id) if space.enums[*id].is_flags => {
            let name = format_ident!("{}", space.enums[*id].rust_name);
            quote! { graph_runtime::Flags<crate::models::#name> }
        }
        RType::Enum(id) => {
            let name = format_ident!("{}", space.enums[*id].rust_name);
            quote! { crate::models::#name }
        }
        RType::Collection(inner) => {
            let inner = rust_type(space, inner);
            quote! { Vec<#inner> }
        }
        RType::Untyped => quote! { serde_json::Value },
        RType::Reference => quote! { graph_runtime::Reference },
        RType::Polymorphic(id) => {
            let name = format_ident!("{}", space.polymorphs[*id].rust_name);
            quote! { crate::models::#name }
        }
    }
}

/// The path of a generated struct, wherever it lives.
pub fn model_path(space: &TypeSpace, id: usize) -> TokenStream {
    let model = &space.models[id];
    let name = format_ident!("{}", model.rust_name);
    match &model.home {
        Home::Models { .. } => quote! { crate::models::#name },
        Home::Requests { module } => {
            let module = ident(module);
            quote! { crate::requests::#module::#name }
        }
    }
}

/// The type of a struct field and the `skip_serializing_if` that goes with
/// it. Fields are optional (absent in the JSON); in models sent as PATCH
/// bodies they are `Nullable`, so "leave unchanged" (absent), "clear" (null)
/// and "set" stay apart. Struct-typed fields are boxed so that types that
/// refer to each other still have a size.
pub fn field_type(space: &TypeSpace, ty: &RType, tri_state: bool) -> (TokenStream, &'static str) {
    let inner = rust_type(space, ty);
    let inner = match ty {
        RType::Model(_) => quote! { Box<#inner> },
        _ => inner,
    };
    if tri_state {
        (quote! { graph_runtime::Nullable<#inner> }, "graph_runtime::Nullable::is_absent")
    } else {
        (quote! { Option<#inner> }, "Option::is_none")
    }
}

/// The type of a request-body parameter: borrowed, and a slice for collections.
pub fn body_param_type(space: &TypeSpace, ty: &RType) -> TokenStream {
    match ty {
        RType::Collection(inner) => {
            let inner = rust_type(space, inner);
            quote! { &[#inner] }
        }
        RType::Primitive(Primitive::String) => quote! { &str },
        other => {
            let ty = rust_type(space, other);
            quote! { &#ty }
        }
    }
}

/// Primitives. Dates, times, durations, GUIDs, binary data, 64-bit integers
/// and doubles are runtime types that keep what Graph sent (so nothing changes
/// on a round trip) and parse it on request.
fn primitive_type(primitive: Primitive) -> TokenStream {
    match primitive {
        Primitive::String => quote! { String },
        Primitive::DateTimeOffset => quote! { graph_runtime::DateTimeOffset },
        Primitive::Date => quote! { graph_runtime::Date },
        Primitive::TimeOfDay => quote! { graph_runtime::TimeOfDay },
        Primitive::Duration => quote! { graph_runtime::Duration },
        Primitive::Guid => quote! { graph_runtime::Guid },
        Primitive::Binary => quote! { graph_runtime::Base64 },
        Primitive::Boolean => quote! { bool },
        Primitive::Byte => quote! { u8 },
        Primitive::Int16 => quote! { i16 },
        Primitive::Int32 => quote! { i32 },
        Primitive::Int64 => quote! { graph_runtime::Int64 },
        Primitive::Single | Primitive::Double | Primitive::Decimal => quote! { graph_runtime::Double },
        Primitive::Stream | Primitive::Json => quote! { serde_json::Value },
    }
}
