//! A tolerant JSON reader for annotations and example bodies.
//!
//! About 4% of the JSON in the docs is not strict: trailing commas, `//` and
//! `/* */` comments, `...` where an example was shortened, raw newlines or tabs
//! inside strings, and the odd unquoted key. Those are repaired textually, then
//! the result is read with `serde_json`; the repairs made are reported so a lint
//! can tell the docs writer. Anything else is an error, never a guess.

use serde::Serialize;
use serde_json::Value;

/// One kind of textual repair that was needed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Repair {
    TrailingComma,
    Comment,
    Ellipsis,
    ControlCharacter,
    UnquotedKey,
}

/// Reads `text` as JSON, repairing the known doc mistakes if strict parsing fails.
/// Returns the value and the repairs that were needed (empty when strict).
pub fn parse(text: &str) -> Result<(Value, Vec<Repair>), String> {
    match serde_json::from_str::<Value>(text) {
        Ok(value) => Ok((value, Vec::new())),
        Err(strict_error) => {
            let mut repairs = Vec::new();
            let first = remove_comments_and_ellipses(text, &mut repairs);
            let repaired = remove_trailing_commas(&first, &mut repairs);
            repairs.sort();
            repairs.dedup();
            if repairs.is_empty() {
                return Err(strict_error.to_string());
            }
            serde_json::from_str::<Value>(&repaired).map(|value| (value, repairs)).map_err(|_| strict_error.to_string())
        }
    }
}

/// First pass: drops comments and `...` outside strings, escapes raw control
/// characters inside strings and quotes bare object keys.
fn remove_comments_and_ellipses(text: &str, repairs: &mut Vec<Repair>) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    let mut in_string = false;
    // The last significant character written outside strings, to know when an
    // identifier is in key position.
    let mut last_structural = '\0';
    while i < chars.len() {
        let c = chars[i];
        if in_string {
            match c {
                '\\' => {
                    out.push(c);
                    if let Some(&next) = chars.get(i + 1) {
                        out.push(next);
                        i += 1;
                    }
                }
                '"' => {
                    in_string = false;
                    out.push(c);
                }
                '\n' => {
                    repairs.push(Repair::ControlCharacter);
                    out.push_str("\\n");
                }
                '\r' => {
                    repairs.push(Repair::ControlCharacter);
                    out.push_str("\\r");
                }
                '\t' => {
                    repairs.push(Repair::ControlCharacter);
                    out.push_str("\\t");
                }
                c if (c as u32) < 0x20 => {
                    repairs.push(Repair::ControlCharacter);
                    out.push_str(&format!("\\u{:04x}", c as u32));
                }
                _ => out.push(c),
            }
            i += 1;
            continue;
        }
        match c {
            '"' => {
                in_string = true;
                last_structural = '"';
                out.push(c);
                i += 1;
            }
            '/' if chars.get(i + 1) == Some(&'/') => {
                repairs.push(Repair::Comment);
                while i < chars.len() && chars[i] != '\n' {
                    i += 1;
                }
            }
            '/' if chars.get(i + 1) == Some(&'*') => {
                repairs.push(Repair::Comment);
                i += 2;
                while i < chars.len() && !(chars[i] == '*' && chars.get(i + 1) == Some(&'/')) {
                    i += 1;
                }
                i = (i + 2).min(chars.len());
            }
            '.' if chars.get(i + 1) == Some(&'.') && chars.get(i + 2) == Some(&'.') => {
                repairs.push(Repair::Ellipsis);
                i += 3;
                while chars.get(i) == Some(&'.') {
                    i += 1;
                }
                // `...,` leaves a comma behind; drop it with the ellipsis.
                skip_whitespace_then(&chars, &mut i, ',');
            }
            '…' => {
                repairs.push(Repair::Ellipsis);
                i += 1;
                skip_whitespace_then(&chars, &mut i, ',');
            }
            c if (c.is_ascii_alphabetic() || c == '_' || c == '@')
                && matches!(last_structural, '{' | ',')
                && is_bare_key(&chars, i) =>
            {
                repairs.push(Repair::UnquotedKey);
                out.push('"');
                while i < chars.len() && is_key_char(chars[i]) {
                    out.push(chars[i]);
                    i += 1;
                }
                out.push('"');
                last_structural = '"';
            }
            _ => {
                if !c.is_whitespace() {
                    last_structural = c;
                }
                out.push(c);
                i += 1;
            }
        }
    }
    out
}

fn skip_whitespace_then(chars: &[char], i: &mut usize, wanted: char) {
    let mut j = *i;
    while j < chars.len() && chars[j].is_whitespace() {
        j += 1;
    }
    if chars.get(j) == Some(&wanted) {
        *i = j + 1;
    }
}

fn is_key_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '_' | '@' | '.' | '-')
}

/// An identifier followed by optional spaces and a colon.
fn is_bare_key(chars: &[char], start: usize) -> bool {
    let mut j = start;
    while j < chars.len() && is_key_char(chars[j]) {
        j += 1;
    }
    let word: String = chars[start..j].iter().collect();
    if matches!(word.as_str(), "true" | "false" | "null") {
        return false;
    }
    while j < chars.len() && chars[j].is_whitespace() {
        j += 1;
    }
    chars.get(j) == Some(&':')
}

/// Second pass: drops a comma that is followed only by whitespace and a closing bracket.
fn remove_trailing_commas(text: &str, repairs: &mut Vec<Repair>) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut in_string = false;
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if in_string {
            out.push(c);
            if c == '\\' {
                if let Some(&next) = chars.get(i + 1) {
                    out.push(next);
                    i += 1;
                }
            } else if c == '"' {
                in_string = false;
            }
            i += 1;
            continue;
        }
        if c == '"' {
            in_string = true;
        }
        if c == ',' {
            let mut j = i + 1;
            while j < chars.len() && chars[j].is_whitespace() {
                j += 1;
            }
            if matches!(chars.get(j), Some('}') | Some(']')) {
                repairs.push(Repair::TrailingComma);
                i += 1;
                continue;
            }
        }
        out.push(c);
        i += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn strict_json_needs_no_repair() {
        let (value, repairs) = parse(r#"{"a": [1, 2]}"#).unwrap();
        assert_eq!(value, json!({"a": [1, 2]}));
        assert!(repairs.is_empty());
    }

    #[test]
    fn trailing_commas_are_removed() {
        let (value, repairs) = parse("{\"a\": [1, 2,],\n}").unwrap();
        assert_eq!(value, json!({"a": [1, 2]}));
        assert_eq!(repairs, vec![Repair::TrailingComma]);
    }

    #[test]
    fn comments_and_ellipses_are_removed() {
        let text = "{\n  \"a\": 1, // the count\n  /* block */ \"b\": [\n    {\"c\": 2},\n    ...\n  ]\n}";
        let (value, repairs) = parse(text).unwrap();
        assert_eq!(value, json!({"a": 1, "b": [{"c": 2}]}));
        assert_eq!(repairs, vec![Repair::TrailingComma, Repair::Comment, Repair::Ellipsis]);
    }

    #[test]
    fn raw_newlines_in_strings_are_escaped() {
        let (value, repairs) = parse("{\"a\": \"line one\nline two\"}").unwrap();
        assert_eq!(value, json!({"a": "line one\nline two"}));
        assert_eq!(repairs, vec![Repair::ControlCharacter]);
    }

    #[test]
    fn unquoted_keys_are_quoted() {
        let (value, repairs) = parse("{ \"blockType\": \"response\", isCollection: true }").unwrap();
        assert_eq!(value, json!({"blockType": "response", "isCollection": true}));
        assert_eq!(repairs, vec![Repair::UnquotedKey]);
    }

    #[test]
    fn slashes_and_dots_inside_strings_are_kept() {
        let (value, _) = parse("{\"url\": \"https://x/y...z\", }").unwrap();
        assert_eq!(value, json!({"url": "https://x/y...z"}));
    }

    #[test]
    fn unrepairable_text_is_an_error() {
        assert!(parse("{\"a\": 2018-04-01T12:39:16Z}").is_err());
        assert!(parse("{ <Binary data> }").is_err());
    }
}
