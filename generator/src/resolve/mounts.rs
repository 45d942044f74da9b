//! Where one builder serves several paths. The docs reach some resources
//! by more than one path: `/me` is the signed-in user, which
//! `/users/{id}` also reaches; `/me/drive` is a drive, as `/drives/{id}`
//! is. Pages say so by listing both paths for the same request, and by
//! answering the same type to a GET of either. Such a path is an *alias*:
//! its requests are the target's (one operation, one builder type), and
//! the alias is only an accessor that returns the target's builder.
//!
//! Everything here is read from the docs: which paths pages list side by
//! side, and what their GETs return.

use std::collections::{BTreeMap, BTreeSet};

use foldhash::{HashMap, HashMapExt};

use super::tree::{segment_display, segment_key, segment_params};
use super::{MergedOperation, Node, NodeId, Resolver};
use crate::ir::{self, Ir, Method, Segment, TypeRef};
use crate::parse::path::url_segments;

/// A path prefix whose requests are another prefix's.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Alias {
    /// The prefix as pages write it (`/me`, `/users/{id}/drive`), in its
    /// canonical form: earlier aliases already applied. Ends in a name.
    pub from: Vec<Segment>,
    /// The prefix it stands for (`/users/{id}`, `/drives/{id}`): ends in a key.
    pub to: Vec<Segment>,
}

/// The aliases of a docs folder, shortest first.
#[derive(Debug, Clone, Default)]
pub struct Aliases {
    pub aliases: Vec<Alias>,
}

/// Pages that list a path and its alias side by side, at least.
const MIN_PAGES: usize = 2;

/// Most rewrites one path takes (each replaces a prefix by a longer or
/// different one; a cycle in odd docs must not loop).
const MAX_REWRITES: usize = 16;

impl Aliases {
    /// Finds the aliases a docs folder shows: a prefix ending in a name
    /// (`/me`) and one ending in a key (`/users/{id}`) that pages list for
    /// the same method with the same rest of the path, on at least
    /// `MIN_PAGES` pages, and whose GETs the docs say answer the same type.
    pub fn find(ir: &Ir) -> Aliases {
        // Each path's keys, built once: the three passes below read them all.
        let path_keys: Vec<Vec<String>> = ir.operations.iter().map(|op| keys(&op.path.segments)).collect();
        let evidence = side_by_side(ir, &path_keys);
        let answers = get_types(ir, &path_keys);
        let written = written_prefixes(
            ir,
            &path_keys,
            evidence.iter().filter(|(_, pages)| pages.len() >= MIN_PAGES).map(|(k, _)| k),
        );
        // Shortest source first, so `/me/drive` is read as `/users/{id}/drive`.
        let mut candidates: Vec<(&Vec<String>, &Vec<String>, usize)> =
            evidence.iter().map(|((from, to), pages)| (from, to, pages.len())).collect();
        candidates.sort_by(|a, b| a.0.len().cmp(&b.0.len()).then(b.2.cmp(&a.2)).then(a.0.cmp(b.0)).then(a.1.cmp(b.1)));
        let mut found = Aliases::default();
        let mut taken: BTreeSet<Vec<String>> = BTreeSet::new();
        for (from, to, pages) in candidates {
            if pages < MIN_PAGES || taken.contains(from) {
                continue;
            }
            let same_answer = match (answers.get(from), answers.get(to)) {
                (Some(a), Some(b)) => a.eq_ignore_ascii_case(b),
                _ => false,
            };
            if !same_answer {
                continue;
            }
            let (Some(from_segments), Some(to_segments)) = (written.get(from.as_slice()), written.get(to.as_slice()))
            else {
                continue;
            };
            let from_canonical = found.canonical(from_segments);
            let to_canonical = found.canonical(to_segments);
            let (from_keys, to_keys) = (keys(&from_canonical), keys(&to_canonical));
            // An alias into its own subtree, or onto itself, would never end.
            if from_keys == to_keys || to_keys.starts_with(&from_keys) || from_keys.starts_with(&to_keys) {
                continue;
            }
            if !matches!(from_canonical.last(), Some(Segment::Literal { .. })) {
                continue;
            }
            taken.insert(from.clone());
            found.aliases.push(Alias { from: from_canonical, to: to_canonical });
        }
        found.settle();
        found
    }

    /// Writes every alias's source and target in terms of the others (an
    /// alias found later may rewrite a prefix of an earlier one's), so that
    /// one path has one canonical form whatever order they were found in;
    /// drops an alias that would then lead into its own subtree.
    fn settle(&mut self) {
        for _ in 0..MAX_REWRITES {
            let mut changed = false;
            for index in 0..self.aliases.len() {
                let others = Aliases {
                    aliases: self
                        .aliases
                        .iter()
                        .enumerate()
                        .filter(|(i, _)| *i != index)
                        .map(|(_, a)| a.clone())
                        .collect(),
                };
                let from = others.canonical(&self.aliases[index].from);
                let to = self.canonical(&self.aliases[index].to);
                if from != self.aliases[index].from || to != self.aliases[index].to {
                    self.aliases[index] = Alias { from, to };
                    changed = true;
                }
            }
            if !changed {
                break;
            }
        }
        self.aliases.retain(|a| {
            let (from, to) = (keys(&a.from), keys(&a.to));
            matches!(a.from.last(), Some(Segment::Literal { .. })) && !to.starts_with(&from) && !from.starts_with(&to)
        });
        let mut seen = BTreeSet::new();
        self.aliases.retain(|a| seen.insert(keys(&a.from)));
    }

    /// `segments` with every alias prefix replaced by its target, longest
    /// first, until none applies.
    pub fn canonical(&self, segments: &[Segment]) -> Vec<Segment> {
        let mut path = segments.to_vec();
        for _ in 0..MAX_REWRITES {
            // Compared segment by segment, without building keys: this runs
            // for every operation, and most paths differ at their first segment.
            let applies = self
                .aliases
                .iter()
                .filter(|a| a.from.len() <= path.len() && a.from.iter().zip(&path).all(|(x, y)| same_key(x, y)))
                .max_by_key(|a| a.from.len());
            let Some(alias) = applies else { break };
            let mut rewritten = alias.to.clone();
            rewritten.extend_from_slice(&path[alias.from.len()..]);
            path = rewritten;
        }
        path
    }
}

fn keys(segments: &[Segment]) -> Vec<String> {
    segments.iter().map(segment_key).collect()
}

/// `segment_key(a) == segment_key(b)`, without building either for the
/// segments most paths are made of.
fn same_key(a: &Segment, b: &Segment) -> bool {
    match (a, b) {
        (Segment::Literal { name: a }, Segment::Literal { name: b }) => a.eq_ignore_ascii_case(b),
        (Segment::Key { .. }, Segment::Key { .. }) | (Segment::Address { .. }, Segment::Address { .. }) => true,
        (Segment::Function { .. }, Segment::Function { .. }) => segment_key(a) == segment_key(b),
        _ => false,
    }
}

/// (name-ending prefix, key-ending prefix) → the pages that list a path
/// under each with the same method and the same rest.
/// `path_keys` are the keys of each of `ir`'s operations' paths.
fn side_by_side<'a>(ir: &'a Ir, path_keys: &[Vec<String>]) -> BTreeMap<(Vec<String>, Vec<String>), BTreeSet<&'a str>> {
    let mut by_page: BTreeMap<(&str, Method), Vec<&[String]>> = BTreeMap::new();
    for (op, keys) in ir.operations.iter().zip(path_keys) {
        by_page.entry((op.location.file.as_str(), op.method)).or_default().push(keys);
    }
    let mut evidence: BTreeMap<(Vec<String>, Vec<String>), BTreeSet<&str>> = BTreeMap::new();
    for ((page, _), paths) in &by_page {
        for a in paths {
            for b in paths {
                let common = a.iter().rev().zip(b.iter().rev()).take_while(|(x, y)| x == y).count();
                let (from, to) = (&a[..a.len() - common], &b[..b.len() - common]);
                let from_is_name = from.last().is_some_and(|k| k != "{}" && k != ":{}:");
                let to_is_key = to.last().is_some_and(|k| k == "{}");
                if from_is_name && to_is_key {
                    evidence.entry((from.to_vec(), to.to_vec())).or_default().insert(page);
                }
            }
        }
    }
    evidence
}

/// Path keys → the type documented GETs of them answer most often (the
/// first by name on a tie): a page that lists several paths says one type
/// for all of them, so one page alone does not decide.
fn get_types(ir: &Ir, path_keys: &[Vec<String>]) -> HashMap<Vec<String>, String> {
    let mut counts: HashMap<Vec<String>, BTreeMap<String, usize>> = HashMap::new();
    let gets =
        ir.operations.iter().zip(path_keys).filter(|(op, _)| op.method == Method::Get && op.path.query.is_none());
    for (op, keys) in gets {
        let Some(TypeRef::Named { name, .. }) = &op.response.ty else { continue };
        let name = name.to_ascii_lowercase();
        *counts.entry(keys.clone()).or_default().entry(name.clone()).or_default() += 1;
        // A page may show a GET of a path it does not list (`GET /me` in
        // an example of `GET /users/{id}`): what it names, it answers.
        for request in op.examples.iter().filter_map(|e| e.request.as_ref()).filter(|r| r.method == Method::Get) {
            let parts: Vec<String> = url_segments(&request.url).iter().map(|p| p.to_ascii_lowercase()).collect();
            let names_only = parts.iter().all(|p| p.chars().all(|c| c.is_ascii_alphanumeric() || c == '.'));
            if names_only && !parts.is_empty() && !request.url.contains('?') {
                *counts.entry(parts).or_default().entry(name.clone()).or_default() += 1;
            }
        }
    }
    let mut answers = HashMap::new();
    for (path, names) in counts {
        let most = names.iter().max_by(|a, b| a.1.cmp(b.1).then(b.0.cmp(a.0))).map(|(name, _)| name.clone());
        answers.extend(most.map(|name| (path, name)));
    }
    answers
}

/// The segments of the first documented path that starts with each of
/// `candidates`' prefixes (keys), found in one pass over the operations.
fn written_prefixes<'a>(
    ir: &'a Ir,
    path_keys: &[Vec<String>],
    candidates: impl Iterator<Item = &'a (Vec<String>, Vec<String>)>,
) -> HashMap<Vec<String>, &'a [Segment]> {
    let mut wanted: HashMap<Vec<String>, Option<&[Segment]>> = HashMap::new();
    for (from, to) in candidates {
        wanted.insert(from.clone(), None);
        wanted.insert(to.clone(), None);
    }
    for (op, path_keys) in ir.operations.iter().zip(path_keys) {
        for length in 1..=path_keys.len() {
            if let Some(slot @ None) = wanted.get_mut(&path_keys[..length]) {
                *slot = Some(&op.path.segments[..length]);
            }
        }
    }
    wanted.into_iter().filter_map(|(prefix, segments)| Some((prefix, segments?))).collect()
}

/// Pages whose examples call a relative root below another path, at least.
const MIN_EXAMPLES: usize = 2;

impl Resolver {
    /// Adds to `parent` the alias `segment` of node `target`, unless
    /// `parent` already has a child there (a path documented in full).
    pub(super) fn alias_node(&mut self, parent: NodeId, segment: &Segment, target: NodeId) {
        let key = (parent, segment_key(segment));
        if self.children_by_key.contains_key(&key) || parent == target {
            return;
        }
        let id = self.space.nodes.len();
        let host = &self.space.nodes[parent];
        self.space.nodes.push(Node {
            rust_name: String::new(),
            module: host.module.clone(),
            parent: Some(parent),
            segment: Some(segment.clone()),
            path: format!("{}/{}", host.path, segment_display(segment)),
            accessor: String::new(),
            params: segment_params(segment),
            children: Vec::new(),
            operations: Vec::new(),
            areas: BTreeSet::new(),
            alias_of: Some(target),
        });
        self.space.nodes[parent].children.push(id);
        self.children_by_key.insert(key, id);
    }

    /// Mounts the relative roots: a first segment (`/workbook`) whose
    /// operations' examples never call it at the service root but below
    /// another path (`/me/drive/items/{id}/workbook/…`). Its subtree is
    /// detached from the client and becomes an alias below every node
    /// whose GET answers the type those paths answer (every drive item:
    /// `drives().by_id(d).items().by_id(i).workbook()`, and the same from
    /// `me().drive()`), one builder type for all of them.
    pub(super) fn mount_relative_roots(&mut self, merged: &[MergedOperation], targets: &[NodeId]) {
        let mut at_root: BTreeMap<NodeId, usize> = BTreeMap::new();
        let mut below: BTreeMap<NodeId, Vec<Vec<String>>> = BTreeMap::new();
        for (op, target) in merged.iter().zip(targets) {
            let Some(root) = self.top(*target) else { continue };
            let Some(Segment::Literal { name }) = &self.space.nodes[root].segment else { continue };
            for request in op.examples.iter().filter_map(|e| e.request.as_ref()) {
                let parts = url_segments(&request.url);
                match parts.iter().position(|p| p.eq_ignore_ascii_case(name)) {
                    Some(0) => *at_root.entry(root).or_default() += 1,
                    Some(at) => below.entry(root).or_default().push(parts[..at].to_vec()),
                    None => {}
                }
            }
        }
        let answers = self.get_answers(merged, targets);
        for (root, prefixes) in below {
            if at_root.contains_key(&root) || prefixes.len() < MIN_EXAMPLES {
                continue;
            }
            let shown: BTreeSet<NodeId> = prefixes.iter().filter_map(|p| self.route_parts(p)).collect();
            let types: BTreeSet<&String> = shown.iter().filter_map(|n| answers.get(n)).collect();
            let mut hosts: BTreeSet<NodeId> = shown.clone();
            hosts.extend(answers.iter().filter(|(_, ty)| types.contains(ty)).map(|(node, _)| *node));
            hosts.retain(|host| !self.is_below(*host, root));
            if hosts.is_empty() {
                continue;
            }
            let Some(segment) = self.space.nodes[root].segment.clone() else { continue };
            self.space.nodes[0].children.retain(|c| *c != root);
            self.children_by_key.remove(&(0, segment_key(&segment)));
            self.space.nodes[root].parent = None;
            for host in hosts {
                self.alias_node(host, &segment, root);
            }
        }
    }

    /// The node below the client root that `node` descends from.
    fn top(&self, node: NodeId) -> Option<NodeId> {
        let mut current = node;
        while let Some(parent) = self.space.nodes[current].parent {
            if parent == 0 {
                return Some(current);
            }
            current = parent;
        }
        None
    }

    fn is_below(&self, node: NodeId, ancestor: NodeId) -> bool {
        let mut current = Some(node);
        while let Some(id) = current {
            if id == ancestor {
                return true;
            }
            current = self.space.nodes[id].parent;
        }
        false
    }

    /// The node a URL's path (ids as written) leads to from the client,
    /// through aliases: a name where a child has it, else a key.
    fn route_parts(&self, parts: &[String]) -> Option<NodeId> {
        let mut node = 0;
        for part in parts {
            let named = self.children_by_key.get(&(node, part.to_ascii_lowercase()));
            let next = named.or_else(|| self.children_by_key.get(&(node, "{}".to_string())))?;
            node = self.space.nodes[*next].alias_of.unwrap_or(*next);
        }
        Some(node)
    }

    /// Nodes → the single type their GET answers (a listed collection's
    /// item type for its key node), lower-cased.
    fn get_answers(&self, merged: &[MergedOperation], targets: &[NodeId]) -> BTreeMap<NodeId, String> {
        let mut answers = BTreeMap::new();
        for (op, target) in merged.iter().zip(targets) {
            if op.lead.method != Method::Get || op.lead.path.query.is_some() {
                continue;
            }
            match &op.lead.response.ty {
                Some(TypeRef::Named { name, .. }) => {
                    answers.entry(*target).or_insert_with(|| name.to_ascii_lowercase());
                }
                Some(TypeRef::Collection(item)) => {
                    let key = self.children_by_key.get(&(*target, "{}".to_string()));
                    if let (Some(key), TypeRef::Named { name, .. }) = (key, item.as_ref()) {
                        answers.entry(*key).or_insert_with(|| name.to_ascii_lowercase());
                    }
                }
                _ => {}
            }
        }
        answers
    }
}

/// The other paths pages document a merged operation at, as written, when
/// their shape differs from the lead's (not only a placeholder's name).
pub(super) fn also_documented(lead: &ir::Operation, others: &[&ir::Operation]) -> Vec<String> {
    let lead_keys = keys(&lead.path.segments);
    let mut shapes = BTreeSet::new();
    let mut also = Vec::new();
    for other in others {
        let other_keys = keys(&other.path.segments);
        if other_keys != lead_keys && shapes.insert(other_keys) {
            also.push(other.path.raw.clone());
        }
    }
    also.sort();
    also
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::SourceFile;

    fn api(name: &str, lines: &[&str], answers: &str) -> SourceFile {
        let block = lines.join("\n");
        SourceFile::new(
            format!("api/{name}.md"),
            format!(
                "---\ndoc_type: apiPageType\n---\n# {name}\n\n## HTTP request\n```http\n{block}\n```\n\n## Response\n\
                 If successful, this method returns a `200 OK` response code and a [{answers}](../resources/{answers}.md) object in the response body.\n"
            ),
        )
    }

    fn paths(aliases: &Aliases) -> Vec<(String, String)> {
        let show = |s: &[Segment]| keys(s).join("/");
        aliases.aliases.iter().map(|a| (show(&a.from), show(&a.to))).collect()
    }

    #[test]
    fn a_name_listed_beside_a_key_with_the_same_answer_is_an_alias() {
        let pages = [
            api("user-get", &["GET /me", "GET /users/{id}"], "user"),
            api("user-list-events", &["GET /me/events", "GET /users/{id}/events"], "event"),
            api("drive-get", &["GET /me/drive", "GET /drives/{id}", "GET /groups/{id}/drive"], "drive"),
            api("driveitem-get", &["GET /me/drive/items/{id}", "GET /drives/{id}/items/{id}"], "driveItem"),
            api("driveitem-get-root", &["GET /drives/{id}/root", "GET /groups/{id}/drive/root"], "driveItem"),
            api("group-get", &["GET /groups/{id}"], "group"),
        ];
        let (ir, _) = crate::extract(&pages);
        let aliases = Aliases::find(&ir);
        let pair = |from: &str, to: &str| (from.to_string(), to.to_string());
        assert_eq!(
            paths(&aliases),
            [pair("me", "users/{}"), pair("users/{}/drive", "drives/{}"), pair("groups/{}/drive", "drives/{}"),]
        );
        let me_drive = ir.operations.iter().find(|op| op.path.raw == "/me/drive").expect("GET /me/drive");
        let canonical = aliases.canonical(&me_drive.path.segments);
        assert_eq!(keys(&canonical), ["drives", "{}"], "GET /me/drive is GET /drives/{{id}}");
    }

    #[test]
    fn paths_that_answer_different_types_are_not_aliases() {
        let pages = [
            api("user-get", &["GET /me", "GET /users/{id}"], "user"),
            api("events-list", &["GET /me/events", "GET /groups/{id}/events"], "event"),
            api("event-get", &["GET /me/events/{id}", "GET /groups/{id}/events/{id}"], "event"),
            api("group-get", &["GET /groups/{id}"], "group"),
        ];
        let (ir, _) = crate::extract(&pages);
        assert!(Aliases::find(&ir).aliases.is_empty(), "{:?}", paths(&Aliases::find(&ir)));
    }
}
