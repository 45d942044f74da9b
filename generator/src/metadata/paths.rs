//! Which request paths the service has: a walk of the request tree against
//! the metadata's entity container, navigation properties, bound actions
//! and functions, the way an OData service resolves a URL.

use std::collections::VecDeque;

use foldhash::{HashSet, HashSetExt};

use super::Metadata;
use super::csdl::{CsdlType, OperationKind, RootKind};
use crate::ir::Segment;
use crate::resolve::{NodeId, TypeSpace};

/// Where a walk through a URL stands after some segments.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum At {
    /// The service root, before the first segment.
    Container,
    /// One instance of structured type `types[i]`.
    One(usize),
    /// A collection of structured type `types[i]`.
    Many(usize),
    /// A primitive or enum value, or a type the metadata does not declare.
    Value,
    /// After an action, `$ref`, `$value` or `$count`: nothing may follow.
    End,
}

impl Metadata {
    /// Where `segment` leads from `at`, or why it leads nowhere.
    pub fn step(&self, at: At, segment: &Segment) -> Result<At, String> {
        match (at, segment) {
            (At::End, _) => Err("nothing can follow an action, `$ref`, `$value` or `$count`".into()),
            (_, Segment::Literal { name }) if matches!(name.as_str(), "$ref" | "$value" | "$count") => Ok(At::End),
            (At::Container, Segment::Literal { name }) => self.root(name),
            // `programs('{id}')`: an entity set with its key in parentheses.
            (At::Container, Segment::Function { name, args }) => match self.root(name)? {
                At::Many(item) if args.len() == 1 && args[0].name.is_none() => Ok(At::One(item)),
                other => Ok(other),
            },
            (At::Container, _) => Err("a path starts with a name, not a key".into()),
            (At::Many(item), Segment::Key { .. }) => Ok(At::One(item)),
            (At::One(ty), Segment::Key { .. }) => {
                Err(format!("`{}` is one object, not a collection: it takes no key", self.csdl.types[ty].name))
            }
            (At::Value, _) => Err("a value has no properties, actions or functions".into()),
            (At::One(_), Segment::Address { .. }) => Ok(at),
            (_, Segment::Address { .. }) => Err("an item path (`:/path:`) addresses one item".into()),
            (At::One(ty), Segment::Literal { name } | Segment::Function { name, .. }) => {
                self.member(ty, false, name, segment)
            }
            (At::Many(ty), Segment::Literal { name } | Segment::Function { name, .. }) => {
                self.member(ty, true, name, segment)
            }
        }
    }

    fn root(&self, name: &str) -> Result<At, String> {
        let Some(root) = self.roots.get(&name.to_ascii_lowercase()).map(|i| &self.csdl.roots[*i]) else {
            return Err(format!("`{name}` is not an entity set or singleton of the service"));
        };
        match (&root.kind, &root.ty) {
            (RootKind::Import, _) | (_, None) => Ok(At::End),
            (_, Some(ty)) => Ok(self.at(ty)),
        }
    }

    /// The state a typed value leads to.
    fn at(&self, ty: &CsdlType) -> At {
        match self.type_index(&ty.name) {
            Some(index) if ty.collection => At::Many(index),
            Some(index) => At::One(index),
            None => At::Value,
        }
    }

    /// A property, a bound action or function, a type cast, or (on a
    /// collection) a key written as a literal (`mailFolders/inbox`).
    fn member(&self, ty: usize, many: bool, name: &str, segment: &Segment) -> Result<At, String> {
        let simple = name.rsplit('.').next().unwrap_or(name);
        if name.contains('.')
            && let Some(cast) = self.type_index(name)
        {
            return Ok(if many { At::Many(cast) } else { At::One(cast) });
        }
        if let Some(op) = self.bound_operation(ty, many, simple) {
            return Ok(match (op.kind, &op.returns) {
                (OperationKind::Action, _) | (_, None) => At::End,
                (OperationKind::Function, Some(returns)) => self.at(returns),
            });
        }
        let property = self.property(ty, simple);
        if !many && let Some(property) = property {
            let next = self.at(&property.ty);
            // `borders(<sideIndex>)`: a collection property with its key in parentheses.
            return match (segment, next) {
                (Segment::Function { args, .. }, At::Many(item)) if args.len() == 1 => Ok(At::One(item)),
                (Segment::Function { .. }, _) => {
                    Err(format!("`{simple}` is a property of `{}`, not a function", self.csdl.types[ty].name))
                }
                _ => Ok(next),
            };
        }
        let type_name = &self.csdl.types[ty].name;
        // A name of a collection of each item where an item's key belongs
        // (`/education/users/schools`) has lost its key; another name is a
        // key written as a literal (`/sites/root`, `mailFolders/inbox`).
        match (many, property, segment) {
            (true, Some(property), _) if property.ty.collection => {
                Err(format!("`{simple}` is a collection of each `{type_name}`: a key is missing before it"))
            }
            (true, _, Segment::Literal { .. }) => Ok(At::One(ty)),
            _ => Err(format!(
                "`{simple}` is not a property, navigation property, bound action or function of {}`{type_name}`",
                if many { "a collection of " } else { "" }
            )),
        }
    }
}

/// What the walk of the request tree found: the states each node is
/// reached in (none: the service has no such path).
pub struct Walk {
    pub states: Vec<Vec<At>>,
}

impl Walk {
    pub fn reached(&self, node: NodeId) -> bool {
        !self.states[node].is_empty()
    }
}

/// Walks every path of the request tree from the client root.
pub fn walk(space: &TypeSpace, meta: &Metadata) -> Walk {
    let mut below: Vec<Vec<NodeId>> = vec![Vec::new(); space.nodes.len()];
    for (id, node) in space.nodes.iter().enumerate() {
        if let Some(parent) = node.parent {
            below[parent].push(id);
        }
    }
    let mut states: Vec<Vec<At>> = vec![Vec::new(); space.nodes.len()];
    let mut seen: HashSet<(NodeId, At)> = HashSet::new();
    let mut pending: VecDeque<(NodeId, At)> = VecDeque::new();
    if !space.nodes.is_empty() {
        pending.push_back((0, At::Container));
    }
    while let Some((id, at)) = pending.pop_front() {
        if !seen.insert((id, at)) {
            continue;
        }
        states[id].push(at);
        for child in &below[id] {
            let Some(segment) = &space.nodes[*child].segment else { continue };
            if let Ok(next) = meta.step(at, segment) {
                // An alias leads on into its target's subtree.
                pending.push_back((space.nodes[*child].alias_of.unwrap_or(*child), next));
            }
        }
    }
    Walk { states }
}

/// Why `segments` (a documented path) is not a path of the service: the
/// first segment that leads nowhere, and the reason. `None` when it is one.
/// A path that starts at a mounted subtree's root (`/workbook/…`) is
/// walked from every state its aliases reach it in.
pub fn explain(space: &TypeSpace, walk: &Walk, meta: &Metadata, segments: &[Segment]) -> Option<(usize, String)> {
    let mounted = space.nodes.iter().enumerate().find(|(_, node)| {
        node.is_mounted_root()
            && matches!((&node.segment, segments.first()), (Some(a), Some(b)) if crate::resolve::segment_key(a) == crate::resolve::segment_key(b))
    });
    let (starts, skip) = match mounted {
        Some((id, _)) if walk.reached(id) => (walk.states[id].clone(), 1),
        Some(_) => return Some((0, "no path the service has leads to where this subtree is mounted".into())),
        None => (vec![At::Container], 0),
    };
    let mut furthest: Option<(usize, String)> = None;
    for start in starts {
        let mut at = start;
        let mut failed = None;
        for (index, segment) in segments.iter().enumerate().skip(skip) {
            match meta.step(at, segment) {
                Ok(next) => at = next,
                Err(reason) => {
                    failed = Some((index, reason));
                    break;
                }
            }
        }
        match failed {
            None => return None,
            Some(failure) if furthest.as_ref().is_none_or(|f| failure.0 > f.0) => furthest = Some(failure),
            Some(_) => {}
        }
    }
    furthest
}
