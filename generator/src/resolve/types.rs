//! Types: every documented model and enum gets an id and its Rust name
//! (one declaration per full name, however many pages declare it), and the
//! lookup that tells which type a type cell or a link names. The later
//! stages resolve every reference through here, so a name means one type.

use std::collections::{BTreeMap, BTreeSet};

use foldhash::{HashMap, HashMapExt, HashSet};

use super::{EnumId, Home, ModelId, REnum, RModel, RType, Representation, Resolver, TypeId, names};
use crate::diagnostics::{Code, Diagnostic, Location};
use crate::ir::{Ir, TypeRef};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Kind {
    Model,
    Enum,
}

impl Resolver {
    /// Gives each documented type an id and a Rust name. A type declared on
    /// several pages keeps one declaration: the one with the most properties,
    /// then the first page by path.
    pub(super) fn declare_types(&mut self, ir: &Ir) {
        for page in &ir.pages {
            self.pages.insert(page.file.to_ascii_lowercase(), page.file.clone());
        }
        let model_keys = ir
            .models
            .iter()
            .enumerate()
            .map(|(i, m)| (i, full_name(&m.namespace, &m.name), m.properties.len(), &m.location));
        let canonical_models = self.canonical(model_keys.collect());
        let canonical_enums = self.canonical(enum_declarations(ir));

        // Name in sorted order of full name, so naming never depends on page order.
        let mut order: Vec<(String, Kind, usize)> = Vec::new();
        order.extend(canonical_models.iter().map(|(key, sources)| (key.clone(), Kind::Model, sources[0])));
        order.extend(canonical_enums.iter().map(|(key, sources)| (key.clone(), Kind::Enum, sources[0])));
        order.sort();
        let mut id_of_model: HashMap<usize, ModelId> = HashMap::new();
        let mut id_of_enum: HashMap<usize, EnumId> = HashMap::new();
        for (key, kind, source) in order {
            let (namespace, name, location) = match kind {
                Kind::Model => (&ir.models[source].namespace, &ir.models[source].name, &ir.models[source].location),
                Kind::Enum => (&ir.enums[source].namespace, &ir.enums[source].name, &ir.enums[source].location),
            };
            let wanted = format!("{}{}", namespace_prefix(namespace), names::type_name(name));
            let (rust_name, renamed) = self.type_names.claim(&wanted);
            if renamed {
                self.diagnostics.push(Diagnostic::note(
                    Code::NameCollision,
                    location.clone(),
                    format!("`{key}` would be named `{wanted}` like another type; named it `{rust_name}`"),
                ));
            }
            let (module, _) = self.module_names.claim(&names::module_name(&rust_name));
            let page = location.file.clone();
            let line = location.line;
            match kind {
                Kind::Model => {
                    id_of_model.insert(source, self.space.models.len());
                    self.model_sources.push(source);
                    self.model_others.push(canonical_models[&key][1..].to_vec());
                    self.space.models.push(RModel {
                        rust_name,
                        home: Home::Models { module },
                        doc_name: key,
                        description: ir.models[source].description.clone(),
                        page,
                        line,
                        fields: Vec::new(),
                        base: None,
                        open_type: ir.models[source].open_type,
                        extra_field: String::new(),
                        areas: BTreeSet::new(),
                        patch_body: false,
                        representation: ir.models[source].json_representation.as_ref().map(Representation::of),
                    });
                }
                Kind::Enum => {
                    id_of_enum.insert(source, self.space.enums.len());
                    self.enum_sources.push(source);
                    self.enum_others.push(canonical_enums[&key][1..].to_vec());
                    self.space.enums.push(REnum {
                        rust_name,
                        module,
                        doc_name: key,
                        description: ir.enums[source].description.clone(),
                        page,
                        line,
                        variants: Vec::new(),
                        unknown_variant: String::new(),
                        is_flags: ir.enums[source].is_flags,
                        described: ir.enums[source].described,
                        areas: BTreeSet::new(),
                    });
                }
            }
        }
        // Every declaration, kept or not, answers for its page and its name.
        for model in &ir.models {
            let id = id_of_model[&canonical_models[&full_name(&model.namespace, &model.name)][0]];
            self.index(&model.location.file, &model.name, TypeId::Model(id));
        }
        for en in &ir.enums {
            // A described enum named like a model gave way to it: the model answers.
            let Some(sources) = canonical_enums.get(&full_name(&en.namespace, &en.name)) else { continue };
            self.index(&en.location.file, &en.name, TypeId::Enum(id_of_enum[&sources[0]]));
        }
    }

    /// Every link to a page that is not in the docs folder (the lookups of
    /// linked types report the same links with the same words; `sort` keeps one).
    pub(super) fn check_links(&mut self, ir: &Ir) {
        for page in &ir.pages {
            for link in page.links.iter().filter(|l| !self.pages.contains_key(&l.page.to_ascii_lowercase())) {
                let location = Location { file: page.file.clone(), line: link.line, column: 1 };
                let message = format!("the link to `{}` points at a page that does not exist", link.page);
                self.diagnostics
                    .push(Diagnostic::warning(Code::BrokenLink, location, message).pointing_at(&link.target));
            }
        }
    }

    fn index(&mut self, page: &str, name: &str, id: TypeId) {
        let on_page = self.by_page.entry(page.to_ascii_lowercase()).or_default();
        if !on_page.contains(&id) {
            on_page.push(id);
        }
        let named = self.by_name.entry(name.to_ascii_lowercase()).or_default();
        if !named.contains(&id) {
            named.push(id);
        }
    }

    /// Groups the declarations of each full name: the one with the most
    /// properties or members leads (the first page by path on a tie), the
    /// others follow in page order and add what it lacks; each is noted.
    /// Each declaration is (source index, full name, size, location).
    fn canonical(&mut self, declarations: Vec<(usize, String, usize, &Location)>) -> BTreeMap<String, Vec<usize>> {
        let mut groups: BTreeMap<String, Vec<(usize, usize, &Location)>> = BTreeMap::new();
        for (index, key, size, location) in declarations {
            groups.entry(key).or_default().push((index, size, location));
        }
        let mut chosen = BTreeMap::new();
        for (key, mut group) in groups {
            group.sort_by(|a, b| b.1.cmp(&a.1).then(a.2.cmp(b.2)));
            let (_, _, lead_location) = group[0];
            group[1..].sort_by(|a, b| a.2.cmp(b.2));
            for (_, _, location) in &group[1..] {
                self.diagnostics.push(Diagnostic::note(
                    Code::DuplicateType,
                    (*location).clone(),
                    format!(
                        "`{key}` is also declared on {}; the declarations are merged, that one first",
                        lead_location.file
                    ),
                ));
            }
            chosen.insert(key, group.iter().map(|(index, _, _)| *index).collect());
        }
        chosen
    }

    /// Resolves a type as written on `at`'s page.
    pub(super) fn resolve_type(&mut self, ty: &TypeRef, at: &Location) -> RType {
        self.space.type_references += 1;
        match ty {
            TypeRef::Primitive(p) => RType::Primitive(*p),
            TypeRef::Collection(inner) => {
                self.space.type_references -= 1;
                RType::Collection(Box::new(self.resolve_type(inner, at)))
            }
            TypeRef::Untyped { raw, one_of } => {
                if let Some(base) = self.common_base_of(one_of, at) {
                    return RType::Model(base);
                }
                self.untyped(
                    Diagnostic::note(
                        Code::UnresolvedType,
                        at.clone(),
                        format!("`{raw}` names no single type; using serde_json::Value"),
                    )
                    .pointing_at(raw.as_str()),
                )
            }
            TypeRef::Named { name, page } => match self.lookup(name, page.as_deref(), at) {
                Some(TypeId::Model(id)) => RType::Model(id),
                Some(TypeId::Enum(id)) => RType::Enum(id),
                None => {
                    if let Some(primitive) = crate::parse::type_cell::primitive(name) {
                        return RType::Primitive(primitive);
                    }
                    self.untyped(
                        Diagnostic::warning(
                            Code::UnresolvedType,
                            at.clone(),
                            format!("no page declares the type `{name}`; using serde_json::Value"),
                        )
                        .pointing_at(name.as_str()),
                    )
                }
            },
        }
    }

    /// `serde_json::Value` in place of a type, counted and said.
    fn untyped(&mut self, diagnostic: Diagnostic) -> RType {
        self.space.fallback_types += 1;
        self.diagnostics.push(diagnostic);
        RType::Untyped
    }

    /// The type a reference names. A link to a page answers with the type
    /// of that page whose name the link text gives (`NAV.PostalAddress`
    /// names `postalAddress`), or with the page's only type; a page that
    /// declares several and none by that name does not answer, and neither
    /// does its first type: the name is looked up among all types instead.
    pub(super) fn lookup(&mut self, name: &str, page: Option<&str>, at: &Location) -> Option<TypeId> {
        let wanted = name.to_ascii_lowercase();
        let simple = wanted.rsplit('.').next().unwrap_or(&wanted).to_string();
        if let Some(page) = page {
            let key = page.to_ascii_lowercase();
            match self.by_page.get(&key) {
                Some(ids) => {
                    let named = ids.iter().find(|id| {
                        let declared = self.simple_name(**id);
                        declared.eq_ignore_ascii_case(&wanted) || declared.eq_ignore_ascii_case(&simple)
                    });
                    match (named, ids.as_slice()) {
                        (Some(id), _) => return Some(*id),
                        (None, [only]) if !self.by_name.contains_key(&simple) => return Some(*only),
                        _ => {}
                    }
                }
                None if !self.pages.contains_key(&key) => self.diagnostics.push(Diagnostic::warning(
                    Code::BrokenLink,
                    at.clone(),
                    format!("the link to `{page}` points at a page that does not exist"),
                )),
                None => {}
            }
        }
        let ids = self.by_name.get(&wanted).or_else(|| self.by_name.get(&simple))?;
        let preferred = ids.iter().find(|id| {
            self.doc_name(**id).starts_with("microsoft.graph.") && self.doc_name(**id).matches('.').count() == 2
        });
        Some(*preferred.unwrap_or(&ids[0]))
    }

    /// The closest base type that alternatives (`[a](a.md) or [b](b.md)`)
    /// have in common, when each is a documented model.
    fn common_base_of(&mut self, one_of: &[TypeRef], at: &Location) -> Option<ModelId> {
        let mut common: Option<ModelId> = None;
        for alternative in one_of {
            let TypeRef::Named { name, page } = alternative else { return None };
            let Some(TypeId::Model(model)) = self.lookup(name, page.as_deref(), at) else { return None };
            common = Some(match common {
                None => model,
                Some(so_far) => self.common_base(so_far, model)?,
            });
        }
        common.filter(|_| one_of.len() > 1)
    }

    fn doc_name(&self, id: TypeId) -> &str {
        match id {
            TypeId::Model(i) => &self.space.models[i].doc_name,
            TypeId::Enum(i) => &self.space.enums[i].doc_name,
        }
    }

    fn simple_name(&self, id: TypeId) -> &str {
        let full = self.doc_name(id);
        full.rsplit('.').next().unwrap_or(full)
    }
}

/// The enums that compete for their names: every declared one, and each
/// described one (`ir::Enum::described`) whose name no declared type or
/// earlier described enum has; the others give way silently (the docs did
/// not declare them twice). Lookups of a described name find the winner.
fn enum_declarations(ir: &Ir) -> Vec<(usize, String, usize, &Location)> {
    let declared: HashSet<String> = ir
        .models
        .iter()
        .map(|m| full_name(&m.namespace, &m.name))
        .chain(ir.enums.iter().filter(|e| !e.described).map(|e| full_name(&e.namespace, &e.name)))
        .collect();
    let mut described: BTreeMap<String, (usize, &Location)> = BTreeMap::new();
    let mut out = Vec::new();
    for (index, en) in ir.enums.iter().enumerate() {
        let key = full_name(&en.namespace, &en.name);
        if !en.described {
            out.push((index, key, en.members.len(), &en.location));
        } else if !declared.contains(&key) {
            let slot = described.entry(key).or_insert((index, &en.location));
            if en.location < *slot.1 {
                *slot = (index, &en.location);
            }
        }
    }
    out.extend(
        described.into_iter().map(|(key, (index, location))| (index, key, ir.enums[index].members.len(), location)),
    );
    out
}

fn full_name(namespace: &str, name: &str) -> String {
    format!("{namespace}.{name}")
}

/// `microsoft.graph.callRecords` → `CallRecords`; the main namespace adds nothing.
fn namespace_prefix(namespace: &str) -> String {
    match namespace.strip_prefix("microsoft.graph") {
        Some("") | None if namespace == "microsoft.graph" || namespace.is_empty() => String::new(),
        Some(rest) => names::type_name(rest.trim_start_matches('.')),
        None => names::type_name(namespace),
    }
}
