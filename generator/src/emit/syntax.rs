//! Pieces of syntax trees, for items built as trees instead of tokens (see
//! [`super::Code`]): what `quote!` would write, without the parse back.

use proc_macro2::{Span, TokenStream};

use super::types::ident;

/// `#[doc = "text"]`, which prints as `///text`.
pub fn doc_comment(text: &str) -> syn::Attribute {
    outer(syn::Meta::NameValue(syn::MetaNameValue {
        path: ident("doc").into(),
        eq_token: Default::default(),
        value: syn::Expr::Lit(syn::ExprLit {
            attrs: Vec::new(),
            lit: syn::LitStr::new(text, Span::call_site()).into(),
        }),
    }))
}

/// `#[name(tokens)]`, e.g. `#[serde(default)]`.
pub fn list_attribute(name: &str, tokens: TokenStream) -> syn::Attribute {
    outer(syn::Meta::List(syn::MetaList {
        path: ident(name).into(),
        delimiter: syn::MacroDelimiter::Paren(Default::default()),
        tokens,
    }))
}

fn outer(meta: syn::Meta) -> syn::Attribute {
    syn::Attribute {
        pound_token: Default::default(),
        style: syn::AttrStyle::Outer,
        bracket_token: Default::default(),
        meta,
    }
}

/// `attrs pub name: ty`, a field of a struct with named fields.
pub fn public_field(attrs: Vec<syn::Attribute>, name: &str, ty: syn::Type) -> syn::Field {
    syn::Field {
        attrs,
        vis: syn::Visibility::Public(Default::default()),
        mutability: syn::FieldMutability::None,
        ident: Some(ident(name)),
        colon_token: Some(Default::default()),
        ty,
    }
}

/// `attrs pub struct name { fields }`.
pub fn public_struct(attrs: Vec<syn::Attribute>, name: &str, fields: Vec<syn::Field>) -> syn::ItemStruct {
    syn::ItemStruct {
        attrs,
        vis: syn::Visibility::Public(Default::default()),
        struct_token: Default::default(),
        ident: ident(name),
        generics: Default::default(),
        fields: syn::Fields::Named(syn::FieldsNamed {
            brace_token: Default::default(),
            named: fields.into_iter().collect(),
        }),
        semi_token: None,
    }
}
