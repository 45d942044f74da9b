//! Helpers for the generated tests: decode a documented JSON example into a
//! model and check the model keeps everything, check a built request against
//! the documented one, and (with the `testing` feature) serve a documented
//! exchange from a local HTTP server for the contract tests.
//!
//! They panic instead of returning errors because they are meant to be
//! called from `#[test]` functions, and the panic message is the report:
//! the Rust type, the JSON path and both values.

use std::any::type_name;

use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

#[cfg(feature = "testing")]
mod exchange;
#[cfg(feature = "testing")]
pub use exchange::{Exchange, MockGraph};

/// Decodes `json` into `T`, panicking with the type name, JSON path and
/// serde's message if it does not fit.
#[track_caller]
pub fn decode<T: DeserializeOwned>(json: &str) -> T {
    let mut de = serde_json::Deserializer::from_str(json);
    let value = match serde_path_to_error::deserialize::<_, T>(&mut de) {
        Ok(value) => value,
        Err(e) => {
            let (path, message) = crate::decode::join_path(&e.path().to_string(), &e.inner().to_string());
            panic!("could not decode `{}` at `{path}`: {message}", type_name::<T>())
        }
    };
    if let Err(e) = de.end() {
        panic!("could not decode `{}`: {e}", type_name::<T>());
    }
    value
}

/// Asserts a built request has the documented method, path and body. Paths
/// are compared as `comparable_path` writes them; bodies are compared as
/// JSON with the same relaxations as [`assert_round_trip`].
#[track_caller]
pub fn assert_request<T>(request: &crate::Request<T>, method: &str, path: &str, body: Option<&str>) {
    assert_eq!(request.method().as_str(), method, "method of the request to {path}");
    let (built, expected) = (comparable_path(request.path()), comparable_path(path));
    assert!(built.eq_ignore_ascii_case(&expected), "path: built `{built}`, documented `{expected}`");
    let Some(body) = body else { return };
    let expected: Value = match serde_json::from_str(body) {
        Ok(value) => value,
        Err(e) => panic!("documented body for {path} is not valid JSON: {e}"),
    };
    let Some(sent) = request.body_json() else { panic!("the request to {path} has no JSON body") };
    let mut at = String::from("$");
    if let Some((documented, built)) = first_difference(&without_nulls(expected), &without_nulls(sent.clone()), &mut at)
    {
        panic!(
            "body of the request to {path} differs at `{at}`: documented {}, built {}",
            show(documented),
            show(built)
        );
    }
}

/// A path as the documentation and the builders can agree on it:
/// percent-decoded (examples write ids unencoded), without the spaces some
/// pages put after the commas of function arguments (`range(a=1, b=2)`)
/// outside quoted values. Compare the result without regard to ASCII case:
/// Graph's segments are case-insensitive.
fn comparable_path(path: &str) -> String {
    let decoded = percent_encoding::percent_decode_str(path).decode_utf8_lossy();
    let mut out = String::with_capacity(decoded.len());
    let mut quoted = false;
    let mut after_comma = false;
    for c in decoded.chars() {
        if c == ' ' && after_comma && !quoted {
            continue;
        }
        after_comma = c == ',' && !quoted;
        if c == '\'' {
            quoted = !quoted;
        }
        out.push(c);
    }
    out
}

/// Decodes `json` into `T`, encodes it again and asserts the two JSON
/// documents are equal, so a model cannot silently drop or rename a field.
///
/// Two relaxations, both because the models cannot do better:
///
/// - **`null` equals absent.** An object key whose value is `null` is
///   ignored on both sides: models use `Option`, which cannot tell a
///   missing key from an explicit `null`.
/// - **Numbers compare by value**, so `1` and `1.0` are equal (an `f64`
///   property re-encodes an integer example as a float).
///
/// Anything else counts, including keys that appear only after re-encoding.
///
/// # Panics
///
/// When `json` is not valid JSON, does not decode, or does not survive the
/// round trip; the message names the type, the first differing JSON path
/// and both values there.
#[track_caller]
pub fn assert_round_trip<T: DeserializeOwned + Serialize>(json: &str) {
    let input: Value = match serde_json::from_str(json) {
        Ok(value) => value,
        Err(e) => panic!("test input for `{}` is not valid JSON: {e}", type_name::<T>()),
    };
    let decoded: T = decode(json);
    let output = match serde_json::to_value(&decoded) {
        Ok(value) => value,
        Err(e) => panic!("could not re-encode `{}`: {e}", type_name::<T>()),
    };
    let mut path = String::from("$");
    if let Some((input, output)) = first_difference(&without_nulls(input), &without_nulls(output), &mut path) {
        panic!(
            "round trip of `{}` changed `{path}`:\n  input:      {}\n  re-encoded: {}",
            type_name::<T>(),
            show(input),
            show(output),
        );
    }
}

/// Removes object entries whose value is `null`, at any depth. Array
/// elements stay: a `null` there is data (`Vec<Option<_>>`).
fn without_nulls(value: Value) -> Value {
    match value {
        Value::Object(map) => {
            Value::Object(map.into_iter().filter(|(_, v)| !v.is_null()).map(|(k, v)| (k, without_nulls(v))).collect())
        }
        Value::Array(items) => Value::Array(items.into_iter().map(without_nulls).collect()),
        other => other,
    }
}

/// A first place where a JSON pair differs: the value on each side, `None`
/// for a missing side.
type Difference<'v> = (Option<&'v Value>, Option<&'v Value>);

/// The first place where `a` and `b` differ, depth first in document
/// order; `path` is left pointing at it. `None` marks a missing side.
fn first_difference<'v>(a: &'v Value, b: &'v Value, path: &mut String) -> Option<Difference<'v>> {
    first_mismatch(a, b, path, false)
}

/// The first place where `documented` is not contained in `decoded`: every
/// key it has must be there with a contained value, arrays element by
/// element with the same length; keys only `decoded` has do not count.
/// `path` is left pointing at it; `None` marks a missing side.
#[cfg(feature = "testing")]
fn first_missing<'v>(documented: &'v Value, decoded: &'v Value, path: &mut String) -> Option<Difference<'v>> {
    first_mismatch(documented, decoded, path, true)
}

/// The walk behind both: with `contained`, keys only `b` has do not count.
fn first_mismatch<'v>(a: &'v Value, b: &'v Value, path: &mut String, contained: bool) -> Option<Difference<'v>> {
    match (a, b) {
        (Value::Object(a_map), Value::Object(b_map)) => {
            let only_b = b_map.keys().filter(|k| !contained && !a_map.contains_key(*k));
            for key in a_map.keys().chain(only_b) {
                let len = path.len();
                push_key(path, key);
                match (a_map.get(key), b_map.get(key)) {
                    (Some(a_value), Some(b_value)) => {
                        if let Some(diff) = first_mismatch(a_value, b_value, path, contained) {
                            return Some(diff);
                        }
                    }
                    (a_value, b_value) => return Some((a_value, b_value)),
                }
                path.truncate(len);
            }
            None
        }
        (Value::Array(a_items), Value::Array(b_items)) => {
            for i in 0..a_items.len().max(b_items.len()) {
                let len = path.len();
                path.push_str(&format!("[{i}]"));
                match (a_items.get(i), b_items.get(i)) {
                    (Some(a_value), Some(b_value)) => {
                        if let Some(diff) = first_mismatch(a_value, b_value, path, contained) {
                            return Some(diff);
                        }
                    }
                    (a_value, b_value) => return Some((a_value, b_value)),
                }
                path.truncate(len);
            }
            None
        }
        (Value::Number(x), Value::Number(y)) if numbers_equal(x, y) => None,
        _ if a == b => None,
        _ => Some((Some(a), Some(b))),
    }
}

fn numbers_equal(x: &serde_json::Number, y: &serde_json::Number) -> bool {
    if x.is_f64() || y.is_f64() { x.as_f64() == y.as_f64() } else { x == y }
}

/// `.name` for plain keys, `["@odata.type"]` for the rest, so the path
/// reads unambiguously.
fn push_key(path: &mut String, key: &str) {
    let plain = !key.is_empty() && key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    if plain {
        path.push('.');
        path.push_str(key);
    } else {
        path.push('[');
        path.push_str(&Value::String(key.to_owned()).to_string());
        path.push(']');
    }
}

/// A value for the panic message, shortened so a large subtree stays
/// readable.
fn show(value: Option<&Value>) -> String {
    const LIMIT: usize = 200;
    let Some(value) = value else {
        return "(absent)".to_owned();
    };
    let text = value.to_string();
    if text.chars().count() <= LIMIT {
        text
    } else {
        let short: String = text.chars().take(LIMIT).collect();
        format!("{short}…")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    #[derive(serde::Serialize, serde::Deserialize)]
    struct User {
        id: String,
        #[serde(rename = "displayName", skip_serializing_if = "Option::is_none")]
        display_name: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        score: Option<f64>,
    }

    fn panic_message(f: impl FnOnce() + std::panic::UnwindSafe) -> String {
        let payload = std::panic::catch_unwind(f).expect_err("expected a panic");
        payload
            .downcast_ref::<String>()
            .cloned()
            .or_else(|| payload.downcast_ref::<&str>().map(|s| s.to_string()))
            .unwrap_or_default()
    }

    #[test]
    fn round_trip_passes_with_nulls_and_integer_floats() {
        assert_round_trip::<User>(r#"{"id": "1", "displayName": null, "score": 3}"#);
        assert_round_trip::<BTreeMap<String, Value>>(r#"{"a": [null, 1, {"b": null}]}"#);
    }

    #[test]
    fn round_trip_reports_lost_key() {
        let message = panic_message(|| assert_round_trip::<User>(r#"{"id": "1", "extra": {"deep": true}}"#));
        assert!(message.contains("User"), "{message}");
        assert!(message.contains("`$.extra`"), "{message}");
        assert!(message.contains(r#"{"deep":true}"#), "{message}");
        assert!(message.contains("(absent)"), "{message}");
    }

    #[test]
    fn round_trip_reports_changed_value_in_array() {
        #[derive(serde::Serialize, serde::Deserialize)]
        struct Wrapper {
            #[serde(rename = "@odata.type")]
            odata_type: String,
            items: Vec<f32>,
        }
        // A lossy model: 0.1 does not survive a trip through f32.
        let message = panic_message(|| assert_round_trip::<Wrapper>(r#"{"@odata.type": "x", "items": [1, 0.1]}"#));
        assert!(message.contains("Wrapper"), "{message}");
        assert!(message.contains("$.items[1]"), "{message}");
    }

    #[test]
    fn decode_reports_type_and_path() {
        let message = panic_message(|| {
            decode::<Vec<User>>(r#"[{"id": "1"}, {"id": 2}]"#);
        });
        assert!(message.contains("User"), "{message}");
        assert!(message.contains("[1].id"), "{message}");
    }

    #[test]
    fn comparable_paths_are_decoded_and_drop_spaces_after_argument_commas() {
        assert_eq!(comparable_path("/users/%7Bid%7D/x"), "/users/{id}/x");
        assert_eq!(
            comparable_path("/r/resized(deltaRows=1, deltaColumns=2)"),
            "/r/resized(deltaRows=1,deltaColumns=2)"
        );
        assert_eq!(comparable_path("/search(q='a, b')"), "/search(q='a, b')");
    }

    #[cfg(feature = "testing")]
    #[test]
    fn documented_must_be_contained_in_decoded() {
        let documented = serde_json::json!({"id": "1", "tags": [{"a": 1}], "n": 2});
        let decoded = serde_json::json!({"id": "1", "tags": [{"a": 1.0, "extra": true}], "n": 2.0, "more": 3});
        assert_eq!(first_missing(&documented, &decoded, &mut String::from("$")), None);

        let mut path = String::from("$");
        let lost = serde_json::json!({"id": "1", "tags": [{"b": 1}]});
        let diff = first_missing(&lost, &decoded, &mut path);
        assert_eq!(diff, Some((Some(&serde_json::json!(1)), None)));
        assert_eq!(path, "$.tags[0].b");

        let mut path = String::from("$");
        let longer = serde_json::json!({"tags": [{"a": 1}, {"a": 2}]});
        assert!(first_missing(&longer, &decoded, &mut path).is_some());
        assert_eq!(path, "$.tags[1]");
    }

    #[test]
    fn difference_path_quotes_odd_keys() {
        let mut path = String::from("$");
        let a = serde_json::json!({"value": [{"@odata.type": "a"}]});
        let b = serde_json::json!({"value": [{"@odata.type": "b"}]});
        let diff = first_difference(&a, &b, &mut path);
        assert!(diff.is_some());
        assert_eq!(path, r#"$.value[0]["@odata.type"]"#);
    }
}
