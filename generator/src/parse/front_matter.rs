//! The YAML front matter at the top of every page.

use std::collections::BTreeMap;

use serde::Serialize;
use yaml_rust2::{Yaml, YamlLoader};

/// The front-matter keys the generator uses, plus every scalar key as text.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct FrontMatter {
    pub title: Option<String>,
    pub description: Option<String>,
    pub doc_type: Option<String>,
    pub ms_prod: Option<String>,
    /// The product area pages carry today (`entra-users`), next to or instead of `ms.prod`.
    pub ms_subservice: Option<String>,
    /// Every scalar key, in key order, for lints and reports.
    pub all: BTreeMap<String, String>,
}

/// Reads front matter; a YAML error is returned as text with the values that
/// could be read line by line, so the page is never lost over it.
pub fn parse(yaml: &str) -> (FrontMatter, Option<String>) {
    match YamlLoader::load_from_str(yaml) {
        Ok(docs) => {
            let mut all = BTreeMap::new();
            if let Some(Yaml::Hash(hash)) = docs.first() {
                for (key, value) in hash {
                    if let (Some(key), Some(value)) = (scalar(key), scalar(value)) {
                        all.insert(key, value);
                    }
                }
            }
            (from_map(all), None)
        }
        Err(error) => (from_map(line_by_line(yaml)), Some(error.to_string())),
    }
}

fn scalar(yaml: &Yaml) -> Option<String> {
    match yaml {
        Yaml::String(s) | Yaml::Real(s) => Some(s.clone()),
        Yaml::Integer(i) => Some(i.to_string()),
        Yaml::Boolean(b) => Some(b.to_string()),
        Yaml::Null => Some(String::new()),
        _ => None,
    }
}

/// Fallback for broken YAML: `key: value` lines, quotes stripped.
fn line_by_line(yaml: &str) -> BTreeMap<String, String> {
    yaml.lines()
        .filter_map(|line| line.split_once(':'))
        .filter(|(key, _)| !key.starts_with(' ') && !key.is_empty())
        .map(|(key, value)| (key.trim().to_string(), value.trim().trim_matches('"').to_string()))
        .collect()
}

fn from_map(all: BTreeMap<String, String>) -> FrontMatter {
    let get = |key: &str| all.get(key).map(|v| v.trim().to_string());
    FrontMatter {
        title: get("title"),
        description: get("description"),
        doc_type: get("doc_type"),
        ms_prod: get("ms.prod"),
        ms_subservice: get("ms.subservice"),
        all,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoted_and_bare_values_are_read() {
        let (fm, error) = parse("title: \"Update x\"\ndoc_type: apiPageType\nms.prod: \"Intune\"\n");
        assert_eq!(error, None);
        assert_eq!(fm.title.as_deref(), Some("Update x"));
        assert_eq!(fm.doc_type.as_deref(), Some("apiPageType"));
        assert_eq!(fm.ms_prod.as_deref(), Some("Intune"));
    }

    #[test]
    fn multi_line_quoted_description_is_one_value() {
        let (fm, error) = parse("title: t\ndescription: \"first\n  second\"\n");
        assert_eq!(error, None);
        assert_eq!(fm.description.as_deref(), Some("first second"));
    }

    #[test]
    fn broken_yaml_falls_back_to_lines() {
        let (fm, error) = parse("title: \"a\ndoc_type: apiPageType\n  - : [\n");
        assert!(error.is_some());
        assert_eq!(fm.doc_type.as_deref(), Some("apiPageType"));
    }
}
