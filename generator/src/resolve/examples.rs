//! Example bodies checked against the types they document, as ApiDoctor
//! does: a property an example sends or receives that its type does not
//! list is either a docs mistake (a typo, a stale name) or a property the
//! tables forgot, and either way a docs writer can fix it. The same goes
//! for a value its property's type cannot hold (`"Boolean"` written where a
//! boolean belongs): the generated model rejects it, as it would from Graph.

use std::collections::BTreeSet;

use foldhash::HashMap;
use rayon::prelude::*;
use serde_json::{Map, Value};

use super::{Home, ModelId, RField, RModel, ROperation, RType, ResponseShape, TypeSpace};
use crate::diagnostics::{Code, Diagnostic, Location};
use crate::ir::{Body, Example, Primitive};

/// Nested objects are followed this deep, no further.
const MAX_DEPTH: usize = 16;

/// Checks every example body of every operation, and `representations`:
/// each model's JSON representation object.
pub(super) fn check(space: &TypeSpace, representations: &[(ModelId, &Value)]) -> Vec<Diagnostic> {
    let checker = Checker::new(space);
    // Each body is checked on its own, so they are checked in parallel;
    // `collect` keeps the sequential order.
    let mut diagnostics: Vec<Diagnostic> = representations
        .par_iter()
        .flat_map_iter(|(id, value)| {
            let mut diagnostics = Vec::new();
            let model = &space.models[*id];
            let line = model.representation.as_ref().map_or(1, |r| r.line);
            let at = Location { file: model.page.clone(), line, column: 1 };
            let site = Site { at: &at, what: "JSON representation" };
            checker.value(value, &RType::Model(*id), &site, 0, &mut diagnostics);
            diagnostics
        })
        .collect();
    let examples = space.operations.par_iter().flat_map_iter(|op| op.examples.iter().map(move |e| (op, e)));
    diagnostics.par_extend(examples.flat_map_iter(|(op, example)| {
        let mut diagnostics = Vec::new();
        checker.example(op, example, &mut diagnostics);
        diagnostics
    }));
    diagnostics
}

impl Checker<'_> {
    /// One example's request and (successful) response bodies.
    fn example(&self, op: &ROperation, example: &Example, diagnostics: &mut Vec<Diagnostic>) {
        if let (Some(request), Some(body)) = (&example.request, &op.body)
            && let Body::Json { value, .. } = &request.body
        {
            let site = Site { at: &request.location, what: "example request" };
            self.value(value, body, &site, 0, diagnostics);
            if body == &RType::Reference && value.get("@odata.id").is_none() {
                diagnostics.push(reference_without_id(&request.location));
            }
        }
        let Some(response) = &example.response else { return };
        let site = Site { at: &response.location, what: "example response" };
        if !(200..300).contains(&response.status) {
            return;
        }
        let value = match &response.body {
            Body::Json { value, .. } => value,
            // A bare `12` or `"on"` is kept as text (only objects and arrays
            // are read as bodies): valid JSON, but not what Graph sends.
            Body::Text { text }
                if matches!(op.response, ResponseShape::Wrapped(_)) && serde_json::from_str::<Value>(text).is_ok() =>
            {
                return diagnostics.push(unwrapped_value(&response.location));
            }
            _ => return,
        };
        // The annotation's type, when it names a model, is what the writer says the body is.
        let annotated = response.odata_type.as_deref().and_then(|t| self.model_named(t)).map(RType::Model);
        match (&op.response, value) {
            (ResponseShape::Page(item), Value::Object(page)) => {
                let item = annotated.as_ref().unwrap_or(item);
                match page.get("value") {
                    Some(Value::Array(items)) => {
                        for value in items {
                            self.value(value, item, &site, 0, diagnostics);
                        }
                    }
                    Some(_) => {}
                    None => diagnostics.push(unwrapped_collection(&response.location)),
                }
            }
            (ResponseShape::Json(ty), _) => {
                let ty = annotated.as_ref().unwrap_or(ty);
                self.value(value, ty, &site, 0, diagnostics);
            }
            (ResponseShape::Wrapped(ty), _) => match (&annotated, value) {
                (Some(model), _) => self.value(value, model, &site, 0, diagnostics),
                (None, Value::Object(wrapper)) if wrapper.contains_key("value") => {
                    self.value(&wrapper["value"], ty, &site, 0, diagnostics);
                }
                (None, _) => diagnostics.push(unwrapped_value(&response.location)),
            },
            _ => {}
        }
    }
}

/// Where the JSON being checked is, and what it is, for the messages.
#[derive(Clone, Copy)]
struct Site<'s> {
    at: &'s Location,
    /// "example request", "example response" or "JSON representation".
    what: &'s str,
}

struct Checker<'a> {
    space: &'a TypeSpace,
    /// Lower-cased `namespace.name` (no `#`) → documented model.
    by_name: HashMap<String, ModelId>,
    /// Per model, JSON name → field.
    fields: Vec<HashMap<&'a str, &'a RField>>,
}

impl<'a> Checker<'a> {
    fn new(space: &'a TypeSpace) -> Self {
        let by_name = space
            .models
            .iter()
            .enumerate()
            .filter(|(_, m)| matches!(m.home, Home::Models { .. }))
            .map(|(id, m)| (m.doc_name.to_ascii_lowercase(), id))
            .collect();
        let fields =
            space.models.iter().map(|m| m.fields.iter().map(|f| (f.json_name.as_str(), f)).collect()).collect();
        Checker { space, by_name, fields }
    }

    /// `#microsoft.graph.user`, `microsoft.graph.user` or `Collection(microsoft.graph.user)`.
    fn model_named(&self, odata_type: &str) -> Option<ModelId> {
        let name = odata_type.trim();
        let name = name.strip_prefix("Collection(").and_then(|n| n.strip_suffix(')')).unwrap_or(name);
        self.by_name.get(&name.trim_start_matches('#').to_ascii_lowercase()).copied()
    }

    fn value(&self, value: &Value, ty: &RType, site: &Site, depth: usize, out: &mut Vec<Diagnostic>) {
        if depth > MAX_DEPTH {
            return;
        }
        match (ty, value) {
            (RType::Collection(inner), Value::Array(items)) => {
                for item in items {
                    self.value(item, inner, site, depth + 1, out);
                }
            }
            (RType::Model(id), Value::Object(object)) => self.object(object, &[*id], site, depth, out),
            (RType::Polymorphic(poly), Value::Object(object)) => {
                let poly = &self.space.polymorphs[*poly];
                let mut candidates = vec![poly.base];
                candidates.extend(&poly.variants);
                self.object(object, &candidates, site, depth, out);
            }
            _ => {}
        }
    }

    /// A property's value: one its type can hold is followed inside, one it
    /// cannot is reported.
    fn property(&self, key: &str, value: &Value, ty: &RType, site: &Site, depth: usize, out: &mut Vec<Diagnostic>) {
        match misfit(ty, value) {
            Some(expected) => {
                let shown: String = value.to_string().chars().take(60).collect();
                let message = format!("{} property `{key}` is {shown}, which is not {expected}", site.what);
                let diagnostic = Diagnostic::warning(Code::ExampleValueType, site.at.clone(), message);
                out.push(diagnostic.pointing_at(format!("\"{key}\"")));
            }
            None => self.value(value, ty, site, depth, out),
        }
    }

    /// An object that should be one of `candidates` (a base and its derived
    /// types when the body does not say which with `@odata.type`).
    fn object(
        &self,
        object: &Map<String, Value>,
        candidates: &[ModelId],
        site: &Site,
        depth: usize,
        out: &mut Vec<Diagnostic>,
    ) {
        let named = object.get("@odata.type").and_then(Value::as_str);
        let candidates = match named {
            Some(name) => match self.model_named(name) {
                Some(id) => vec![id],
                // A type this folder does not document: nothing to check against.
                None => return,
            },
            None => candidates.to_vec(),
        };
        let models: Vec<&RModel> = candidates.iter().map(|id| &self.space.models[*id]).collect();
        let keys: Vec<(&String, &Value)> = object.iter().filter(|(key, _)| !is_annotation(key)).collect();
        // The type that fits every key best (the fewest fields): its field types are the ones to follow.
        let fits = candidates
            .iter()
            .filter(|id| keys.iter().all(|(k, _)| self.fields[**id].contains_key(k.as_str())))
            .min_by_key(|id| self.fields[**id].len());
        if let Some(fits) = fits {
            for (key, value) in keys {
                if let Some(field) = self.fields[*fits].get(key.as_str()) {
                    self.property(key, value, &field.ty, site, depth + 1, out);
                }
            }
            return;
        }
        let open = models.iter().any(|m| m.open_type);
        for (key, value) in keys {
            let types: Vec<&RType> =
                candidates.iter().filter_map(|id| self.fields[*id].get(key.as_str())).map(|f| &f.ty).collect();
            match types.first() {
                // Followed only where every type that has the key agrees on its type.
                Some(ty) if types.iter().all(|t| t == ty) => self.property(key, value, ty, site, depth + 1, out),
                Some(_) | None if open => {}
                Some(_) => {}
                None => out.push(unknown(&models, key, value, site)),
            }
        }
    }
}

/// What `ty` expects, when `value` is not that (null always fits: every
/// property is optional). Collection items are looked at one level deep;
/// deeper values are checked when the walk gets to them.
fn misfit(ty: &RType, value: &Value) -> Option<&'static str> {
    if value.is_null() {
        return None;
    }
    match ty {
        RType::Collection(inner) => match value {
            Value::Array(items) => items.iter().find_map(|item| misfit(inner, item)),
            _ => Some("a collection (a JSON array)"),
        },
        RType::Model(_) | RType::Polymorphic(_) => (!value.is_object()).then_some("an object"),
        RType::Enum(_) => (!value.is_string()).then_some("an enum member (a string)"),
        RType::Primitive(primitive) => primitive_misfit(*primitive, value),
        RType::Untyped | RType::Reference => None,
    }
}

fn primitive_misfit(primitive: Primitive, value: &Value) -> Option<&'static str> {
    let integer = |min: i64, max: i64| value.as_i64().is_some_and(|n| (min..=max).contains(&n));
    match primitive {
        Primitive::Boolean => (!value.is_boolean()).then_some("a boolean"),
        Primitive::Byte => (!integer(0, 255)).then_some("a Byte (an integer from 0 to 255)"),
        Primitive::Int16 => (!integer(i16::MIN.into(), i16::MAX.into())).then_some("an Int16"),
        Primitive::Int32 => (!integer(i32::MIN.into(), i32::MAX.into())).then_some("an Int32"),
        // Graph may send these as strings; the runtime types accept both.
        Primitive::Int64 | Primitive::Single | Primitive::Double | Primitive::Decimal => {
            (!value.is_number() && !value.is_string()).then_some("a number")
        }
        Primitive::String
        | Primitive::DateTimeOffset
        | Primitive::Date
        | Primitive::TimeOfDay
        | Primitive::Duration
        | Primitive::Guid
        | Primitive::Binary => (!value.is_string()).then_some("a string"),
        Primitive::Stream | Primitive::Json => None,
    }
}

/// A list operation's example response that shows one object: Graph wraps
/// every collection in `{"value": […]}`, so the page documents either the
/// wrong body or the wrong return type.
fn unwrapped_collection(at: &Location) -> Diagnostic {
    let message = "example response property `value` is missing: the operation returns a collection, \
                   which Graph sends as {\"value\": […]} (or should the Response section name a single object?)";
    Diagnostic::warning(Code::ExampleValueType, at.clone(), message)
}

/// A `$ref` request whose example body does not name the object to link:
/// Graph reads only `@odata.id`, and the SDK's `Reference` body requires it.
fn reference_without_id(at: &Location) -> Diagnostic {
    let message = "example request property `@odata.id` is missing: a `$ref` request names the object to link by \
                   its URL, {\"@odata.id\": \"https://graph.microsoft.com/v1.0/directoryObjects/{id}\"}";
    Diagnostic::warning(Code::ExampleValueType, at.clone(), message)
}

fn unwrapped_value(at: &Location) -> Diagnostic {
    let message = "example response property `value` is missing: the operation returns one primitive or enum \
                   value, which Graph sends as {\"value\": …}";
    Diagnostic::warning(Code::ExampleValueType, at.clone(), message)
}

/// `@odata.etag`, `x@odata.bind`: instance and property annotations.
fn is_annotation(key: &str) -> bool {
    key.is_empty() || key.contains('@')
}

fn unknown(models: &[&RModel], key: &str, value: &Value, site: &Site) -> Diagnostic {
    let Site { at, what } = *site;
    let doc_name = &models[0].doc_name;
    let of = match models[0].home {
        Home::Models { .. } if models.len() > 1 => format!("`{doc_name}` or a type derived from it"),
        Home::Models { .. } => format!("`{doc_name}`"),
        Home::Requests { .. } => format!("the parameters of `{doc_name}`"),
    };
    let near: BTreeSet<&str> = models
        .iter()
        .flat_map(|m| &m.fields)
        .filter(|f| f.json_name.eq_ignore_ascii_case(key))
        .map(|f| f.json_name.as_str())
        .collect();
    let hint = match near.first() {
        Some(name) => format!(" (did you mean `{name}`?)"),
        None if key == "value" && value.is_object() => " (a single object is not wrapped in `value`)".to_string(),
        None if key == "value" && value.is_array() => {
            " (the body is a collection: should the Response section say \"collection of\"?)".to_string()
        }
        None => String::new(),
    };
    let message = format!("{what} property `{key}` is not in {of}{hint}");
    Diagnostic::warning(Code::ExampleUnknownProperty, at.clone(), message).pointing_at(format!("\"{key}\""))
}
