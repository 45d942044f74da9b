//! The impls every generated enum of string values shares.

/// `From<E> for String` and `Display` for a generated enum `E` of string
/// values: both write `as_str()` (the value as Graph writes it), and the
/// variant that keeps an unknown value (`Unrecognized(String)`) gives its
/// string back without a copy. The generated code calls this once per enum
/// instead of spelling the two impls out: the same for every enum, they were
/// a tenth of each enum's code.
///
/// ```
/// #[derive(Debug)]
/// enum Color { Red, Other(String) }
/// impl Color {
///     fn as_str(&self) -> &str {
///         match self { Color::Red => "red", Color::Other(value) => value }
///     }
/// }
/// graph_runtime::string_enum_impls!(Color, Other);
///
/// assert_eq!(String::from(Color::Red), "red");
/// assert_eq!(Color::Other("teal".into()).to_string(), "teal");
/// ```
#[macro_export]
macro_rules! string_enum_impls {
    ($name:ident, $unknown:ident) => {
        impl ::std::convert::From<$name> for ::std::string::String {
            fn from(value: $name) -> Self {
                match value {
                    $name::$unknown(value) => value,
                    // An enum whose only variant is the unknown one.
                    #[allow(unreachable_patterns)]
                    known => known.as_str().to_string(),
                }
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

#[cfg(test)]
mod tests {
    #[derive(Debug)]
    enum OnlyUnknown {
        Unknown(String),
    }

    impl OnlyUnknown {
        fn as_str(&self) -> &str {
            let OnlyUnknown::Unknown(value) = self;
            value
        }
    }

    crate::string_enum_impls!(OnlyUnknown, Unknown);

    #[test]
    fn an_enum_with_only_the_unknown_variant_keeps_its_value() {
        assert_eq!(String::from(OnlyUnknown::Unknown("x".into())), "x");
        assert_eq!(OnlyUnknown::Unknown("y".into()).to_string(), "y");
    }
}
