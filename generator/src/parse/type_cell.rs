//! Type cells (`String`, `Int32 collection`, `[identitySet](identityset.md)`,
//! `Collection(Edm.String)`, …) and relative links.

use crate::ir::{Primitive, TypeRef};
use crate::parse::markdown::Inline;

/// Reads a type cell. `page` is the page's path relative to the docs root,
/// used to turn link targets into docs-root paths.
pub fn parse_type(cell: &Inline, page: &str) -> TypeRef {
    let text = clean(&cell.text);
    let lower = text.to_ascii_lowercase();
    if lower.starts_with("collection(") && lower.ends_with(')') {
        let inner = &text["collection(".len()..text.len() - 1];
        return TypeRef::Collection(Box::new(parse_single(inner, cell, page)));
    }
    if let Some(inner) = lower.strip_prefix("collection of ").map(|rest| text[text.len() - rest.len()..].trim()) {
        // "Collection of strings": the plural of a primitive.
        let singular = inner.strip_suffix('s').filter(|one| primitive(one).is_some()).unwrap_or(inner);
        return TypeRef::Collection(Box::new(parse_single(singular, cell, page)));
    }
    for suffix in [" collection", " collections"] {
        if lower.ends_with(suffix) {
            let inner = text[..text.len() - suffix.len()].trim();
            return TypeRef::Collection(Box::new(parse_single(inner, cell, page)));
        }
    }
    parse_single(&text, cell, page)
}

fn clean(text: &str) -> String {
    text.trim().trim_matches(|c| c == '*' || c == '`' || c == '.').trim().to_string()
}

fn parse_single(text: &str, cell: &Inline, page: &str) -> TypeRef {
    let links: Vec<_> =
        cell.links.iter().filter(|l| !l.target.starts_with("http") && !l.target.starts_with('#')).collect();
    if links.len() > 1 {
        // `[a](a.md) or [b](b.md)`: alternatives, when nothing else is said.
        let mut rest = cell.text.clone();
        for link in &links {
            rest = rest.replacen(link.text.as_str(), "", 1);
        }
        let alternatives = rest.split_whitespace().all(|word| matches!(word, "or" | "," | "|" | "/"));
        let one_of = if alternatives {
            links
                .iter()
                .map(|l| TypeRef::Named {
                    name: type_name_from_text(&l.text),
                    page: resolve_link(page, &l.target).ok().flatten(),
                })
                .collect()
        } else {
            Vec::new()
        };
        return TypeRef::Untyped { raw: cell.text.trim().to_string(), one_of };
    }
    if let Some(link) = links.first() {
        // `[DateTimeOffset](timestamp.md)`: the text names a primitive and the
        // link points elsewhere (primitives have no pages); the text is right.
        let stem = link.target.rsplit('/').next().unwrap_or_default().split(['.', '#']).next().unwrap_or_default();
        if let Some(primitive) = primitive(&link.text).filter(|p| *p != Primitive::Json)
            && !type_name_from_text(&link.text).eq_ignore_ascii_case(stem)
        {
            return TypeRef::Primitive(primitive);
        }
        return TypeRef::Named {
            name: type_name_from_text(&link.text),
            page: resolve_link(page, &link.target).ok().flatten(),
        };
    }
    if let Some(primitive) = primitive(text) {
        return TypeRef::Primitive(primitive);
    }
    let name = type_name_from_text(text);
    if !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '_') {
        return TypeRef::Named { name, page: None };
    }
    TypeRef::Untyped { raw: cell.text.trim().to_string(), one_of: Vec::new() }
}

/// `microsoft.graph.identitySet` → `identitySet`; strips `enum`/`object` words.
fn type_name_from_text(text: &str) -> String {
    let text = text.trim().trim_matches(|c| c == '*' || c == '`' || c == '[' || c == ']');
    let text = text.strip_suffix(" enum").or_else(|| text.strip_suffix(" object")).unwrap_or(text).trim();
    text.strip_prefix("microsoft.graph.").unwrap_or(text).to_string()
}

/// Primitive spellings seen in the docs, case-insensitive, with or without
/// `Edm.` and a parenthesised or comma qualifier (`string (url)`, `string, maximum size 20`).
pub fn primitive(text: &str) -> Option<Primitive> {
    let mut word = text.trim().to_ascii_lowercase();
    if let Some(cut) = word.find(['(', ',']) {
        word.truncate(cut);
    }
    let word = word.trim();
    let word = word.strip_prefix("edm.").unwrap_or(word);
    Some(match word {
        "string" | "url" | "uri" | "str" => Primitive::String,
        "boolean" | "bool" => Primitive::Boolean,
        "byte" | "sbyte" => Primitive::Byte,
        "int16" => Primitive::Int16,
        "int32" | "int" | "integer" => Primitive::Int32,
        "int64" | "long" => Primitive::Int64,
        "single" | "float" => Primitive::Single,
        "double" | "number" | "numeric" => Primitive::Double,
        "decimal" => Primitive::Decimal,
        "datetimeoffset" | "datetime" | "timestamp" => Primitive::DateTimeOffset,
        "date" => Primitive::Date,
        "timeofday" => Primitive::TimeOfDay,
        "duration" => Primitive::Duration,
        "guid" | "uuid" => Primitive::Guid,
        "binary" => Primitive::Binary,
        "stream" => Primitive::Stream,
        "json" | "object" | "json object" | "untyped json object" => Primitive::Json,
        _ => return None,
    })
}

/// Turns a relative link on `page` into a path relative to the docs root.
/// `Ok(None)` for links that are not to pages (URLs, anchors, site-rooted
/// `/graph/…`); `Err` for a link that climbs out of the docs root.
pub fn resolve_link(page: &str, target: &str) -> Result<Option<String>, String> {
    let target = target.trim();
    let target = target.split('#').next().unwrap_or_default();
    if target.is_empty() || target.starts_with('/') || target.contains("://") || target.starts_with("mailto:") {
        return Ok(None);
    }
    if !target.to_ascii_lowercase().ends_with(".md") {
        return Ok(None);
    }
    let mut parts: Vec<&str> = page.split('/').collect();
    parts.pop();
    for piece in target.split('/') {
        match piece {
            "" | "." => {}
            ".." => {
                if parts.pop().is_none() {
                    return Err(format!("the link `{target}` leaves the docs root"));
                }
            }
            other => parts.push(other),
        }
    }
    Ok(Some(parts.join("/")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::markdown::Link;

    fn cell(text: &str, links: &[(&str, &str)]) -> Inline {
        Inline {
            text: text.into(),
            links: links.iter().map(|(t, l)| Link { text: t.to_string(), target: l.to_string(), at: 0 }).collect(),
            includes: Vec::new(),
        }
    }

    fn named(name: &str, page: Option<&str>) -> TypeRef {
        TypeRef::Named { name: name.into(), page: page.map(str::to_string) }
    }

    #[test]
    fn primitives_in_every_spelling() {
        for (text, expected) in [
            ("String", Primitive::String),
            ("Edm.Int32", Primitive::Int32),
            ("int32", Primitive::Int32),
            ("dateTimeOffset", Primitive::DateTimeOffset),
            ("GUID", Primitive::Guid),
            ("string (url)", Primitive::String),
            ("string, maximum size 20", Primitive::String),
        ] {
            assert_eq!(parse_type(&cell(text, &[]), "v1.0/resources/x.md"), TypeRef::Primitive(expected), "{text}");
        }
    }

    #[test]
    fn collections_in_both_spellings() {
        let expected = TypeRef::Collection(Box::new(TypeRef::Primitive(Primitive::String)));
        assert_eq!(parse_type(&cell("String collection", &[]), "a.md"), expected);
        assert_eq!(parse_type(&cell("Collection(Edm.String)", &[]), "a.md"), expected);
        assert_eq!(parse_type(&cell("Collection of String", &[]), "a.md"), expected);
        assert_eq!(parse_type(&cell("collection of strings", &[]), "a.md"), expected);
    }

    #[test]
    fn links_resolve_relative_to_the_page() {
        let ty = parse_type(
            &cell("identitySet collection", &[("identitySet", "../resources/identityset.md")]),
            "v1.0/api/user-get.md",
        );
        assert_eq!(ty, TypeRef::Collection(Box::new(named("identitySet", Some("v1.0/resources/identityset.md")))));
    }

    #[test]
    fn a_primitive_linked_to_another_page_is_the_primitive() {
        let primitive = cell("DateTimeOffset", &[("DateTimeOffset", "../resources/timestamp.md")]);
        assert_eq!(parse_type(&primitive, "v1.0/resources/a.md"), TypeRef::Primitive(Primitive::DateTimeOffset));
        let model = cell("timeStamp", &[("timeStamp", "timestamp.md")]);
        assert_eq!(parse_type(&model, "v1.0/resources/a.md"), named("timeStamp", Some("v1.0/resources/timestamp.md")));
    }

    #[test]
    fn bare_names_and_unions() {
        assert_eq!(parse_type(&cell("freeBusyStatus", &[]), "a.md"), named("freeBusyStatus", None));
        let union = parse_type(&cell("a or b", &[("a", "a.md"), ("b", "b.md")]), "a.md");
        assert!(matches!(&union, TypeRef::Untyped { one_of, .. } if one_of.len() == 2), "{union:?}");
        let prose = parse_type(&cell("a when c, else b", &[("a", "a.md"), ("b", "b.md")]), "a.md");
        assert!(matches!(&prose, TypeRef::Untyped { one_of, .. } if one_of.is_empty()), "{prose:?}");
        assert!(matches!(parse_type(&cell("string/number", &[]), "a.md"), TypeRef::Untyped { .. }));
    }

    #[test]
    fn links_outside_the_root_are_errors() {
        assert!(resolve_link("v1.0/api/a.md", "../../../../etc/passwd.md").is_err());
        assert_eq!(resolve_link("v1.0/api/a.md", "/graph/permissions-reference"), Ok(None));
        assert_eq!(resolve_link("v1.0/api/a.md", "b.md#section"), Ok(Some("v1.0/api/b.md".into())));
    }
}
