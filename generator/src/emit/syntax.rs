//! Pieces of syntax trees, for items built as trees instead of tokens (see
//! [`super::Code`]): what `quote!` would write, without the parse back.

use proc_macro2::{Span, TokenStream};

use super::types::{ident, path, path_type};

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
                    Some(ty) => syn::Fields::Unnamed(syn::FieldsUnnamed {
                        paren_token: Default::default(),
                        unnamed: std::iter::once(syn::Field {
                            attrs: Vec::new(),
                            vis: syn::Visibility::Inherited,
                            mutability: syn::FieldMutability::None,
                            ident: None,
                            colon_token: None,
                            ty,
                        })
                        .collect(),
                    }),
                },
                discriminant: None,
            })
            .collect(),
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
        ty: Box::new(reference(path_type(&["Self"], None))),
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

/// `&ty`.
pub fn reference(ty: syn::Type) -> syn::Type {
    syn::Type::Reference(syn::TypeReference {
        and_token: Default::default(),
        lifetime: None,
        mutability: None,
        elem: Box::new(ty),
    })
}

/// `&[ty]`.
pub fn slice_reference(ty: syn::Type) -> syn::Type {
    reference(syn::Type::Slice(syn::TypeSlice { bracket_token: Default::default(), elem: Box::new(ty) }))
}

/// `()`.
pub fn unit_type() -> syn::Type {
    syn::Type::Tuple(syn::TypeTuple { paren_token: Default::default(), elems: Default::default() })
}

/// A path as an expression: `a::b::C`, or a local variable for one segment.
pub fn path_expr(segments: &[&str]) -> syn::Expr {
    syn::Expr::Path(syn::ExprPath { attrs: Vec::new(), qself: None, path: path(segments, None) })
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

/// `&[items]`.
pub fn slice_expr(items: Vec<syn::Expr>) -> syn::Expr {
    reference_expr(syn::Expr::Array(syn::ExprArray {
        attrs: Vec::new(),
        bracket_token: Default::default(),
        elems: items.into_iter().collect(),
    }))
}

/// `path { name: value, … }`.
pub fn struct_expr(name: &[&str], fields: Vec<(&str, syn::Expr)>) -> syn::Expr {
    syn::Expr::Struct(syn::ExprStruct {
        attrs: Vec::new(),
        qself: None,
        path: path(name, None),
        brace_token: Default::default(),
        fields: fields
            .into_iter()
            .map(|(name, expr)| syn::FieldValue {
                attrs: Vec::new(),
                member: syn::Member::Named(ident(name)),
                colon_token: Some(Default::default()),
                expr,
            })
            .collect(),
        dot2_token: None,
        rest: None,
    })
}

/// `#[a::b]`, e.g. `#[test]`.
pub fn path_attribute(segments: &[&str]) -> syn::Attribute {
    outer(syn::Meta::Path(path(segments, None)))
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
        ty: Box::new(reference(path_type(&["str"], None))),
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

/// `&expr`.
pub fn reference_expr(expr: syn::Expr) -> syn::Expr {
    syn::Expr::Reference(syn::ExprReference {
        attrs: Vec::new(),
        and_token: Default::default(),
        mutability: None,
        expr: Box::new(expr),
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
