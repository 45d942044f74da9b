//! Decoding a generated model from its JSON object, field by field.
//!
//! serde's derived `Deserialize` spells out a visitor, a field enum and the
//! buffering of a flattened map for every struct: in a crate of a thousand
//! models that was two thirds of the compiler's time (macro expansion, type
//! and borrow checking). A model's impl is instead one call per field on an
//! [`Object`], written by [`model_deserialize!`]: the generic work lives
//! here, once. What the fields do not take is the model's
//! `additional_properties`, so nothing is lost.

use serde::Deserializer;
use serde::de::{self, DeserializeOwned, MapAccess, Visitor};
use serde_json::{Map, Value};

use crate::decode::join_path;

/// The JSON object of a model being decoded: fields are taken out by name;
/// what is left is kept.
#[derive(Debug)]
pub struct Object(Map<String, Value>);

impl Object {
    /// Reads the object; anything else fails as serde's derived impls fail
    /// ("invalid type: …, expected struct `name`").
    pub fn read<'de, D: Deserializer<'de>>(deserializer: D, name: &'static str) -> Result<Object, D::Error> {
        deserializer.deserialize_map(ObjectVisitor(name)).map(Object)
    }

    /// The field `key`, or its default when the object does not have it
    /// (`None`, `Nullable::Absent`). A failure names the JSON path inside
    /// the field, for [`Error::Decode`](crate::Error::Decode) to join with
    /// the path outside.
    pub fn field<T: DeserializeOwned + Default, E: de::Error>(&mut self, key: &str) -> Result<T, E> {
        match self.0.remove(key) {
            Some(value) => decode_field(key, value),
            None => Ok(T::default()),
        }
    }

    /// The field `key`, which the object must have (a required parameter).
    pub fn required<T: DeserializeOwned, E: de::Error>(&mut self, key: &'static str) -> Result<T, E> {
        match self.0.remove(key) {
            Some(value) => decode_field(key, value),
            None => Err(E::missing_field(key)),
        }
    }

    /// What no field took.
    pub fn rest(self) -> Map<String, Value> {
        self.0
    }
}

/// `value` as a `T`, a failure's message starting with its path from the
/// object (``at `key.inner[0]`: ``), the form `decode_variant` gives too.
fn decode_field<T: DeserializeOwned, E: de::Error>(key: &str, value: Value) -> Result<T, E> {
    serde_path_to_error::deserialize(value).map_err(|error| {
        let inner = error.path().to_string();
        let (inner, message) = join_path(&inner, &error.into_inner().to_string());
        let path = match inner.as_str() {
            "." => key.to_string(),
            index if index.starts_with('[') => format!("{key}{index}"),
            inner => format!("{key}.{inner}"),
        };
        E::custom(format!("at `{path}`: {message}"))
    })
}

struct ObjectVisitor(&'static str);

impl<'de> Visitor<'de> for ObjectVisitor {
    type Value = Map<String, Value>;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "struct {}", self.0)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut access: A) -> Result<Self::Value, A::Error> {
        let mut map = Map::new();
        while let Some((key, value)) = access.next_entry::<String, Value>()? {
            map.insert(key, value);
        }
        Ok(map)
    }
}

/// `Deserialize` for a generated model: each field taken from the JSON
/// object by its JSON name (`field`: absent is the default; `required`:
/// absent fails), the rest kept in the last field.
///
/// ```
/// #[derive(Debug, Default, PartialEq)]
/// struct Widget {
///     id: String,
///     display_name: Option<String>,
///     additional_properties: serde_json::Map<String, serde_json::Value>,
/// }
/// graph_runtime::model_deserialize!(Widget, additional_properties, required(id, "id"), field(display_name, "displayName"));
///
/// let widget: Widget = serde_json::from_str(r#"{"id": "1", "colour": "red"}"#).unwrap();
/// assert_eq!(widget.display_name, None);
/// assert_eq!(widget.additional_properties["colour"], "red");
/// ```
#[macro_export]
macro_rules! model_deserialize {
    ($name:ident, $rest:ident $(, $how:ident($field:ident, $key:literal))* $(,)?) => {
        impl<'de> ::serde::Deserialize<'de> for $name {
            fn deserialize<D: ::serde::Deserializer<'de>>(deserializer: D) -> ::std::result::Result<Self, D::Error> {
                #[allow(unused_mut)]
                let mut object = $crate::Object::read(deserializer, ::std::stringify!($name))?;
                ::std::result::Result::Ok(Self { $($field: object.$how($key)?,)* $rest: object.rest() })
            }
        }
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, Default, PartialEq, serde::Serialize)]
    struct Part {
        size: Option<i32>,
        additional_properties: Map<String, Value>,
    }
    crate::model_deserialize!(Part, additional_properties, field(size, "size"));

    #[derive(Debug, Default, PartialEq)]
    struct Widget {
        name: String,
        parts: Option<Vec<Part>>,
        r#type: crate::Nullable<String>,
        additional_properties: Map<String, Value>,
    }
    crate::model_deserialize!(
        Widget,
        additional_properties,
        required(name, "name"),
        field(parts, "parts"),
        field(r#type, "type")
    );

    fn decode(json: &str) -> Result<Widget, serde_json::Error> {
        serde_json::from_str(json)
    }

    #[test]
    fn fields_are_taken_by_name_and_the_rest_is_kept() {
        let widget =
            decode(r#"{"name": "w", "parts": [{"size": 2, "colour": "red"}], "type": null, "extra": 1}"#).unwrap();
        assert_eq!(widget.name, "w");
        let parts = widget.parts.unwrap();
        assert_eq!(parts[0].size, Some(2));
        assert_eq!(parts[0].additional_properties["colour"], "red");
        assert_eq!(widget.r#type, crate::Nullable::Null);
        assert_eq!(widget.additional_properties["extra"], 1);
    }

    #[test]
    fn an_absent_field_is_its_default_and_an_absent_required_field_fails() {
        let widget = decode(r#"{"name": "w"}"#).unwrap();
        assert_eq!((widget.parts, widget.r#type), (None, crate::Nullable::Absent));
        assert!(decode("{}").unwrap_err().to_string().contains("missing field `name`"));
    }

    #[test]
    fn a_failure_names_its_path_inside_the_object() {
        let error = decode(r#"{"name": "w", "parts": [{"size": 1}, {"size": "big"}]}"#).unwrap_err().to_string();
        assert!(error.starts_with("at `parts[1].size`: invalid type: string \"big\""), "{error}");
        let panic =
            std::panic::catch_unwind(|| crate::testing::decode::<crate::Page<Widget>>(r#"{"value": [{"name": 7}]}"#))
                .unwrap_err();
        let message = panic.downcast_ref::<String>().cloned().unwrap_or_default();
        assert!(message.contains("at `value[0].name`: invalid type: integer `7`"), "{message}");
    }

    #[test]
    fn something_else_than_an_object_fails_as_a_struct_would() {
        let error = decode("[1]").unwrap_err().to_string();
        assert!(error.contains("expected struct Widget"), "{error}");
    }
}
