//! Polymorphs: a dispatch enum for each base type that has derived types
//! and is used somewhere, so a value decodes into the type its
//! `@odata.type` names rather than into its base.

use std::collections::BTreeSet;

use foldhash::{HashMap, HashMapExt};

use super::names::{self, Namespace};
use super::{ModelId, RPolymorph, RType, Resolver, ResponseShape};

impl Resolver {
    /// A dispatch enum for every base type that has derived types and is used
    /// somewhere (a field, a body, a response), and every such use pointed
    /// at it, so values decode into the type their `@odata.type` names.
    pub(super) fn build_polymorphs(&mut self) {
        let count = self.space.models.len();
        let mut derived: Vec<Vec<ModelId>> = vec![Vec::new(); count];
        for (id, model) in self.space.models.iter().enumerate() {
            if let Some(base) = model.base {
                derived[base].push(id);
            }
        }
        let mut used: Vec<ModelId> = Vec::new();
        let field_types = self.space.models.iter().flat_map(|m| m.fields.iter().map(|f| &f.ty));
        let op_types = self.space.operations.iter().flat_map(|op| op.body.iter().chain(op.response.decoded_type()));
        for ty in field_types.chain(op_types) {
            collect_models(ty, &mut used);
        }
        used.retain(|id| !derived[*id].is_empty());
        used.sort_by(|a, b| self.space.models[*a].doc_name.cmp(&self.space.models[*b].doc_name));
        used.dedup();
        let mut poly_of: HashMap<ModelId, usize> = HashMap::new();
        for base in used {
            let mut variants = Vec::new();
            let mut pending = derived[base].clone();
            while let Some(next) = pending.pop() {
                if next != base && !variants.contains(&next) {
                    variants.push(next);
                    pending.extend(derived[next].iter().copied());
                }
            }
            variants.sort_by(|a, b| self.space.models[*a].doc_name.cmp(&self.space.models[*b].doc_name));
            let wanted = format!("Any{}", self.space.models[base].rust_name);
            let (rust_name, _) = self.type_names.claim(&wanted);
            let (module, _) = self.module_names.claim(&names::module_name(&rust_name));
            let mut taken = Namespace::new();
            taken.claim(&self.space.models[base].rust_name);
            for variant in &variants {
                taken.claim(&self.space.models[*variant].rust_name);
            }
            let unknown_variant = taken.claim("Unrecognized").0;
            poly_of.insert(base, self.space.polymorphs.len());
            self.space.polymorphs.push(RPolymorph {
                rust_name,
                module,
                base,
                variants,
                unknown_variant,
                areas: BTreeSet::new(),
            });
        }
        for model in &mut self.space.models {
            for field in &mut model.fields {
                point_at_polymorphs(&mut field.ty, &poly_of);
            }
        }
        for op in &mut self.space.operations {
            if let Some(body) = &mut op.body {
                point_at_polymorphs(body, &poly_of);
            }
            if let ResponseShape::Json(ty) | ResponseShape::Page(ty) | ResponseShape::Wrapped(ty) = &mut op.response {
                point_at_polymorphs(ty, &poly_of);
            }
        }
    }
}

fn collect_models(ty: &RType, out: &mut Vec<ModelId>) {
    match ty {
        RType::Model(id) => out.push(*id),
        RType::Collection(inner) => collect_models(inner, out),
        _ => {}
    }
}

fn point_at_polymorphs(ty: &mut RType, poly_of: &HashMap<ModelId, usize>) {
    match ty {
        RType::Model(id) => {
            if let Some(poly) = poly_of.get(id) {
                *ty = RType::Polymorphic(*poly);
            }
        }
        RType::Collection(inner) => point_at_polymorphs(inner, poly_of),
        _ => {}
    }
}
