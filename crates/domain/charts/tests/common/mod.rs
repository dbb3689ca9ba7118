//! A tiny strict XML tree built on quick-xml, for checking chart output: one root element, no
//! prolog, matched tags, unique attributes, only predefined or numeric entity references, and
//! only characters XML 1.0 allows.

#![allow(dead_code)]

use quick_xml::Reader;
use quick_xml::XmlVersion;
use quick_xml::events::{BytesStart, Event};

/// An element with its attributes and children.
#[derive(Debug, Clone)]
pub struct Element {
    pub name: String,
    pub attrs: Vec<(String, String)>,
    pub children: Vec<Node>,
}

/// A child: element or (unescaped) text.
#[derive(Debug, Clone)]
pub enum Node {
    Element(Element),
    Text(String),
}

impl Element {
    /// The value of attribute `name`.
    pub fn attr(&self, name: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// All text inside this element, concatenated.
    pub fn text(&self) -> String {
        let mut out = String::new();
        for child in &self.children {
            match child {
                Node::Text(t) => out.push_str(t),
                Node::Element(e) => out.push_str(&e.text()),
            }
        }
        out
    }

    /// Direct child elements.
    pub fn child_elements(&self) -> Vec<&Element> {
        self.children
            .iter()
            .filter_map(|c| match c {
                Node::Element(e) => Some(e),
                Node::Text(_) => None,
            })
            .collect()
    }

    /// This element and all elements below it, in document order.
    pub fn descendants(&self) -> Vec<&Element> {
        let mut out = vec![self];
        for child in self.child_elements() {
            out.extend(child.descendants());
        }
        out
    }

    /// All elements named `name` (including this one).
    pub fn find_all(&self, name: &str) -> Vec<&Element> {
        self.descendants()
            .into_iter()
            .filter(|e| e.name == name)
            .collect()
    }

    /// All elements with attribute `key` equal to `value`.
    pub fn with_attr(&self, key: &str, value: &str) -> Vec<&Element> {
        self.descendants()
            .into_iter()
            .filter(|e| e.attr(key) == Some(value))
            .collect()
    }

    /// Text of every `<text>` element.
    pub fn texts(&self) -> Vec<String> {
        self.find_all("text").iter().map(|e| e.text()).collect()
    }
}

fn legal_xml_char(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r')
        || ('\u{20}'..='\u{D7FF}').contains(&c)
        || ('\u{E000}'..='\u{FFFD}').contains(&c)
        || c >= '\u{10000}'
}

fn element(start: &BytesStart<'_>) -> Element {
    let name = start.name().into_inner().to_owned();
    let mut attrs: Vec<(String, String)> = Vec::new();
    for attr in start.attributes() {
        let attr = attr.unwrap_or_else(|e| panic!("bad attribute in <{name}>: {e}"));
        let key = attr.key.into_inner().to_owned();
        let value = attr
            .normalized_value(XmlVersion::Implicit1_0)
            .unwrap_or_else(|e| panic!("bad attribute value {key} in <{name}>: {e}"))
            .into_owned();
        attrs.push((key, value));
    }
    Element {
        name,
        attrs,
        children: Vec::new(),
    }
}

/// Parses `xml` strictly, panicking with a description on anything not well-formed.
pub fn parse(xml: &str) -> Element {
    if let Some(bad) = xml.chars().find(|c| !legal_xml_char(*c)) {
        panic!("character U+{:04X} is not allowed in XML", bad as u32);
    }
    let mut reader = Reader::from_str(xml);
    reader.config_mut().check_end_names = true;
    let mut stack: Vec<Element> = Vec::new();
    let mut root: Option<Element> = None;
    loop {
        let event = reader
            .read_event()
            .unwrap_or_else(|e| panic!("malformed XML at {}: {e}", reader.buffer_position()));
        let attach = |stack: &mut Vec<Element>, root: &mut Option<Element>, el: Element| match stack
            .last_mut()
        {
            Some(parent) => parent.children.push(Node::Element(el)),
            None => {
                assert!(root.is_none(), "more than one root element");
                *root = Some(el);
            }
        };
        match event {
            Event::Start(start) => {
                assert!(root.is_none(), "content after the root element");
                stack.push(element(&start));
            }
            Event::Empty(start) => {
                assert!(
                    root.is_none() || !stack.is_empty(),
                    "content after the root element"
                );
                let el = element(&start);
                attach(&mut stack, &mut root, el);
            }
            Event::End(_) => {
                let el = stack.pop().expect("end tag without start");
                attach(&mut stack, &mut root, el);
            }
            Event::Text(text) => {
                let text = text.xml_content(XmlVersion::Implicit1_0).into_owned();
                match stack.last_mut() {
                    Some(parent) => parent.children.push(Node::Text(text)),
                    None => assert!(text.trim().is_empty(), "text outside the root: {text:?}"),
                }
            }
            Event::GeneralRef(reference) => {
                let resolved = match reference.resolve_char_ref() {
                    Ok(Some(c)) => c.to_string(),
                    Ok(None) => match &*reference {
                        "lt" => "<".to_owned(),
                        "gt" => ">".to_owned(),
                        "amp" => "&".to_owned(),
                        "quot" => "\"".to_owned(),
                        "apos" => "'".to_owned(),
                        other => panic!("undefined entity &{other};"),
                    },
                    Err(e) => panic!("bad character reference: {e}"),
                };
                let parent = stack.last_mut().expect("reference outside the root");
                parent.children.push(Node::Text(resolved));
            }
            Event::Eof => break,
            Event::CData(_) => panic!("unexpected CDATA"),
            Event::Comment(_) => panic!("unexpected comment"),
            Event::Decl(_) => panic!("unexpected XML declaration"),
            Event::PI(_) => panic!("unexpected processing instruction"),
            Event::DocType(_) => panic!("unexpected DOCTYPE"),
        }
    }
    assert!(stack.is_empty(), "unclosed elements: {}", stack.len());
    root.expect("no root element")
}

/// Parses `svg` and checks what every chart must have: an `<svg>` root with `viewBox`,
/// `role="img"`, width 100% and automatic height, `<title>` and `<desc>` as the first children
/// (linked by `aria-labelledby`), no text smaller than 12 units, and numbers in attributes with
/// at most one decimal.
pub fn check_chart(svg: &str) -> Element {
    assert!(svg.starts_with("<svg "), "must start with <svg: {svg:.40}");
    assert!(svg.ends_with("</svg>"));
    let root = parse(svg);
    assert_eq!(root.name, "svg");
    assert_eq!(root.attr("xmlns"), Some("http://www.w3.org/2000/svg"));
    assert_eq!(root.attr("role"), Some("img"));
    assert_eq!(root.attr("width"), Some("100%"));
    assert!(root.attr("height").is_none());
    assert!(root.attr("style").unwrap().contains("height:auto"));
    let view_box: Vec<f64> = root
        .attr("viewBox")
        .expect("viewBox")
        .split(' ')
        .map(|s| s.parse().unwrap())
        .collect();
    assert_eq!(view_box.len(), 4);
    assert!(view_box[2] > 0.0 && view_box[3] > 0.0);

    let children = root.child_elements();
    assert_eq!(children[0].name, "title");
    assert_eq!(children[1].name, "desc");
    let ids = format!(
        "{} {}",
        children[0].attr("id").unwrap(),
        children[1].attr("id").unwrap()
    );
    assert_eq!(root.attr("aria-labelledby"), Some(ids.as_str()));
    assert!(!children[1].text().trim().is_empty(), "empty desc");

    for el in root.descendants() {
        if let Some(size) = el.attr("font-size") {
            let size: f64 = size.parse().unwrap();
            assert!(size >= 12.0, "font-size {size} too small");
        }
        for (key, value) in &el.attrs {
            if key == "style" || key == "font-family" || key.starts_with("aria") || key == "id" {
                continue;
            }
            assert_at_most_one_decimal(value);
        }
    }
    for forbidden in ["NaN", "inf", "<?xml", "<style", "<script", "href"] {
        assert!(!svg.contains(forbidden), "output contains {forbidden}");
    }
    root
}

/// Every decimal number in `value` has at most one digit after the point.
pub fn assert_at_most_one_decimal(value: &str) {
    let mut in_number = false;
    let mut after_point: Option<usize> = None;
    for c in value.chars() {
        if c.is_ascii_digit() {
            in_number = true;
            if let Some(count) = after_point.as_mut() {
                *count += 1;
                assert!(*count <= 1, "more than one decimal in {value:?}");
            }
        } else if c == '.' && in_number {
            after_point = Some(0);
        } else {
            in_number = false;
            after_point = None;
        }
    }
}
