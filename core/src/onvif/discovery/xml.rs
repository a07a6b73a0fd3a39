//! A small, bounded element tree read with quick-xml's namespace-resolving reader ([`NsReader`]).
//!
//! Every element is named by its namespace URI and local name, never by its prefix. The one place where XML
//! puts prefixes into text, a `wsd:Types` list of QNames, is resolved while the element's namespace bindings
//! are still in scope. Input size and nesting depth are bounded before anything is allocated per element.

use quick_xml::escape::resolve_predefined_entity;
use quick_xml::events::{BytesStart, Event};
use quick_xml::name::ResolveResult;
use quick_xml::reader::NsReader;

use super::{MAX_DEPTH, MAX_ITEMS, MAX_MESSAGE_BYTES, NS_DISCOVERY, ParseError, ParseErrorKind, QName};

/// An element: its expanded name, attributes, direct character data and child elements.
#[derive(Debug, Default)]
pub(super) struct Element {
    /// The namespace URI, empty when the element is in no namespace.
    pub(super) namespace: String,
    pub(super) local: String,
    /// Byte offset of the start tag in the input.
    pub(super) offset: u64,
    /// Attributes as (namespace URI or empty, local name, unescaped value); namespace declarations excluded.
    pub(super) attributes: Vec<(String, String, String)>,
    /// The character data directly inside the element (entities and CDATA resolved).
    pub(super) text: String,
    pub(super) children: Vec<Element>,
    /// For `wsd:Types`: its QName list, resolved against the bindings in scope at the element.
    pub(super) qnames: Vec<QName>,
}

impl Element {
    /// Whether the element is `{namespace}local`.
    pub(super) fn is(&self, namespace: &str, local: &str) -> bool {
        self.namespace == namespace && self.local == local
    }

    /// The first child `{namespace}local`.
    pub(super) fn child(&self, namespace: &str, local: &str) -> Option<&Element> {
        self.children.iter().find(|c| c.is(namespace, local))
    }

    /// The value of the attribute `local` in no namespace.
    pub(super) fn attribute(&self, local: &str) -> Option<&str> {
        self.attributes
            .iter()
            .find(|(ns, name, _)| ns.is_empty() && name == local)
            .map(|(_, _, v)| v.as_str())
    }

    /// `{namespace}local` for messages.
    pub(super) fn expanded_name(&self) -> String {
        if self.namespace.is_empty() {
            self.local.clone()
        } else {
            format!("{{{}}}{}", self.namespace, self.local)
        }
    }
}

/// Reads the whole document into its root element, enforcing the size and depth limits.
pub(super) fn read_tree(input: &[u8]) -> Result<Element, ParseError> {
    if input.len() > MAX_MESSAGE_BYTES {
        return Err(ParseError::new(
            MAX_MESSAGE_BYTES as u64,
            ParseErrorKind::TooLarge { len: input.len(), max: MAX_MESSAGE_BYTES },
        ));
    }
    let text = std::str::from_utf8(input)
        .map_err(|e| ParseError::new(e.valid_up_to() as u64, ParseErrorKind::NotUtf8))?;
    let mut reader = NsReader::from_str(text);
    reader.config_mut().check_end_names = true;
    let mut stack: Vec<Element> = Vec::new();
    let mut root: Option<Element> = None;
    loop {
        let offset = reader.buffer_position();
        let event = match reader.read_event() {
            Ok(event) => event,
            Err(e) => {
                return Err(ParseError::new(
                    reader.error_position(),
                    ParseErrorKind::Xml { detail: e.to_string() },
                ));
            }
        };
        match event {
            Event::Start(_) | Event::Empty(_) if root.is_some() => {
                return Err(ParseError::new(
                    offset,
                    ParseErrorKind::Xml { detail: "content after the root element".into() },
                ));
            }
            Event::Start(start) => {
                if stack.len() >= MAX_DEPTH {
                    return Err(ParseError::new(offset, ParseErrorKind::TooDeep { max: MAX_DEPTH }));
                }
                stack.push(open(&reader, &start, offset)?);
            }
            Event::Empty(start) => {
                if stack.len() >= MAX_DEPTH {
                    return Err(ParseError::new(offset, ParseErrorKind::TooDeep { max: MAX_DEPTH }));
                }
                let element = open(&reader, &start, offset)?;
                close(element, &mut stack, &mut root);
            }
            Event::End(_) => {
                let Some(mut element) = stack.pop() else {
                    return Err(ParseError::new(
                        offset,
                        ParseErrorKind::Xml { detail: "end tag without start".into() },
                    ));
                };
                if element.is(NS_DISCOVERY, "Types") {
                    // The bindings of `element` are still in scope: the reader pops them on the next read.
                    element.qnames = resolve_qnames(&reader, &element.text, element.offset)?;
                }
                close(element, &mut stack, &mut root);
            }
            Event::Text(t) => push_text(&mut stack, &t.xml10_content(), offset)?,
            Event::CData(c) => push_text(&mut stack, &c.into_inner(), offset)?,
            Event::GeneralRef(r) => {
                let resolved = match r.resolve_char_ref() {
                    Ok(Some(ch)) => ch.to_string(),
                    Ok(None) => match resolve_predefined_entity(&r.xml10_content()) {
                        Some(s) => s.to_owned(),
                        None => {
                            return Err(ParseError::new(
                                offset,
                                ParseErrorKind::Xml {
                                    detail: format!("unknown entity &{};", r.xml10_content()),
                                },
                            ));
                        }
                    },
                    Err(e) => {
                        return Err(ParseError::new(offset, ParseErrorKind::Xml { detail: e.to_string() }));
                    }
                };
                push_text(&mut stack, &resolved, offset)?;
            }
            Event::DocType(_) => {
                // SOAP forbids a DTD; refusing it also shuts out entity expansion.
                return Err(ParseError::new(
                    offset,
                    ParseErrorKind::Xml { detail: "a DOCTYPE is not allowed in SOAP".into() },
                ));
            }
            Event::Comment(_) | Event::Decl(_) | Event::PI(_) => {}
            Event::Eof => break,
        }
    }
    if !stack.is_empty() {
        return Err(ParseError::new(
            reader.buffer_position(),
            ParseErrorKind::Xml { detail: "unclosed element".into() },
        ));
    }
    root.ok_or_else(|| ParseError::new(0, ParseErrorKind::Xml { detail: "no root element".into() }))
}

/// A new element from its start tag: expanded name and attributes.
fn open(reader: &NsReader<&[u8]>, start: &BytesStart<'_>, offset: u64) -> Result<Element, ParseError> {
    let (resolved, local) = reader.resolver().resolve_element(start.name());
    let namespace = namespace_of(resolved, offset)?;
    let mut attributes = Vec::new();
    for attribute in start.attributes() {
        let attribute =
            attribute.map_err(|e| ParseError::new(offset, ParseErrorKind::Xml { detail: e.to_string() }))?;
        if attribute.key.as_namespace_binding().is_some() {
            continue;
        }
        let (resolved, name) = reader.resolver().resolve_attribute(attribute.key);
        let attr_ns = namespace_of(resolved, offset)?;
        let value = attribute
            .normalized_value(quick_xml::XmlVersion::Implicit1_0)
            .map_err(|e| ParseError::new(offset, ParseErrorKind::Xml { detail: e.to_string() }))?;
        attributes.push((attr_ns, name.as_ref().to_owned(), value.into_owned()));
    }
    Ok(Element { namespace, local: local.as_ref().to_owned(), offset, attributes, ..Element::default() })
}

/// Attaches a finished element to its parent, or makes it the root.
fn close(element: Element, stack: &mut [Element], root: &mut Option<Element>) {
    match stack.last_mut() {
        Some(parent) => parent.children.push(element),
        None => *root = Some(element),
    }
}

fn push_text(stack: &mut [Element], text: &str, offset: u64) -> Result<(), ParseError> {
    match stack.last_mut() {
        Some(top) => top.text.push_str(text),
        None if text.trim().is_empty() => {}
        None => {
            return Err(ParseError::new(
                offset,
                ParseErrorKind::Xml { detail: "text outside the root element".into() },
            ));
        }
    }
    Ok(())
}

fn namespace_of(resolved: ResolveResult<'_>, offset: u64) -> Result<String, ParseError> {
    match resolved {
        ResolveResult::Bound(ns) => Ok(ns.as_ref().to_owned()),
        ResolveResult::Unbound => Ok(String::new()),
        ResolveResult::Unknown(prefix) => {
            Err(ParseError::new(offset, ParseErrorKind::UnknownPrefix { prefix }))
        }
    }
}

/// A whitespace-separated list of `prefix:local` (or `local`, in the default namespace) QNames.
fn resolve_qnames(reader: &NsReader<&[u8]>, text: &str, offset: u64) -> Result<Vec<QName>, ParseError> {
    let mut out = Vec::new();
    for token in text.split_whitespace() {
        if out.len() >= MAX_ITEMS {
            return Err(ParseError::new(offset, ParseErrorKind::TooMany { what: "types", max: MAX_ITEMS }));
        }
        let name = quick_xml::name::QName(token);
        let (local, prefix) = name.decompose();
        let local = local.as_ref();
        if local.is_empty() || local.contains(':') {
            return Err(ParseError::new(
                offset,
                ParseErrorKind::Invalid { what: "type", detail: format!("`{token}` is not a QName") },
            ));
        }
        if prefix.is_some_and(|p| p.is_xmlns()) {
            return Err(ParseError::new(
                offset,
                ParseErrorKind::Invalid {
                    what: "type",
                    detail: format!("`{token}`: the prefix xmlns is reserved"),
                },
            ));
        }
        let namespace = namespace_of(reader.resolver().resolve_prefix(prefix, true), offset)?;
        out.push(QName { namespace, local: local.to_owned() });
    }
    Ok(out)
}
