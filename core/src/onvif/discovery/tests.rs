use super::*;
#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

/// As an Axis camera answers (SOAP 1.2 `SOAP-ENV`, discovery as `d:`, extra header elements, one line).
const AXIS_PROBE_MATCHES: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<SOAP-ENV:Envelope xmlns:SOAP-ENV="http://www.w3.org/2003/05/soap-envelope" xmlns:SOAP-ENC="http://www.w3.org/2003/05/soap-encoding" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:wsa="http://schemas.xmlsoap.org/ws/2004/08/addressing" xmlns:d="http://schemas.xmlsoap.org/ws/2005/04/discovery" xmlns:dn="http://www.onvif.org/ver10/network/wsdl" xmlns:tds="http://www.onvif.org/ver10/device/wsdl"><SOAP-ENV:Header><wsa:MessageID>uuid:a3bc8f9e-0b1c-4e5a-9f3e-00408c1a2b3c</wsa:MessageID><wsa:RelatesTo>urn:uuid:0f5d604c-81ac-4abc-8010-51dbffad55f2</wsa:RelatesTo><wsa:To SOAP-ENV:mustUnderstand="true">http://schemas.xmlsoap.org/ws/2004/08/addressing/role/anonymous</wsa:To><wsa:Action SOAP-ENV:mustUnderstand="true">http://schemas.xmlsoap.org/ws/2005/04/discovery/ProbeMatches</wsa:Action><d:AppSequence SOAP-ENV:mustUnderstand="true" MessageNumber="68" InstanceId="1700000000"></d:AppSequence></SOAP-ENV:Header><SOAP-ENV:Body><d:ProbeMatches><d:ProbeMatch><wsa:EndpointReference><wsa:Address>urn:uuid:a3bc8f9e-0b1c-4e5a-9f3e-00408c1a2b3c</wsa:Address><wsa:ReferenceProperties></wsa:ReferenceProperties><wsa:PortType>ttl</wsa:PortType></wsa:EndpointReference><d:Types>dn:NetworkVideoTransmitter tds:Device</d:Types><d:Scopes>onvif://www.onvif.org/type/video_encoder onvif://www.onvif.org/Profile/Streaming onvif://www.onvif.org/hardware/M3046-V onvif://www.onvif.org/name/AXIS%20M3046-V onvif://www.onvif.org/location/</d:Scopes><d:XAddrs>http://192.0.2.20/onvif/device_service http://[2001:db8::20]/onvif/device_service</d:XAddrs><d:MetadataVersion>1</d:MetadataVersion></d:ProbeMatch></d:ProbeMatches></SOAP-ENV:Body></SOAP-ENV:Envelope>"#;

/// As a Hikvision camera answers: `env:`, addressing as `wsadis:`, discovery as `wsdd:`... and pretty-printed
/// with CRLF, two matches, an extension element the reader must skip.
const HIK_PROBE_MATCHES: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\r\n<env:Envelope xmlns:env=\"http://www.w3.org/2003/05/soap-envelope\"\r\n  xmlns:wsadis=\"http://schemas.xmlsoap.org/ws/2004/08/addressing\"\r\n  xmlns:wsdd=\"http://schemas.xmlsoap.org/ws/2005/04/discovery\">\r\n <env:Header>\r\n  <wsadis:MessageID>\r\n    urn:uuid:11111111-2222-3333-4444-555555555555\r\n  </wsadis:MessageID>\r\n  <wsadis:RelatesTo>urn:uuid:0f5d604c-81ac-4abc-8010-51dbffad55f2</wsadis:RelatesTo>\r\n  <wsadis:To>http://schemas.xmlsoap.org/ws/2004/08/addressing/role/anonymous</wsadis:To>\r\n  <wsadis:Action>http://schemas.xmlsoap.org/ws/2005/04/discovery/ProbeMatches</wsadis:Action>\r\n </env:Header>\r\n <env:Body>\r\n  <wsdd:ProbeMatches>\r\n   <wsdd:ProbeMatch xmlns:ns=\"http://www.onvif.org/ver10/network/wsdl\">\r\n    <wsadis:EndpointReference><wsadis:Address>urn:uuid:54575a53-4d4c-4d2e-b8c3-bcbac2d4e6f1</wsadis:Address></wsadis:EndpointReference>\r\n    <wsdd:Types>\r\n      ns:NetworkVideoTransmitter\r\n    </wsdd:Types>\r\n    <wsdd:Scopes>onvif://www.onvif.org/type/video_encoder\r\n      onvif://www.onvif.org/name/HIKVISION%20DS-2CD2143G2-I\r\n      onvif://www.onvif.org/hardware/DS-2CD2143G2-I</wsdd:Scopes>\r\n    <wsdd:XAddrs>http://192.0.2.30/onvif/device_service</wsdd:XAddrs>\r\n    <wsdd:MetadataVersion>10</wsdd:MetadataVersion>\r\n    <vendor:Extra xmlns:vendor=\"urn:example:vendor\"><vendor:Deep><vendor:Deeper/></vendor:Deep></vendor:Extra>\r\n   </wsdd:ProbeMatch>\r\n   <wsdd:ProbeMatch xmlns:x=\"http://www.onvif.org/ver10/device/wsdl\">\r\n    <wsadis:EndpointReference><wsadis:Address>urn:uuid:54575a53-4d4c-4d2e-b8c3-bcbac2d4e6f2</wsadis:Address></wsadis:EndpointReference>\r\n    <wsdd:Types>x:Device</wsdd:Types>\r\n    <wsdd:MetadataVersion>3</wsdd:MetadataVersion>\r\n   </wsdd:ProbeMatch>\r\n  </wsdd:ProbeMatches>\r\n </env:Body>\r\n</env:Envelope>\r\n";

/// Discovery in the default namespace (so `Types` QNames without a prefix are in it too), SOAP 1.1, entities
/// and CDATA in text.
const DEFAULT_NS_HELLO: &str = r#"<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/" xmlns:a="http://schemas.xmlsoap.org/ws/2004/08/addressing">
  <s:Header><a:MessageID>urn:uuid:22222222-0000-0000-0000-000000000001</a:MessageID><a:Action>http://schemas.xmlsoap.org/ws/2005/04/discovery/Hello</a:Action>
    <AppSequence xmlns="http://schemas.xmlsoap.org/ws/2005/04/discovery" InstanceId="7" MessageNumber="2"/></s:Header>
  <s:Body><Hello xmlns="http://schemas.xmlsoap.org/ws/2005/04/discovery" xmlns:dn="http://www.onvif.org/ver10/network/wsdl">
    <a:EndpointReference><a:Address>urn:uuid:22222222-0000-0000-0000-00000000000a</a:Address></a:EndpointReference>
    <Types>dn:NetworkVideoTransmitter LocalType</Types>
    <Scopes>onvif://www.onvif.org/name/Cam&amp;Co onvif://www.onvif.org/location/<![CDATA[hall]]></Scopes>
    <XAddrs>http://192.0.2.40:8080/onvif/device_service</XAddrs>
    <MetadataVersion>2</MetadataVersion>
  </Hello></s:Body></s:Envelope>"#;

/// As Python's WSDiscovery sends a Probe: one-letter prefixes, a random prefix for the type's namespace.
const PYTHON_PROBE: &str = r#"<?xml version="1.0" ?><s:Envelope xmlns:a="http://schemas.xmlsoap.org/ws/2004/08/addressing" xmlns:d="http://schemas.xmlsoap.org/ws/2005/04/discovery" xmlns:s="http://www.w3.org/2003/05/soap-envelope" xmlns:qzkwp="http://www.onvif.org/ver10/network/wsdl"><s:Header><a:Action>http://schemas.xmlsoap.org/ws/2005/04/discovery/Probe</a:Action><a:MessageID>urn:uuid:3a0c4d1e-5f6a-4b7c-8d9e-0f1a2b3c4d5e</a:MessageID><a:To>urn:schemas-xmlsoap-org:ws:2005:04:discovery</a:To></s:Header><s:Body><d:Probe><d:Types>qzkwp:NetworkVideoTransmitter</d:Types><d:Scopes>onvif://www.onvif.org/name</d:Scopes></d:Probe></s:Body></s:Envelope>"#;

fn nvt() -> QName {
    QName::network_video_transmitter()
}

fn device() -> QName {
    QName::onvif_device()
}

fn parse_ok(input: &str) -> Message {
    match parse(input.as_bytes()) {
        Ok(m) => m,
        Err(e) => panic!("{e}"),
    }
}

fn parse_err(input: &[u8]) -> ParseError {
    match parse(input) {
        Ok(m) => panic!("parsed: {m:?}"),
        Err(e) => e,
    }
}

#[test]
fn axis_probe_matches_parse() {
    let Message::ProbeMatches(pm) = parse_ok(AXIS_PROBE_MATCHES) else { panic!("not ProbeMatches") };
    assert_eq!(pm.relates_to, "urn:uuid:0f5d604c-81ac-4abc-8010-51dbffad55f2");
    assert_eq!(pm.app_sequence, Some(AppSequence { instance_id: 1_700_000_000, message_number: 68 }));
    let [m] = pm.matches.as_slice() else { panic!("{} matches", pm.matches.len()) };
    assert_eq!(m.endpoint_reference, "urn:uuid:a3bc8f9e-0b1c-4e5a-9f3e-00408c1a2b3c");
    assert_eq!(m.types, vec![nvt(), device()]);
    assert_eq!(m.scopes.len(), 5);
    assert_eq!(m.scopes[3], "onvif://www.onvif.org/name/AXIS%20M3046-V");
    assert_eq!(
        m.xaddrs,
        vec!["http://192.0.2.20/onvif/device_service", "http://[2001:db8::20]/onvif/device_service"]
    );
    assert_eq!(m.metadata_version, 1);
}

#[test]
fn hikvision_style_probe_matches_parse_with_other_prefixes_and_extensions() {
    let Message::ProbeMatches(pm) = parse_ok(HIK_PROBE_MATCHES) else { panic!("not ProbeMatches") };
    assert_eq!(pm.message_id, "urn:uuid:11111111-2222-3333-4444-555555555555", "text is trimmed");
    assert_eq!(pm.app_sequence, None);
    assert_eq!(pm.matches.len(), 2);
    assert_eq!(pm.matches[0].types, vec![nvt()], "prefix `ns` declared on the ProbeMatch");
    assert_eq!(pm.matches[0].scopes.len(), 3);
    assert_eq!(pm.matches[0].metadata_version, 10);
    assert_eq!(pm.matches[1].types, vec![device()]);
    assert!(pm.matches[1].xaddrs.is_empty());
}

#[test]
fn default_namespace_soap11_hello_with_entities_parses() {
    let Message::Hello(h) = parse_ok(DEFAULT_NS_HELLO) else { panic!("not Hello") };
    assert_eq!(h.app_sequence, Some(AppSequence { instance_id: 7, message_number: 2 }));
    assert_eq!(h.service.types, vec![nvt(), QName::new(NS_DISCOVERY, "LocalType")]);
    assert_eq!(
        h.service.scopes,
        vec!["onvif://www.onvif.org/name/Cam&Co", "onvif://www.onvif.org/location/hall"]
    );
    assert_eq!(h.service.xaddrs, vec!["http://192.0.2.40:8080/onvif/device_service"]);
}

#[test]
fn python_probe_parses_and_matches_by_namespace_not_prefix() {
    let Message::Probe(p) = parse_ok(PYTHON_PROBE) else { panic!("not Probe") };
    assert_eq!(p.message_id, "urn:uuid:3a0c4d1e-5f6a-4b7c-8d9e-0f1a2b3c4d5e");
    assert_eq!(p.types, vec![nvt()]);
    assert_eq!(p.match_by, MatchBy::Rfc3986);
    let scopes = vec!["onvif://www.onvif.org/name/cam1".to_owned()];
    assert!(p.matches(&[device(), nvt()], &scopes));
    assert!(!p.matches(&[device()], &scopes), "type not offered");
    assert!(!p.matches(&[nvt()], &["onvif://www.onvif.org/names/cam1".to_owned()]), "not a segment prefix");
}

#[test]
fn same_local_name_in_another_namespace_is_not_the_type() {
    let probe = PYTHON_PROBE
        .replace("xmlns:qzkwp=\"http://www.onvif.org/ver10/network/wsdl\"", "xmlns:qzkwp=\"urn:other\"");
    let Message::Probe(p) = parse_ok(&probe) else { panic!("not Probe") };
    assert_eq!(p.types, vec![QName::new("urn:other", "NetworkVideoTransmitter")]);
    assert!(!p.matches(&[nvt()], &["onvif://www.onvif.org/name/x".to_owned()]));
}

#[test]
fn body_element_in_another_namespace_is_refused() {
    let probe = PYTHON_PROBE.replace(
        "xmlns:d=\"http://schemas.xmlsoap.org/ws/2005/04/discovery\"",
        "xmlns:d=\"http://docs.oasis-open.org/ws-dd/ns/discovery/2009/01\"",
    );
    let e = parse_err(probe.as_bytes());
    assert!(
        matches!(&e.kind, ParseErrorKind::Unexpected { found, .. } if found.contains("2009/01}Probe")),
        "{e}"
    );
    assert_eq!(e.offset as usize, probe.find("<d:Probe>").unwrap_or_default());
}

#[test]
fn scope_rules() {
    let r = MatchBy::Rfc3986;
    assert!(scope_matches(&r, "onvif://www.onvif.org/type", "onvif://www.onvif.org/type/video_encoder"));
    assert!(scope_matches(&r, "ONVIF://WWW.onvif.org/type/", "onvif://www.onvif.org/type/video_encoder"));
    assert!(scope_matches(&r, "onvif://www.onvif.org", "onvif://www.onvif.org/type/video_encoder"));
    assert!(!scope_matches(&r, "onvif://www.onvif.org/Type", "onvif://www.onvif.org/type/video_encoder"));
    assert!(!scope_matches(&r, "onvif://www.onvif.org/ty", "onvif://www.onvif.org/type"));
    assert!(!scope_matches(&r, "onvif://www.onvif.org/type/a/b", "onvif://www.onvif.org/type/a"));
    assert!(!scope_matches(&r, "onvif://other.org/type", "onvif://www.onvif.org/type"));
    assert!(!scope_matches(&r, "http://www.onvif.org/type", "onvif://www.onvif.org/type"));
    assert!(!scope_matches(&r, "onvif://www.onvif.org/type?x", "onvif://www.onvif.org/type"));
    assert!(!scope_matches(&r, "no scheme", "onvif://www.onvif.org/type"));
    assert!(scope_matches(&MatchBy::Strcmp0, "a:b", "a:b"));
    assert!(!scope_matches(&MatchBy::Strcmp0, "a:b", "a:b/c"));
    assert!(!scope_matches(&MatchBy::Other("urn:x".into()), "a:b", "a:b"));
    assert_eq!(MatchBy::from_uri(MATCH_BY_RFC2396), MatchBy::Rfc3986);
    assert_eq!(MatchBy::from_uri(MATCH_BY_STRCMP0), MatchBy::Strcmp0);
}

#[test]
fn empty_probe_matches_everything() {
    let p =
        Probe { message_id: "urn:uuid:1".into(), types: vec![], scopes: vec![], match_by: MatchBy::Rfc3986 };
    assert!(p.matches(&[], &[]));
}

fn sample_service() -> ProbeMatch {
    ProbeMatch {
        endpoint_reference: "urn:uuid:5f0e2a0e-0000-4000-8000-000000000001".into(),
        types: vec![nvt(), device(), QName::new("urn:example:x", "Other")],
        scopes: vec![
            "onvif://www.onvif.org/name/a&b<c>".into(),
            "onvif://www.onvif.org/type/video_encoder".into(),
        ],
        xaddrs: vec!["http://10.0.0.1/onvif/device_service?a=1&b=2".into()],
        metadata_version: 4,
    }
}

#[test]
fn every_message_round_trips() {
    let seq = Some(AppSequence { instance_id: 9, message_number: 3 });
    let messages = vec![
        Message::Probe(Probe {
            message_id: "urn:uuid:p".into(),
            types: vec![nvt()],
            scopes: vec!["onvif://www.onvif.org/type".into()],
            match_by: MatchBy::Strcmp0,
        }),
        Message::ProbeMatches(ProbeMatches {
            message_id: "urn:uuid:m".into(),
            relates_to: "urn:uuid:p".into(),
            app_sequence: seq,
            matches: vec![sample_service(), ProbeMatch { types: vec![], ..sample_service() }],
        }),
        Message::Hello(Hello {
            message_id: "urn:uuid:h".into(),
            app_sequence: seq,
            service: sample_service(),
        }),
        Message::Probe(Probe {
            message_id: "urn:uuid:p2".into(),
            types: vec![],
            scopes: vec!["a:b".into()],
            match_by: MatchBy::Other("urn:rule\r\n\tx&y".into()),
        }),
        Message::Bye(Bye {
            message_id: "urn:uuid:b".into(),
            app_sequence: None,
            endpoint_reference: "urn:uuid:5f0e2a0e".into(),
        }),
    ];
    for m in messages {
        let xml = m.to_xml().unwrap_or_else(|e| panic!("{e}"));
        assert!(!xml.contains("a&b<c>"), "text is escaped: {xml}");
        assert_eq!(parse_ok(&xml), m, "{xml}");
    }
}

#[test]
fn built_probe_uses_onvif_prefixes_and_the_multicast_address() {
    let p = Probe {
        message_id: "urn:uuid:p".into(),
        types: vec![nvt(), device()],
        scopes: vec![],
        match_by: MatchBy::Rfc3986,
    };
    let xml = p.to_xml().unwrap_or_else(|e| panic!("{e}"));
    assert!(xml.contains("<wsd:Types>dn:NetworkVideoTransmitter tds:Device</wsd:Types>"), "{xml}");
    assert!(xml.contains(TO_DISCOVERY) && xml.contains(ACTION_PROBE), "{xml}");
    assert!(!xml.contains("Scopes"), "{xml}");
}

#[test]
fn building_refuses_values_that_would_change_a_list() {
    let mut s = sample_service();
    s.scopes.push("onvif://a b".into());
    let hello = Hello { message_id: "urn:uuid:h".into(), app_sequence: None, service: s };
    assert!(matches!(hello.to_xml(), Err(BuildError::Invalid { what: "scope", .. })));
    let mut s = sample_service();
    s.types.push(QName::new("urn:x", "a:b"));
    let hello = Hello { message_id: "urn:uuid:h".into(), app_sequence: None, service: s };
    assert!(matches!(hello.to_xml(), Err(BuildError::Invalid { what: "type local name", .. })));
    let mut s = sample_service();
    s.types.push(QName::new("urn:x&y", "T"));
    let hello = Hello { message_id: "urn:uuid:h".into(), app_sequence: None, service: s };
    assert!(matches!(hello.to_xml(), Err(BuildError::Invalid { what: "type namespace", .. })));
    let bye = Bye { message_id: String::new(), app_sequence: None, endpoint_reference: "urn:uuid:x".into() };
    assert!(matches!(bye.to_xml(), Err(BuildError::Invalid { what: "wsa:MessageID", .. })));
    let mut s = sample_service();
    s.xaddrs = vec!["http://x/".into(); MAX_ITEMS + 1];
    let hello = Hello { message_id: "urn:uuid:h".into(), app_sequence: None, service: s };
    assert!(matches!(hello.to_xml(), Err(BuildError::TooLarge { .. })));
}

#[test]
fn malformed_inputs_give_errors_with_offsets() {
    // Truncated in the middle of a tag.
    let cut = &AXIS_PROBE_MATCHES.as_bytes()[..600];
    let e = parse_err(cut);
    assert!(matches!(e.kind, ParseErrorKind::Xml { .. }), "{e}");
    assert!(e.offset > 0 && e.offset <= 600, "{e}");
    // A mismatched end tag.
    let bad = AXIS_PROBE_MATCHES.replace("</d:Types>", "</d:Typos>");
    let e = parse_err(bad.as_bytes());
    assert!(matches!(e.kind, ParseErrorKind::Xml { .. }), "{e}");
    assert!(e.offset as usize >= AXIS_PROBE_MATCHES.find("<d:Types>").unwrap_or_default(), "{e}");
    // A QName with an unbound prefix in Types.
    let bad = AXIS_PROBE_MATCHES.replace("dn:NetworkVideoTransmitter", "zz:NetworkVideoTransmitter");
    let e = parse_err(bad.as_bytes());
    assert_eq!(e.kind, ParseErrorKind::UnknownPrefix { prefix: "zz".into() });
    assert_eq!(e.offset as usize, AXIS_PROBE_MATCHES.find("<d:Types>").unwrap_or_default());
    // The reserved prefix xmlns is no type's prefix (found by mutating the seeds: it resolved to XML's own
    // namespace, which no message can bind again).
    let bad = AXIS_PROBE_MATCHES.replace("tds:Device", "xmlns:Device");
    let e = parse_err(bad.as_bytes());
    assert!(matches!(e.kind, ParseErrorKind::Invalid { what: "type", .. }), "{e}");
    let mut s = sample_service();
    s.types.push(QName::new("http://www.w3.org/2000/xmlns/", "T"));
    let hello = Hello { message_id: "urn:uuid:h".into(), app_sequence: None, service: s };
    assert!(matches!(hello.to_xml(), Err(BuildError::Invalid { what: "type namespace", .. })));
    // An element with an unbound prefix.
    let e = parse_err(b"<x:Envelope/>");
    assert_eq!((e.offset, e.kind), (0, ParseErrorKind::UnknownPrefix { prefix: "x".into() }));
    // Not UTF-8, at the first bad byte.
    let mut bytes = AXIS_PROBE_MATCHES.as_bytes().to_vec();
    bytes[100] = 0xff;
    assert_eq!(parse_err(&bytes), ParseError { offset: 100, kind: ParseErrorKind::NotUtf8 });
    // No MessageID.
    let bad = AXIS_PROBE_MATCHES
        .replace("<wsa:MessageID>uuid:a3bc8f9e-0b1c-4e5a-9f3e-00408c1a2b3c</wsa:MessageID>", "");
    assert!(matches!(parse_err(bad.as_bytes()).kind, ParseErrorKind::Missing { what: "wsa:MessageID", .. }));
    // A bad MetadataVersion, at its element.
    let bad = AXIS_PROBE_MATCHES.replace("<d:MetadataVersion>1<", "<d:MetadataVersion>-1<");
    let e = parse_err(bad.as_bytes());
    assert!(matches!(e.kind, ParseErrorKind::Invalid { what: "wsd:MetadataVersion", .. }), "{e}");
    assert_eq!(e.offset as usize, bad.find("<d:MetadataVersion>").unwrap_or_default());
    // Not SOAP.
    let e = parse_err(b"  <html><body/></html>");
    assert_eq!(e.offset, 2);
    assert!(matches!(e.kind, ParseErrorKind::Unexpected { .. }), "{e}");
    // A DTD (and so entity tricks) is refused.
    let e = parse_err(b"<?xml version=\"1.0\"?><!DOCTYPE x [<!ENTITY a \"b\">]><x>&a;</x>");
    assert!(matches!(&e.kind, ParseErrorKind::Xml { detail } if detail.contains("DOCTYPE")), "{e}");
    // An undefined entity.
    let bad = AXIS_PROBE_MATCHES.replace("AXIS%20M3046-V", "AXIS&nbsp;M3046-V");
    assert!(matches!(parse_err(bad.as_bytes()).kind, ParseErrorKind::Xml { .. }));
    // Empty input and garbage after the root.
    assert!(matches!(parse_err(b"").kind, ParseErrorKind::Xml { .. }));
    let bad = format!("{AXIS_PROBE_MATCHES}<again/>");
    assert!(matches!(parse_err(bad.as_bytes()).kind, ParseErrorKind::Xml { .. }));
}

#[test]
fn limits_are_enforced() {
    let big = vec![b' '; MAX_MESSAGE_BYTES + 1];
    assert_eq!(
        parse_err(&big).kind,
        ParseErrorKind::TooLarge { len: MAX_MESSAGE_BYTES + 1, max: MAX_MESSAGE_BYTES }
    );
    // Nesting: the 33rd open element is refused, at its offset.
    let deep = format!("{}{}", "<a>".repeat(MAX_DEPTH + 1), "</a>".repeat(MAX_DEPTH + 1));
    let e = parse_err(deep.as_bytes());
    assert_eq!(
        e,
        ParseError { offset: (3 * MAX_DEPTH) as u64, kind: ParseErrorKind::TooDeep { max: MAX_DEPTH } }
    );
    let ok_depth = format!("{}{}", "<a>".repeat(MAX_DEPTH), "</a>".repeat(MAX_DEPTH));
    assert!(
        matches!(parse_err(ok_depth.as_bytes()).kind, ParseErrorKind::Unexpected { .. }),
        "depth 32 reads"
    );
    // Matches.
    let start = AXIS_PROBE_MATCHES.find("<d:ProbeMatch>").unwrap_or_default();
    let end = AXIS_PROBE_MATCHES.find("</d:ProbeMatches>").unwrap_or_default();
    let one = &AXIS_PROBE_MATCHES[start..end];
    let many = AXIS_PROBE_MATCHES.replacen(one, &one.repeat(MAX_MATCHES + 1), 1);
    assert!(matches!(
        parse_err(many.as_bytes()).kind,
        ParseErrorKind::TooMany { what: "ProbeMatch", max: MAX_MATCHES }
    ));
    let exactly = AXIS_PROBE_MATCHES.replacen(one, &one.repeat(MAX_MATCHES), 1);
    let Message::ProbeMatches(pm) = parse_ok(&exactly) else { panic!("not ProbeMatches") };
    assert_eq!(pm.matches.len(), MAX_MATCHES);
    // Scopes and XAddrs per match.
    let scopes = vec!["onvif://www.onvif.org/x"; MAX_ITEMS + 1].join(" ");
    let bad = AXIS_PROBE_MATCHES.replace("onvif://www.onvif.org/location/", &scopes);
    assert!(matches!(parse_err(bad.as_bytes()).kind, ParseErrorKind::TooMany { what: "scopes", .. }));
    let xaddrs = vec!["http://192.0.2.1/"; MAX_ITEMS + 1].join(" ");
    let bad = AXIS_PROBE_MATCHES.replace("http://192.0.2.20/onvif/device_service", &xaddrs);
    assert!(matches!(parse_err(bad.as_bytes()).kind, ParseErrorKind::TooMany { what: "XAddrs", .. }));
    let types = vec!["dn:T"; MAX_ITEMS + 1].join(" ");
    let bad = AXIS_PROBE_MATCHES.replace("dn:NetworkVideoTransmitter tds:Device", &types);
    assert!(matches!(parse_err(bad.as_bytes()).kind, ParseErrorKind::TooMany { what: "types", .. }));
}
