//! JSON paths through polymorphic models.
//!
//! A polymorphic (`Any…`) model reads its JSON into a `serde_json::Value`
//! first, to see `@odata.type`, then decodes the variant from that value.
//! The outer decoder's path tracking stops at the value, so a failure deep
//! inside would be reported at the value's root. [`decode_variant`] keeps
//! the inner path in its message, and the runtime's decode errors
//! ([`Error::Decode`](crate::Error::Decode), `testing::decode`) join it to
//! the outer one, so a failure reads `at `value[0].unsubscribeData``.

use serde::de::DeserializeOwned;

/// How an inner path starts a message: ``at `path`: ``.
const PREFIX: &str = "at `";
const SUFFIX: &str = "`: ";

/// Decodes the variant `@odata.type` picked from the value the dispatch
/// read, keeping the JSON path inside the value in the error message.
/// Called by the generated `Deserialize` impls of polymorphic models.
pub fn decode_variant<T: DeserializeOwned>(value: serde_json::Value) -> Result<T, serde_json::Error> {
    serde_path_to_error::deserialize(value).map_err(|e| {
        let (path, message) = join_path(&e.path().to_string(), &e.into_inner().to_string());
        let message = if path == "." { message } else { format!("{PREFIX}{path}{SUFFIX}{message}") };
        <serde_json::Error as serde::de::Error>::custom(message)
    })
}

/// The full path and the bare message of a decode error at `path` whose
/// message may start with the path inside a polymorphic value (or several,
/// for a polymorph inside a polymorph).
pub(crate) fn join_path(path: &str, message: &str) -> (String, String) {
    let mut path = path.to_string();
    let mut message = message;
    while let Some((inner, rest)) = message.strip_prefix(PREFIX).and_then(|m| m.split_once(SUFFIX)) {
        path = match (path.as_str(), inner.starts_with('[')) {
            (".", _) => inner.to_string(),
            (_, true) => format!("{path}{inner}"),
            (_, false) => format!("{path}.{inner}"),
        };
        message = rest;
    }
    (path, message.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, serde::Deserialize)]
    #[allow(dead_code)]
    struct Inner {
        name: String,
    }

    #[test]
    fn a_variant_failure_keeps_its_path_inside_the_value() {
        let value = serde_json::json!({ "name": ["not", "a", "string"] });
        let error = decode_variant::<Inner>(value).unwrap_err().to_string();
        assert!(error.starts_with("at `name`: invalid type: sequence"), "{error}");
        assert_eq!(join_path("value[0]", &error).0, "value[0].name");
    }

    /// Shaped like a generated `Any…` model: read the value, then decode the variant.
    #[derive(Debug)]
    #[allow(dead_code)]
    struct AnyInner(Inner);

    impl<'de> serde::Deserialize<'de> for AnyInner {
        fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
            let value = <serde_json::Value as serde::Deserialize>::deserialize(deserializer)?;
            decode_variant(value).map(AnyInner).map_err(serde::de::Error::custom)
        }
    }

    #[test]
    fn a_decode_error_inside_a_polymorph_in_a_page_names_the_whole_path() {
        let json = r#"{"value": [{"name": "ok"}, {"name": 7}]}"#;
        let panic = std::panic::catch_unwind(|| crate::testing::decode::<crate::Page<AnyInner>>(json)).unwrap_err();
        let message = panic.downcast_ref::<String>().cloned().unwrap_or_default();
        assert!(message.contains("at `value[1].name`: invalid type: integer `7`"), "{message}");
    }

    #[test]
    fn paths_join_at_the_root_at_indexes_and_through_nested_polymorphs() {
        assert_eq!(join_path(".", "at `a.b`: bad"), ("a.b".to_string(), "bad".to_string()));
        assert_eq!(join_path("x", "at `[2].c`: bad").0, "x[2].c");
        assert_eq!(join_path("value[0]", "at `a`: at `b`: bad"), ("value[0].a.b".to_string(), "bad".to_string()));
        // A message that only looks like a path halfway is left alone.
        assert_eq!(join_path("x", "expected `a`: b"), ("x".to_string(), "expected `a`: b".to_string()));
    }
}
