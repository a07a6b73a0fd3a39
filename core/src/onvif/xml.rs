//! A small, bounded XML tree for SOAP messages, read with quick-xml's namespace-resolving reader: elements are
//! matched by namespace URI and local name (never by prefix, never by searching the text), and the input is
//! refused beyond fixed bounds (size, depth, element count) and when it declares a DTD (no entity expansion).

use std::fmt;

use quick_xml::events::Event;
use quick_xml::name::ResolveResult;
use quick_xml::reader::NsReader;

/// Bounds on one document.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Bytes of input.
    pub max_bytes: usize,
    /// Element nesting.
    pub max_depth: usize,
    /// Elements in all.
    pub max_elements: usize,
}

impl Default for Limits {
    /// 256 KiB, 32 levels, 4096 elements: far above any ONVIF request or answer this code reads.
    fn default() -> Self {
        Limits { max_bytes: 256 * 1024, max_depth: 32, max_elements: 4096 }
    }
}

/// One element: its namespace and local name, attributes, text (the concatenation of its own text and CDATA),
/// children, and where it starts in the input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Element {
    /// Namespace URI (`None`: no namespace).
    pub ns: Option<String>,
    /// Local name.
    pub name: String,
    /// Attributes by local name (namespaces of attributes are not needed here), unescaped.
    pub attrs: Vec<(String, String)>,
    /// Text content, unescaped.
    pub text: String,
    /// Child elements in order.
    pub children: Vec<Element>,
    /// Byte offset of its start tag.
    pub offset: usize,
}

impl Element {
    /// Whether it is `{ns}name`.
    pub fn is(&self, ns: &str, name: &str) -> bool {
        self.ns.as_deref() == Some(ns) && self.name == name
    }

    /// The first child `{ns}name`.
    pub fn child(&self, ns: &str, name: &str) -> Option<&Element> {
        self.children.iter().find(|c| c.is(ns, name))
    }

    /// The first child with this local name, in any namespace (for fields whose namespace varies between
    /// implementations of one schema: ONVIF's `tt:` types appear under several prefixes and versions).
    pub fn child_local(&self, name: &str) -> Option<&Element> {
        self.children.iter().find(|c| c.name == name)
    }

    /// Every child with this local name, in any namespace.
    pub fn children_local<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Element> {
        self.children.iter().filter(move |c| c.name == name)
    }

    /// The trimmed text of the first child with this local name.
    pub fn text_of(&self, name: &str) -> Option<&str> {
        self.child_local(name).map(|c| c.text.trim())
    }

    /// Follows a path of local names.
    pub fn path(&self, names: &[&str]) -> Option<&Element> {
        names.iter().try_fold(self, |e, name| e.child_local(name))
    }

    /// An attribute's value by local name.
    pub fn attr(&self, name: &str) -> Option<&str> {
        self.attrs.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str())
    }
}

/// Why a document was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct XmlError {
    /// Byte offset where the problem was found.
    pub offset: usize,
    /// What.
    pub kind: XmlErrorKind,
}

/// The kinds of [`XmlError`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum XmlErrorKind {
    /// Larger than the limit.
    TooLarge(usize),
    /// Nested deeper than the limit.
    TooDeep(usize),
    /// More elements than the limit.
    TooManyElements(usize),
    /// Not UTF-8.
    NotUtf8,
    /// A DTD (`<!DOCTYPE`): refused, it could declare entities.
    Dtd,
    /// No root element.
    Empty,
    /// Something after the root element, or a second root.
    Trailing,
    /// A name prefix that no `xmlns` declares.
    UnknownPrefix(String),
    /// Not well-formed XML (the parser's words).
    Syntax(String),
}

impl fmt::Display for XmlError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let at = self.offset;
        match &self.kind {
            XmlErrorKind::TooLarge(max) => write!(f, "XML larger than {max} bytes"),
            XmlErrorKind::TooDeep(max) => write!(f, "XML nested deeper than {max} levels at byte {at}"),
            XmlErrorKind::TooManyElements(max) => write!(f, "XML with more than {max} elements at byte {at}"),
            XmlErrorKind::NotUtf8 => write!(f, "XML that is not UTF-8 at byte {at}"),
            XmlErrorKind::Dtd => write!(f, "a DTD at byte {at}: not accepted"),
            XmlErrorKind::Empty => write!(f, "no XML element"),
            XmlErrorKind::Trailing => write!(f, "content after the root element at byte {at}"),
            XmlErrorKind::UnknownPrefix(p) => write!(f, "undeclared namespace prefix {p:?} at byte {at}"),
            XmlErrorKind::Syntax(why) => write!(f, "malformed XML at byte {at}: {why}"),
        }
    }
}

impl std::error::Error for XmlError {}

/// Reads one document into its root element.
pub fn parse(bytes: &[u8], limits: Limits) -> Result<Element, XmlError> {
    if bytes.len() > limits.max_bytes {
        return Err(XmlError { offset: limits.max_bytes, kind: XmlErrorKind::TooLarge(limits.max_bytes) });
    }
    let text = std::str::from_utf8(bytes)
        .map_err(|e| XmlError { offset: e.valid_up_to(), kind: XmlErrorKind::NotUtf8 })?;
    let mut reader = NsReader::from_str(text);
    let mut stack: Vec<Element> = Vec::new();
    let mut root: Option<Element> = None;
    let mut count = 0usize;
    loop {
        let offset = usize::try_from(reader.buffer_position()).unwrap_or(usize::MAX);
        let syntax = |e: quick_xml::Error, reader: &NsReader<&[u8]>| XmlError {
            offset: usize::try_from(reader.error_position()).unwrap_or(offset),
            kind: XmlErrorKind::Syntax(e.to_string()),
        };
        let (resolved, event) = match reader.read_resolved_event() {
            Ok((resolved, event)) => (namespace(resolved, offset)?, event),
            Err(e) => return Err(syntax(e, &reader)),
        };
        match event {
            Event::Start(_) | Event::Empty(_) if root.is_some() => {
                return Err(XmlError { offset, kind: XmlErrorKind::Trailing });
            }
            Event::Start(ref start) | Event::Empty(ref start) => {
                count += 1;
                if count > limits.max_elements {
                    return Err(XmlError {
                        offset,
                        kind: XmlErrorKind::TooManyElements(limits.max_elements),
                    });
                }
                if stack.len() >= limits.max_depth {
                    return Err(XmlError { offset, kind: XmlErrorKind::TooDeep(limits.max_depth) });
                }
                let name = start.local_name().as_ref().to_owned();
                let mut attrs = Vec::new();
                for attr in start.attributes() {
                    let attr =
                        attr.map_err(|e| XmlError { offset, kind: XmlErrorKind::Syntax(e.to_string()) })?;
                    let key = attr.key.local_name().as_ref().to_owned();
                    let value = attr
                        .normalized_value(quick_xml::XmlVersion::Implicit1_0)
                        .map_err(|e| syntax(e, &reader))?
                        .into_owned();
                    attrs.push((key, value));
                }
                let element =
                    Element { ns: resolved, name, attrs, text: String::new(), children: Vec::new(), offset };
                if matches!(event, Event::Empty(_)) {
                    close(&mut stack, &mut root, element);
                } else {
                    stack.push(element);
                }
            }
            Event::End(_) => {
                if let Some(element) = stack.pop() {
                    close(&mut stack, &mut root, element);
                }
            }
            Event::Text(t) => {
                let content = t.xml10_content();
                match stack.last_mut() {
                    Some(top) => top.text.push_str(&content),
                    None if content.trim().is_empty() => {}
                    None => return Err(XmlError { offset, kind: XmlErrorKind::Trailing }),
                }
            }
            Event::CData(t) => {
                if let Some(top) = stack.last_mut() {
                    top.text.push_str(&t.xml10_content());
                }
            }
            Event::GeneralRef(r) => {
                let name = r.xml10_content();
                let entity = format!("&{name};");
                let value = quick_xml::escape::unescape(&entity)
                    .map_err(|e| XmlError { offset, kind: XmlErrorKind::Syntax(e.to_string()) })?;
                if let Some(top) = stack.last_mut() {
                    top.text.push_str(&value);
                }
            }
            Event::DocType(_) => return Err(XmlError { offset, kind: XmlErrorKind::Dtd }),
            Event::Eof => break,
            Event::Decl(_) | Event::PI(_) | Event::Comment(_) => {}
        }
    }
    if !stack.is_empty() {
        let offset = text.len();
        return Err(XmlError {
            offset,
            kind: XmlErrorKind::Syntax("the document ends inside an element".into()),
        });
    }
    root.ok_or(XmlError { offset: 0, kind: XmlErrorKind::Empty })
}

fn namespace(resolved: ResolveResult<'_>, offset: usize) -> Result<Option<String>, XmlError> {
    match resolved {
        ResolveResult::Bound(ns) => Ok(Some(ns.as_ref().to_owned())),
        ResolveResult::Unbound => Ok(None),
        ResolveResult::Unknown(prefix) => Err(XmlError { offset, kind: XmlErrorKind::UnknownPrefix(prefix) }),
    }
}

/// Attaches a finished element to its parent, or makes it the root.
fn close(stack: &mut [Element], root: &mut Option<Element>, element: Element) {
    match stack.last_mut() {
        Some(parent) => parent.children.push(element),
        None => *root = Some(element),
    }
}

/// `text` escaped for an XML text node or attribute value.
pub fn escape(text: &str) -> std::borrow::Cow<'_, str> {
    quick_xml::escape::escape(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    const S: &str = "http://www.w3.org/2003/05/soap-envelope";

    #[test]
    fn elements_are_matched_by_namespace_not_prefix() {
        let doc = r#"<?xml version="1.0"?><a:Envelope xmlns:a="http://www.w3.org/2003/05/soap-envelope"
            xmlns:x="urn:x"><a:Body><x:Op Kind="k&amp;1">one &lt; two<![CDATA[ & three]]>&#33;</x:Op></a:Body></a:Envelope>"#;
        let root = parse(doc.as_bytes(), Limits::default()).expect("valid");
        assert!(root.is(S, "Envelope"));
        let op = root.child(S, "Body").and_then(|b| b.child("urn:x", "Op")).expect("op");
        assert_eq!((op.text.as_str(), op.attr("Kind")), ("one < two & three!", Some("k&1")));
        assert!(root.child("urn:other", "Body").is_none());
    }

    #[test]
    fn bounds_dtds_and_malformed_documents_are_errors_with_offsets() {
        let deep = "<a>".repeat(40) + &"</a>".repeat(40);
        assert_eq!(
            parse(deep.as_bytes(), Limits::default()).map_err(|e| e.kind),
            Err(XmlErrorKind::TooDeep(32))
        );
        let many = format!("<a>{}</a>", "<b/>".repeat(5000));
        assert!(matches!(
            parse(many.as_bytes(), Limits::default()).map_err(|e| e.kind),
            Err(XmlErrorKind::TooManyElements(_))
        ));
        let dtd = r#"<!DOCTYPE a [<!ENTITY x "y">]><a>&x;</a>"#;
        assert_eq!(parse(dtd.as_bytes(), Limits::default()).map_err(|e| e.kind), Err(XmlErrorKind::Dtd));
        let big = vec![b' '; 300 * 1024];
        assert!(matches!(parse(&big, Limits::default()).map_err(|e| e.kind), Err(XmlErrorKind::TooLarge(_))));
        assert_eq!(parse(b"  ", Limits::default()).map_err(|e| e.kind), Err(XmlErrorKind::Empty));
        assert_eq!(parse(b"<a/><b/>", Limits::default()).map_err(|e| e.kind), Err(XmlErrorKind::Trailing));
        let unknown = parse(b"<a><p:b/></a>", Limits::default()).expect_err("undeclared");
        assert_eq!((unknown.offset, unknown.kind), (3, XmlErrorKind::UnknownPrefix("p".into())));
        let bad = parse(b"<a><b></a>", Limits::default()).expect_err("mismatched");
        assert!(matches!(bad.kind, XmlErrorKind::Syntax(_)) && bad.offset > 0, "{bad}");
        assert_eq!(
            parse(b"<a>\xff</a>", Limits::default()).map_err(|e| (e.offset, e.kind)),
            Err((3, XmlErrorKind::NotUtf8))
        );
        assert!(parse(b"<a>", Limits::default()).is_err());
    }
}
