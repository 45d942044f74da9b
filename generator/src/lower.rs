//! Lower: the facts of one page → IR items (models, enums, operations).
//!
//! This is where section names and table headers get their meaning. Each
//! page is lowered on its own; linking pages to each other is `resolve`'s job.

use std::sync::Arc;

use crate::diagnostics::{Code, Diagnostic, Location};
use crate::ir::*;
use crate::parse::example::{Message, RawRequest, RawResponse};
use crate::parse::markdown::{Inline, Paragraph, Row, Table};
use crate::parse::type_cell::{parse_type, resolve_link};
use crate::parse::{Annotation, ExampleBlock, Page, Section};

/// The IR items one page contributes.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Lowered {
    pub page: PageInfo,
    pub models: Vec<Arc<Model>>,
    pub enums: Vec<Enum>,
    pub operations: Vec<Arc<Operation>>,
}

pub fn lower(page: &Page) -> (Lowered, Vec<Diagnostic>) {
    let mut cx = Cx { page, diagnostics: Vec::new() };
    let kind = cx.page_kind();
    let info = PageInfo {
        file: page.file.clone(),
        kind,
        title: cx.title(),
        ms_prod: page.front_matter.ms_prod.clone().unwrap_or_default(),
        ms_subservice: page.front_matter.ms_subservice.clone().unwrap_or_default(),
        has_request_block: page.has_request_block || !page.request_lines.is_empty(),
        links: page.links.clone(),
    };
    let mut lowered = Lowered { page: info, models: vec![], enums: vec![], operations: vec![] };
    match kind {
        PageKind::Api => lowered.operations = cx.operations().into_iter().map(Arc::new).collect(),
        PageKind::Resource => {
            lowered.enums = cx.enums(false);
            if let Some(mut model) = cx.model() {
                lowered.enums.extend(described_enums(&mut model));
                lowered.models.push(Arc::new(model));
            }
        }
        PageKind::Enum => lowered.enums = cx.enums(true),
        PageKind::Conceptual => {}
        PageKind::Unknown => cx.warn(
            Code::UnknownPageKind,
            1,
            "the page's kind is not known: set `doc_type` to apiPageType, resourcePageType or enumPageType".into(),
        ),
    }
    let nothing = lowered.models.is_empty() && lowered.enums.is_empty() && lowered.operations.is_empty();
    if nothing && matches!(kind, PageKind::Resource | PageKind::Enum) {
        let what = if kind == PageKind::Enum { "enum (no Member table found)" } else { "model (no type name found)" };
        cx.warn(Code::NothingExtracted, 1, format!("this page produced no {what}"));
    }
    (lowered, cx.diagnostics)
}

/// An enum for each of the model's own String properties that lists its
/// possible values (in its description, else as `"a | b"` in the JSON
/// representation), named after the model and the property; the property
/// is retyped to it. Graph may add values: the enum keeps unknown ones.
fn described_enums(model: &mut Model) -> Vec<Enum> {
    use crate::parse::possible_values::{from_description, from_representation};
    let representation = match model.json_representation.as_ref().map(|r| &r.body) {
        Some(Body::Json { value: serde_json::Value::Object(object), .. }) => Some(object),
        _ => None,
    };
    let mut enums = Vec::new();
    for property in model.properties.iter_mut().filter(|p| p.inherited_from.is_none() && !p.navigation) {
        let (collection, inner) = match &property.ty {
            TypeRef::Collection(inner) => (true, inner.as_ref()),
            other => (false, other),
        };
        if inner != &TypeRef::Primitive(Primitive::String) {
            continue;
        }
        let mut values = from_description(&property.description);
        if values.is_empty() {
            let shown = representation.as_ref().and_then(|r| r.get(&property.name));
            let shown = shown.and_then(|v| v.as_str().or_else(|| v.get(0).and_then(|v| v.as_str())));
            values = shown.map(from_representation).unwrap_or_default();
        }
        if values.is_empty() {
            continue;
        }
        let mut first = property.name.chars();
        let upper: String = first.next().map(|c| c.to_ascii_uppercase()).into_iter().chain(first).collect();
        let name = format!("{}{upper}", model.name);
        let named = TypeRef::Named { name: name.clone(), page: Some(property.location.file.clone()) };
        property.ty = if collection { TypeRef::Collection(Box::new(named)) } else { named };
        enums.push(Enum {
            name,
            namespace: model.namespace.clone(),
            description: format!(
                "The values `{}.{}` takes, as its page lists them (the docs give them no enum type of their own).",
                model.name, property.name
            ),
            members: values
                .into_iter()
                .map(|name| EnumMember { name, value: None, description: String::new() })
                .collect(),
            is_flags: false,
            described: true,
            location: property.location.clone(),
        });
    }
    enums
}

struct Cx<'a> {
    page: &'a Page,
    diagnostics: Vec<Diagnostic>,
}

impl Cx<'_> {
    fn location(&self, line: u32) -> Location {
        Location { file: self.page.file.clone(), line, column: 1 }
    }

    fn warn(&mut self, code: Code, line: u32, message: String) {
        let location = self.location(line);
        self.diagnostics.push(Diagnostic::warning(code, location, message));
    }

    fn page_kind(&self) -> PageKind {
        let doc_type = self.page.front_matter.doc_type.as_deref().unwrap_or_default();
        let kind = match doc_type.trim().trim_end_matches('_').to_ascii_lowercase().as_str() {
            "apipagetype" => PageKind::Api,
            "resourcepagetype" => PageKind::Resource,
            "enumpagetype" => PageKind::Enum,
            "conceptualpagetype" => PageKind::Conceptual,
            _ if self.page.file.contains("/api/") || self.page.file.starts_with("api/") => PageKind::Api,
            _ if self.title().to_ascii_lowercase().ends_with("enum type") => PageKind::Enum,
            _ if !self.page.resource_blocks.is_empty() => PageKind::Resource,
            // No doc_type and nothing to generate from: an overview page.
            _ if self.page.request_lines.is_empty() && self.page.sections.iter().all(|s| s.tables.is_empty()) => {
                PageKind::Conceptual
            }
            _ => PageKind::Unknown,
        };
        // A resource page filed as an API page (it happens): no request, a resource block.
        if kind == PageKind::Api && self.page.request_lines.is_empty() && !self.page.resource_blocks.is_empty() {
            return PageKind::Resource;
        }
        if kind == PageKind::Resource {
            // An enum page filed as a resource page: its title says so.
            if self.title().trim().to_ascii_lowercase().ends_with(" enum type") {
                return PageKind::Enum;
            }
            // `x-overview.md` introduces an API; it declares no type.
            if self.page.file.to_ascii_lowercase().ends_with("-overview.md") {
                return PageKind::Conceptual;
            }
        }
        kind
    }

    fn title(&self) -> String {
        self.page
            .title
            .as_ref()
            .map(|(t, _)| t.clone())
            .or_else(|| self.page.front_matter.title.clone())
            .unwrap_or_default()
    }

    /// Sections whose heading (or enclosing H2) starts with `prefix`.
    fn sections(&self, prefix: &str) -> impl Iterator<Item = &Section> {
        let prefix = prefix.to_string();
        self.page
            .sections
            .iter()
            .filter(move |s| s.heading.to_ascii_lowercase().starts_with(&prefix) || s.h2.starts_with(&prefix))
    }

    /// The first paragraph of prose after the title, notes and includes skipped.
    fn description(&self) -> String {
        let intro = self.page.sections.iter().take_while(|s| s.level <= 1);
        intro
            .flat_map(|s| &s.paragraphs)
            .filter(|p| !p.included)
            .map(|p| p.inline.text.as_str())
            .find(|t| {
                !t.starts_with("**Note") && !t.starts_with("Note:") && !t.starts_with("[!") && !t.contains("[!INCLUDE")
            })
            .map(str::to_string)
            .or_else(|| self.page.front_matter.description.clone())
            .unwrap_or_default()
    }

    // ----- resource pages -----

    fn model(&mut self) -> Option<Model> {
        let block = self.page.resource_blocks.first();
        let annotation = block.and_then(|b| b.annotation.as_ref());
        let (namespace, name) = self.type_name(
            annotation.and_then(|a| a.str("@odata.type")),
            &[" resource type", " complex type", " resource", " type"],
        )?;
        let mut properties = Vec::new();
        for section in property_sections(self.page, &name) {
            properties.extend(self.property_tables(section, false));
        }
        if properties.is_empty() {
            // A page whose property table has no heading: it sits under the title.
            for section in self.page.sections.iter().take_while(|s| s.level <= 1) {
                properties.extend(self.property_tables(section, false));
            }
        }
        for section in self.page.sections.iter().filter(|s| is_heading(s, "relationships")) {
            properties.extend(self.property_tables(section, true));
        }
        let base = self.base_type(annotation, &properties, &name);
        Some(Model {
            name,
            namespace,
            description: self.description(),
            base,
            is_abstract: annotation.is_some_and(|a| a.flag("abstract") || a.flag("isAbstract")),
            open_type: annotation.is_some_and(|a| a.flag("openType")),
            key_property: annotation.and_then(|a| a.str("keyProperty")).map(str::to_string),
            properties,
            json_representation: block.map(|b| JsonBlock {
                body: crate::parse::example::read_body(&b.text),
                location: self.location(b.line),
            }),
            location: self.location(self.page.title.as_ref().map(|(_, l)| *l).unwrap_or(1)),
        })
    }

    /// (namespace, name) from `@odata.type`, else from the title minus a suffix, else the file name.
    fn type_name(&self, odata_type: Option<&str>, suffixes: &[&str]) -> Option<(String, String)> {
        let default_ns = self.page.namespace.clone().unwrap_or_else(|| "microsoft.graph".into());
        if let Some(full) = odata_type.map(|t| t.trim().trim_start_matches('#')).filter(|t| !t.is_empty())
            && let Some((ns, name)) = full.rsplit_once('.')
            && is_identifier(name)
        {
            return Some((ns.to_string(), name.to_string()));
        }
        let title = self.title();
        let lower = title.to_ascii_lowercase();
        let stem = suffixes.iter().find_map(|s| find_word(&lower, s).map(|i| &title[..i])).unwrap_or(&title).trim();
        let stem = stem.strip_prefix("microsoft.graph.").unwrap_or(stem);
        if is_identifier(stem) && !matches!(lower.as_str(), "members" | "enum values") {
            return Some((default_ns, stem.to_string()));
        }
        if let Some(name) = self.section_type_name() {
            return Some((default_ns, name));
        }
        let file_stem = self.page.file.rsplit('/').next()?.strip_suffix(".md")?;
        let last = file_stem.rsplit('-').next()?;
        is_identifier(last).then(|| (default_ns, last.to_string()))
    }

    /// A page whose title names no type ("complex types JSON") but whose
    /// property table sits below a section about one type (`## Postal
    /// address`, then `### Properties`): that section names the type,
    /// `postalAddress`.
    fn section_type_name(&self) -> Option<String> {
        let table_section = self.page.sections.iter().find(|s| s.level > 2 && is_heading(s, "properties"))?;
        if table_section.h2.starts_with("properties") {
            return None;
        }
        let words: Vec<&str> = table_section.h2.split_whitespace().collect();
        if words.is_empty() || !words.iter().all(|w| w.chars().all(|c| c.is_ascii_alphabetic())) {
            return None;
        }
        use heck::ToLowerCamelCase;
        Some(words.join(" ").to_lower_camel_case())
    }

    /// Property rows of the typed tables in a section.
    fn property_tables(&mut self, section: &Section, navigation: bool) -> Vec<Property> {
        let mut properties = Vec::new();
        for table in &section.tables {
            let Some(columns) = Columns::of(table) else {
                continue;
            };
            if !matches!(
                columns.first.as_str(),
                "property" | "property name" | "name" | "relationship" | "relationship name" | "properties"
            ) {
                continue;
            }
            properties.extend(self.rows_to_properties(table, &columns, navigation, false));
        }
        properties
    }

    /// The typed rows of a table; `parameters`: an action's parameter table,
    /// whose rows say whether each is required.
    fn rows_to_properties(
        &mut self,
        table: &Table,
        columns: &Columns,
        navigation: bool,
        parameters: bool,
    ) -> Vec<Property> {
        let mut properties: Vec<Property> = Vec::new();
        for row in &table.rows {
            if row.is_continuation {
                if let Some(last) = properties.last_mut() {
                    let extra: Vec<&str> =
                        row.cells.iter().map(|c| c.inline.text.as_str()).filter(|t| !t.is_empty()).collect();
                    last.description = format!("{} {}", last.description, extra.join(" ")).trim().to_string();
                }
                continue;
            }
            if is_group_label(row, table.header.len()) {
                continue;
            }
            let name = clean_name(&cell_text(row, 0));
            // A row that links a method ("[List transitive memberOf](…)") or
            // says something in words is not a property.
            if !is_property_name(&name) {
                continue;
            }
            let Some(type_cell) = columns.ty.and_then(|i| row.cells.get(i)) else {
                continue;
            };
            let description = columns.description.map(|i| cell_text(row, i)).unwrap_or_default();
            let inherited_from = columns
                .description
                .and_then(|i| row.cells.get(i))
                .and_then(|c| inherited_from(&c.inline, &self.page.file));
            let required = parameters && is_required(&description, columns.required.map(|i| cell_text(row, i)));
            properties.push(Property {
                name,
                ty: parse_type(&type_cell.inline, &self.page.file),
                description,
                navigation,
                inherited_from,
                required,
                location: self.location(row.line),
            });
        }
        properties
    }

    /// Prose first ("Inherits from \[x\]"), then the rows' "Inherited from \[x\]",
    /// then the annotation's `baseType`: where they disagree in the docs, the
    /// prose and rows are right more often.
    fn base_type(&self, annotation: Option<&Annotation>, properties: &[Property], own: &str) -> Option<BaseType> {
        if let Some(ty) = self.base_from_prose(own) {
            return Some(BaseType { ty, source: BaseSource::Prose });
        }
        if let Some(ty) = properties.iter().find_map(|p| p.inherited_from.clone()) {
            return Some(BaseType { ty, source: BaseSource::InheritedRows });
        }
        let base = annotation.and_then(|a| a.str("baseType")).map(str::trim).filter(|b| !b.is_empty())?;
        let name = base.trim_start_matches('#');
        let name = name.rsplit('.').next().unwrap_or(name).to_string();
        Some(BaseType { ty: TypeRef::Named { name, page: None }, source: BaseSource::Annotation })
    }

    /// "Inherits from [x](x.md)" (or "inherits metadata properties from",
    /// "derived from", "inherited from") in the introduction, or "the
    /// following properties are inherited from \[x\]" in the Properties
    /// section: the link that follows the phrase, else the word. "The
    /// following types are derived from x" speaks of other types, and a
    /// phrase that names the page's own type says nothing of its base.
    fn base_from_prose(&self, own: &str) -> Option<TypeRef> {
        let intro = self.page.sections.iter().take_while(|s| s.level <= 1);
        let properties = self.page.sections.iter().filter(|s| is_property_section(s, own));
        for paragraph in intro.chain(properties).flat_map(|s| &s.paragraphs) {
            let lower = paragraph.inline.text.to_ascii_lowercase();
            for end in base_phrases(&lower) {
                let Some(base) = self.named_after(paragraph, end) else { continue };
                if !matches!(&base, TypeRef::Named { name, .. } if name.eq_ignore_ascii_case(own)) {
                    return Some(base);
                }
            }
        }
        None
    }

    /// The type named right after byte `at` of a paragraph: a link that
    /// starts within a few words of it, else the next word.
    fn named_after(&self, paragraph: &Paragraph, at: usize) -> Option<TypeRef> {
        let text = &paragraph.inline.text;
        let near = |link: &&crate::parse::markdown::Link| {
            link.at >= at
                && !link.text.is_empty()
                && text.get(at..link.at).is_some_and(|gap| gap.len() <= 30 && !gap.contains('.'))
        };
        if let Some(link) = paragraph.inline.links.iter().filter(near).min_by_key(|l| l.at) {
            let page = resolve_link(&self.page.file, &link.target).ok().flatten();
            return Some(TypeRef::Named { name: strip_ns(&link.text), page });
        }
        // A word, when it is written as a name: emphasised (`**x**`, `` `x` ``)
        // or camelCase (`directoryObject`), not "the" or "ISO".
        let after = text.get(at..)?.trim_start();
        let emphasised = after.starts_with(['*', '`']);
        let word: String = after
            .trim_start_matches(['*', '`'])
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '.')
            .collect();
        let word = word.trim_end_matches('.');
        let camel =
            word.starts_with(|c: char| c.is_ascii_lowercase()) && word.contains(|c: char| c.is_ascii_uppercase());
        (!word.is_empty() && (emphasised || camel)).then(|| TypeRef::Named { name: strip_ns(word), page: None })
    }

    // ----- enum pages and enum tables -----

    /// Enums from Member tables. On enum pages a `## Members` table takes the
    /// page's type name; `### x values` sections name their own enum.
    fn enums(&mut self, enum_page: bool) -> Vec<Enum> {
        let mut enums = Vec::new();
        for section in &self.page.sections {
            let heading = section.heading.trim();
            let lower = heading.to_ascii_lowercase();
            let named_section = [" values", " options", " enum"]
                .iter()
                .find_map(|s| lower.strip_suffix(s).map(|_| &heading[..heading.len() - s.len()]));
            for table in &section.tables {
                let Some(columns) = Columns::of_any(table) else {
                    continue;
                };
                let is_member_table = columns.first == "member"
                    || (named_section.is_some() && matches!(columns.first.as_str(), "value" | "name"));
                if !is_member_table {
                    continue;
                }
                let name = match named_section {
                    Some(name) if is_identifier(name.trim()) => {
                        (self.page.namespace.clone().unwrap_or_else(|| "microsoft.graph".into()), strip_ns(name.trim()))
                    }
                    _ if enum_page => match self.type_name(None, &[" enum type", " enum", " type"]) {
                        Some(name) => name,
                        None => continue,
                    },
                    _ => continue,
                };
                let mut en = self.enum_from_table(name, table, &columns, section.line);
                if named_section.is_some() {
                    // The page's description is about the page, not this one enum.
                    en.description = section.paragraphs.first().map(|p| p.inline.text.clone()).unwrap_or_default();
                }
                enums.push(en);
            }
        }
        enums
    }

    fn enum_from_table(
        &self,
        (namespace, name): (String, String),
        table: &Table,
        columns: &Columns,
        line: u32,
    ) -> Enum {
        let value_column = columns.value.filter(|&i| i != 0);
        let mut members = Vec::new();
        for row in table.rows.iter().filter(|r| !r.is_continuation && !is_group_label(r, table.header.len())) {
            let member = clean_name(&cell_text(row, 0));
            if member.is_empty() {
                continue;
            }
            members.push(EnumMember {
                name: member,
                value: value_column.and_then(|i| cell_text(row, i).trim().parse().ok()),
                description: columns.description.map(|i| cell_text(row, i)).unwrap_or_default(),
            });
        }
        let is_flags = is_flag_values(&members);
        Enum {
            name,
            namespace,
            description: self.description(),
            members,
            is_flags,
            described: false,
            location: self.location(line),
        }
    }

    // ----- api pages -----

    fn operations(&mut self) -> Vec<Operation> {
        if self.page.request_lines.is_empty() {
            let message = if self.page.has_request_block {
                "the HTTP request block has no `METHOD /path` line"
            } else {
                "no HTTP request block: add a `## HTTP request` section with a fenced `METHOD /path` line"
            };
            let line = self.page.title.as_ref().map(|(_, l)| *l).unwrap_or(1);
            self.warn(Code::MissingRequestBlock, line, message.into());
            return Vec::new();
        }
        let title = self.title();
        let description = self.description();
        let (request_body, body_is_parameters) = self.request_body();
        let response = self.response();
        let query_options = self.query_options();
        let headers = self.headers();
        let examples = self.examples();
        let permissions = self.permissions();
        self.check_annotation_keys(&response);
        let string_parameters = self.string_parameters();
        let mut operations: Vec<Operation> = self
            .page
            .request_lines
            .iter()
            .map(|(line, at)| Operation {
                method: line.method,
                path: quote_string_arguments(&line.path, &string_parameters),
                kind: operation_kind(line.method, &line.path, &title, body_is_parameters, &response),
                title: title.clone(),
                description: description.clone(),
                request_body: request_body.clone(),
                response: response.clone(),
                query_options: query_options.clone(),
                headers: headers.clone(),
                examples: Vec::new(),
                permissions: permissions.clone(),
                location: self.location(*at),
            })
            .collect();
        for operation in &operations {
            if matches!(operation.method, Method::Patch | Method::Delete) && addresses_collection(&operation.path) {
                let message = format!(
                    "{} on `{}`, a collection with no key segment: did the path lose its `/{{id}}`?",
                    operation.method.as_str(),
                    operation.path.raw
                );
                self.warn(Code::CollectionWrite, operation.location.line, message);
            }
        }
        for example in examples {
            let index = best_operation(&operations, &example);
            operations[index].examples.push(std::sync::Arc::new(example));
        }
        operations
    }

    /// The permissions table of `## Permissions` (Intune: `## Prerequisites`),
    /// written on the page or included. Three layouts: today's `Least
    /// privileged permissions | Higher privileged permissions` columns, and
    /// one list, `from least to most privileged` or (Intune) `from most to
    /// least privileged`, whose least privileged end is the first or the last.
    /// Rows after a row with an empty cell (Intune's per-area rows, such as
    /// `Policy Set`) add to that row's type.
    fn permissions(&self) -> Option<Permissions> {
        // `Permission&nbsp;type&nbsp;(by&nbsp;workflow)` too: no-break spaces are whitespace.
        let is_permission_type = |header: &String| {
            let mut words = header.split_whitespace().map(|w| w.trim_matches('*'));
            words.next().is_some_and(|w| w.eq_ignore_ascii_case("permission"))
                && words.next().is_some_and(|w| w.eq_ignore_ascii_case("type"))
        };
        let table = (self.page.sections.iter())
            .filter(|s| s.h2.starts_with("permissions") || s.h2.starts_with("prerequisites"))
            .flat_map(|s| &s.tables)
            .find(|t| t.header.first().is_some_and(is_permission_type))?;
        let header: Vec<String> = table.header.iter().map(|h| clean_name(h).to_ascii_lowercase()).collect();
        let least_column = header.iter().position(|h| h.starts_with("least privileged"));
        let higher_column = header.iter().position(|h| h.starts_with("higher privileged"));
        let most_first = header.get(1).is_some_and(|h| h.contains("most to least"));
        let mut permissions = Permissions::default();
        let mut kind: Option<PermissionKind> = None;
        for row in table.rows.iter().filter(|r| !r.is_continuation) {
            let label = cell_text(row, 0).to_ascii_lowercase();
            kind = PermissionKind::of(&label).or(kind);
            let Some(kind) = kind else { continue };
            let cell = cell_text(row, least_column.unwrap_or(1));
            let (least, higher) = match least_column {
                Some(_) => (permission_names(&cell), higher_column.map(|i| permission_names(&cell_text(row, i)))),
                None => {
                    let mut names = permission_names(&cell);
                    if most_first {
                        names.reverse();
                    }
                    let higher = names.split_off(names.len().min(1));
                    (names, Some(higher))
                }
            };
            let higher = higher.unwrap_or_default();
            let lower = cell.to_ascii_lowercase();
            let not_supported = ["not supported", "not applicable", "not available"].iter().any(|n| lower.contains(n));
            if least.is_empty() && higher.is_empty() && !not_supported {
                continue; // A heading row of per-area rows, or a cell with no permission in it.
            }
            let set = kind.slot(&mut permissions).get_or_insert_with(PermissionSet::default);
            set.supported |= !least.is_empty() || !higher.is_empty();
            for name in least {
                if !set.least_privileged.contains(&name) {
                    set.least_privileged.push(name);
                }
            }
            for name in higher {
                if !set.least_privileged.contains(&name) && !set.higher_privileged.contains(&name) {
                    set.higher_privileged.push(name);
                }
            }
        }
        (permissions != Permissions::default()).then_some(permissions)
    }

    /// Names (lower-cased) of function parameters the page types as String:
    /// OData wants those quoted even where the path template shows them bare.
    fn string_parameters(&self) -> Vec<String> {
        let mut names = Vec::new();
        for table in
            self.sections("function parameters").chain(self.sections("path parameters")).flat_map(|s| &s.tables)
        {
            let Some(columns) = Columns::of(table) else { continue };
            for row in &table.rows {
                let is_string =
                    columns.ty.and_then(|i| row.cells.get(i)).map(|c| parse_type(&c.inline, &self.page.file))
                        == Some(TypeRef::Primitive(Primitive::String));
                if is_string {
                    names.push(clean_name(&cell_text(row, 0)).to_ascii_lowercase());
                }
            }
        }
        names
    }

    /// The body type and whether it is an action's parameter list.
    fn request_body(&self) -> (RequestBody, bool) {
        let sections: Vec<&Section> = self.sections("request body").collect();
        let paragraphs: Vec<&Paragraph> = sections.iter().flat_map(|s| &s.paragraphs).collect();
        let prose = paragraphs.iter().map(|p| p.inline.text.to_ascii_lowercase()).collect::<Vec<_>>().join(" ");
        let linked = paragraphs.iter().flat_map(|p| &p.inline.links).find_map(|l| {
            let page = resolve_link(&self.page.file, &l.target).ok().flatten()?;
            let name = strip_ns(&l.text);
            (page.contains("resources/") && is_identifier(&name)).then_some(TypeRef::Named { name, page: Some(page) })
        });
        for table in sections.iter().flat_map(|s| &s.tables) {
            let Some(columns) = Columns::of(table) else {
                continue;
            };
            let is_parameters = columns.first == "parameter" || columns.first == "parameters";
            if is_parameters || linked.is_none() {
                let mut cx = Cx { page: self.page, diagnostics: Vec::new() };
                // Only a parameter table says which parameters an action requires;
                // a property table's "Required" speaks of creating the object.
                let properties = cx.rows_to_properties(table, &columns, false, is_parameters);
                return (RequestBody::Parameters(properties), is_parameters);
            }
        }
        if prose.contains("do not supply") || prose.contains("don't supply") || prose.contains("no request body") {
            return (RequestBody::None, false);
        }
        match linked {
            Some(ty) => (RequestBody::Type(ty), false),
            None => (RequestBody::None, false),
        }
    }

    fn response(&self) -> Response {
        let paragraphs: Vec<&Paragraph> = self
            .sections("response")
            .filter(|s| s.h2 == "response" || s.level <= 2)
            .flat_map(|s| &s.paragraphs)
            .collect();
        let text = paragraphs.iter().map(|p| p.inline.text.as_str()).collect::<Vec<_>>().join(" ");
        let status = status_in(&text);
        let lower = text.to_ascii_lowercase();
        // `202 Accepted` starts a long-running operation and names it in a
        // (Operation-)Location header; the type the prose links is what that
        // header points at, not a body, unless the page says or shows one.
        let accepted_without_body =
            status == Some(202) && !lower.contains("response body") && !self.a_response_example_has_a_body();
        if status == Some(204) || accepted_without_body {
            return Response { status, ty: None };
        }
        let linked = paragraphs.iter().flat_map(|p| &p.inline.links).find_map(|l| {
            let page = resolve_link(&self.page.file, &l.target).ok().flatten()?;
            let name = strip_ns(&l.text);
            (page.contains("resources/") && is_identifier(&name) && name != "none").then_some((name, page))
        });
        let ty = match linked {
            Some((name, page)) => {
                let named = TypeRef::Named { name, page: Some(page) };
                Some(if lower.contains("collection") { TypeRef::Collection(Box::new(named)) } else { named })
            }
            None => self.response_type_from_examples().or_else(|| primitive_in_prose(&text)),
        };
        Response { status, ty }
    }

    fn a_response_example_has_a_body(&self) -> bool {
        self.page.examples.iter().any(|e| matches!(&e.message, Message::Response(r) if r.body != Body::None))
    }

    /// The response annotation's `@odata.type` when the prose links no type.
    fn response_type_from_examples(&self) -> Option<TypeRef> {
        let annotation = self
            .page
            .examples
            .iter()
            .filter(|e| matches!(e.message, Message::Response(_)))
            .find_map(|e| e.annotation.as_ref())?;
        let odata_type = annotation.str("@odata.type")?.trim();
        let (inner, collection) = match odata_type.strip_prefix("Collection(").and_then(|t| t.strip_suffix(')')) {
            Some(inner) => (inner, true),
            None => (odata_type, annotation.flag("isCollection")),
        };
        let ty = match crate::parse::type_cell::primitive(inner) {
            Some(primitive) => TypeRef::Primitive(primitive),
            None if inner.ends_with(".None") => return None,
            None => TypeRef::Named { name: strip_ns(inner.rsplit('.').next().unwrap_or(inner)), page: None },
        };
        Some(if collection { TypeRef::Collection(Box::new(ty)) } else { ty })
    }

    fn query_options(&self) -> Vec<String> {
        let mut options: Vec<String> = Vec::new();
        for section in self.sections("optional query parameters").chain(self.sections("query parameters")) {
            let texts = section
                .paragraphs
                .iter()
                .map(|p| p.inline.text.clone())
                .chain(section.tables.iter().flat_map(|t| t.rows.iter().map(|r| cell_text(r, 0))));
            for text in texts {
                for word in text.split(|c: char| !(c.is_ascii_alphanumeric() || c == '$')) {
                    if word.len() > 1 && word.starts_with('$') && word[1..].chars().all(|c| c.is_ascii_alphabetic()) {
                        options.push(word.to_ascii_lowercase());
                    }
                }
            }
        }
        options.sort();
        options.dedup();
        options
    }

    fn headers(&self) -> Vec<String> {
        let mut headers: Vec<String> = self
            .sections("request headers")
            .chain(self.sections("optional request headers"))
            .flat_map(|s| &s.tables)
            .flat_map(|t| t.rows.iter().map(|r| clean_name(&cell_text(r, 0))))
            .filter(|h| !h.is_empty() && !is_transport_header(h))
            .collect();
        headers.sort_by_key(|h| h.to_ascii_lowercase());
        headers.dedup_by_key(|h| h.to_ascii_lowercase());
        headers
    }

    /// Pairs each request block with the response blocks that follow it.
    fn examples(&mut self) -> Vec<Example> {
        let mut examples: Vec<Example> = Vec::new();
        for block in &self.page.examples {
            match &block.message {
                Message::Request(request) => {
                    let request = self.example_request(request, block);
                    examples.push(Example { request: Some(request), response: None });
                }
                Message::Response(response) => {
                    let response = self.example_response(response, block);
                    match examples.last_mut() {
                        Some(last) if last.response.is_none() => last.response = Some(response),
                        _ => examples.push(Example { request: None, response: Some(response) }),
                    }
                }
            }
        }
        examples
    }

    fn check_body(&mut self, body: &Body, line: u32, what: &str) {
        match body {
            Body::Json { repairs, .. } if !repairs.is_empty() => {
                let names: Vec<String> = repairs.iter().map(|r| format!("{r:?}")).collect();
                let location = self.location(line);
                self.diagnostics.push(Diagnostic::note(
                    Code::ExampleJsonRepaired,
                    location,
                    format!("{what} body is not strict JSON; repaired: {}", names.join(", ")),
                ));
            }
            Body::Invalid { error, .. } => self.warn(
                Code::ExampleJsonInvalid,
                line,
                format!("{what} body looks like JSON but cannot be read: {error}"),
            ),
            _ => {}
        }
    }

    /// The keys the docs tooling needs from example annotations: a request's
    /// `name` (it pairs the request with its response), and a response's
    /// `@odata.type` when the Response section names no type for its body.
    fn check_annotation_keys(&mut self, response: &Response) {
        for block in &self.page.examples {
            let Some(annotation) = &block.annotation else { continue };
            let block_type = annotation.str("blockType").unwrap_or_default().to_ascii_lowercase();
            match &block.message {
                Message::Request(_) if block_type == "request" && !annotation.value.contains_key("name") => {
                    let message =
                        "the request annotation has no `name`: add `\"name\": \"…\"`, which pairs it with its response";
                    self.warn(Code::AnnotationKeyMissing, annotation.line, message.into());
                }
                Message::Response(raw) if block_type == "response" => {
                    let has_body = (200..300).contains(&raw.status)
                        && matches!(&raw.body, Body::Json { value, .. } if value.as_object().is_some_and(|o| !o.is_empty()));
                    if response.ty.is_some() || !has_body || annotation.value.contains_key("@odata.type") {
                        continue;
                    }
                    let hint = if annotation.value.contains_key("@type") { " (`@type` is not read)" } else { "" };
                    let message = format!(
                        "the response annotation has no `@odata.type`{hint} and the Response section links no type: add `\"@odata.type\": \"microsoft.graph.…\"`"
                    );
                    self.warn(Code::AnnotationKeyMissing, annotation.line, message);
                }
                _ => {}
            }
        }
    }

    fn example_request(&mut self, request: &RawRequest, block: &ExampleBlock) -> ExampleRequest {
        self.check_body(&request.body, block.line, "example request");
        ExampleRequest {
            method: request.method,
            url: request.url.clone(),
            headers: request.headers.clone(),
            body: request.body.clone(),
            name: block.annotation.as_ref().and_then(|a| a.str("name")).map(str::to_string),
            location: self.location(block.line),
        }
    }

    fn example_response(&mut self, response: &RawResponse, block: &ExampleBlock) -> ExampleResponse {
        self.check_body(&response.body, block.line, "example response");
        let annotation = block.annotation.as_ref();
        ExampleResponse {
            status: response.status,
            headers: response.headers.clone(),
            body: response.body.clone(),
            truncated: annotation.is_some_and(|a| a.flag("truncated")),
            odata_type: annotation.and_then(|a| a.str("@odata.type")).map(str::to_string),
            is_collection: annotation.is_some_and(|a| a.flag("isCollection")),
            location: self.location(block.line),
        }
    }
}

/// The rows of a permissions table.
#[derive(Debug, Clone, Copy)]
enum PermissionKind {
    DelegatedWorkOrSchool,
    DelegatedPersonal,
    Application,
}

impl PermissionKind {
    /// The type a row's label (lower case) names; `None` for Intune's per-area rows.
    fn of(label: &str) -> Option<PermissionKind> {
        if label.starts_with("application") {
            Some(PermissionKind::Application)
        } else if label.contains("personal") {
            Some(PermissionKind::DelegatedPersonal)
        } else if label.starts_with("delegated") {
            Some(PermissionKind::DelegatedWorkOrSchool)
        } else {
            None
        }
    }

    fn slot(self, permissions: &mut Permissions) -> &mut Option<PermissionSet> {
        match self {
            PermissionKind::DelegatedWorkOrSchool => &mut permissions.delegated_work_or_school,
            PermissionKind::DelegatedPersonal => &mut permissions.delegated_personal,
            PermissionKind::Application => &mut permissions.application,
        }
    }
}

/// The permission names in a cell (`User.Read`, `User-Mail.ReadWrite.All`),
/// in order, once each; prose (`Not supported.`, `For the user resource:`) is not one.
fn permission_names(cell: &str) -> Vec<String> {
    let mut names: Vec<String> = Vec::new();
    for word in cell.split(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_'))) {
        let word = word.trim_matches(|c| c == '.' || c == '-');
        let is_name = word.starts_with(|c: char| c.is_ascii_uppercase())
            && word.contains('.')
            && word.split('.').all(|part| !part.is_empty());
        if is_name && !names.iter().any(|n| n == word) {
            names.push(word.to_string());
        }
    }
    names
}

/// Header positions of a table with a Type column.
struct Columns {
    first: String,
    ty: Option<usize>,
    value: Option<usize>,
    description: Option<usize>,
    /// A `Required` column (yes/no), which a few parameter tables have.
    required: Option<usize>,
}

impl Columns {
    /// Tables with a Type column (property, parameter and relationship tables).
    fn of(table: &Table) -> Option<Columns> {
        Self::of_any(table).filter(|c| c.ty.is_some())
    }

    fn of_any(table: &Table) -> Option<Columns> {
        let names: Vec<String> =
            table.header.iter().map(|h| h.trim().trim_matches('*').trim().to_ascii_lowercase()).collect();
        let first = names.first()?.clone();
        let find = |wanted: &str| {
            names.iter().skip(1).position(|n| n == wanted || n.starts_with(&format!("{wanted} "))).map(|i| i + 1)
        };
        Some(Columns {
            first,
            ty: find("type"),
            value: find("value"),
            description: find("description"),
            required: find("required"),
        })
    }
}

fn is_heading(section: &Section, name: &str) -> bool {
    let lower = section.heading.to_ascii_lowercase();
    lower.starts_with(name) || (section.level > 2 && section.h2.starts_with(name))
}

/// A section that lists the properties of the page's type `own`:
/// `## Properties`, `## operationError Properties`, and subsections of
/// `## Properties`, but not one about something else (`### Properties of
/// a token lifetime policy definition` describes a JSON string's contents).
fn is_property_section(section: &Section, own: &str) -> bool {
    let lower = section.heading.trim().to_ascii_lowercase();
    if section.level > 2 && lower.starts_with("properties of") {
        return false;
    }
    let named = lower.strip_suffix(" properties").is_some_and(|name| name.trim().eq_ignore_ascii_case(own));
    named || is_heading(section, "properties")
}

/// Where each phrase that names a base type ends in `lower` (lower-cased
/// prose): "inherits from", "inherits metadata properties from" (a few
/// words may come between), "derived from", "inherited from"; not "are
/// derived from", which names the base of other types.
fn base_phrases(lower: &str) -> Vec<usize> {
    let mut ends = Vec::new();
    for (start, _) in lower.match_indices("inherits") {
        let rest = &lower[start..];
        // The window ends inside the page's text, which may be any UTF-8.
        let window = &rest[..rest.floor_char_boundary(48)];
        if let Some(from) = window.find(" from").filter(|from| !window[..*from].contains('.')) {
            ends.push(start + from + " from".len());
        }
    }
    for phrase in ["derived from", "inherited from"] {
        for (start, _) in lower.match_indices(phrase) {
            let about_others = phrase == "derived from" && lower[..start].trim_end().ends_with(" are");
            if !about_others {
                ends.push(start + phrase.len());
            }
        }
    }
    ends.sort_unstable();
    ends
}

/// A parameter is required when its Required column says so (`Yes`,
/// `true`, `Required`), else when its description says "Required" (and not
/// "not required" or "optional").
fn is_required(description: &str, column: Option<String>) -> bool {
    if let Some(cell) = column.filter(|c| !c.is_empty()) {
        return matches!(cell.to_ascii_lowercase().trim_end_matches('.'), "yes" | "true" | "required");
    }
    let lower = description.to_ascii_lowercase();
    let says_required = lower
        .match_indices("required")
        .any(|(i, _)| !lower[..i].trim_end().ends_with("not") && !lower[..i].ends_with(|c: char| c.is_alphanumeric()));
    says_required && !lower.contains("optional")
}

/// The sections that list the properties of the page's type `own`: the
/// Properties section (see `is_property_section`), and the sections of
/// its own level that follow it until a section of another kind: pages
/// split long tables under themed headings (`## Page content`, `##
/// Authoring metadata`) before `## Relationships`.
fn property_sections<'p>(page: &'p Page, own: &str) -> Vec<&'p Section> {
    let mut found = Vec::new();
    let mut continued = false;
    for section in &page.sections {
        if is_property_section(section, own) {
            continued = section.level <= 2;
            found.push(section);
            continue;
        }
        if section.level <= 2 {
            continued = continued && section.level == 2 && !ends_properties(&section.heading);
        }
        let about_other = section.heading.trim().to_ascii_lowercase().starts_with("properties of");
        if continued && !about_other {
            found.push(section);
        }
    }
    found
}

/// A section heading after which the Properties section does not go on:
/// another of the page's usual sections, another type (`## x resource
/// type`), or an enum's values.
fn ends_properties(heading: &str) -> bool {
    let lower = heading.trim().to_ascii_lowercase();
    const SECTIONS: [&str; 12] = [
        "relationships",
        "json representation",
        "methods",
        "remarks",
        "see also",
        "related content",
        "example",
        "instance attributes",
        "functions",
        "actions",
        "derived types",
        "tasks",
    ];
    SECTIONS.iter().any(|s| lower.starts_with(s))
        || [" type", " values", " options", " enum"].iter().any(|s| lower.ends_with(s))
}

/// `suffix` in `text` where it ends a word (` type` in `x type` or `x type
/// json`, not in `x types`).
fn find_word(text: &str, suffix: &str) -> Option<usize> {
    text.match_indices(suffix)
        .map(|(i, _)| i)
        .find(|i| text[i + suffix.len()..].chars().next().is_none_or(|c| !c.is_ascii_alphanumeric()))
}

/// A JSON property name as tables write it: no spaces or links.
fn is_property_name(name: &str) -> bool {
    !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '@' | '.' | '-' | '$'))
}

fn cell_text(row: &Row, index: usize) -> String {
    row.cells.get(index).map(|c| c.inline.text.trim().to_string()).unwrap_or_default()
}

/// Headers the runtime sets itself; the pages document them, callers never set them.
fn is_transport_header(name: &str) -> bool {
    ["authorization", "content-type", "content-length", "accept"].iter().any(|h| name.eq_ignore_ascii_case(h))
}

/// `|**Onboarding**|||`: a label row grouping the rows below it (only
/// tables with more than one column have them).
fn is_group_label(row: &Row, columns: usize) -> bool {
    columns > 1 && row.cells.iter().skip(1).all(|c| c.inline.text.trim().is_empty())
}

fn clean_name(text: &str) -> String {
    text.trim().trim_matches(|c| c == '*' || c == '`').trim().to_string()
}

fn strip_ns(name: &str) -> String {
    let name = name.trim().trim_start_matches('#');
    name.strip_prefix("microsoft.graph.").unwrap_or(name).to_string()
}

fn is_identifier(text: &str) -> bool {
    let mut chars = text.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// "… Inherited from [x](x.md)" → the type `x`, with the page it links.
fn inherited_from(cell: &Inline, file: &str) -> Option<TypeRef> {
    let at = cell.text.find("Inherited from")?;
    let after = &cell.text[at..];
    let link = cell.links.iter().find(|l| !l.text.is_empty() && after.contains(l.text.as_str()))?;
    Some(TypeRef::Named { name: strip_ns(&link.text), page: resolve_link(file, &link.target).ok().flatten() })
}

/// Values that are distinct powers of two, at least three of them, reaching 4.
fn is_flag_values(members: &[EnumMember]) -> bool {
    let values: Vec<i64> = members.iter().filter_map(|m| m.value).collect();
    if values.len() != members.len() || values.len() < 3 {
        return false;
    }
    let nonzero: Vec<i64> = values.iter().copied().filter(|v| *v != 0).collect();
    nonzero.len() >= 3 && nonzero.iter().all(|v| *v > 0 && (v & (v - 1)) == 0) && nonzero.iter().any(|v| *v >= 4) && {
        let mut sorted = nonzero.clone();
        sorted.sort();
        sorted.dedup();
        sorted.len() == nonzero.len()
    }
}

/// Marks function arguments whose parameter is documented as a String as quoted.
fn quote_string_arguments(path: &PathTemplate, string_parameters: &[String]) -> PathTemplate {
    let mut path = path.clone();
    for segment in &mut path.segments {
        if let Segment::Function { args, .. } = segment {
            for arg in args.iter_mut().filter(|a| a.is_placeholder && !a.quoted) {
                let name = arg.name.as_deref().unwrap_or(&arg.value).to_ascii_lowercase();
                arg.quoted = string_parameters.contains(&name);
            }
        }
    }
    path
}

/// The first success or redirect status in the prose (`200 OK`, `` `201 Created` ``, `302 Found`).
fn status_in(text: &str) -> Option<u16> {
    let bytes = text.as_bytes();
    for i in 0..bytes.len().saturating_sub(2) {
        let is_number = bytes[i..i + 3].iter().all(u8::is_ascii_digit);
        let bounded_before = i == 0 || !bytes[i - 1].is_ascii_alphanumeric();
        let bounded_after = bytes.get(i + 3).is_none_or(|b| !b.is_ascii_alphanumeric());
        if is_number && bounded_before && bounded_after {
            let code: u16 = text[i..i + 3].parse().ok()?;
            if (200..400).contains(&code) {
                return Some(code);
            }
        }
    }
    None
}

fn operation_kind(
    method: Method,
    path: &PathTemplate,
    title: &str,
    body_is_parameters: bool,
    response: &Response,
) -> OperationKind {
    let last = path.segments.last();
    let title = title.to_ascii_lowercase();
    match method {
        Method::Get if matches!(last, Some(Segment::Function { .. })) => OperationKind::Function,
        Method::Get if matches!(response.ty, Some(TypeRef::Collection(_))) => OperationKind::List,
        Method::Get => OperationKind::Get,
        Method::Patch => OperationKind::Update,
        Method::Put => OperationKind::Replace,
        Method::Delete => OperationKind::Delete,
        Method::Post => {
            let creates = ["create", "add", "post", "insert", "new", "upload"].iter().any(|w| title.starts_with(w));
            let is_action =
                title.ends_with(" action") || body_is_parameters || matches!(last, Some(Segment::Function { .. }));
            if creates && !is_action { OperationKind::Create } else { OperationKind::Action }
        }
    }
}

/// The path ends in a plural-looking literal: a collection, not one item.
fn addresses_collection(path: &PathTemplate) -> bool {
    match path.segments.last() {
        Some(Segment::Literal { name }) => {
            let lower = name.to_ascii_lowercase();
            path.segments.len() > 1
                && lower.ends_with('s')
                && !lower.ends_with("ss")
                && !lower.starts_with('$')
                && !matches!(lower.as_str(), "settings" | "status" | "contents" | "analytics" | "insights")
        }
        _ => false,
    }
}

/// The operation whose path matches the example's URL, else the first with its method.
fn best_operation(operations: &[Operation], example: &Example) -> usize {
    let Some(request) = &example.request else {
        return 0;
    };
    let url_path = crate::parse::path::strip_service_root(&request.url);
    let url_path = url_path.split('?').next().unwrap_or_default();
    let parts: Vec<&str> = url_path.split('/').filter(|p| !p.is_empty()).collect();
    let same_method = |o: &&Operation| o.method == request.method;
    operations
        .iter()
        .position(|o| o.method == request.method && matches_url(&o.path, &parts))
        .or_else(|| operations.iter().position(|o| same_method(&o)))
        .unwrap_or(0)
}

/// Segment-by-segment match of a URL path against a template.
pub fn matches_url(template: &PathTemplate, parts: &[&str]) -> bool {
    template.segments.len() == parts.len()
        && template.segments.iter().zip(parts).all(|(segment, part)| match segment {
            Segment::Literal { name } => name.eq_ignore_ascii_case(part),
            Segment::Key { .. } | Segment::Address { .. } => true,
            Segment::Function { name, .. } => part.starts_with(name.as_str()),
        })
}

/// A primitive the Response section names without a link, right before "in
/// the response body": "… returns a `200 OK` response code and a String in
/// the response body" (24 pages of the corpus, most of them Intune). Only
/// Edm names written as such (capitalised or `Edm.`-prefixed) count, and not
/// `Object`: a lower-case "an object in the response body" names nothing.
fn primitive_in_prose(text: &str) -> Option<TypeRef> {
    let before = text[..text.find(" in the response body")?].trim_end();
    let (rest, token) = before.rsplit_once(' ').unwrap_or(("", before));
    let word = token.trim_matches('`');
    if !word.starts_with(|c: char| c.is_ascii_uppercase()) {
        return None;
    }
    let primitive = crate::parse::type_cell::primitive(word).filter(|p| *p != Primitive::Json)?;
    let collection = rest.trim_end().ends_with("collection of");
    let ty = TypeRef::Primitive(primitive);
    Some(if collection { TypeRef::Collection(Box::new(ty)) } else { ty })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_base_phrase_whose_window_ends_inside_a_character_is_read() {
        let lower = "inherits from [managedebook](../resour\u{fffd}\u{fffd}\u{fffd}\u{fffd}  ces/x.md)";
        assert_eq!(base_phrases(lower), vec!["inherits from".len()]);
        assert!(base_phrases("inherits \u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}").is_empty());
    }

    #[test]
    fn a_primitive_named_before_the_response_body_is_the_response_type() {
        let text = "If successful, this function returns a `200 OK` response code and a String in the response body.";
        assert_eq!(primitive_in_prose(text), Some(TypeRef::Primitive(Primitive::String)));
        let text = "returns a `200 OK` response code and a collection of `Int32` in the response body";
        let int32 = TypeRef::Primitive(Primitive::Int32);
        assert_eq!(primitive_in_prose(text), Some(TypeRef::Collection(Box::new(int32))));
        assert_eq!(primitive_in_prose("returns an object in the response body"), None);
        assert_eq!(primitive_in_prose("returns an Object in the response body"), None);
        assert!(primitive_in_prose("returns `Int32(\u{e9}``````` in the response body").is_some());
        assert_eq!(primitive_in_prose(" in the response body"), None);
    }

    fn member(value: i64) -> EnumMember {
        EnumMember { name: format!("m{value}"), value: Some(value), description: String::new() }
    }

    #[test]
    fn a_parameter_is_required_when_its_row_says_so() {
        assert!(is_required("The message to send. Required.", None));
        assert!(!is_required("Whether to save it. Optional.", None));
        assert!(!is_required("Not required when the item has a name.", None));
        assert!(!is_required("Required if set; optional otherwise.", None));
        assert!(!is_required("The unrequired part.", None));
        assert!(is_required("Anything.", Some("Yes".into())));
        assert!(!is_required("Required.", Some("No".into())));
    }

    #[test]
    fn flag_values_are_powers_of_two() {
        assert!(is_flag_values(&[member(1), member(2), member(4), member(8)]));
        assert!(is_flag_values(&[member(0), member(1), member(2), member(4)]));
        assert!(!is_flag_values(&[member(0), member(1), member(2), member(3)]));
        assert!(!is_flag_values(&[member(1), member(2)]));
    }

    /// The response type of a one-operation page whose Response section says `prose`
    /// and whose example response is `example`.
    fn response_type(prose: &str, example: &str) -> Option<TypeRef> {
        let text = format!(
            "---\ndoc_type: apiPageType\n---\n# Archive team\n\n## HTTP request\n```http\nPOST /teams/{{id}}/archive\n```\n\n\
             ## Response\n{prose}\n\n## Example\n### Request\n```http\nPOST https://graph.microsoft.com/v1.0/teams/1/archive\n```\n\
             ### Response\n```http\n{example}\n```\n"
        );
        let (page, _) = crate::parse::parse_page("api/team-archive.md", &text);
        let (lowered, _) = lower(&page);
        lowered.operations[0].response.ty.clone()
    }

    #[test]
    fn an_accepted_operation_returns_no_body_unless_the_page_says_or_shows_one() {
        let header = "This method returns a `202 Accepted` response code and a `Location` header with the \
                      [teamsAsyncOperation](../resources/teamsasyncoperation.md) to poll.";
        assert_eq!(response_type(header, "HTTP/1.1 202 Accepted"), None);
        let named = TypeRef::Named {
            name: "teamsAsyncOperation".into(),
            page: Some("resources/teamsasyncoperation.md".into()),
        };
        let body = "This method returns a `202 Accepted` response code and a \
                    [teamsAsyncOperation](../resources/teamsasyncoperation.md) object in the response body.";
        assert_eq!(response_type(body, "HTTP/1.1 202 Accepted"), Some(named.clone()));
        let shown = "HTTP/1.1 202 Accepted\nContent-Type: application/json\n\n{\"id\": \"1\"}";
        assert_eq!(response_type(header, shown), Some(named));
    }

    /// The permissions of a one-operation page whose permissions section is `section`.
    fn permissions(section: &str) -> Option<Permissions> {
        let text = format!(
            "---\ndoc_type: apiPageType\n---\n# Get widget\n\n{section}\n\n## HTTP request\n```http\nGET /widgets/{{id}}\n```\n"
        );
        let (page, _) = crate::parse::parse_page("api/widget-get.md", &text);
        lower(&page).0.operations[0].permissions.clone()
    }

    fn set(supported: bool, least: &[&str], higher: &[&str]) -> Option<PermissionSet> {
        let names = |names: &[&str]| names.iter().map(|n| n.to_string()).collect();
        Some(PermissionSet { supported, least_privileged: names(least), higher_privileged: names(higher) })
    }

    #[test]
    fn permissions_in_least_and_higher_privileged_columns() {
        let found = permissions(
            "## Permissions\n|Permission type|Least privileged permissions|Higher privileged permissions|\n|:--|:--|:--|\n\
             |Delegated (work or school account)|Widget.Read|Widget.ReadWrite, Widget.Read.All|\n\
             |Delegated (personal Microsoft account)|Not supported.|Not supported.|\n\
             |Application|Widget.Read.All|Not available.|",
        );
        let expected = Permissions {
            delegated_work_or_school: set(true, &["Widget.Read"], &["Widget.ReadWrite", "Widget.Read.All"]),
            delegated_personal: set(false, &[], &[]),
            application: set(true, &["Widget.Read.All"], &[]),
        };
        assert_eq!(found, Some(expected));
    }

    #[test]
    fn permissions_listed_from_least_or_from_most_privileged() {
        let least_first = permissions(
            "## Permissions\n|Permission type|Permissions (from least to most privileged)|\n|:--|:--|\n\
             |Delegated (work or school account)|Widget.Read, Widget.ReadWrite|\n\
             |Delegated (personal Microsoft account|Widget.Read|",
        );
        let expected = Permissions {
            delegated_work_or_school: set(true, &["Widget.Read"], &["Widget.ReadWrite"]),
            delegated_personal: set(true, &["Widget.Read"], &[]),
            application: None,
        };
        assert_eq!(least_first, Some(expected));
        // Intune: most privileged first, and per-area rows under a row with an empty cell.
        let most_first = permissions(
            "## Prerequisites\n|Permission type|Permissions (from most to least privileged)|\n|:--|:--|\n\
             |Delegated (work or school account)||\n\
             | &nbsp; &nbsp; **Apps** | DeviceManagementApps.ReadWrite.All, DeviceManagementApps.Read.All|\n\
             | &nbsp; &nbsp; **Policy Set** | DeviceManagementConfiguration.ReadWrite.All, DeviceManagementConfiguration.Read.All|\n\
             |Application|DeviceManagementApps.ReadWrite.All|",
        );
        let expected = Permissions {
            delegated_work_or_school: set(
                true,
                &["DeviceManagementApps.Read.All", "DeviceManagementConfiguration.Read.All"],
                &["DeviceManagementApps.ReadWrite.All", "DeviceManagementConfiguration.ReadWrite.All"],
            ),
            delegated_personal: None,
            application: set(true, &["DeviceManagementApps.ReadWrite.All"], &[]),
        };
        assert_eq!(most_first, Some(expected));
    }

    #[test]
    fn a_permissions_table_of_placeholders_or_no_table_is_not_known() {
        let todo = "## Permissions\n|Permission type|Permissions (from least to most privileged)|\n|:--|:--|\n\
                    |Delegated (work or school account)|**TODO: Provide applicable permissions.**|";
        assert_eq!(permissions(todo), None);
        assert_eq!(permissions("## Permissions\nMail.Read when reading attachments of messages."), None);
    }

    #[test]
    fn permission_names_are_picked_out_of_prose() {
        let cell =
            "Group.ReadWrite.All Sites.Read.All, User-Mail.ReadWrite.All; e.g. For **user** resource: User.Read.";
        assert_eq!(
            permission_names(cell),
            ["Group.ReadWrite.All", "Sites.Read.All", "User-Mail.ReadWrite.All", "User.Read"]
        );
        assert!(permission_names("Not supported.").is_empty());
    }

    #[test]
    fn status_is_found_in_prose() {
        assert_eq!(status_in("returns a `201 Created` response code"), Some(201));
        assert_eq!(status_in("returns `204 No Content`."), Some(204));
        assert_eq!(status_in("see 1234 items, then 200 OK"), Some(200));
        assert_eq!(status_in("no status"), None);
    }
}
