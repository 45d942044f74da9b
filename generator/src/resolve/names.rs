//! The one place that decides Rust names.
//!
//! Docs names can be Rust keywords (`type`, `move`, `self`), start with a
//! digit, hold `@`, `.`, spaces or non-ASCII letters, or differ only in case.
//! Every name that reaches the output goes through these functions, and
//! collisions are settled by `Namespace`, which never silently reuses a name.

use std::cell::RefCell;
use std::thread::LocalKey;

use foldhash::{HashMap, HashSet};
use heck::{ToSnakeCase, ToUpperCamelCase};

/// Strict and reserved keywords of Rust 2024 (`gen` included).
const KEYWORDS: &[&str] = &[
    "as", "async", "await", "break", "const", "continue", "crate", "dyn", "else", "enum", "extern", "false", "fn",
    "for", "if", "impl", "in", "let", "loop", "match", "mod", "move", "mut", "pub", "ref", "return", "self", "Self",
    "static", "struct", "super", "trait", "true", "type", "unsafe", "use", "where", "while", "abstract", "become",
    "box", "do", "final", "macro", "override", "priv", "typeof", "unsized", "virtual", "yield", "try", "gen",
];

/// Keywords that cannot be raw identifiers.
const NOT_RAW: &[&str] = &["self", "Self", "super", "crate", "_"];

/// Type names the generated code uses unqualified; a docs type with one of
/// these names gets a suffix so it cannot shadow them.
const RESERVED_TYPES: &[&str] = &[
    "Option",
    "Some",
    "None",
    "Vec",
    "String",
    "Box",
    "Result",
    "Ok",
    "Err",
    "Default",
    "Serialize",
    "Deserialize",
    "Value",
    "Map",
    "Page",
    "Request",
    "RequestPath",
    "Client",
    "Binary",
    "Reference",
    "Method",
    "ResponseKind",
    "GraphClient",
    "FunctionArg",
];

pub fn is_keyword(word: &str) -> bool {
    KEYWORDS.contains(&word)
}

/// Keeps ASCII letters and digits and turns everything else into word breaks,
/// so heck sees `@odata.type` as `odata type`.
fn words(name: &str) -> String {
    name.chars().map(|c| if c.is_ascii_alphanumeric() { c } else { ' ' }).collect::<String>()
}

/// Converted names, per thread and per kind of name. heck was an eighth of a
/// warm run's `perf` samples, and the corpus converts the same few thousand
/// names (`id`, `displayName`, …) again and again.
type Memo = RefCell<HashMap<Box<str>, Box<str>>>;

thread_local! {
    static TYPE_NAMES: Memo = RefCell::default();
    static VARIANT_NAMES: Memo = RefCell::default();
    static VALUE_NAMES: Memo = RefCell::default();
    static MODULE_NAMES: Memo = RefCell::default();
}

/// `convert(name)`, remembered in `memo`: the conversions are pure functions.
fn memoized(memo: &'static LocalKey<Memo>, name: &str, convert: fn(&str) -> String) -> String {
    memo.with(|memo| {
        if let Some(found) = memo.borrow().get(name) {
            return found.to_string();
        }
        let converted = convert(name);
        memo.borrow_mut().insert(name.into(), converted.as_str().into());
        converted
    })
}

/// `mobileAppProvisioningConfigGroupAssignment` → `MobileAppProvisioningConfigGroupAssignment`.
pub fn type_name(name: &str) -> String {
    memoized(&TYPE_NAMES, name, convert_type_name)
}

fn convert_type_name(name: &str) -> String {
    let mut out = words(name).to_upper_camel_case();
    if out.is_empty() {
        out = "Unnamed".into();
    }
    if out.starts_with(|c: char| c.is_ascii_digit()) {
        out.insert(0, 'T');
    }
    if RESERVED_TYPES.contains(&out.as_str()) || out == "Self" {
        out.push_str("Type");
    }
    out
}

/// An enum variant: like a type name, with `V` before a leading digit.
pub fn variant_name(name: &str) -> String {
    memoized(&VARIANT_NAMES, name, convert_variant_name)
}

fn convert_variant_name(name: &str) -> String {
    let mut out = words(name).to_upper_camel_case();
    if out.is_empty() {
        out = "Empty".into();
    }
    if out.starts_with(|c: char| c.is_ascii_digit()) {
        out.insert(0, 'V');
    }
    if out == "Self" {
        out.push('_');
    }
    out
}

/// A field, method or parameter: snake_case, `r#type` for keywords that can be
/// raw, `self_` for those that cannot, `_123abc` before a leading digit.
pub fn value_name(name: &str) -> String {
    memoized(&VALUE_NAMES, name, convert_value_name)
}

fn convert_value_name(name: &str) -> String {
    value_name_of_snake_case(words(name).to_snake_case())
}

/// `value_name(&format!("{name}_{suffix}"))` for each of `suffixes` (lowercase
/// snake_case), converting `name` once: the example tests name six items
/// after each example, and heck took 3% of a run converting each in full.
pub fn value_names_with_suffixes<const N: usize>(name: &str, suffixes: [&str; N]) -> [String; N] {
    let stem = words(name).to_snake_case();
    suffixes.map(|suffix| {
        value_name_of_snake_case(if stem.is_empty() { suffix.to_string() } else { format!("{stem}_{suffix}") })
    })
}

/// A snake_case name made safe: not empty, no leading digit, no keyword.
fn value_name_of_snake_case(mut out: String) -> String {
    if out.is_empty() {
        out = "value".into();
    }
    if out.starts_with(|c: char| c.is_ascii_digit()) {
        out.insert(0, '_');
    }
    if NOT_RAW.contains(&out.as_str()) {
        out.push('_');
    } else if is_keyword(&out) {
        out.insert_str(0, "r#");
    }
    out
}

/// A module (and file) name: snake_case, keywords get a `_` suffix so the file
/// name and the module name stay the same.
pub fn module_name(name: &str) -> String {
    memoized(&MODULE_NAMES, name, convert_module_name)
}

fn convert_module_name(name: &str) -> String {
    let mut out = words(name).to_snake_case();
    if out.is_empty() || out.starts_with(|c: char| c.is_ascii_digit()) {
        out.insert_str(0, "m_");
    }
    if is_keyword(&out) || out == "mod" || out == "lib" {
        out.push('_');
    }
    out
}

/// Names taken in one scope (a module, a struct, an impl block). `claim`
/// returns the wanted name, or the first free `name2`, `name3`, … after it.
#[derive(Debug, Default, Clone)]
pub struct Namespace {
    /// Only asked "is it there?", never walked, so a hash set (a namespace of
    /// test names holds tens of thousands).
    taken: HashSet<String>,
}

impl Namespace {
    pub fn new() -> Self {
        Self::default()
    }

    /// Claims `wanted` (compared case-insensitively, because file names on some
    /// systems are); returns the name given and whether it had to change.
    pub fn claim(&mut self, wanted: &str) -> (String, bool) {
        if self.taken.insert(wanted.to_ascii_lowercase()) {
            return (wanted.to_string(), false);
        }
        let base = wanted.strip_prefix("r#").unwrap_or(wanted);
        let separator = if base.ends_with(|c: char| c.is_ascii_digit()) { "_" } else { "" };
        for n in 2.. {
            let candidate = format!("{base}{separator}{n}");
            if self.taken.insert(candidate.to_ascii_lowercase()) {
                return (candidate, true);
            }
        }
        unreachable!("the integers do not run out")
    }

    pub fn is_taken(&self, name: &str) -> bool {
        self.taken.contains(&name.to_ascii_lowercase())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keywords_become_raw_or_suffixed() {
        assert_eq!(value_name("type"), "r#type");
        assert_eq!(value_name("move"), "r#move");
        assert_eq!(value_name("gen"), "r#gen");
        assert_eq!(value_name("self"), "self_");
        assert_eq!(value_name("Self"), "self_");
    }

    #[test]
    fn odd_names_are_made_safe() {
        assert_eq!(value_name("@odata.type"), "odata_type");
        assert_eq!(value_name("123abc"), "_123abc");
        assert_eq!(value_name("targetGroupId"), "target_group_id");
        assert_eq!(
            value_name("iOSLobAppProvisioningConfigAssignments"),
            "i_os_lob_app_provisioning_config_assignments"
        );
        assert_eq!(value_name("path and filename"), "path_and_filename");
        assert_eq!(value_name("naïve"), "na_ve");
        assert_eq!(value_name("$value"), "value");
        assert_eq!(
            type_name("mobileAppProvisioningConfigGroupAssignment"),
            "MobileAppProvisioningConfigGroupAssignment"
        );
        assert_eq!(type_name("Json"), "Json");
        assert_eq!(type_name("string"), "StringType");
        assert_eq!(type_name("3dModel"), "T3dModel");
        assert_eq!(variant_name("in"), "In");
        assert_eq!(variant_name("microsoft.graph.event"), "MicrosoftGraphEvent");
        assert_eq!(variant_name("24hours"), "V24hours");
        assert_eq!(module_name("Type"), "type_");
    }

    #[test]
    fn suffixed_value_names_equal_the_names_converted_whole() {
        let names = [
            "user-get",
            "user_list_devices_example_2",
            "iOSLobApp",
            "@odata.type",
            "",
            "$",
            "self",
            "type",
            "123abc",
            "naïve café",
            "ABCdef",
            "fooBar2",
            "x__y",
            "_lead",
            "trail_",
            "HTTPRequest",
            "get-all-messages_3",
        ];
        let suffixes = ["request", "response", "request_body_round_trips", "contract"];
        for name in names {
            let whole = suffixes.map(|suffix| value_name(&format!("{name}_{suffix}")));
            assert_eq!(value_names_with_suffixes(name, suffixes), whole, "{name}");
        }
    }

    #[test]
    fn collisions_get_numbered_suffixes() {
        let mut names = Namespace::new();
        assert_eq!(names.claim("model"), ("model".to_string(), false));
        assert_eq!(names.claim("model"), ("model2".to_string(), true));
        assert_eq!(names.claim("Model"), ("Model3".to_string(), true));
        assert_eq!(names.claim("v4"), ("v4".to_string(), false));
        assert_eq!(names.claim("v4"), ("v4_2".to_string(), true));
        assert_eq!(names.claim("r#type"), ("r#type".to_string(), false));
        assert_eq!(names.claim("r#type"), ("type2".to_string(), true));
    }
}
