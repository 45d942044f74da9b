//! Typed Graph primitives that never lose what Graph sent.
//!
//! Graph writes dates, durations, GUIDs and binary data as strings, 64-bit
//! integers sometimes as strings, and doubles sometimes as `"NaN"`/`"INF"`.
//! Each type here keeps the value exactly as it arrived (so a value read and
//! written back is unchanged, byte for byte) and parses it on request into
//! the type from a well-kept crate: `time` for dates and times, `uuid`,
//! `base64`, `iso8601` for durations.

use std::fmt;

use base64::Engine as _;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A property that can be absent, explicitly `null`, or set: what a PATCH
/// body needs to tell "leave unchanged" from "clear" from "set".
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub enum Nullable<T> {
    /// Not in the JSON: the service leaves the property as it is.
    #[default]
    Absent,
    /// `null` in the JSON: the service clears the property.
    Null,
    /// A value.
    Value(T),
}

impl<T> Nullable<T> {
    /// For `skip_serializing_if`: absent properties are not written.
    pub fn is_absent(&self) -> bool {
        matches!(self, Nullable::Absent)
    }

    /// The value, if there is one.
    pub fn as_ref(&self) -> Option<&T> {
        match self {
            Nullable::Value(value) => Some(value),
            Nullable::Absent | Nullable::Null => None,
        }
    }

    /// The value, if there is one.
    pub fn into_option(self) -> Option<T> {
        match self {
            Nullable::Value(value) => Some(value),
            Nullable::Absent | Nullable::Null => None,
        }
    }
}

impl<T> From<T> for Nullable<T> {
    fn from(value: T) -> Self {
        Nullable::Value(value)
    }
}

impl<T: Serialize> Serialize for Nullable<T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Nullable::Value(value) => value.serialize(serializer),
            // Absent is skipped by the field attribute; if it is written anyway, null is the closest.
            Nullable::Absent | Nullable::Null => serializer.serialize_none(),
        }
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Nullable<T> {
    /// Only called for keys that are present (the field has `#[serde(default)]`),
    /// so `null` here is an explicit null.
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Ok(match Option::<T>::deserialize(deserializer)? {
            Some(value) => Nullable::Value(value),
            None => Nullable::Null,
        })
    }
}

/// Why a kept value did not parse as its documented type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValueError {
    pub type_name: &'static str,
    pub text: String,
    pub message: String,
}

impl fmt::Display for ValueError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "`{}` is not a valid {}: {}", self.text, self.type_name, self.message)
    }
}

impl std::error::Error for ValueError {}

fn value_error(type_name: &'static str, text: &str, message: impl fmt::Display) -> ValueError {
    ValueError { type_name, text: text.to_string(), message: message.to_string() }
}

/// Declares a string-backed primitive: kept as text, parsed on request.
macro_rules! text_value {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, Default, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub String);

        impl $name {
            /// The value exactly as Graph sent it.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl From<String> for $name {
            fn from(text: String) -> Self {
                $name(text)
            }
        }

        impl From<&str> for $name {
            fn from(text: &str) -> Self {
                $name(text.to_string())
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }
    };
}

text_value!(
    /// `Edm.DateTimeOffset`: an RFC 3339 timestamp, e.g. `2026-01-15T08:30:00.0000000Z`.
    DateTimeOffset
);
text_value!(
    /// `Edm.Date`: a calendar date, `2026-01-15`.
    Date
);
text_value!(
    /// `Edm.TimeOfDay`: a wall-clock time, `08:30:00.0000000`.
    TimeOfDay
);
text_value!(
    /// `Edm.Duration`: an ISO 8601 duration, `PT1H30M`.
    Duration
);
text_value!(
    /// `Edm.Guid`.
    Guid
);
text_value!(
    /// `Edm.Binary`: base64 text.
    Base64
);

impl DateTimeOffset {
    pub fn parse(&self) -> Result<time::OffsetDateTime, ValueError> {
        let format = time::format_description::well_known::Rfc3339;
        time::OffsetDateTime::parse(&self.0, &format).map_err(|e| value_error("DateTimeOffset", &self.0, e))
    }
}

impl Date {
    pub fn parse(&self) -> Result<time::Date, ValueError> {
        let [year, month, day] =
            numbers::<3>(&self.0, '-', [4, 2, 2]).ok_or_else(|| value_error("Date", &self.0, "not YYYY-MM-DD"))?;
        let month = time::Month::try_from(month as u8).map_err(|e| value_error("Date", &self.0, e))?;
        time::Date::from_calendar_date(year as i32, month, day as u8).map_err(|e| value_error("Date", &self.0, e))
    }
}

impl TimeOfDay {
    pub fn parse(&self) -> Result<time::Time, ValueError> {
        let (whole, fraction) = self.0.split_once('.').unwrap_or((&self.0, ""));
        let [hour, minute, second] =
            numbers::<3>(whole, ':', [2, 2, 2]).ok_or_else(|| value_error("TimeOfDay", &self.0, "not hh:mm:ss"))?;
        let time = time::Time::from_hms(hour as u8, minute as u8, second as u8)
            .map_err(|e| value_error("TimeOfDay", &self.0, e))?;
        if fraction.is_empty() {
            return Ok(time);
        }
        if !fraction.chars().all(|c| c.is_ascii_digit()) {
            return Err(value_error("TimeOfDay", &self.0, "the fraction of a second is not digits"));
        }
        // Up to nanoseconds; Graph writes seven digits.
        let digits: String = fraction.chars().chain(std::iter::repeat('0')).take(9).collect();
        let nanos: u32 = digits.parse().map_err(|e| value_error("TimeOfDay", &self.0, e))?;
        time.replace_nanosecond(nanos).map_err(|e| value_error("TimeOfDay", &self.0, e))
    }
}

/// `N` fields of `text` split at `separator`, each exactly as many ASCII
/// digits as `widths` says (`2024-05-01`: `[4, 2, 2]`).
fn numbers<const N: usize>(text: &str, separator: char, widths: [usize; N]) -> Option<[u32; N]> {
    let mut fields = text.split(separator);
    let mut values = [0; N];
    for (value, width) in values.iter_mut().zip(widths) {
        let field = fields.next()?;
        if field.len() != width || !field.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        *value = field.parse().ok()?;
    }
    fields.next().is_none().then_some(values)
}

impl Duration {
    /// The duration; years and months count as 365 and 30 days (ISO 8601
    /// leaves them calendar-dependent, and Graph rarely uses them).
    pub fn parse(&self) -> Result<std::time::Duration, ValueError> {
        let parsed: iso8601::Duration = self.0.parse().map_err(|e: String| value_error("Duration", &self.0, e))?;
        Ok(parsed.into())
    }
}

impl Guid {
    pub fn parse(&self) -> Result<uuid::Uuid, ValueError> {
        uuid::Uuid::parse_str(&self.0).map_err(|e| value_error("Guid", &self.0, e))
    }
}

impl Base64 {
    /// The decoded bytes.
    pub fn decode(&self) -> Result<Vec<u8>, ValueError> {
        base64::engine::general_purpose::STANDARD.decode(&self.0).map_err(|e| value_error("Binary", &self.0, e))
    }

    /// Encodes bytes as Graph expects them.
    pub fn encode(bytes: &[u8]) -> Self {
        Base64(base64::engine::general_purpose::STANDARD.encode(bytes))
    }
}

/// `Edm.Int64`: JSON numbers lose precision past 2^53 in some clients, so
/// Graph sometimes writes these as strings. Either form is kept as it came.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Int64 {
    Number(i64),
    Text(String),
}

impl Int64 {
    /// The value, if the text form holds a number.
    pub fn get(&self) -> Option<i64> {
        match self {
            Int64::Number(value) => Some(*value),
            Int64::Text(text) => text.trim().parse().ok(),
        }
    }
}

impl Default for Int64 {
    fn default() -> Self {
        Int64::Number(0)
    }
}

impl From<i64> for Int64 {
    fn from(value: i64) -> Self {
        Int64::Number(value)
    }
}

impl Serialize for Int64 {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Int64::Number(value) => serializer.serialize_i64(*value),
            Int64::Text(text) => serializer.serialize_str(text),
        }
    }
}

impl<'de> Deserialize<'de> for Int64 {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Wire {
            Number(i64),
            Text(String),
        }
        Ok(match Wire::deserialize(deserializer)? {
            Wire::Number(value) => Int64::Number(value),
            Wire::Text(text) => Int64::Text(text),
        })
    }
}

/// `Edm.Double`: a number, or one of the strings Graph uses for values JSON
/// cannot hold (`"NaN"`, `"INF"`, `"-INF"`). Either form is kept as it came.
#[derive(Debug, Clone, PartialEq)]
pub enum Double {
    Number(f64),
    Text(String),
}

impl Double {
    /// The value; the special strings become NaN and the infinities.
    pub fn get(&self) -> Option<f64> {
        match self {
            Double::Number(value) => Some(*value),
            Double::Text(text) => match text.trim() {
                "NaN" => Some(f64::NAN),
                "INF" | "Infinity" => Some(f64::INFINITY),
                "-INF" | "-Infinity" => Some(f64::NEG_INFINITY),
                other => other.parse().ok(),
            },
        }
    }
}

impl Default for Double {
    fn default() -> Self {
        Double::Number(0.0)
    }
}

impl From<f64> for Double {
    fn from(value: f64) -> Self {
        Double::Number(value)
    }
}

impl Serialize for Double {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Double::Number(value) => serializer.serialize_f64(*value),
            Double::Text(text) => serializer.serialize_str(text),
        }
    }
}

impl<'de> Deserialize<'de> for Double {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Wire {
            Number(f64),
            Text(String),
        }
        Ok(match Wire::deserialize(deserializer)? {
            Wire::Number(value) => Double::Number(value),
            Wire::Text(text) => Double::Text(text),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[derive(Debug, Default, PartialEq, Serialize, Deserialize)]
    struct Patch {
        #[serde(default, skip_serializing_if = "Nullable::is_absent")]
        name: Nullable<String>,
    }

    #[test]
    fn nullable_keeps_absent_null_and_value_apart() {
        let absent: Patch = serde_json::from_value(json!({})).unwrap();
        let null: Patch = serde_json::from_value(json!({"name": null})).unwrap();
        let set: Patch = serde_json::from_value(json!({"name": "x"})).unwrap();
        assert_eq!(absent.name, Nullable::Absent);
        assert_eq!(null.name, Nullable::Null);
        assert_eq!(set.name, Nullable::Value("x".to_string()));
        assert_eq!(serde_json::to_value(&absent).unwrap(), json!({}));
        assert_eq!(serde_json::to_value(&null).unwrap(), json!({"name": null}));
        assert_eq!(serde_json::to_value(&set).unwrap(), json!({"name": "x"}));
    }

    #[test]
    fn text_values_round_trip_unchanged_and_parse_on_request() {
        let stamp: DateTimeOffset = serde_json::from_value(json!("2026-01-15T08:30:00.1234567Z")).unwrap();
        assert_eq!(serde_json::to_value(&stamp).unwrap(), json!("2026-01-15T08:30:00.1234567Z"));
        assert_eq!(stamp.parse().unwrap().year(), 2026);
        assert!(DateTimeOffset::from("String (timestamp)").parse().is_err());
        assert_eq!(Date::from("2026-02-28").parse().unwrap().day(), 28);
        assert_eq!(TimeOfDay::from("08:30:00.5000000").parse().unwrap().millisecond(), 500);
        assert_eq!(TimeOfDay::from("23:59:59").parse().unwrap().hour(), 23);
        for bad in ["2026-02-30", "2026-2-28", "2026-02-28T00:00:00Z", "20260228", "2026-02-+1"] {
            assert!(Date::from(bad).parse().is_err(), "{bad}");
        }
        for bad in ["24:00:00", "8:30:00", "08:30", "08:30:00:00", "08:30:00.5x"] {
            assert!(TimeOfDay::from(bad).parse().is_err(), "{bad}");
        }
        assert_eq!(Duration::from("PT1H30M").parse().unwrap(), std::time::Duration::from_secs(5400));
        assert!(Guid::from("7c1e5a90-3d42-4b6e-8f15-2a9c0d4e6b71").parse().is_ok());
        assert_eq!(Base64::from("aGk=").decode().unwrap(), b"hi");
        assert_eq!(Base64::encode(b"hi").as_str(), "aGk=");
    }

    #[test]
    fn int64_and_double_keep_their_wire_form() {
        for value in [json!(9007199254740993_i64), json!("9007199254740993")] {
            let parsed: Int64 = serde_json::from_value(value.clone()).unwrap();
            assert_eq!(parsed.get(), Some(9007199254740993));
            assert_eq!(serde_json::to_value(&parsed).unwrap(), value);
        }
        let nan: Double = serde_json::from_value(json!("NaN")).unwrap();
        assert!(nan.get().is_some_and(f64::is_nan));
        assert_eq!(serde_json::to_value(&nan).unwrap(), json!("NaN"));
        let number: Double = serde_json::from_value(json!(1.5)).unwrap();
        assert_eq!(number.get(), Some(1.5));
    }
}
