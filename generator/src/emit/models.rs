//! Model structs and enums.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use super::syntax::{
    Pattern, binding, call, doc_comment, function, inherent_impl, list_attribute, macro_item, match_expr, method_call,
    path_expr, public_enum, public_field, public_method, public_struct, reference_type, str_expr, struct_expr,
    trait_impl,
};
use super::types::{field_type, ident, path, path_type, rust_type};
use super::{EmitOptions, cfg, doc_attribute, doc_lines};
use crate::resolve::{Home, ModelId, REnum, TypeSpace};

/// The struct itself: every documented property as an optional field, plus a
/// flattened map that keeps whatever else the service sends, so a value read
/// and written back loses nothing.
///
/// Built as a syntax tree, not tokens: structs are most of what is emitted,
/// and parsing their tokens back was a tenth of a run's instructions.
pub fn model_struct(space: &TypeSpace, id: ModelId) -> syn::ItemStruct {
    let model = &space.models[id];
    let mut doc = model.description.clone();
    if !doc.is_empty() {
        doc.push_str("\n\n");
    }
    match model.home {
        Home::Models { .. } => doc.push_str(&format!("`{}`, documented on `{}`.", model.doc_name, model.page)),
        Home::Requests { .. } => doc.push_str(&format!("Documented on `{}`.", model.page)),
    }
    if model.open_type {
        doc.push_str("\n\nAn open type: instances carry properties of their own beyond the documented ones, kept in `additional_properties`.");
    }
    let mut attrs: Vec<syn::Attribute> = doc_attribute(&doc).into_iter().collect();
    // A field is written by serde's camelCase rule unless it says
    // otherwise; most Graph names follow that rule, so most fields carry
    // only their skip rule. Decoding is `model_deserialize!` (see
    // `model_items`). A parameter body with required parameters has no
    // default: it is made with `new`.
    if has_required(space, id) {
        attrs.push(list_attribute("derive", quote! { Debug, Clone, PartialEq, serde::Serialize }));
    } else {
        attrs.push(list_attribute("derive", quote! { Debug, Clone, Default, PartialEq, serde::Serialize }));
    }
    attrs.push(list_attribute("serde", quote! { rename_all = "camelCase" }));
    let mut fields: Vec<syn::Field> = model
        .fields
        .iter()
        .map(|field| {
            let plain_name = field.rust_name.trim_start_matches("r#");
            let rename = (serde_camel_case(plain_name).as_deref() != Some(field.json_name.as_str())).then(|| {
                let json_name = &field.json_name;
                quote! { rename = #json_name, }
            });
            let mut attrs: Vec<syn::Attribute> = doc_attribute(&field.description).into_iter().collect();
            let ty = if field.required {
                if let Some(rename) = rename {
                    attrs.push(list_attribute("serde", rename));
                }
                rust_type(space, &field.ty)
            } else {
                // Not a PATCH body (resolve requires nothing of one): an
                // absent optional field is `None` without a default.
                let (ty, skip) = field_type(space, &field.ty, model.patch_body);
                attrs.push(list_attribute("serde", quote! { #rename skip_serializing_if = #skip }));
                ty
            };
            public_field(attrs, &field.rust_name, ty)
        })
        .collect();
    let map =
        path_type(&["serde_json", "Map"], [path_type(&["String"], None), path_type(&["serde_json", "Value"], None)]);
    fields.push(public_field(
        vec![
            doc_comment(" Properties the documentation does not list, kept so that nothing is lost."),
            list_attribute("serde", quote! { flatten }),
        ],
        &model.extra_field,
        map,
    ));
    public_struct(attrs, &model.rust_name, fields)
}

/// The struct of a model, its `Deserialize` (the runtime's
/// `model_deserialize!`: one call per field instead of serde's derived
/// visitor, which was two thirds of the time the compiler spent on a
/// crate of a thousand models) and, for a body with required parameters,
/// its `new`.
pub fn model_items(space: &TypeSpace, id: ModelId) -> Vec<syn::Item> {
    let mut items = vec![syn::Item::Struct(model_struct(space, id)), model_deserialize(space, id)];
    items.extend(constructor(space, id).map(syn::Item::Impl));
    items
}

/// `graph_runtime::model_deserialize!(Name, additional_properties, field(name, "jsonName"), …);`
fn model_deserialize(space: &TypeSpace, id: ModelId) -> syn::Item {
    let model = &space.models[id];
    let name = ident(&model.rust_name);
    let fields = model.fields.iter().map(|f| {
        let (field, key) = (ident(&f.rust_name), &f.json_name);
        let how = format_ident!("{}", if f.required { "required" } else { "field" });
        quote! { #how(#field, #key) }
    });
    let rest = ident(&model.extra_field);
    macro_item(&["graph_runtime", "model_deserialize"], quote! { #name, #rest #(, #fields)* })
}

/// A parameter body with a required parameter.
fn has_required(space: &TypeSpace, id: ModelId) -> bool {
    space.models[id].fields.iter().any(|f| f.required)
}

/// `new`, taking the required parameters of a body that has some (the
/// others start absent): such a body has no `Default` to start from.
fn constructor(space: &TypeSpace, id: ModelId) -> Option<syn::ItemImpl> {
    if !has_required(space, id) {
        return None;
    }
    let model = &space.models[id];
    let required = model.fields.iter().filter(|f| f.required);
    let params = required.map(|f| (f.rust_name.clone(), rust_type(space, &f.ty))).collect();
    let mut values: Vec<(&str, syn::Expr)> = model
        .fields
        .iter()
        .map(|f| (f.rust_name.as_str(), if f.required { path_expr(&[&f.rust_name]) } else { path_expr(&["None"]) }))
        .collect();
    values.push((model.extra_field.as_str(), call(path_expr(&["Default", "default"]), Vec::new())));
    let mut new = function("new", params, path_type(&["Self"], None), struct_expr(&["Self"], values));
    new.vis = syn::Visibility::Public(Default::default());
    new.attrs.push(doc_comment(" The body with its required parameters; the optional ones are absent."));
    Some(inherent_impl(Vec::new(), &model.rust_name, vec![syn::ImplItem::Fn(new)]))
}

/// The JSON name `#[serde(rename_all = "camelCase")]` gives a field, by
/// serde_derive's rule: each `_` is dropped and the letter after it
/// upper-cased, then the first letter is lower-cased. `None` where the rule
/// has nothing to work on (serde would fail to compile), so the field gets an
/// explicit rename instead.
fn serde_camel_case(field: &str) -> Option<String> {
    let mut pascal = String::with_capacity(field.len());
    let mut capitalize = true;
    for ch in field.chars() {
        if ch == '_' {
            capitalize = true;
        } else if capitalize {
            pascal.push(ch.to_ascii_uppercase());
            capitalize = false;
        } else {
            pascal.push(ch);
        }
    }
    // serde lower-cases the first byte: a name starting with anything else
    // than an ASCII letter or digit is left to an explicit rename.
    let first = pascal.chars().next().filter(char::is_ascii_alphanumeric)?;
    Some(format!("{}{}", first.to_ascii_lowercase(), &pascal[1..]))
}

/// An enum with a variant per documented member and one that keeps any
/// other value: Graph adds members, and an older client must still decode
/// them. Then `as_str`, `From<String>`, and the runtime's
/// `string_enum_impls!` for `From<Enum> for String` and `Display` (the same
/// for every enum).
pub fn enumeration(en: &REnum) -> Vec<syn::Item> {
    let (name, unknown) = (ident(&en.rust_name), ident(&en.unknown_variant));
    vec![
        syn::Item::Enum(enum_type(en)),
        syn::Item::Impl(as_str_impl(en)),
        syn::Item::Impl(from_string_impl(en)),
        macro_item(&["graph_runtime", "string_enum_impls"], quote! { #name, #unknown }),
    ]
}

fn enum_type(en: &REnum) -> syn::ItemEnum {
    let mut doc = en.description.clone();
    if !doc.is_empty() {
        doc.push_str("\n\n");
    }
    doc.push_str(&format!("`{}`, documented on `{}`.", en.doc_name, en.page));
    if en.is_flags {
        doc.push_str("\n\nThe values are flags: properties of this type are `graph_runtime::Flags`, which reads and writes several values as Graph sends them, one comma-separated string.");
    }
    let mut attrs: Vec<syn::Attribute> = doc_attribute(&doc).into_iter().collect();
    attrs.push(list_attribute(
        "derive",
        quote! { Debug, Clone, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize },
    ));
    attrs.push(list_attribute("serde", quote! { from = "String", into = "String" }));
    let mut variants: Vec<(Vec<syn::Attribute>, &str, Option<syn::Type>)> = en
        .variants
        .iter()
        .map(|v| (doc_attribute(&v.description).into_iter().collect(), v.rust_name.as_str(), None))
        .collect();
    let unknown_doc = doc_comment(" A value this version of the crate does not know.");
    variants.push((vec![unknown_doc], &en.unknown_variant, Some(path_type(&["String"], None))));
    public_enum(attrs, &en.rust_name, variants)
}

/// `Self::Variant` for each documented member.
fn variant_paths(en: &REnum) -> Vec<[&str; 2]> {
    en.variants.iter().map(|v| ["Self", v.rust_name.as_str()]).collect()
}

/// `as_str`: each variant's JSON name; the unknown variant's own text.
fn as_str_impl(en: &REnum) -> syn::ItemImpl {
    let paths = variant_paths(en);
    let mut arms: Vec<(Pattern, syn::Expr)> =
        en.variants.iter().zip(&paths).map(|(v, path)| (Pattern::Path(path), str_expr(&v.json_name))).collect();
    let unknown = ["Self", en.unknown_variant.as_str()];
    arms.push((Pattern::TupleStruct(&unknown, binding("value")), path_expr(&["value"])));
    let method = public_method(
        vec![doc_comment(" The value as Graph writes it.")],
        "as_str",
        Vec::new(),
        reference_type(path_type(&["str"], None)),
        match_expr(path_expr(&["self"]), arms),
    );
    inherent_impl(Vec::new(), &en.rust_name, vec![method])
}

/// `From<String>`: the variant of a JSON name, else the unknown variant.
fn from_string_impl(en: &REnum) -> syn::ItemImpl {
    let paths = variant_paths(en);
    let mut arms: Vec<(Pattern, syn::Expr)> =
        en.variants.iter().zip(&paths).map(|(v, path)| (Pattern::Str(&v.json_name), path_expr(path))).collect();
    let unknown = path_expr(&["Self", &en.unknown_variant]);
    arms.push((Pattern::Wild, call(unknown, vec![path_expr(&["value"])])));
    let from = function(
        "from",
        vec![("value".to_string(), path_type(&["String"], None))],
        path_type(&["Self"], None),
        match_expr(method_call(path_expr(&["value"]), "as_str", Vec::new()), arms),
    );
    let from_string = path(&["From"], Some(path_type(&["String"], None)));
    trait_impl(from_string, &en.rust_name, vec![syn::ImplItem::Fn(from)])
}

/// The dispatch enum of a base type: one variant per documented derived type
/// (each behind its own features), the base itself, and a fallback that keeps
/// the base properties and the raw JSON of a derived type this crate does not
/// know. Decoding picks the variant by `@odata.type`; encoding writes it back.
pub fn polymorph(space: &TypeSpace, options: &EmitOptions, id: usize) -> TokenStream {
    let poly = &space.polymorphs[id];
    let name = format_ident!("{}", poly.rust_name);
    let base = &space.models[poly.base];
    let base_variant = format_ident!("{}", base.rust_name);
    let unknown = format_ident!("{}", poly.unknown_variant);
    let base_type = quote! { crate::models::#base_variant };
    let doc = doc_lines(&format!(
        "Any `{}`: the type itself or one of its {} derived types, told apart by `@odata.type`.",
        base.doc_name,
        poly.variants.len()
    ));
    let base_key = base.doc_name.to_ascii_lowercase();
    let variants: Vec<_> = poly.variants.iter().map(|v| &space.models[*v]).collect();
    let gates: Vec<TokenStream> = variants.iter().map(|m| cfg(options, &m.areas)).collect();
    let idents: Vec<_> = variants.iter().map(|m| format_ident!("{}", m.rust_name)).collect();
    let keys: Vec<String> = variants.iter().map(|m| m.doc_name.to_ascii_lowercase()).collect();
    let tags: Vec<String> = variants.iter().map(|m| format!("#{}", m.doc_name)).collect();
    let docs = variants.iter().map(|m| doc_lines(&format!("`{}`", m.doc_name)));
    quote! {
        #doc
        #[derive(Debug, Clone, PartialEq)]
        pub enum #name {
            /// The base type itself (also when `@odata.type` is absent).
            #base_variant(Box<#base_type>),
            #( #docs #gates #idents(Box<crate::models::#idents>), )*
            /// A derived type this crate does not know (or whose feature is off):
            /// the base properties, with everything else in `additional_properties`.
            #unknown(Box<#base_type>),
        }

        impl serde::Serialize for #name {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                let (value, odata_type) = match self {
                    // Typed: with every derived variant's feature off, nothing else says what it holds.
                    Self::#base_variant(inner) | Self::#unknown(inner) => (serde_json::to_value(inner), None::<&'static str>),
                    #( #gates Self::#idents(inner) => (serde_json::to_value(inner), Some(#tags)), )*
                };
                let mut value = value.map_err(serde::ser::Error::custom)?;
                if let (Some(odata_type), Some(object)) = (odata_type, value.as_object_mut()) {
                    object.entry("@odata.type").or_insert_with(|| odata_type.into());
                }
                serde::Serialize::serialize(&value, serializer)
            }
        }

        impl<'de> serde::Deserialize<'de> for #name {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let value = <serde_json::Value as serde::Deserialize>::deserialize(deserializer)?;
                let odata_type = value
                    .get("@odata.type")
                    .and_then(serde_json::Value::as_str)
                    .unwrap_or_default()
                    .trim_start_matches('#')
                    .to_ascii_lowercase();
                let decoded = match odata_type.as_str() {
                    "" | #base_key => graph_runtime::decode_variant(value).map(|inner| Self::#base_variant(Box::new(inner))),
                    #( #gates #keys => graph_runtime::decode_variant(value).map(|inner| Self::#idents(Box::new(inner))), )*
                    _ => graph_runtime::decode_variant(value).map(|inner| Self::#unknown(Box::new(inner))),
                };
                decoded.map_err(serde::de::Error::custom)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::serde_camel_case;

    /// The rule must be serde's own: a field it names differently would be
    /// read and written under the wrong key. Compared with what serde does.
    #[test]
    fn camel_case_names_match_what_serde_writes() {
        #[derive(Default, serde::Serialize)]
        #[serde(rename_all = "camelCase")]
        struct Fields {
            about_me: u8,
            ipv4_address: u8,
            i_pv4_address: u8,
            e_tag: u8,
            x509_certificate: u8,
            _leading: u8,
            trailing_: u8,
            r#type: u8,
            id: u8,
        }
        let written = serde_json::to_value(Fields::default()).unwrap();
        let mut serde_names: Vec<&str> = written.as_object().unwrap().keys().map(String::as_str).collect();
        serde_names.sort();
        let ours = [
            "about_me",
            "ipv4_address",
            "i_pv4_address",
            "e_tag",
            "x509_certificate",
            "_leading",
            "trailing_",
            "type",
            "id",
        ];
        let mut our_names: Vec<String> = ours.iter().map(|f| serde_camel_case(f).unwrap()).collect();
        our_names.sort();
        assert_eq!(our_names, serde_names);
    }

    #[test]
    fn names_serde_cannot_convert_get_an_explicit_rename() {
        assert_eq!(serde_camel_case(""), None);
        assert_eq!(serde_camel_case("_"), None);
    }
}
