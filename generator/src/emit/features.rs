//! The `#[cfg(feature = …)]` gates that put each product area behind a cargo
//! feature (`--features`): one place turns the areas an item is needed in
//! into its gate, so every file gates alike.

use std::collections::BTreeSet;

use proc_macro2::TokenStream;
use quote::ToTokens;

use super::{EmitOptions, syntax};

/// The area set of an item needed in one area (an operation's, a test file's).
pub fn one_area(area: &str) -> BTreeSet<String> {
    BTreeSet::from([area.to_string()])
}

/// `#[cfg(feature = …)]` for an item needed by these areas, when features are on.
pub fn cfg(options: &EmitOptions, areas: &BTreeSet<String>) -> TokenStream {
    cfg_attribute(options, areas).map(ToTokens::into_token_stream).unwrap_or_default()
}

/// [`cfg()`] as a syntax tree, for items built as trees.
pub fn cfg_attribute(options: &EmitOptions, areas: &BTreeSet<String>) -> Option<syn::Attribute> {
    if !options.features || areas.is_empty() {
        return None;
    }
    let names = areas.iter();
    Some(syntax::list_attribute(
        "cfg",
        if areas.len() == 1 {
            quote::quote! { #( feature = #names )* }
        } else {
            quote::quote! { any( #(feature = #names),* ) }
        },
    ))
}
