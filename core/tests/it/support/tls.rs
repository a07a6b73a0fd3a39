//! Byte builders for synthetic server flights, written independently of the codec's own writers so that a
//! mistake in those cannot hide in the tests.

/// A record: type, version, 16-bit length, payload.
pub(crate) fn record(content_type: u8, version: u16, payload: &[u8]) -> Vec<u8> {
    let mut out = vec![content_type];
    out.extend_from_slice(&version.to_be_bytes());
    out.extend_from_slice(&(payload.len() as u16).to_be_bytes());
    out.extend_from_slice(payload);
    out
}

/// A handshake message: type, 24-bit length, body.
pub(crate) fn handshake(msg_type: u8, body: &[u8]) -> Vec<u8> {
    let mut out = vec![msg_type];
    out.extend_from_slice(&(body.len() as u32).to_be_bytes()[1..]);
    out.extend_from_slice(body);
    out
}

/// A ServerHello body with a 32-byte session id and the given extensions (none: no extensions block).
pub(crate) fn server_hello(version: u16, suite: u16, extensions: &[(u16, &[u8])]) -> Vec<u8> {
    let mut out = version.to_be_bytes().to_vec();
    out.extend_from_slice(&[0x33; 32]);
    out.push(32);
    out.extend_from_slice(&[0x44; 32]);
    out.extend_from_slice(&suite.to_be_bytes());
    out.push(0);
    if !extensions.is_empty() {
        let mut block = Vec::new();
        for (ext_type, data) in extensions {
            block.extend_from_slice(&ext_type.to_be_bytes());
            block.extend_from_slice(&(data.len() as u16).to_be_bytes());
            block.extend_from_slice(data);
        }
        out.extend_from_slice(&(block.len() as u16).to_be_bytes());
        out.extend_from_slice(&block);
    }
    out
}

/// A TLS <= 1.2 Certificate body.
pub(crate) fn certificate(chain: &[&[u8]]) -> Vec<u8> {
    let mut list = Vec::new();
    for der in chain {
        list.extend_from_slice(&(der.len() as u32).to_be_bytes()[1..]);
        list.extend_from_slice(der);
    }
    let mut out = (list.len() as u32).to_be_bytes()[1..].to_vec();
    out.extend_from_slice(&list);
    out
}

/// A complete TLS <= 1.2 flight in one handshake record: ServerHello, Certificate, ServerHelloDone.
pub(crate) fn tls12_flight(version: u16, suite: u16, chain: &[&[u8]]) -> Vec<u8> {
    let mut messages = handshake(2, &server_hello(version, suite, &[]));
    messages.extend(handshake(11, &certificate(chain)));
    messages.extend(handshake(14, &[]));
    record(22, version, &messages)
}

/// An alert record.
pub(crate) fn alert(level: u8, description: u8) -> Vec<u8> {
    record(21, 0x0303, &[level, description])
}
