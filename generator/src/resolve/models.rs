//! Models: each model's base type and its fields, the inherited ones
//! flattened in (base first; an own field replaces the base's of the same
//! JSON name), each with its Rust name, so a struct prints as it stands.

use foldhash::{HashMap, HashSet, HashSetExt};

use super::names::{self, Namespace};
use super::{ModelId, RField, Resolver, TypeId};
use crate::diagnostics::{Code, Diagnostic, Location};
use crate::ir::{self, Ir, TypeRef};

impl Resolver {
    pub(super) fn build_models(&mut self, ir: &Ir) {
        // Bases first (a field typed `a or b` is their common base), then
        // own fields, then flatten in dependency order.
        let declarations_of = |id: ModelId| -> Vec<&ir::Model> {
            std::iter::once(self.model_sources[id])
                .chain(self.model_others[id].iter().copied())
                .map(|source| ir.models[source].as_ref())
                .collect()
        };
        let declarations: Vec<Vec<&ir::Model>> = (0..self.space.models.len()).map(declarations_of).collect();
        for (id, declarations) in declarations.iter().enumerate() {
            // The leading declaration's base, else the first another gives.
            let base = declarations.iter().find_map(|d| d.base.as_ref().map(|b| (&b.ty, &d.location)));
            let base = base.and_then(|(ty, at)| match self.lookup_base(ty, at) {
                Some(base) if base != id => Some(base),
                _ => None,
            });
            self.space.models[id].base = base;
        }
        let mut own: Vec<Vec<RField>> = Vec::new();
        for declarations in &declarations {
            let mut seen = HashSet::new();
            let properties = declarations.iter().flat_map(|d| &d.properties).filter(|p| seen.insert(p.name.clone()));
            let fields = properties
                .collect::<Vec<_>>()
                .into_iter()
                .map(|p| RField {
                    rust_name: String::new(),
                    json_name: p.name.clone(),
                    ty: self.resolve_type(&p.ty, &p.location),
                    description: p.description.clone(),
                    required: false,
                    location: p.location.clone(),
                })
                .collect();
            own.push(fields);
        }
        for id in 0..self.space.models.len() {
            let fields = self.flatten(id, &own, &mut Vec::new());
            self.space.models[id].fields = fields;
            self.name_fields(id);
        }
    }

    fn lookup_base(&mut self, ty: &TypeRef, at: &Location) -> Option<ModelId> {
        let TypeRef::Named { name, page } = ty else {
            return None;
        };
        match self.lookup(name, page.as_deref(), at) {
            Some(TypeId::Model(id)) => Some(id),
            _ => {
                self.diagnostics.push(Diagnostic::warning(
                    Code::UnresolvedType,
                    at.clone(),
                    format!("the base type `{name}` is not a documented model; its properties are not inherited"),
                ));
                None
            }
        }
    }

    /// Base fields first (recursively), then own fields; an own field with
    /// the same JSON name as a base field replaces it in place.
    fn flatten(&mut self, id: ModelId, own: &[Vec<RField>], visiting: &mut Vec<ModelId>) -> Vec<RField> {
        if visiting.contains(&id) {
            let location = Location { file: self.space.models[id].page.clone(), line: 1, column: 1 };
            self.diagnostics.push(Diagnostic::warning(
                Code::UnresolvedType,
                location,
                format!("`{}` inherits from itself through its base types", self.space.models[id].doc_name),
            ));
            return Vec::new();
        }
        visiting.push(id);
        let mut fields = match self.space.models[id].base {
            Some(base) => self.flatten(base, own, visiting),
            None => Vec::new(),
        };
        visiting.pop();
        // By name, not by search: a table of 100,000 rows must not cost 10^10 comparisons.
        let mut at: HashMap<String, usize> = fields.iter().enumerate().map(|(i, f)| (f.json_name.clone(), i)).collect();
        for field in &own[id] {
            match at.get(&field.json_name) {
                Some(&i) => fields[i] = field.clone(),
                None => {
                    at.insert(field.json_name.clone(), fields.len());
                    fields.push(field.clone());
                }
            }
        }
        fields
    }

    pub(super) fn name_fields(&mut self, id: ModelId) {
        let model = &mut self.space.models[id];
        let mut taken = Namespace::new();
        let mut renamed = Vec::new();
        for field in &mut model.fields {
            let wanted = names::value_name(&field.json_name);
            let (name, changed) = taken.claim(&wanted);
            if changed {
                renamed.push(format!("`{}` is named `{}`", field.json_name, name));
            }
            field.rust_name = name;
        }
        model.extra_field = taken.claim("additional_properties").0;
        if !renamed.is_empty() {
            let location = Location { file: model.page.clone(), line: 1, column: 1 };
            let message = format!("properties of `{}` collide in snake_case: {}", model.doc_name, renamed.join(", "));
            self.diagnostics.push(Diagnostic::note(Code::NameCollision, location, message));
        }
    }

    pub(super) fn common_base(&self, a: ModelId, b: ModelId) -> Option<ModelId> {
        let mut ancestors = vec![a];
        while let Some(base) = ancestors.last().and_then(|m| self.space.models[*m].base) {
            if ancestors.contains(&base) {
                break;
            }
            ancestors.push(base);
        }
        let mut current = Some(b);
        let mut seen = Vec::new();
        while let Some(model) = current {
            if ancestors.contains(&model) {
                return Some(model);
            }
            if seen.contains(&model) {
                return None;
            }
            seen.push(model);
            current = self.space.models[model].base;
        }
        None
    }
}
