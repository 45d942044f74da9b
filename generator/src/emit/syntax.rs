//! Pieces of syntax trees, for the items built as trees instead of tokens
//! (see [`super::Code`]): each helper builds what `quote!` would have
//! written, without the parse back. Trees print exactly as the tokens they
//! stand for (the unit test below holds one of each against `quote!`).

use proc_macro2::{Span, TokenStream};

use super::types::{ident, path, path_type};

// Items.

/// `attrs pub struct name { fields }`.
pub fn public_struct(attrs: Vec<syn::Attribute>, name: &str, fields: Vec<syn::Field>) -> syn::ItemStruct {
    let fields = syn::FieldsNamed { brace_token: Default::default(), named: fields.into_iter().collect() };
    item_struct(attrs, name, syn::Fields::Named(fields))
}

/// `attrs pub struct name …`, with fields named or not (then with a `;`).
fn item_struct(attrs: Vec<syn::Attribute>, name: &str, fields: syn::Fields) -> syn::ItemStruct {
    let semi_token = matches!(fields, syn::Fields::Unnamed(_)).then(Default::default);
    syn::ItemStruct {
        attrs,
        vis: syn::Visibility::Public(Default::default()),
        struct_token: Default::default(),
        ident: ident(name),
        generics: Default::default(),
        fields,
        semi_token,
    }
}

/// `attrs pub name: ty`, a field of a struct with named fields.
pub fn public_field(attrs: Vec<syn::Attribute>, name: &str, ty: syn::Type) -> syn::Field {
    field(attrs, syn::Visibility::Public(Default::default()), Some(name), ty)
}

/// `attrs pub struct name(pub(crate) ty);`: public, built inside the crate.
pub fn public_newtype(attrs: Vec<syn::Attribute>, name: &str, ty: syn::Type) -> syn::ItemStruct {
    let in_crate = syn::Visibility::Restricted(syn::VisRestricted {
        pub_token: Default::default(),
        paren_token: Default::default(),
        in_token: None,
        path: Box::new(ident("crate").into()),
    });
    item_struct(attrs, name, unnamed_field(field(Vec::new(), in_crate, None, ty)))
}

/// A field, named or (for tuple structs and variants) not.
fn field(attrs: Vec<syn::Attribute>, vis: syn::Visibility, name: Option<&str>, ty: syn::Type) -> syn::Field {
    syn::Field {
        attrs,
        vis,
        mutability: syn::FieldMutability::None,
        ident: name.map(ident),
        colon_token: name.map(|_| Default::default()),
        ty,
    }
}

/// `(field)`: the one field of a tuple struct or variant.
fn unnamed_field(field: syn::Field) -> syn::Fields {
    syn::Fields::Unnamed(syn::FieldsUnnamed {
        paren_token: Default::default(),
        unnamed: std::iter::once(field).collect(),
    })
}

/// `attrs pub enum name { variants }`; each variant is a unit, or holds
/// one value of the given type.
pub fn public_enum(
    attrs: Vec<syn::Attribute>,
    name: &str,
    variants: Vec<(Vec<syn::Attribute>, &str, Option<syn::Type>)>,
) -> syn::ItemEnum {
    syn::ItemEnum {
        attrs,
        vis: syn::Visibility::Public(Default::default()),
        enum_token: Default::default(),
        ident: ident(name),
        generics: Default::default(),
        brace_token: Default::default(),
        variants: variants
            .into_iter()
            .map(|(attrs, name, holds)| syn::Variant {
                attrs,
                ident: ident(name),
                fields: match holds {
                    None => syn::Fields::Unit,
                    Some(ty) => unnamed_field(field(Vec::new(), syn::Visibility::Inherited, None, ty)),
                },
                discriminant: None,
            })
            .collect(),
    }
}

/// `attrs impl name { items }`.
pub fn inherent_impl(attrs: Vec<syn::Attribute>, name: &str, items: Vec<syn::ImplItem>) -> syn::ItemImpl {
    syn::ItemImpl {
        attrs,
        defaultness: None,
        unsafety: None,
        impl_token: Default::default(),
        generics: Default::default(),
        trait_: None,
        self_ty: Box::new(path_type(&[name], None)),
        brace_token: Default::default(),
        items,
    }
}

/// `impl trait_ for name { items }`.
pub fn trait_impl(trait_: syn::Path, name: &str, items: Vec<syn::ImplItem>) -> syn::ItemImpl {
    let mut block = inherent_impl(Vec::new(), name, items);
    block.trait_ = Some((None, trait_, Default::default()));
    block
}

/// `const name: &str = value;`.
pub fn str_constant(name: &str, value: proc_macro2::Literal) -> syn::ItemConst {
    syn::ItemConst {
        attrs: Vec::new(),
        vis: syn::Visibility::Inherited,
        const_token: Default::default(),
        ident: ident(name),
        generics: Default::default(),
        colon_token: Default::default(),
        ty: Box::new(reference_type(path_type(&["str"], None))),
        eq_token: Default::default(),
        expr: Box::new(literal(syn::Lit::new(value))),
        semi_token: Default::default(),
    }
}

/// `#[attr] fn name() { statement; }` (`async fn` if `asynchronous`): a test.
pub fn test_fn(attr: syn::Attribute, asynchronous: bool, name: &str, statement: syn::Expr) -> syn::ItemFn {
    syn::ItemFn {
        attrs: vec![attr],
        vis: syn::Visibility::Inherited,
        sig: syn::Signature {
            constness: None,
            asyncness: asynchronous.then(Default::default),
            unsafety: None,
            abi: None,
            fn_token: Default::default(),
            ident: ident(name),
            generics: Default::default(),
            paren_token: Default::default(),
            inputs: Default::default(),
            variadic: None,
            output: syn::ReturnType::Default,
        },
        block: Box::new(syn::Block {
            brace_token: Default::default(),
            stmts: vec![syn::Stmt::Expr(statement, Some(Default::default()))],
        }),
    }
}

/// `a::b!(tokens);`, a macro call as an item.
pub fn macro_item(segments: &[&str], tokens: TokenStream) -> syn::Item {
    syn::Item::Macro(syn::ItemMacro {
        attrs: Vec::new(),
        ident: None,
        mac: syn::Macro {
            path: path(segments, None),
            bang_token: Default::default(),
            delimiter: syn::MacroDelimiter::Paren(Default::default()),
            tokens,
        },
        semi_token: Some(Default::default()),
    })
}

// Functions and methods.

/// `attrs pub fn name(&self, params) -> output { body }`.
pub fn public_method(
    attrs: Vec<syn::Attribute>,
    name: &str,
    params: Vec<(String, syn::Type)>,
    output: syn::Type,
    body: syn::Expr,
) -> syn::ImplItem {
    let receiver = syn::FnArg::Receiver(syn::Receiver {
        attrs: Vec::new(),
        reference: Some((Default::default(), None)),
        mutability: None,
        self_token: Default::default(),
        colon_token: None,
        ty: Box::new(reference_type(path_type(&["Self"], None))),
    });
    let mut method = function(name, params, output, body);
    method.attrs = attrs;
    method.vis = syn::Visibility::Public(Default::default());
    method.sig.inputs.insert(0, receiver);
    syn::ImplItem::Fn(method)
}

/// `fn name(params) -> output { body }`, an associated function.
pub fn function(name: &str, params: Vec<(String, syn::Type)>, output: syn::Type, body: syn::Expr) -> syn::ImplItemFn {
    let params = params.into_iter().map(|(name, ty)| {
        syn::FnArg::Typed(syn::PatType {
            attrs: Vec::new(),
            pat: Box::new(binding(&name)),
            colon_token: Default::default(),
            ty: Box::new(ty),
        })
    });
    syn::ImplItemFn {
        attrs: Vec::new(),
        vis: syn::Visibility::Inherited,
        defaultness: None,
        sig: syn::Signature {
            constness: None,
            asyncness: None,
            unsafety: None,
            abi: None,
            fn_token: Default::default(),
            ident: ident(name),
            generics: Default::default(),
            paren_token: Default::default(),
            inputs: params.collect(),
            variadic: None,
            output: syn::ReturnType::Type(Default::default(), Box::new(output)),
        },
        block: syn::Block { brace_token: Default::default(), stmts: vec![syn::Stmt::Expr(body, None)] },
    }
}

// Attributes.

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

/// `#[a::b]`, e.g. `#[test]`.
pub fn path_attribute(segments: &[&str]) -> syn::Attribute {
    outer(syn::Meta::Path(path(segments, None)))
}

fn outer(meta: syn::Meta) -> syn::Attribute {
    syn::Attribute {
        pound_token: Default::default(),
        style: syn::AttrStyle::Outer,
        bracket_token: Default::default(),
        meta,
    }
}

// Types (paths are `types::path_type`).

/// `&ty`.
pub fn reference_type(ty: syn::Type) -> syn::Type {
    syn::Type::Reference(syn::TypeReference {
        and_token: Default::default(),
        lifetime: None,
        mutability: None,
        elem: Box::new(ty),
    })
}

/// `&[ty]`.
pub fn slice_reference_type(ty: syn::Type) -> syn::Type {
    reference_type(syn::Type::Slice(syn::TypeSlice { bracket_token: Default::default(), elem: Box::new(ty) }))
}

/// `()`.
pub fn unit_type() -> syn::Type {
    syn::Type::Tuple(syn::TypeTuple { paren_token: Default::default(), elems: Default::default() })
}

// Expressions.

/// A path as an expression: `a::b::C`, or a local variable for one segment.
pub fn path_expr(segments: &[&str]) -> syn::Expr {
    syn::Expr::Path(syn::ExprPath { attrs: Vec::new(), qself: None, path: path(segments, None) })
}

/// `a::b::<ty>`, a function path with a turbofish.
pub fn turbofish_path_expr(segments: &[&str], ty: syn::Type) -> syn::Expr {
    let mut path = path(segments, Some(ty));
    if let Some(syn::PathArguments::AngleBracketed(arguments)) =
        path.segments.last_mut().map(|last| &mut last.arguments)
    {
        arguments.colon2_token = Some(Default::default());
    }
    syn::Expr::Path(syn::ExprPath { attrs: Vec::new(), qself: None, path })
}

/// `self.0`: the endpoint a builder holds.
pub fn self_endpoint() -> syn::Expr {
    syn::Expr::Field(syn::ExprField {
        attrs: Vec::new(),
        base: Box::new(path_expr(&["self"])),
        dot_token: Default::default(),
        member: syn::Member::Unnamed(syn::Index { index: 0, span: Span::call_site() }),
    })
}

/// `receiver.method(args)`.
pub fn method_call(receiver: syn::Expr, method: &str, args: Vec<syn::Expr>) -> syn::Expr {
    syn::Expr::MethodCall(syn::ExprMethodCall {
        attrs: Vec::new(),
        receiver: Box::new(receiver),
        dot_token: Default::default(),
        method: ident(method),
        turbofish: None,
        paren_token: Default::default(),
        args: args.into_iter().collect(),
    })
}

/// `function(args)`.
pub fn call(function: syn::Expr, args: Vec<syn::Expr>) -> syn::Expr {
    syn::Expr::Call(syn::ExprCall {
        attrs: Vec::new(),
        func: Box::new(function),
        paren_token: Default::default(),
        args: args.into_iter().collect(),
    })
}

/// A literal: `"text"`, `true`.
pub fn literal(lit: impl Into<syn::Lit>) -> syn::Expr {
    syn::Expr::Lit(syn::ExprLit { attrs: Vec::new(), lit: lit.into() })
}

/// `"text"`.
pub fn str_expr(text: &str) -> syn::Expr {
    literal(syn::LitStr::new(text, Span::call_site()))
}

/// `&expr`.
pub fn reference_expr(expr: syn::Expr) -> syn::Expr {
    syn::Expr::Reference(syn::ExprReference {
        attrs: Vec::new(),
        and_token: Default::default(),
        mutability: None,
        expr: Box::new(expr),
    })
}

/// `&[items]`.
pub fn slice_expr(items: Vec<syn::Expr>) -> syn::Expr {
    reference_expr(syn::Expr::Array(syn::ExprArray {
        attrs: Vec::new(),
        bracket_token: Default::default(),
        elems: items.into_iter().collect(),
    }))
}

/// `path { name: value, … }`; `name` alone where the value is a variable
/// of the same name (the shorthand clippy asks for).
pub fn struct_expr(name: &[&str], fields: Vec<(&str, syn::Expr)>) -> syn::Expr {
    syn::Expr::Struct(syn::ExprStruct {
        attrs: Vec::new(),
        qself: None,
        path: path(name, None),
        brace_token: Default::default(),
        fields: fields
            .into_iter()
            .map(|(name, expr)| {
                let shorthand = matches!(&expr, syn::Expr::Path(p) if p.path.is_ident(&ident(name)));
                syn::FieldValue {
                    attrs: Vec::new(),
                    member: syn::Member::Named(ident(name)),
                    colon_token: (!shorthand).then(Default::default),
                    expr,
                }
            })
            .collect(),
        dot2_token: None,
        rest: None,
    })
}

/// `|param| body`.
pub fn closure(param: &str, body: syn::Expr) -> syn::Expr {
    syn::Expr::Closure(syn::ExprClosure {
        attrs: Vec::new(),
        lifetimes: None,
        constness: None,
        movability: None,
        asyncness: None,
        capture: None,
        or1_token: Default::default(),
        inputs: std::iter::once(binding(param)).collect(),
        or2_token: Default::default(),
        output: syn::ReturnType::Default,
        body: Box::new(body),
    })
}

/// `expr.await`.
pub fn await_expr(expr: syn::Expr) -> syn::Expr {
    syn::Expr::Await(syn::ExprAwait {
        attrs: Vec::new(),
        base: Box::new(expr),
        dot_token: Default::default(),
        await_token: Default::default(),
    })
}

/// `match scrutinee { pattern => body, … }`.
pub fn match_expr(scrutinee: syn::Expr, arms: Vec<(Pattern, syn::Expr)>) -> syn::Expr {
    syn::Expr::Match(syn::ExprMatch {
        attrs: Vec::new(),
        match_token: Default::default(),
        expr: Box::new(scrutinee),
        brace_token: Default::default(),
        arms: arms
            .into_iter()
            .map(|(pattern, body)| syn::Arm {
                attrs: Vec::new(),
                pat: pattern.into_pat(),
                guard: None,
                fat_arrow_token: Default::default(),
                body: Box::new(body),
                comma: Some(Default::default()),
            })
            .collect(),
    })
}

// Patterns.

/// A pattern that binds `name`.
pub fn binding(name: &str) -> syn::Pat {
    syn::Pat::Ident(syn::PatIdent {
        attrs: Vec::new(),
        by_ref: None,
        mutability: None,
        ident: ident(name),
        subpat: None,
    })
}

/// A pattern: `a::B`, `a::B(inner)`, a literal, or `_`.
pub enum Pattern<'a> {
    Path(&'a [&'a str]),
    TupleStruct(&'a [&'a str], syn::Pat),
    Str(&'a str),
    Wild,
}

impl Pattern<'_> {
    fn into_pat(self) -> syn::Pat {
        match self {
            Pattern::Path(segments) => {
                syn::Pat::Path(syn::ExprPath { attrs: Vec::new(), qself: None, path: path(segments, None) })
            }
            Pattern::TupleStruct(segments, inner) => syn::Pat::TupleStruct(syn::PatTupleStruct {
                attrs: Vec::new(),
                qself: None,
                path: path(segments, None),
                paren_token: Default::default(),
                elems: std::iter::once(inner).collect(),
            }),
            Pattern::Str(text) => {
                syn::Pat::Lit(syn::ExprLit { attrs: Vec::new(), lit: syn::LitStr::new(text, Span::call_site()).into() })
            }
            Pattern::Wild => syn::Pat::Wild(syn::PatWild { attrs: Vec::new(), underscore_token: Default::default() }),
        }
    }
}

#[cfg(test)]
mod tests {
    use quote::quote;

    use super::*;

    fn printed(items: Vec<syn::Item>) -> String {
        prettyplease::unparse(&syn::File { shebang: None, attrs: Vec::new(), items })
    }

    fn parsed(tokens: TokenStream) -> String {
        prettyplease::unparse(&syn::parse2(tokens).unwrap())
    }

    /// Every helper, used once, against the `quote!` it replaces: a tree
    /// that differs from what the parser builds could print differently.
    #[test]
    fn trees_print_as_the_tokens_they_stand_for() {
        let string = || path_type(&["String"], None);
        let fields = vec![
            public_field(vec![list_attribute("serde", quote! { flatten })], "extra", string()),
            public_field(vec![doc_comment(" Doc.")], "items", slice_reference_type(path_type(&["u8"], None))),
        ];
        let variants = vec![(Vec::new(), "A", None), (vec![doc_comment(" Other.")], "Other", Some(string()))];
        let as_str = match_expr(
            path_expr(&["self"]),
            vec![
                (Pattern::Path(&["Self", "A"]), str_expr("a")),
                (Pattern::TupleStruct(&["Self", "Other"], binding("value")), path_expr(&["value"])),
            ],
        );
        let from = match_expr(
            method_call(path_expr(&["value"]), "as_str", Vec::new()),
            vec![(Pattern::Str("a"), path_expr(&["Self", "A"])), (Pattern::Wild, path_expr(&["Self", "A"]))],
        );
        let request = method_call(
            call(path_expr(&["crate", "Client", "new"]), vec![path_expr(&["client"])]),
            "get",
            vec![
                reference_expr(call(turbofish_path_expr(&["t", "decode"], string()), vec![path_expr(&["BODY"])])),
                slice_expr(vec![struct_expr(
                    &["rt", "Arg"],
                    vec![("name", str_expr("x")), ("quoted", literal(syn::LitBool::new(true, Span::call_site())))],
                )]),
            ],
        );
        let built = vec![
            syn::Item::Struct(public_struct(vec![path_attribute(&["non_exhaustive"])], "S", fields)),
            syn::Item::Struct(public_newtype(Vec::new(), "N", path_type(&["rt", "Endpoint"], None))),
            syn::Item::Enum(public_enum(Vec::new(), "E", variants)),
            syn::Item::Impl(inherent_impl(
                vec![list_attribute("cfg", quote! { feature = "x" })],
                "E",
                vec![
                    public_method(Vec::new(), "as_str", Vec::new(), reference_type(path_type(&["str"], None)), as_str),
                    public_method(
                        Vec::new(),
                        "endpoint",
                        vec![("id".into(), reference_type(path_type(&["str"], None)))],
                        unit_type(),
                        method_call(self_endpoint(), "key", vec![path_expr(&["id"])]),
                    ),
                ],
            )),
            syn::Item::Impl(trait_impl(
                path(&["From"], Some(string())),
                "E",
                vec![syn::ImplItem::Fn(function(
                    "from",
                    vec![("value".into(), string())],
                    path_type(&["Self"], None),
                    from,
                ))],
            )),
            syn::Item::Const(str_constant("BODY", proc_macro2::Literal::string("{}"))),
            syn::Item::Fn(test_fn(
                path_attribute(&["tokio", "test"]),
                true,
                "sends",
                await_expr(method_call(path_expr(&["exchange"]), "check", vec![closure("client", request)])),
            )),
            macro_item(&["rt", "impls"], quote! { E, Other }),
        ];
        let expected = quote! {
            #[non_exhaustive]
            pub struct S {
                #[serde(flatten)]
                pub extra: String,
                /// Doc.
                pub items: &[u8],
            }
            pub struct N(pub(crate) rt::Endpoint);
            pub enum E {
                A,
                /// Other.
                Other(String),
            }
            #[cfg(feature = "x")]
            impl E {
                pub fn as_str(&self) -> &str {
                    match self {
                        Self::A => "a",
                        Self::Other(value) => value,
                    }
                }
                pub fn endpoint(&self, id: &str) -> () {
                    self.0.key(id)
                }
            }
            impl From<String> for E {
                fn from(value: String) -> Self {
                    match value.as_str() {
                        "a" => Self::A,
                        _ => Self::A,
                    }
                }
            }
            const BODY: &str = "{}";
            #[tokio::test]
            async fn sends() {
                exchange
                    .check(|client| crate::Client::new(client).get(&t::decode::<String>(BODY), &[rt::Arg { name: "x", quoted: true }]))
                    .await;
            }
            rt::impls!(E, Other);
        };
        assert_eq!(printed(built), parsed(expected));
    }
}
