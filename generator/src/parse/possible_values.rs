//! Enums the docs describe without an enum page: a String property whose
//! description says "Possible values are: `a`, `b`, `c`." (3,730 cells in
//! the corpus), or whose value in the JSON representation is `"a | b | c"`.

/// The values a description lists after "Possible values are", in order and
/// without repeats; empty unless it lists at least two.
pub fn from_description(text: &str) -> Vec<String> {
    let lower = text.to_ascii_lowercase();
    let Some(at) = lower.find("possible values are") else {
        return Vec::new();
    };
    let mut rest = &text[at + "possible values are".len()..];
    let mut values: Vec<String> = Vec::new();
    loop {
        rest = skip_separators(rest);
        let Some((value, after, ends)) = next_value(rest) else { break };
        if !values.contains(&value) {
            values.push(value);
        }
        rest = after;
        if ends {
            break;
        }
    }
    if values.len() >= 2 { values } else { Vec::new() }
}

/// The values of a JSON representation's `"a | b | c"` placeholder; empty
/// unless there are at least two and each is a plain name.
pub fn from_representation(value: &str) -> Vec<String> {
    if !value.contains('|') {
        return Vec::new();
    }
    let values: Vec<String> = value.split('|').map(|v| v.trim().to_string()).collect();
    let plain = values.iter().all(|v| is_value(v));
    if plain && values.len() >= 2 { values } else { Vec::new() }
}

/// Commas, colons, "and", "or" and line breaks between values.
fn skip_separators(mut text: &str) -> &str {
    loop {
        let trimmed = text.trim_start_matches(|c: char| c.is_whitespace() || c == ',' || c == ':');
        let next = ["and ", "or ", "<br/>", "<br />", "<br>"]
            .iter()
            .find_map(|word| trimmed.strip_prefix(word))
            .unwrap_or(trimmed);
        if next.len() == text.len() {
            return text;
        }
        text = next;
    }
}

/// One value, optionally in backticks, bold, italics or quotes, the text
/// after it, and whether the list ends there (a full stop, or prose that
/// follows the value, like "- the default").
fn next_value(text: &str) -> Option<(String, &str, bool)> {
    let wrapper = ["`", "**", "*", "'", "\""].into_iter().find(|w| text.starts_with(w)).unwrap_or("");
    let inner = &text[wrapper.len()..];
    let len = inner.find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '-')).unwrap_or(inner.len());
    let value = &inner[..len];
    let after = inner[len..].strip_prefix(wrapper)?;
    if !is_value(value) {
        return None;
    }
    let next = after.trim_start();
    let continues = next.starts_with(',')
        || next.starts_with("and ")
        || next.starts_with("or ")
        || next.starts_with("<br")
        || (next.starts_with(';') && wrapper == "`");
    Some((value.to_string(), after, !continues))
}

/// A name Graph could send: starts with a letter, letters, digits, `_`, `-`.
fn is_value(value: &str) -> bool {
    value.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
        && value.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backticked_lists_with_a_full_stop() {
        let text = "The call state. Possible values are: `incoming`, `establishing`, `ringing`. Read-only.";
        assert_eq!(from_description(text), ["incoming", "establishing", "ringing"]);
    }

    #[test]
    fn bold_values_joined_by_or_and_and() {
        assert_eq!(
            from_description("Possible values are **All**, **Selected** or **None**."),
            ["All", "Selected", "None"]
        );
        assert_eq!(
            from_description("Possible values are `notFlagged`, `complete`, and `flagged`."),
            ["notFlagged", "complete", "flagged"]
        );
    }

    #[test]
    fn line_broken_lists_stop_at_the_first_explained_value() {
        let text = "Possible values are:<br/>`success`<br/>`failure`<br/>`notApplied` - Policy isn't applied.";
        assert_eq!(from_description(text), ["success", "failure", "notApplied"]);
    }

    #[test]
    fn prose_that_is_not_a_list_gives_nothing() {
        assert!(from_description("Possible values are listed in the table below.").is_empty());
        assert!(from_description("Possible values are either true or false.").is_empty());
        assert!(from_description("A name. No values here.").is_empty());
        assert!(from_description("Possible values are: `only`.").is_empty());
    }

    #[test]
    fn representation_placeholders() {
        assert_eq!(from_representation("low | medium | high"), ["low", "medium", "high"]);
        assert!(from_representation("String").is_empty());
        assert!(from_representation("a | some prose").is_empty());
    }
}
