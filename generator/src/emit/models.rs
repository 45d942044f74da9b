//! Model structs and enums.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use super::doc_lines;
use super::types::{field_type, ident};
use crate::resolve::{Home, ModelId, REnum, TypeSpace};

/// The struct itself: every documented property as an optional field, plus a
/// flattened map that keeps whatever else the service sends, so a value read
/// and written back loses nothing.
pub fn model_struct(space: &TypeSpace, id: ModelId) -> TokenStream {
    let model = &space.models[id];
    let name = format_ident!("{}", model.rust_name);
    let mut doc = model.description.clone();
    if !doc.is_empty() {
        doc.push_str("\n\n");
    }
    match model.home {
        Home::Models { .. } => doc.push_str(&format!("`{}`, documented on `{}`.", model.doc_name, model.page)),
        Home::Requests { .. } => doc.push_str(&format!("Documented on `{}`.", model.page)),
    }
    let doc = doc_lines(&doc);
    let fields = model.fields.iter().map(|field| {
        let field_name = ident(&field.rust_name);
        let (ty, skip) = field_type(space, &field.ty, model.patch_body);
        let doc = doc_lines(&field.description);
        let plain_name = field.rust_name.trim_start_matches("r#");
        let rename = (plain_name != field.json_name).then(|| {
            let json_name = &field.json_name;
            quote! { rename = #json_name, }
        });
        quote! {
            #doc
            #[serde(#rename default, skip_serializing_if = #skip)]
            pub #field_name: #ty,
        }
    });
    let extra = ident(&model.extra_field);
    quote! {
        #doc
        #[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
        pub struct #name {
            #(#fields)*
            /// Properties the documentation does not list, kept so that nothing is lost.
            #[serde(flatten)]
            pub #extra: serde_json::Map<String, serde_json::Value>,
        }
    }
}

/// An enum with a variant per documented member and one that keeps any
/// other value: Graph adds members, and an older client must still decode them.
pub fn enumeration(en: &REnum) -> TokenStream {
    let name = format_ident!("{}", en.rust_name);
    let unknown = format_ident!("{}", en.unknown_variant);
    let mut doc = en.description.clone();
    if !doc.is_empty() {
        doc.push_str("\n\n");
    }
    doc.push_str(&format!("`{}`, documented on `{}`.", en.doc_name, en.page));
    if en.is_flags {
        doc.push_str("\n\nThe values are flags: properties of this type are `graph_runtime::Flags`, which reads and writes several values as Graph sends them, one comma-separated string.");
    }
    let doc = doc_lines(&doc);
    let variants: Vec<_> = en.variants.iter().map(|v| format_ident!("{}", v.rust_name)).collect();
    let variant_docs = en.variants.iter().map(|v| doc_lines(&v.description));
    let json_names: Vec<&str> = en.variants.iter().map(|v| v.json_name.as_str()).collect();
    let to_string = if en.variants.is_empty() {
        quote! { let #name::#unknown(value) = value; value }
    } else {
        quote! {
            match value {
                #name::#unknown(value) => value,
                known => known.as_str().to_string(),
            }
        }
    };
    quote! {
        #doc
        #[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
        #[serde(from = "String", into = "String")]
        pub enum #name {
            #( #variant_docs #variants, )*
            /// A value this version of the crate does not know.
            #unknown(String),
        }

        impl #name {
            /// The value as Graph writes it.
            pub fn as_str(&self) -> &str {
                match self {
                    #( Self::#variants => #json_names, )*
                    Self::#unknown(value) => value,
                }
            }
        }

        impl From<String> for #name {
            fn from(value: String) -> Self {
                match value.as_str() {
                    #( #json_names => Self::#variants, )*
                    _ => Self::#unknown(value),
                }
            }
        }

        impl From<#name> for String {
            fn from(value: #name) -> Self {
                #to_string
            }
        }

        impl std::fmt::Display for #name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    }
}
