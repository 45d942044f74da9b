//! The one place that maps documented types to Rust types.

use proc_macro2::{Ident, Span, TokenStream};
use quote::{format_ident, quote};

use crate::ir::Primitive;
use crate::resolve::{Home, RType, TypeSpace};

/// An identifier from a name made by `resolve::names` (`r#type` becomes a raw identifier).
pub fn ident(name: &str) -> Ident {
    match name.strip_prefix("r#") {
        Some(raw) => Ident::new_raw(raw, Span::call_site()),
        None => Ident::new(name, Span::call_site()),
    }
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

/// The type of a struct field: always optional (absent in the JSON), boxed
/// when it is another struct so that types that refer to each other still
/// have a size.
pub fn field_type(space: &TypeSpace, ty: &RType) -> TokenStream {
    let inner = rust_type(space, ty);
    match ty {
        RType::Model(_) => quote! { Option<Box<#inner>> },
        _ => quote! { Option<#inner> },
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

/// Primitives: date, time, duration and GUID values stay text as Graph sent
/// them, so nothing is lost on a round trip.
fn primitive_type(primitive: Primitive) -> TokenStream {
    match primitive {
        Primitive::String
        | Primitive::DateTimeOffset
        | Primitive::Date
        | Primitive::TimeOfDay
        | Primitive::Duration
        | Primitive::Guid
        | Primitive::Binary => quote! { String },
        Primitive::Boolean => quote! { bool },
        Primitive::Byte => quote! { u8 },
        Primitive::Int16 => quote! { i16 },
        Primitive::Int32 => quote! { i32 },
        Primitive::Int64 => quote! { i64 },
        Primitive::Single => quote! { f32 },
        Primitive::Double | Primitive::Decimal => quote! { f64 },
        Primitive::Stream | Primitive::Json => quote! { serde_json::Value },
    }
}
