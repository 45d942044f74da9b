//! Enums: the variants of each enum, gathered from every page that declares
//! it, with Rust names and one more variant for values this crate does not
//! know yet.

use foldhash::{HashSet, HashSetExt};

use super::names::{self, Namespace};
use super::{RVariant, Resolver};
use crate::ir::{self, Ir};

impl Resolver {
    pub(super) fn build_enums(&mut self, ir: &Ir) {
        for id in 0..self.space.enums.len() {
            let declarations = std::iter::once(self.enum_sources[id]).chain(self.enum_others[id].iter().copied());
            let members: Vec<&ir::EnumMember> = declarations.flat_map(|source| &ir.enums[source].members).collect();
            let mut taken = Namespace::new();
            let mut seen = HashSet::new();
            let variants: Vec<RVariant> = members
                .into_iter()
                .filter(|m| !m.name.is_empty() && seen.insert(m.name.clone()))
                .map(|m| RVariant {
                    rust_name: taken.claim(&names::variant_name(&m.name)).0,
                    json_name: m.name.clone(),
                    description: m.description.clone(),
                })
                .collect();
            let unknown = taken.claim("Unrecognized").0;
            let en = &mut self.space.enums[id];
            en.variants = variants;
            en.unknown_variant = unknown;
        }
    }
}
