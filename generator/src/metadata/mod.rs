//! The docs against the service's own metadata (OData CSDL): the check
//! Microsoft's docs validator makes, as diagnostics on the pages, and the
//! fidelity figures of what docgen generates (how many of the metadata's
//! types and properties it has, how many of its own are real, whether
//! types and bases agree, and how many operations the service can reach).
//!
//! The metadata is a check, never an input: nothing here changes what is
//! generated.

pub mod csdl;
pub mod paths;

use std::path::Path;

use foldhash::{HashMap, HashMapExt};
use serde::Serialize;

use crate::diagnostics::{Code, Diagnostic, Location};
use crate::ir::{Ir, Primitive};
use crate::resolve::{Home, ModelId, RField, RType, TypeSpace};
use csdl::{BoundOperation, Csdl, CsdlProperty, CsdlType};

/// A CSDL document, indexed for lookups by name (case-insensitive: the
/// docs and the service both take names in any case).
#[derive(Debug, Clone)]
pub struct Metadata {
    pub csdl: Csdl,
    /// The file it was read from, for messages.
    pub label: String,
    types: HashMap<String, usize>,
    enums: HashMap<String, usize>,
    roots: HashMap<String, usize>,
    /// (binding type, bound to a collection of it) → operations.
    bound: HashMap<(usize, bool), Vec<usize>>,
}

impl Metadata {
    /// Reads and indexes a CSDL file.
    pub fn read(path: &Path) -> Result<Metadata, String> {
        let text = std::fs::read_to_string(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        let label = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        Metadata::parse(&text, &label).map_err(|e| format!("{}: {e}", path.display()))
    }

    pub fn parse(text: &str, label: &str) -> Result<Metadata, String> {
        Ok(Metadata::new(csdl::parse(text)?, label))
    }

    pub fn new(csdl: Csdl, label: &str) -> Metadata {
        let lower = |name: &str| name.to_ascii_lowercase();
        let types: HashMap<String, usize> = csdl.types.iter().enumerate().map(|(i, t)| (lower(&t.name), i)).collect();
        let enums = csdl.enums.iter().enumerate().map(|(i, e)| (lower(&e.name), i)).collect();
        let roots = csdl.roots.iter().enumerate().map(|(i, r)| (lower(&r.name), i)).collect();
        let mut bound: HashMap<(usize, bool), Vec<usize>> = HashMap::new();
        for (index, op) in csdl.operations.iter().enumerate() {
            if let Some(ty) = types.get(&lower(&op.binding.name)) {
                bound.entry((*ty, op.binding.collection)).or_default().push(index);
            }
        }
        Metadata { csdl, label: label.to_string(), types, enums, roots, bound }
    }

    pub fn type_index(&self, name: &str) -> Option<usize> {
        self.types.get(&name.to_ascii_lowercase()).copied()
    }

    /// A type and its base types, nearest first (a base cycle ends the list).
    fn ancestors(&self, ty: usize) -> Vec<usize> {
        let mut chain = vec![ty];
        while let Some(base) = self.csdl.types[*chain.last().unwrap_or(&ty)].base.as_deref() {
            match self.type_index(base) {
                Some(next) if !chain.contains(&next) => chain.push(next),
                _ => break,
            }
        }
        chain
    }

    /// The property `name` of `ty` or of one of its base types.
    fn property(&self, ty: usize, name: &str) -> Option<&CsdlProperty> {
        self.ancestors(ty)
            .into_iter()
            .find_map(|t| self.csdl.types[t].properties.iter().find(|p| p.name.eq_ignore_ascii_case(name)))
    }

    /// Every property of `ty`, inherited ones included, with the type that declares it.
    fn all_properties(&self, ty: usize) -> Vec<(&CsdlProperty, usize)> {
        let mut all: Vec<(&CsdlProperty, usize)> = Vec::new();
        for t in self.ancestors(ty).into_iter().rev() {
            for property in &self.csdl.types[t].properties {
                match all.iter_mut().find(|(p, _)| p.name == property.name) {
                    Some(slot) => *slot = (property, t),
                    None => all.push((property, t)),
                }
            }
        }
        all
    }

    /// The action or function `name` bound to `ty` (or a collection of it),
    /// or to one of its base types.
    fn bound_operation(&self, ty: usize, many: bool, name: &str) -> Option<&BoundOperation> {
        self.ancestors(ty).into_iter().find_map(|t| {
            let ops = self.bound.get(&(t, many))?;
            ops.iter().map(|i| &self.csdl.operations[*i]).find(|op| op.name.eq_ignore_ascii_case(name))
        })
    }
}

/// How much of the metadata docgen has, and how much of what it has is real.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Fidelity {
    /// Entity and complex types of the metadata.
    pub types: usize,
    /// Of those, types docgen generates a model of.
    pub types_found: usize,
    /// Properties of the found types in the metadata, inherited ones included.
    pub properties: usize,
    /// Of those, properties the model has.
    pub properties_found: usize,
    /// Fields of the found types' models, inherited ones included.
    pub fields: usize,
    /// Of those, fields the metadata's type has.
    pub fields_real: usize,
    /// Of the properties found, those whose type agrees (collection-ness included).
    pub types_agreeing: usize,
    /// Of the found types, those whose base type agrees (both none counts).
    pub bases_agreeing: usize,
    /// Operations docgen generates.
    pub operations: usize,
    /// Of those, operations whose path the metadata reaches.
    pub operations_reached: usize,
    /// Enum types of the metadata; of those, the ones the docs declare.
    pub enums: usize,
    pub enums_found: usize,
    /// Members of the found enums in the metadata; of those, members the docs list.
    pub enum_members: usize,
    pub enum_members_found: usize,
}

/// `part` of `whole` in percent; 100 when there is nothing to count.
pub fn percent(part: usize, whole: usize) -> f64 {
    if whole == 0 { 100.0 } else { part as f64 * 100.0 / whole as f64 }
}

impl Fidelity {
    /// The figures CI holds, by name, in percent.
    pub fn figures(&self) -> [(&'static str, f64); 6] {
        [
            ("types found", percent(self.types_found, self.types)),
            ("property recall", percent(self.properties_found, self.properties)),
            ("property precision", percent(self.fields_real, self.fields)),
            ("type agreement", percent(self.types_agreeing, self.properties_found)),
            ("base agreement", percent(self.bases_agreeing, self.types_found)),
            ("operations reached", percent(self.operations_reached, self.operations)),
        ]
    }

    pub fn to_text(&self) -> String {
        let counts = [
            (self.types_found, self.types),
            (self.properties_found, self.properties),
            (self.fields_real, self.fields),
            (self.types_agreeing, self.properties_found),
            (self.bases_agreeing, self.types_found),
            (self.operations_reached, self.operations),
        ];
        let mut text = String::new();
        for ((name, figure), (part, whole)) in self.figures().into_iter().zip(counts) {
            text.push_str(&format!("{name:>20}  {figure:6.2}%  ({part} of {whole})\n"));
        }
        text.push_str(&format!(
            "{:>20}  {:6.2}%  ({} of {}; members {} of {})\n",
            "enums found",
            percent(self.enums_found, self.enums),
            self.enums_found,
            self.enums,
            self.enum_members_found,
            self.enum_members
        ));
        text
    }
}

/// Compares a resolved docs folder with the metadata: the figures, and a
/// diagnostic on the page for every disagreement.
pub fn check(ir: &Ir, space: &TypeSpace, meta: &Metadata) -> (Fidelity, Vec<Diagnostic>) {
    let mut check = Check { space, meta, fidelity: Fidelity::default(), diagnostics: Vec::new() };
    check.types();
    check.enums();
    check.operations(ir);
    (check.fidelity, check.diagnostics)
}

struct Check<'a> {
    space: &'a TypeSpace,
    meta: &'a Metadata,
    fidelity: Fidelity,
    diagnostics: Vec<Diagnostic>,
}

/// How a field's type compares with the metadata's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Agreement {
    Same,
    /// The same type, but one side is a collection and the other is not.
    Collection,
    Different,
}

impl Check<'_> {
    /// Models of documented types (not parameter bodies), by lower-cased full name.
    fn models_by_name(&self) -> HashMap<String, ModelId> {
        let documented = self.space.models.iter().enumerate().filter(|(_, m)| matches!(m.home, Home::Models { .. }));
        documented.map(|(id, m)| (m.doc_name.to_ascii_lowercase(), id)).collect()
    }

    fn types(&mut self) {
        let models = self.models_by_name();
        self.fidelity.types = self.meta.csdl.types.len();
        let mut found: Vec<(usize, ModelId)> = Vec::new();
        for (index, ty) in self.meta.csdl.types.iter().enumerate() {
            if let Some(model) = models.get(&ty.name.to_ascii_lowercase()) {
                found.push((index, *model));
            }
        }
        self.fidelity.types_found = found.len();
        let model_of: HashMap<usize, ModelId> = found.iter().copied().collect();
        for &(ty, model) in &found {
            self.base(ty, model);
            self.properties(ty, model, &model_of);
        }
        for (id, model) in self.space.models.iter().enumerate() {
            let documented = matches!(model.home, Home::Models { .. });
            if documented && self.meta.type_index(&model.doc_name).is_none() && !self.is_enum_in_metadata(id) {
                let message = format!("the metadata ({}) has no type `{}`", self.meta.label, model.doc_name);
                self.diagnostics.push(Diagnostic::warning(
                    Code::MetadataUnknownType,
                    model_location(self.space, id),
                    message,
                ));
            }
        }
    }

    /// A model the docs made of what the metadata declares as an enum: the
    /// type mismatch is reported where it is used, not as an unknown type.
    fn is_enum_in_metadata(&self, model: ModelId) -> bool {
        self.meta.enums.contains_key(&self.space.models[model].doc_name.to_ascii_lowercase())
    }

    fn base(&mut self, ty: usize, model: ModelId) {
        let expected = self.meta.csdl.types[ty].base.as_deref();
        let actual = self.space.models[model].base.map(|b| self.space.models[b].doc_name.as_str());
        if expected.map(str::to_ascii_lowercase) == actual.map(str::to_ascii_lowercase) {
            self.fidelity.bases_agreeing += 1;
            return;
        }
        let name = &self.meta.csdl.types[ty].name;
        let message = match (expected, actual) {
            (Some(expected), Some(actual)) => {
                format!("`{name}` derives from `{expected}` in the metadata; the page makes `{actual}` its base")
            }
            (Some(expected), None) => {
                format!("`{name}` derives from `{expected}` in the metadata; the page names no base type")
            }
            (None, Some(actual)) => {
                format!("`{name}` has no base type in the metadata; the page makes `{actual}` its base")
            }
            (None, None) => return,
        };
        let diagnostic = Diagnostic::warning(Code::MetadataBaseMismatch, model_location(self.space, model), message);
        let needle = actual.map(|a| a.rsplit('.').next().unwrap_or(a).to_string());
        self.diagnostics.push(match needle {
            Some(needle) => diagnostic.pointing_at(needle),
            None => diagnostic,
        });
    }

    fn properties(&mut self, ty: usize, model: ModelId, model_of: &HashMap<usize, ModelId>) {
        let space = self.space;
        let fields = &space.models[model].fields;
        let expected = self.meta.all_properties(ty);
        self.fidelity.properties += expected.len();
        self.fidelity.fields += fields.len();
        for (property, declared_on) in &expected {
            let Some(field) = fields.iter().find(|f| f.json_name.eq_ignore_ascii_case(&property.name)) else {
                // Said once, on the page of the type that declares it, when that page lacks it too.
                let base_lacks_it = *declared_on != ty
                    && model_of.get(declared_on).is_some_and(|base| {
                        !space.models[*base].fields.iter().any(|f| f.json_name.eq_ignore_ascii_case(&property.name))
                    });
                if !base_lacks_it {
                    self.missing_property(ty, model, property);
                }
                continue;
            };
            self.fidelity.properties_found += 1;
            let agreement = agreement(space, &field.ty, &property.ty, self.meta);
            if agreement == Agreement::Same {
                self.fidelity.types_agreeing += 1;
            } else if is_own(space, model, field) {
                self.type_mismatch(ty, field, property, agreement);
            }
            if field.json_name != property.name && is_own(space, model, field) {
                let message = format!(
                    "the property `{}` is spelled `{}` in the metadata's `{}`",
                    field.json_name, property.name, self.meta.csdl.types[ty].name
                );
                let diagnostic = Diagnostic::warning(Code::MetadataUnknownProperty, field.location.clone(), message);
                self.diagnostics.push(diagnostic.pointing_at(field.json_name.clone()));
            }
        }
        for field in fields {
            if expected.iter().any(|(p, _)| p.name.eq_ignore_ascii_case(&field.json_name)) {
                self.fidelity.fields_real += 1;
            } else if is_own(space, model, field) {
                let message =
                    format!("the metadata's `{}` has no property `{}`", self.meta.csdl.types[ty].name, field.json_name);
                let diagnostic = Diagnostic::warning(Code::MetadataUnknownProperty, field.location.clone(), message);
                self.diagnostics.push(diagnostic.pointing_at(field.json_name.clone()));
            }
        }
    }

    fn missing_property(&mut self, ty: usize, model: ModelId, property: &CsdlProperty) {
        let kind = if property.navigation { "navigation property" } else { "property" };
        let message = format!(
            "the metadata's `{}` has the {kind} `{}` ({}); the page does not list it",
            self.meta.csdl.types[ty].name, property.name, property.ty
        );
        let location = model_location(self.space, model);
        self.diagnostics.push(Diagnostic::warning(Code::MetadataMissingProperty, location, message));
    }

    fn type_mismatch(&mut self, ty: usize, field: &RField, property: &CsdlProperty, agreement: Agreement) {
        let code = match agreement {
            Agreement::Collection => Code::MetadataCollectionMismatch,
            _ => Code::MetadataTypeMismatch,
        };
        let on_page = match &field.ty {
            RType::Untyped => "names no single type on the page".to_string(),
            other => format!("is `{}` on the page", docs_type_name(self.space, other)),
        };
        let message = format!(
            "`{}` {on_page} and `{}` in the metadata's `{}`",
            field.json_name, property.ty, self.meta.csdl.types[ty].name
        );
        let diagnostic = Diagnostic::warning(code, field.location.clone(), message);
        self.diagnostics.push(diagnostic.pointing_at(field.json_name.clone()));
    }

    fn enums(&mut self) {
        let declared: HashMap<String, usize> = self
            .space
            .enums
            .iter()
            .enumerate()
            .filter(|(_, e)| !e.described)
            .map(|(i, e)| (e.doc_name.to_ascii_lowercase(), i))
            .collect();
        self.fidelity.enums = self.meta.csdl.enums.len();
        for expected in &self.meta.csdl.enums {
            let Some(&id) = declared.get(&expected.name.to_ascii_lowercase()) else { continue };
            self.fidelity.enums_found += 1;
            self.fidelity.enum_members += expected.members.len();
            let en = &self.space.enums[id];
            let location = Location { file: en.page.clone(), line: en.line, column: 1 };
            for member in &expected.members {
                if en.variants.iter().any(|v| v.json_name.eq_ignore_ascii_case(member)) {
                    self.fidelity.enum_members_found += 1;
                } else {
                    let message = format!(
                        "the metadata's `{}` has the member `{member}`; the page does not list it",
                        expected.name
                    );
                    self.diagnostics.push(Diagnostic::warning(Code::MetadataEnumMember, location.clone(), message));
                }
            }
            for variant in &en.variants {
                if !expected.members.iter().any(|m| m.eq_ignore_ascii_case(&variant.json_name)) {
                    let message = format!("the metadata's `{}` has no member `{}`", expected.name, variant.json_name);
                    let diagnostic = Diagnostic::warning(Code::MetadataEnumMember, location.clone(), message);
                    self.diagnostics.push(diagnostic.pointing_at(variant.json_name.clone()));
                }
            }
        }
    }

    fn operations(&mut self, ir: &Ir) {
        let walk = paths::walk(self.space, self.meta);
        self.fidelity.operations = self.space.operations.len();
        for op in &self.space.operations {
            if walk.reached(op.target) {
                self.fidelity.operations_reached += 1;
            }
        }
        // Every request line of a path the service does not have, with the
        // segment where the walk stops.
        for op in &ir.operations {
            let Some((index, reason)) = paths::explain(self.space, &walk, self.meta, &op.path.segments) else {
                continue;
            };
            let segment = crate::resolve::segment_display(&op.path.segments[index]);
            let message = format!("`{}` is not a path of the service: at `{segment}`, {reason}", op.path.raw);
            let diagnostic = Diagnostic::warning(Code::MetadataUnreachablePath, op.location.clone(), message);
            self.diagnostics.push(diagnostic.pointing_at(op.path.raw.clone()));
        }
    }
}

/// Where a model is declared: its title line.
fn model_location(space: &TypeSpace, model: ModelId) -> Location {
    let m = &space.models[model];
    Location { file: m.page.clone(), line: m.line, column: 1 }
}

/// A field the page itself lists: not one its base model has from the same row.
fn is_own(space: &TypeSpace, model: ModelId, field: &RField) -> bool {
    let Some(base) = space.models[model].base else { return true };
    !space.models[base].fields.iter().any(|f| f.json_name == field.json_name && f.location == field.location)
}

/// The documented type as the metadata would write it.
fn docs_type_name(space: &TypeSpace, ty: &RType) -> String {
    match ty {
        RType::Collection(inner) => format!("Collection({})", docs_type_name(space, inner)),
        RType::Primitive(p) => format!("Edm.{p:?}"),
        RType::Model(id) => space.models[*id].doc_name.clone(),
        RType::Polymorphic(id) => space.models[space.polymorphs[*id].base].doc_name.clone(),
        RType::Enum(id) if space.enums[*id].described => "Edm.String (with listed values)".into(),
        RType::Enum(id) => space.enums[*id].doc_name.clone(),
        RType::Untyped => "no single type".into(),
        RType::Reference => "a reference".into(),
    }
}

/// Compares a field's type with the metadata's. A described enum (values
/// the page lists for a String) agrees with a String and with any enum;
/// `Json` agrees with Graph's `Json` type and `Edm.Untyped`.
fn agreement(space: &TypeSpace, ty: &RType, expected: &CsdlType, meta: &Metadata) -> Agreement {
    let (inner, collection) = match ty {
        RType::Collection(inner) => (inner.as_ref(), true),
        other => (other, false),
    };
    let name = expected.name.to_ascii_lowercase();
    let same = match inner {
        RType::Primitive(Primitive::Json) => name == "microsoft.graph.json" || name == "edm.untyped",
        RType::Primitive(p) => name == format!("edm.{p:?}").to_ascii_lowercase(),
        RType::Enum(id) if space.enums[*id].described => name == "edm.string" || meta.enums.contains_key(&name),
        RType::Model(_) | RType::Polymorphic(_) | RType::Enum(_) => {
            docs_type_name(space, inner).eq_ignore_ascii_case(&expected.name)
        }
        RType::Untyped | RType::Reference | RType::Collection(_) => false,
    };
    match (same, collection == expected.collection) {
        (true, true) => Agreement::Same,
        (true, false) => Agreement::Collection,
        (false, _) => Agreement::Different,
    }
}
