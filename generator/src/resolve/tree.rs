//! The request tree: one node per distinct path prefix, so the client's
//! builders mirror the URL, and the keys, names and parameters each path
//! segment gives its node.

use std::collections::BTreeSet;

use foldhash::{HashSet, HashSetExt};

use super::names::{self, Namespace};
use super::{Node, NodeId, Param, ParamKind, Resolver};
use crate::ir::{Ir, Segment};

impl Resolver {
    /// Finds or creates the node for a path, creating its ancestors too.
    pub(super) fn node_for(
        &mut self,
        segments: &[Segment],
        node_names: &mut Namespace,
        modules: &mut Namespace,
    ) -> NodeId {
        let mut current = 0;
        for (depth, segment) in segments.iter().enumerate() {
            let key = (current, segment_key(segment));
            current = match self.children_by_key.get(&key) {
                Some(child) => *child,
                None => {
                    let parent = &self.space.nodes[current];
                    let stem = parent.rust_name.strip_suffix("Request").unwrap_or("");
                    let stem = if current == 0 { "" } else { stem };
                    let (rust_name, _) = node_names.claim(&format!("{stem}{}Request", segment_piece(segment)));
                    let module = if depth == 0 {
                        modules.claim(&names::module_name(&segment_piece(segment))).0
                    } else {
                        parent.module.clone()
                    };
                    let path = format!("{}/{}", parent.path, segment_display(segment));
                    let id = self.space.nodes.len();
                    self.space.nodes.push(Node {
                        rust_name,
                        module,
                        parent: Some(current),
                        segment: Some(segment.clone()),
                        path,
                        accessor: String::new(),
                        params: segment_params(segment),
                        children: Vec::new(),
                        operations: Vec::new(),
                        areas: BTreeSet::new(),
                        alias_of: None,
                    });
                    self.space.nodes[current].children.push(id);
                    self.children_by_key.insert(key, id);
                    id
                }
            };
        }
        current
    }
}

/// `(function, argument)` names, lower-cased, that some request line writes
/// in quotes (`range(address='<address>')`): the argument is a string.
/// An example URL that quotes an argument (`reminderView(startDateTime='…')`)
/// counts too: it shows the call that works.
pub(super) fn quoted_function_args(ir: &Ir) -> HashSet<(String, String)> {
    let mut quoted = HashSet::new();
    for op in &ir.operations {
        for segment in &op.path.segments {
            let Segment::Function { name, args } = segment else { continue };
            for arg in args.iter().filter(|a| a.quoted) {
                if let Some(arg_name) = &arg.name {
                    quoted.insert((name.to_ascii_lowercase(), arg_name.to_ascii_lowercase()));
                }
            }
        }
        for request in op.examples.iter().filter_map(|e| e.request.as_ref()).filter(|r| r.url.contains('\'')) {
            for part in crate::parse::path::url_segments(&request.url) {
                let Some((name, inner)) = part.split_once('(') else { continue };
                for arg in inner.trim_end_matches(')').split(',') {
                    if let Some((arg_name, value)) = arg.split_once('=')
                        && value.trim().starts_with('\'')
                    {
                        quoted.insert((name.to_ascii_lowercase(), arg_name.trim().to_ascii_lowercase()));
                    }
                }
            }
        }
    }
    quoted
}

/// Quotes the named arguments `quoted` lists: a page that writes
/// `range(address={address})` means the same string argument as the pages
/// that write `range(address='<address>')`, and Graph wants it quoted.
pub(super) fn quote_string_args(segments: &mut [Segment], quoted: &HashSet<(String, String)>) {
    for segment in segments {
        let Segment::Function { name, args } = segment else { continue };
        for arg in args.iter_mut().filter(|a| !a.quoted) {
            if let Some(arg_name) = &arg.name {
                arg.quoted = quoted.contains(&(name.to_ascii_lowercase(), arg_name.to_ascii_lowercase()));
            }
        }
    }
}

/// How segments are compared when building the tree: keys are all alike,
/// literals ignore case, functions are told apart by their argument names.
pub(crate) fn segment_key(segment: &Segment) -> String {
    match segment {
        Segment::Literal { name } => name.to_ascii_lowercase(),
        Segment::Key { .. } => "{}".into(),
        Segment::Address { .. } => ":{}:".into(),
        Segment::Function { name, args } => {
            let mut arg_names: Vec<String> =
                args.iter().map(|a| a.name.clone().unwrap_or_default().to_ascii_lowercase()).collect();
            arg_names.sort();
            format!("{}({})", name.to_ascii_lowercase(), arg_names.join(","))
        }
    }
}

pub fn segment_display(segment: &Segment) -> String {
    match segment {
        Segment::Literal { name } => name.clone(),
        Segment::Key { placeholder, .. } => format!("{{{placeholder}}}"),
        Segment::Address { placeholder } => format!(":/{{{placeholder}}}:"),
        Segment::Function { name, args } => {
            let args: Vec<String> = args
                .iter()
                .map(|a| {
                    let value = if a.is_placeholder { format!("{{{}}}", a.value) } else { a.value.clone() };
                    let value = if a.quoted { format!("'{value}'") } else { value };
                    match &a.name {
                        Some(name) => format!("{name}={value}"),
                        None => value,
                    }
                })
                .collect();
            format!("{name}({})", args.join(","))
        }
    }
}

/// The piece a segment adds to its builder's struct name.
fn segment_piece(segment: &Segment) -> String {
    match segment {
        Segment::Literal { name } => match name.as_str() {
            "$value" => "Content".into(),
            "$ref" => "Ref".into(),
            "$count" => "Count".into(),
            _ => match name.strip_prefix("microsoft.graph.") {
                Some(cast) => format!("As{}", names::type_name(cast)),
                None => heck_upper(name),
            },
        },
        Segment::Key { .. } => "Item".into(),
        Segment::Address { .. } => "ByPath".into(),
        Segment::Function { name, .. } => heck_upper(name.rsplit('.').next().unwrap_or(name)),
    }
}

fn heck_upper(name: &str) -> String {
    use heck::ToUpperCamelCase;
    name.chars().map(|c| if c.is_ascii_alphanumeric() { c } else { ' ' }).collect::<String>().to_upper_camel_case()
}

/// The method name a segment is reached by.
pub(super) fn segment_method(segment: &Segment) -> String {
    match segment {
        Segment::Literal { name } => match name.as_str() {
            "$value" => "content".into(),
            "$ref" => "reference".into(),
            "$count" => "count".into(),
            _ => match name.strip_prefix("microsoft.graph.") {
                Some(cast) => format!("as_{cast}"),
                None => name.clone(),
            },
        },
        Segment::Key { .. } => "by_id".into(),
        Segment::Address { .. } => "by_path".into(),
        Segment::Function { name, .. } => name.rsplit('.').next().unwrap_or(name).to_string(),
    }
}

pub(super) fn segment_params(segment: &Segment) -> Vec<Param> {
    match segment {
        Segment::Literal { .. } => Vec::new(),
        Segment::Key { placeholder, .. } => {
            vec![Param { rust_name: names::value_name(placeholder), kind: ParamKind::Key }]
        }
        Segment::Address { placeholder } => {
            vec![Param { rust_name: names::value_name(placeholder), kind: ParamKind::Address }]
        }
        Segment::Function { args, .. } => args
            .iter()
            .enumerate()
            .map(|(i, a)| {
                let base = a
                    .name
                    .clone()
                    .unwrap_or_else(|| if a.is_placeholder { a.value.clone() } else { format!("arg{i}") });
                Param {
                    rust_name: names::value_name(&base),
                    kind: ParamKind::FunctionArg { name: a.name.clone(), quoted: a.quoted },
                }
            })
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use crate::source::SourceFile;

    fn page(path: &str, text: &str) -> SourceFile {
        SourceFile::new(path, text)
    }

    fn get_page(request_line: &str) -> String {
        format!("---\ndoc_type: apiPageType\n---\n# Get cells\n\n## HTTP request\n```http\n{request_line}\n```\n")
    }

    #[test]
    fn a_function_argument_quoted_on_one_page_is_quoted_on_all() {
        let pages = [
            page("api/a-get.md", &get_page("GET /sheets/{id}/range(address='<address>')/cells")),
            page("api/b-get.md", &get_page("GET /me/sheets/{id}/range(address={address})/rows")),
            page("api/c-get.md", &get_page("GET /me/sheets/{id}/cell(row={row})")),
        ];
        let (ir, _) = crate::extract(&pages);
        let (space, _) = crate::resolve::resolve(&ir);
        let quoting = |function: &str| -> Vec<bool> {
            // A leaf function's arguments move to the operation its parent hosts.
            let nodes = space.nodes.iter().filter(|n| n.path.contains(function)).flat_map(|n| &n.params);
            let ops = space.operations.iter().filter(|o| o.path.contains(function)).flat_map(|o| &o.params);
            let params = nodes.chain(ops);
            params
                .filter_map(|p| match &p.kind {
                    crate::resolve::ParamKind::FunctionArg { quoted, .. } => Some(*quoted),
                    _ => None,
                })
                .collect()
        };
        assert!(!quoting("range(").is_empty() && quoting("range(").iter().all(|q| *q), "{:?}", quoting("range("));
        assert_eq!(quoting("cell("), vec![false], "an argument no page quotes stays bare");
    }
}
