//! Product areas, which become cargo features of the generated crate: an
//! application that enables one area compiles only that area's operations and
//! the models they need (the closure over field and base types).
//!
//! An operation's area is its page's `ms.subservice` (today's pages:
//! `entra-users`), else its `ms.prod` (the 2020 pages; folded to lower case,
//! two known typos fixed); Intune pages, half of the docs, are split by the
//! sub-area in their file names (`intune-deviceconfig-…`); pages without a
//! usable value use the first segment of their path.

use std::collections::BTreeSet;

use foldhash::HashMap;

use super::{RType, TypeSpace};
use crate::ir::PageInfo;

/// `ms.prod` spellings that mean another value.
const ALIASES: &[(&str, &str)] = &[
    ("microsofit-identity-platform", "microsoft-identity-platform"),
    ("microasoft-identity-platform", "microsoft-identity-platform"),
];

/// The feature name for an operation documented on `page` with this path.
pub fn area(page: Option<&PageInfo>, first_segment: &str) -> String {
    match page.and_then(|p| usable_area(&p.ms_subservice).or_else(|| usable_area(&p.ms_prod))) {
        Some(area) if area == "intune" => {
            let stem = page.map(|p| p.file.rsplit('/').next().unwrap_or(&p.file)).unwrap_or_default();
            let sub =
                stem.strip_prefix("intune-").filter(|_| has_sub_area(stem)).and_then(|rest| rest.split('-').next());
            sub.map_or_else(|| "intune".into(), |sub| format!("intune-{sub}"))
        }
        Some(area) => area,
        None => {
            // Lower case, not kebab case: the docs spell `administrativeUnits` and
            // `administrativeunits` for the same root.
            let from_path: String =
                first_segment.chars().filter(char::is_ascii_alphanumeric).collect::<String>().to_ascii_lowercase();
            if from_path.is_empty() { "common".into() } else { from_path }
        }
    }
}

/// A front-matter area value as a feature name: lower case, known typos
/// fixed; `None` when empty, a TODO, or not a feature name.
fn usable_area(value: &str) -> Option<String> {
    let value = value.trim().to_ascii_lowercase();
    let value = ALIASES.iter().find(|(from, _)| *from == value).map(|(_, to)| to.to_string()).unwrap_or(value);
    let usable =
        !value.is_empty() && !value.contains("todo") && value.chars().all(|c| c.is_ascii_alphanumeric() || c == '-');
    usable.then_some(value)
}

/// `intune-apps-x.md` has a sub-area; `intune-x.md` does not.
fn has_sub_area(stem: &str) -> bool {
    stem.trim_end_matches(".md").matches('-').count() >= 2
}

/// Fills in the area sets of operations, nodes, models and enums.
pub fn assign(space: &mut TypeSpace, pages: &[PageInfo]) {
    let by_file: HashMap<&str, &PageInfo> = pages.iter().map(|p| (p.file.as_str(), p)).collect();
    // Operations: their own page.
    for op in &mut space.operations {
        let first =
            op.path.trim_start_matches(['/', '~']).split(['/', '(', '?']).next().unwrap_or_default().to_string();
        op.area = area(by_file.get(op.page.as_str()).copied(), &first);
    }
    // Nodes: every operation below them.
    for index in 0..space.operations.len() {
        let area = space.operations[index].area.clone();
        let mut node = Some(space.operations[index].target);
        while let Some(id) = node {
            space.nodes[id].areas.insert(area.clone());
            node = space.nodes[id].parent;
        }
    }
    // Aliases: the path to each alias of a subtree needs what the subtree
    // needs (`client.me()` is there wherever a users request is), until
    // nothing changes (an alias's host may itself be below another alias).
    loop {
        let mut changed = false;
        for id in 0..space.nodes.len() {
            let Some(target) = space.nodes[id].alias_of else { continue };
            let missing: Vec<String> = space.nodes[target].areas.difference(&space.nodes[id].areas).cloned().collect();
            if missing.is_empty() {
                continue;
            }
            changed = true;
            let mut node = Some(id);
            while let Some(at) = node {
                space.nodes[at].areas.extend(missing.iter().cloned());
                node = space.nodes[at].parent;
            }
        }
        if !changed {
            break;
        }
    }
    // Types: the closure of what each operation sends and receives.
    let mut model_areas: Vec<BTreeSet<String>> = vec![BTreeSet::new(); space.models.len()];
    let mut enum_areas: Vec<BTreeSet<String>> = vec![BTreeSet::new(); space.enums.len()];
    for op in &space.operations {
        for root in op.body.iter().chain(op.response.decoded_type()) {
            mark(space, root, &op.area, &mut model_areas, &mut enum_areas);
        }
    }
    // Types no operation uses still belong somewhere: their own page's area.
    for (id, model) in space.models.iter().enumerate() {
        if model_areas[id].is_empty() {
            let own = area(by_file.get(model.page.as_str()).copied(), "common");
            mark(space, &RType::Model(id), &own, &mut model_areas, &mut enum_areas);
        }
    }
    for (id, en) in space.enums.iter().enumerate() {
        if enum_areas[id].is_empty() {
            enum_areas[id].insert(area(by_file.get(en.page.as_str()).copied(), "common"));
        }
    }
    for (model, areas) in space.models.iter_mut().zip(model_areas) {
        model.areas = areas;
    }
    for poly in &mut space.polymorphs {
        poly.areas = space.models[poly.base].areas.clone();
    }
    for (en, areas) in space.enums.iter_mut().zip(enum_areas) {
        en.areas = areas;
    }
    let op_areas = space.operations.iter().map(|o| o.area.clone());
    let model_areas = space.models.iter().flat_map(|m| m.areas.iter().cloned());
    let enum_areas = space.enums.iter().flat_map(|e| e.areas.iter().cloned());
    space.areas = op_areas.chain(model_areas).chain(enum_areas).collect();
}

/// Adds `area` to a type and everything it refers to, stopping at types that already have it.
fn mark(space: &TypeSpace, ty: &RType, area: &str, models: &mut [BTreeSet<String>], enums: &mut [BTreeSet<String>]) {
    let mut pending = vec![ty.clone()];
    while let Some(ty) = pending.pop() {
        match ty {
            RType::Collection(inner) => pending.push(*inner),
            RType::Enum(id) => {
                enums[id].insert(area.to_string());
            }
            RType::Model(id) => {
                if models[id].insert(area.to_string()) {
                    pending.extend(space.models[id].fields.iter().map(|f| f.ty.clone()));
                    pending.extend(space.models[id].base.map(RType::Model));
                }
            }
            // The dispatch enum needs its base; each derived variant is gated
            // by its own areas, so an area does not pull in every derived type.
            RType::Polymorphic(poly) => pending.push(RType::Model(space.polymorphs[poly].base)),
            RType::Primitive(_) | RType::Untyped | RType::Reference => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ir::PageKind;

    fn page(file: &str, ms_prod: &str) -> PageInfo {
        PageInfo {
            file: file.into(),
            kind: PageKind::Api,
            title: String::new(),
            ms_prod: ms_prod.into(),
            ms_subservice: String::new(),
            has_request_block: true,
            links: Vec::new(),
        }
    }

    fn current(file: &str, ms_prod: &str, ms_subservice: &str) -> PageInfo {
        PageInfo { ms_subservice: ms_subservice.into(), ..page(file, ms_prod) }
    }

    #[test]
    fn ms_subservice_comes_before_ms_prod() {
        assert_eq!(area(Some(&current("api/user-get.md", "users", "entra-users")), "users"), "entra-users");
        assert_eq!(area(Some(&current("api/user-get.md", "", "entra-users")), "users"), "entra-users");
        assert_eq!(area(Some(&current("api/user-get.md", "users", "")), "users"), "users");
        assert_eq!(area(Some(&current("api/user-get.md", "users", "**TODO**")), "users"), "users");
        // Intune's sub-areas come from the file name whichever key says `intune`.
        assert_eq!(area(Some(&current("api/intune-apps-x-get.md", "", "intune")), "x"), "intune-apps");
    }

    #[test]
    fn areas_follow_ms_prod_intune_sub_areas_and_paths() {
        assert_eq!(area(Some(&page("api/user-get.md", "Users")), "users"), "users");
        assert_eq!(area(Some(&page("api/intune-apps-x-get.md", "Intune")), "deviceAppManagement"), "intune-apps");
        assert_eq!(area(Some(&page("api/x.md", "microsofit-identity-platform")), "x"), "microsoft-identity-platform");
        assert_eq!(area(Some(&page("api/x.md", "")), "deviceAppManagement"), "deviceappmanagement");
        assert_eq!(
            area(Some(&page("api/x.md", "**TODO: Add MS prod.**")), "deviceAppManagement"),
            "deviceappmanagement"
        );
    }
}
