//! A small element tree over quick-xml: local names (prefixes dropped: `ram:Name` and a
//! default-namespace `Name` are the same element), text, and attributes, so the readers of
//! the two e-invoice syntaxes can ask for paths without namespace bookkeeping.

use quick_xml::Reader;
use quick_xml::events::{BytesStart, Event};

/// How deep an e-invoice nests at most; deeper input is refused rather than followed.
const MAX_DEPTH: usize = 64;
/// Most elements read: a 10,000-line invoice has ~300,000; more is not an invoice.
const MAX_ELEMENTS: usize = 1_000_000;

/// One element.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Node {
    pub name: String,
    pub text: String,
    pub attrs: Vec<(String, String)>,
    pub children: Vec<Node>,
}

impl Node {
    /// The first child named `name`.
    pub fn child(&self, name: &str) -> Option<&Node> {
        self.children.iter().find(|c| c.name == name)
    }

    /// Every child named `name`.
    pub fn children_named<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Node> + 'a {
        self.children.iter().filter(move |c| c.name == name)
    }

    /// The element at a path of child names (`["PostalTradeAddress", "CityName"]`).
    pub fn at(&self, path: &[&str]) -> Option<&Node> {
        path.iter().try_fold(self, |n, p| n.child(p))
    }

    /// The trimmed text at a path, `None` when absent or blank.
    pub fn text_at(&self, path: &[&str]) -> Option<String> {
        let t = self.at(path)?.text.trim();
        (!t.is_empty()).then(|| t.to_string())
    }

    /// The first element named `name` at any depth (depth-first, document order), not looking
    /// inside elements named in `skip`.
    pub fn find(&self, name: &str, skip: &[&str]) -> Option<&Node> {
        for c in &self.children {
            if c.name == name {
                return Some(c);
            }
            if skip.contains(&c.name.as_str()) {
                continue;
            }
            if let Some(n) = c.find(name, skip) {
                return Some(n);
            }
        }
        None
    }

    /// An attribute's value by local name.
    pub fn attr(&self, name: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

fn local(name: &str) -> String {
    name.rsplit_once(':').map_or(name, |(_, l)| l).to_string()
}

fn open(e: &BytesStart) -> Node {
    Node {
        name: local(e.name().as_ref()),
        attrs: e
            .attributes()
            .flatten()
            .map(|a| {
                let v = a
                    .normalized_value(quick_xml::XmlVersion::Implicit1_0)
                    .map(|v| v.into_owned())
                    .unwrap_or_else(|_| a.value.to_string());
                (local(a.key.as_ref()), v)
            })
            .collect(),
        ..Node::default()
    }
}

/// Parse `xml` into its root element; the reason when it is not well-formed.
pub fn parse(xml: &str) -> Result<Node, String> {
    let xml = xml.trim_start_matches('\u{feff}');
    let mut reader = Reader::from_str(xml);
    let mut stack: Vec<Node> = Vec::new();
    let mut count = 0usize;
    let mut root: Option<Node> = None;
    loop {
        let event = reader
            .read_event()
            .map_err(|e| format!("bad XML at byte {}: {e}", reader.error_position()))?;
        match event {
            Event::Start(e) => {
                count += 1;
                if stack.len() >= MAX_DEPTH || count > MAX_ELEMENTS {
                    return Err("the XML nests too deep or holds too many elements".into());
                }
                stack.push(open(&e));
            }
            Event::Empty(e) => {
                count += 1;
                let node = open(&e);
                match stack.last_mut() {
                    Some(parent) => parent.children.push(node),
                    None => root = Some(node),
                }
            }
            Event::End(_) => {
                let Some(node) = stack.pop() else {
                    return Err("an end tag without its start".into());
                };
                match stack.last_mut() {
                    Some(parent) => parent.children.push(node),
                    None => root = Some(node),
                }
            }
            Event::Text(t) => {
                if let Some(n) = stack.last_mut() {
                    n.text.push_str(&t.xml10_content());
                }
            }
            Event::CData(t) => {
                if let Some(n) = stack.last_mut() {
                    n.text.push_str(&t.xml10_content());
                }
            }
            Event::GeneralRef(r) => {
                if let Some(n) = stack.last_mut() {
                    n.text.push_str(&crate::pipeline::xml_ref::resolve(&r));
                }
            }
            Event::Eof => break,
            _ => {}
        }
        if root.is_some() && stack.is_empty() {
            break;
        }
    }
    root.ok_or_else(|| "no root element".into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn local_names_text_and_entities() {
        let n = parse(
            "\u{feff}<?xml version='1.0'?><rsm:Doc xmlns:rsm='u' xmlns:ram='v'>\
             <ram:Party a:b='1'><ram:Name>Sample GmbH &amp; Co. KG</ram:Name></ram:Party>\
             <ram:Party><ram:Name>Zweite</ram:Name></ram:Party><ram:E/></rsm:Doc>",
        )
        .unwrap();
        assert_eq!(n.name, "Doc");
        assert_eq!(
            n.text_at(&["Party", "Name"]).as_deref(),
            Some("Sample GmbH & Co. KG")
        );
        assert_eq!(n.children_named("Party").count(), 2);
        assert_eq!(n.child("Party").unwrap().attr("b"), Some("1"));
        assert!(n.child("E").is_some());
    }

    #[test]
    fn find_skips_the_subtrees_it_is_told_to() {
        let n = parse("<a><item><sum>1</sum></item><head><sum>2</sum></head></a>").unwrap();
        assert_eq!(n.find("sum", &[]).unwrap().text, "1");
        assert_eq!(n.find("sum", &["item"]).unwrap().text, "2");
    }

    #[test]
    fn broken_xml_is_an_error_not_a_panic() {
        assert!(parse("<a><b></a>").is_err());
        assert!(parse("").is_err());
        assert!(parse(&"<a>".repeat(100)).is_err());
    }
}
