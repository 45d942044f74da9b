//! The service's own metadata (OData CSDL XML) as plain data: structured
//! and enum types, bound actions and functions, and the entity container,
//! with every type name written in full (schema aliases resolved, so
//! `graph.user` reads `microsoft.graph.user`).

use std::collections::BTreeMap;

use roxmltree::{Document, Node};

/// One CSDL document.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Csdl {
    pub types: Vec<StructuredType>,
    pub enums: Vec<EnumType>,
    /// Bound actions and functions.
    pub operations: Vec<BoundOperation>,
    /// Entity sets, singletons and imports of the entity container.
    pub roots: Vec<Root>,
}

/// An entity or complex type.
#[derive(Debug, Clone, PartialEq)]
pub struct StructuredType {
    /// Full name, `microsoft.graph.user`.
    pub name: String,
    pub entity: bool,
    pub base: Option<String>,
    pub is_abstract: bool,
    pub open: bool,
    pub properties: Vec<CsdlProperty>,
    /// Line in the metadata file, for messages.
    pub line: u32,
}

#[derive(Debug, Clone, PartialEq)]
pub struct CsdlProperty {
    pub name: String,
    pub ty: CsdlType,
    pub navigation: bool,
}

/// A type reference: a full name, and whether it is `Collection(…)` of it.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CsdlType {
    pub name: String,
    pub collection: bool,
}

impl std::fmt::Display for CsdlType {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.collection { write!(f, "Collection({})", self.name) } else { f.write_str(&self.name) }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct EnumType {
    pub name: String,
    pub members: Vec<String>,
    pub line: u32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OperationKind {
    Action,
    Function,
}

/// An action or function bound to a type (its first parameter).
#[derive(Debug, Clone, PartialEq)]
pub struct BoundOperation {
    pub name: String,
    pub namespace: String,
    pub kind: OperationKind,
    pub binding: CsdlType,
    pub returns: Option<CsdlType>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RootKind {
    EntitySet,
    Singleton,
    /// A function or action import: callable at the root, not navigable.
    Import,
}

/// A path the service starts at: `/users`, `/me`, …
#[derive(Debug, Clone, PartialEq)]
pub struct Root {
    pub name: String,
    pub kind: RootKind,
    /// The entity set's collection or the singleton's type; `None` for imports.
    pub ty: Option<CsdlType>,
}

const EDM: &str = "http://docs.oasis-open.org/odata/ns/edm";

/// Reads a CSDL document; an error names what is wrong and where.
pub fn parse(text: &str) -> Result<Csdl, String> {
    let doc = Document::parse(text).map_err(|e| format!("not well-formed XML: {e}"))?;
    let schemas: Vec<Node> = doc.descendants().filter(|n| is(n, "Schema")).collect();
    if schemas.is_empty() {
        return Err("no `Schema` element: is this an OData CSDL document?".into());
    }
    let mut aliases = BTreeMap::new();
    for schema in &schemas {
        if let (Some(alias), Some(namespace)) = (schema.attribute("Alias"), schema.attribute("Namespace")) {
            aliases.insert(alias.to_string(), namespace.to_string());
        }
    }
    let names = Names { aliases };
    let mut csdl = Csdl::default();
    for schema in &schemas {
        let namespace = schema.attribute("Namespace").unwrap_or_default();
        for element in schema.children().filter(Node::is_element) {
            match element.tag_name().name() {
                "EntityType" | "ComplexType" => csdl.types.push(structured(&doc, &element, namespace, &names)?),
                "EnumType" => csdl.enums.push(EnumType {
                    name: format!("{namespace}.{}", required(&doc, &element, "Name")?),
                    members: element
                        .children()
                        .filter(|m| is(m, "Member"))
                        .filter_map(|m| m.attribute("Name").map(str::to_string))
                        .collect(),
                    line: line(&doc, &element),
                }),
                "Action" | "Function" if element.attribute("IsBound") == Some("true") => {
                    csdl.operations.push(bound(&doc, &element, namespace, &names)?)
                }
                "EntityContainer" => csdl.roots.extend(roots(&doc, &element, &names)?),
                _ => {}
            }
        }
    }
    csdl.types.sort_by(|a, b| a.name.cmp(&b.name));
    csdl.enums.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(csdl)
}

/// Turns written type names into full ones.
struct Names {
    aliases: BTreeMap<String, String>,
}

impl Names {
    fn full(&self, written: &str) -> String {
        match written.split_once('.') {
            Some((alias, rest)) if self.aliases.contains_key(alias) => format!("{}.{rest}", self.aliases[alias]),
            _ => written.to_string(),
        }
    }

    fn ty(&self, written: &str) -> CsdlType {
        match written.strip_prefix("Collection(").and_then(|t| t.strip_suffix(')')) {
            Some(inner) => CsdlType { name: self.full(inner), collection: true },
            None => CsdlType { name: self.full(written), collection: false },
        }
    }
}

fn is(node: &Node, name: &str) -> bool {
    node.is_element() && node.tag_name().name() == name && node.tag_name().namespace() == Some(EDM)
}

fn line(doc: &Document, node: &Node) -> u32 {
    doc.text_pos_at(node.range().start).row
}

fn required<'a>(doc: &Document, node: &Node<'a, '_>, attribute: &str) -> Result<&'a str, String> {
    node.attribute(attribute)
        .ok_or_else(|| format!("line {}: `{}` has no `{attribute}` attribute", line(doc, node), node.tag_name().name()))
}

fn structured(doc: &Document, element: &Node, namespace: &str, names: &Names) -> Result<StructuredType, String> {
    let mut properties = Vec::new();
    for child in element.children().filter(Node::is_element) {
        let navigation = match child.tag_name().name() {
            "Property" => false,
            "NavigationProperty" => true,
            _ => continue,
        };
        properties.push(CsdlProperty {
            name: required(doc, &child, "Name")?.to_string(),
            ty: names.ty(required(doc, &child, "Type")?),
            navigation,
        });
    }
    Ok(StructuredType {
        name: format!("{namespace}.{}", required(doc, element, "Name")?),
        entity: element.tag_name().name() == "EntityType",
        base: element.attribute("BaseType").map(|b| names.full(b)),
        is_abstract: element.attribute("Abstract") == Some("true"),
        open: element.attribute("OpenType") == Some("true"),
        properties,
        line: line(doc, element),
    })
}

fn bound(doc: &Document, element: &Node, namespace: &str, names: &Names) -> Result<BoundOperation, String> {
    let binding = element.children().find(|p| is(p, "Parameter")).ok_or_else(|| {
        format!("line {}: a bound `{}` has no binding parameter", line(doc, element), element.tag_name().name())
    })?;
    Ok(BoundOperation {
        name: required(doc, element, "Name")?.to_string(),
        namespace: namespace.to_string(),
        kind: if element.tag_name().name() == "Action" { OperationKind::Action } else { OperationKind::Function },
        binding: names.ty(required(doc, &binding, "Type")?),
        returns: element
            .children()
            .find(|r| is(r, "ReturnType"))
            .and_then(|r| r.attribute("Type"))
            .map(|t| names.ty(t)),
    })
}

fn roots(doc: &Document, container: &Node, names: &Names) -> Result<Vec<Root>, String> {
    let mut roots = Vec::new();
    for child in container.children().filter(Node::is_element) {
        let (kind, ty) = match child.tag_name().name() {
            "EntitySet" => {
                let item = names.full(required(doc, &child, "EntityType")?);
                (RootKind::EntitySet, Some(CsdlType { name: item, collection: true }))
            }
            "Singleton" => (RootKind::Singleton, Some(names.ty(required(doc, &child, "Type")?))),
            "FunctionImport" | "ActionImport" => (RootKind::Import, None),
            _ => continue,
        };
        roots.push(Root { name: required(doc, &child, "Name")?.to_string(), kind, ty });
    }
    Ok(roots)
}

#[cfg(test)]
mod tests {
    use super::*;

    const SMALL: &str = r#"<?xml version="1.0" encoding="utf-8"?>
<edmx:Edmx Version="4.0" xmlns:edmx="http://docs.oasis-open.org/odata/ns/edmx">
  <edmx:DataServices>
    <Schema Namespace="microsoft.graph" Alias="graph" xmlns="http://docs.oasis-open.org/odata/ns/edm">
      <EnumType Name="color"><Member Name="red" Value="0" /><Member Name="blue" Value="1" /></EnumType>
      <EntityType Name="entity" Abstract="true"><Key><PropertyRef Name="id" /></Key><Property Name="id" Type="Edm.String" /></EntityType>
      <EntityType Name="widget" BaseType="graph.entity" OpenType="true">
        <Property Name="tags" Type="Collection(Edm.String)" />
        <NavigationProperty Name="parts" Type="Collection(graph.part)" ContainsTarget="true" />
      </EntityType>
      <ComplexType Name="part"><Property Name="hue" Type="graph.color" /></ComplexType>
      <Action Name="spin" IsBound="true"><Parameter Name="bindingParameter" Type="graph.widget" /></Action>
      <Function Name="delta" IsBound="true"><Parameter Name="bindingParameter" Type="Collection(graph.widget)" /><ReturnType Type="Collection(graph.widget)" /></Function>
      <EntityContainer Name="GraphService">
        <EntitySet Name="widgets" EntityType="microsoft.graph.widget" />
        <Singleton Name="favorite" Type="microsoft.graph.widget" />
      </EntityContainer>
    </Schema>
  </edmx:DataServices>
</edmx:Edmx>"#;

    #[test]
    fn aliases_are_resolved_and_every_kind_of_element_is_read() {
        let csdl = parse(SMALL).expect("the sample parses");
        let names: Vec<&str> = csdl.types.iter().map(|t| t.name.as_str()).collect();
        assert_eq!(names, ["microsoft.graph.entity", "microsoft.graph.part", "microsoft.graph.widget"]);
        let widget = &csdl.types[2];
        assert_eq!(widget.base.as_deref(), Some("microsoft.graph.entity"));
        assert!(widget.entity && widget.open && !widget.is_abstract);
        assert_eq!(widget.properties[1].ty, CsdlType { name: "microsoft.graph.part".into(), collection: true });
        assert!(widget.properties[1].navigation);
        assert_eq!(widget.line, 7);
        assert_eq!(csdl.enums[0].members, ["red", "blue"]);
        assert_eq!(csdl.operations.len(), 2);
        assert_eq!(csdl.operations[1].binding.to_string(), "Collection(microsoft.graph.widget)");
        assert_eq!(
            csdl.roots[1],
            Root {
                name: "favorite".into(),
                kind: RootKind::Singleton,
                ty: Some(CsdlType { name: "microsoft.graph.widget".into(), collection: false })
            }
        );
    }

    #[test]
    fn a_document_that_is_not_csdl_is_an_error_that_says_so() {
        assert!(parse("<a>").unwrap_err().contains("not well-formed"));
        assert!(parse("<root/>").unwrap_err().contains("no `Schema`"));
    }
}
