//! Shapes shared by every generated operation: collection pages, raw bytes
//! and `$ref` bodies.

use std::fmt;

use serde::de::{self, Deserializer, SeqAccess, Visitor};
use serde::{Deserialize, Serialize, Serializer};

/// One page of a collection response.
///
/// Graph splits large collections into pages linked by `@odata.nextLink`;
/// [`Request::items`](crate::Request::items) follows them for you, and
/// [`Request::pages`](crate::Request::pages) hands out whole pages when you
/// need `delta_link` or `count`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Page<T> {
    /// The items of this page.
    #[serde(default = "Vec::new")]
    pub value: Vec<T>,
    /// Absolute URL of the next page; absent on the last one.
    #[serde(rename = "@odata.nextLink", default, skip_serializing_if = "Option::is_none")]
    pub next_link: Option<String>,
    /// On the last page of a delta query: the URL to ask for later changes.
    #[serde(rename = "@odata.deltaLink", default, skip_serializing_if = "Option::is_none")]
    pub delta_link: Option<String>,
    /// Total item count, when the request asked for `$count=true`.
    #[serde(rename = "@odata.count", default, skip_serializing_if = "Option::is_none")]
    pub count: Option<i64>,
    /// Everything else, such as `@odata.context`.
    #[serde(flatten)]
    pub additional_properties: serde_json::Map<String, serde_json::Value>,
}

// By hand: the derive would demand `T: Default`, which an empty page never needs.
impl<T> Default for Page<T> {
    fn default() -> Self {
        Page {
            value: Vec::new(),
            next_link: None,
            delta_link: None,
            count: None,
            additional_properties: serde_json::Map::new(),
        }
    }
}

/// The answer of an operation that returns one primitive or enum value (a
/// function such as a chart's `image`, or a single property): OData sends
/// it wrapped, `{"@odata.context": "…", "value": …}`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ValueWrapper<T> {
    /// The value itself.
    pub value: T,
    /// Everything else, such as `@odata.context`.
    #[serde(flatten)]
    pub additional_properties: serde_json::Map<String, serde_json::Value>,
}

impl<T> ValueWrapper<T> {
    /// The value, without the wrapper.
    pub fn into_inner(self) -> T {
        self.value
    }
}

/// The raw bytes of a `Stream` / `$value` response, such as a photo or a
/// file's content.
///
/// It deserialises from bytes (what the runtime hands it for
/// [`ResponseKind::Bytes`](crate::ResponseKind::Bytes)) and, so models stay
/// round-trippable, from a JSON array of numbers; it serialises as bytes.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct Binary(pub Vec<u8>);

impl Binary {
    /// The bytes, without copying.
    pub fn into_inner(self) -> Vec<u8> {
        self.0
    }
}

impl From<Vec<u8>> for Binary {
    fn from(bytes: Vec<u8>) -> Self {
        Binary(bytes)
    }
}

impl AsRef<[u8]> for Binary {
    fn as_ref(&self) -> &[u8] {
        &self.0
    }
}

impl Serialize for Binary {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_bytes(&self.0)
    }
}

impl<'de> Deserialize<'de> for Binary {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_byte_buf(BinaryVisitor)
    }
}

struct BinaryVisitor;

impl<'de> Visitor<'de> for BinaryVisitor {
    type Value = Binary;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("bytes")
    }

    fn visit_bytes<E: de::Error>(self, bytes: &[u8]) -> Result<Binary, E> {
        Ok(Binary(bytes.to_vec()))
    }

    fn visit_byte_buf<E: de::Error>(self, bytes: Vec<u8>) -> Result<Binary, E> {
        Ok(Binary(bytes))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Binary, A::Error> {
        let mut bytes = Vec::with_capacity(seq.size_hint().unwrap_or(0));
        while let Some(byte) = seq.next_element::<u8>()? {
            bytes.push(byte);
        }
        Ok(Binary(bytes))
    }
}

/// The body of a `$ref` operation: which entity to link.
///
/// ```json
/// {"@odata.id": "https://graph.microsoft.com/v1.0/directoryObjects/{id}"}
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Reference {
    #[serde(rename = "@odata.id")]
    pub odata_id: String,
}

impl Reference {
    /// A reference to the entity at this absolute URL.
    pub fn new(odata_id: impl Into<String>) -> Self {
        Reference { odata_id: odata_id.into() }
    }
}

/// The values of a flags enum, which Graph sends as one comma-separated
/// string (`"read,write"`). `T` is a generated enum, built from and written
/// as its string form.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct Flags<T>(pub Vec<T>);

impl<T: PartialEq> Flags<T> {
    /// Whether `value` is one of the flags set.
    pub fn contains(&self, value: &T) -> bool {
        self.0.contains(value)
    }
}

impl<T: Clone + Into<String>> Serialize for Flags<T> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let names: Vec<String> = self.0.iter().cloned().map(Into::into).collect();
        serializer.serialize_str(&names.join(","))
    }
}

impl<'de, T: From<String>> Deserialize<'de> for Flags<T> {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        let values = text.split(',').map(str::trim).filter(|v| !v.is_empty()).map(|v| T::from(v.to_string()));
        Ok(Flags(values.collect()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, Clone, PartialEq)]
    struct Part(String);

    impl From<String> for Part {
        fn from(value: String) -> Self {
            Part(value)
        }
    }

    impl From<Part> for String {
        fn from(value: Part) -> Self {
            value.0
        }
    }

    #[test]
    fn flags_read_and_write_comma_separated_values() {
        let flags: Flags<Part> = serde_json::from_str("\"apps, tabs,settings\"").unwrap();
        assert_eq!(flags.0, vec![Part("apps".into()), Part("tabs".into()), Part("settings".into())]);
        assert!(flags.contains(&Part("tabs".into())));
        assert_eq!(serde_json::to_string(&flags).unwrap(), "\"apps,tabs,settings\"");
        let none: Flags<Part> = serde_json::from_str("\"\"").unwrap();
        assert!(none.0.is_empty());
    }

    #[test]
    fn a_wrapped_value_keeps_its_context_and_writes_back_the_same() {
        let json = r#"{"@odata.context":"https://graph.microsoft.com/v1.0/$metadata#Edm.String","value":"aGk="}"#;
        let wrapped: ValueWrapper<String> = serde_json::from_str(json).unwrap();
        assert_eq!(wrapped.value, "aGk=");
        let written = serde_json::to_value(&wrapped).unwrap();
        assert_eq!(written, serde_json::from_str::<serde_json::Value>(json).unwrap());
        assert_eq!(wrapped.into_inner(), "aGk=");
        let flag: ValueWrapper<bool> = serde_json::from_str(r#"{"value": true}"#).unwrap();
        assert!(flag.value);
    }
}
