//! Entry of the `mikey` fuzz target, shared by the fuzz target (fuzz/fuzz_targets/mikey.rs) and the corpus
//! replay test (tests/tests/it/fuzz_corpus.rs) through `#[path]`, so that both run exactly this code.
//! It may use only `rtspeek_core` and std, which both crates have.

use rtspeek_core::mikey::Message;
use rtspeek_core::srtp::Suite;
use rtspeek_core::srtp::sdes::CryptoAttribute;

/// What the fuzz target runs: `data` as a binary MIKEY message (a parsed message writes back to exactly the
/// same bytes and parses to the same model; errors point inside the input), as MIKEY base64 text and as an
/// SDES `a=crypto` value (a parsed value writes back to text that parses to the same attribute). Any other
/// outcome but a panic is fine.
pub fn run(data: &[u8]) {
    binary(data);
    let text = String::from_utf8_lossy(data);
    if let Ok(m) = Message::from_base64(&text) {
        inspect(&m, &m.to_bytes());
    }
    sdes(&text);
}

/// `data` as a MIKEY message.
pub fn binary(data: &[u8]) {
    match Message::parse(data) {
        Ok(m) => {
            let bytes = m.to_bytes();
            assert_eq!(bytes, data, "a parsed MIKEY message writes back to its bytes");
            assert_eq!(Message::parse(&bytes).as_ref(), Ok(&m), "and parses to the same model");
            inspect(&m, data);
        }
        Err(e) => assert!(e.offset <= data.len(), "error offset {} past the {} bytes", e.offset, data.len()),
    }
}

/// Every accessor of a parsed message, key extraction for every suite, and the PSK path with a wrong key.
fn inspect(m: &Message, raw: &[u8]) {
    let _ = (m.timestamp(), m.rand(), m.kemac(), m.keys_in_clear(), m.srtp_map().len());
    for sp in m.policies() {
        let _ = (sp.suite(), sp.srtp_encryption(), sp.srtcp_encryption(), sp.srtp_authentication());
    }
    for suite in Suite::ALL {
        let _ = m.srtp_master_key(suite);
    }
    let _ = (m.suite_of(0), m.srtp_context());
    let _ = m.decrypt_kemac(raw, b"fuzz pre-shared key");
}

/// `text` as an SDES attribute value.
pub fn sdes(text: &str) {
    if let Ok(a) = CryptoAttribute::parse(text) {
        let written = a.to_value();
        assert_eq!(CryptoAttribute::parse(&written).as_ref(), Ok(&a), "written `{written}` parses back");
        let _ = a.context();
        for k in &a.keys {
            for suite in Suite::ALL {
                let _ = k.master_key(suite);
            }
            let _ = k.mki.map(|m| m.to_bytes());
        }
    }
}
