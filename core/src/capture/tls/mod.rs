//! TLS sessions read from reassembled TCP streams, decrypted with an NSS key log.
//!
//! [`TlsSession`] parses each direction's record layer, reads the ClientHello random and the ServerHello
//! version and suite, and with the key log's secrets decrypts AES-GCM and ChaCha20-Poly1305 records: TLS 1.2
//! (master secret → key block; AES-GCM with a 4-byte implicit IV + 8-byte explicit nonce, ChaCha20 with a
//! 12-byte IV XOR the sequence number) and TLS 1.3 (handshake then application traffic
//! secrets, per-direction sequence numbers, inner content type). It yields the handshake facts, the
//! certificate chain (clear in TLS 1.2, decrypted in 1.3) and the application data per direction.
//!
//! Out of scope, reported as "not decryptable" with the reason: CBC and other non-AEAD suites, session
//! resumption and 0-RTT, TLS 1.3 KeyUpdate and HelloRetryRequest, and any stream
//! with a gap (records cannot be found again after missing bytes).

pub mod keys;

use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::{Aes128Gcm, Aes256Gcm, Nonce};
use chacha20poly1305::ChaCha20Poly1305;

use self::keys::{Hash, KeyLog, Label, expand_label, prf};
use super::tcp::Side;
// The record layer, handshake reassembly and hello/certificate parsing are the TLS scan's own (crate::tls):
// a capture shows the same messages, only decrypted.
use crate::tls::{
    ClientHello, ContentType, HandshakeReassembler, HandshakeType, ParseError, RECORD_HEADER_LEN,
    ServerHello, parse_certificate_list, parse_record, parse_tls13_certificate,
};

/// What a session yields.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TlsEvent {
    /// The ServerHello's choice.
    Hello {
        /// Negotiated version (0x0303 TLS 1.2, 0x0304 TLS 1.3).
        version: u16,
        /// Cipher suite.
        suite: u16,
    },
    /// The server's certificate chain, leaf first (DER).
    Certificates(Vec<Vec<u8>>),
    /// Decrypted application data.
    Data {
        /// Sender.
        side: Side,
        /// Plaintext.
        bytes: Vec<u8>,
    },
    /// Why (part of) the session cannot be decrypted; said once per session and direction.
    NotDecryptable {
        /// The direction concerned.
        side: Side,
        /// Why (never a secret).
        reason: String,
    },
}

#[derive(Clone)]
enum Cipher {
    Aes128(Box<Aes128Gcm>),
    Aes256(Box<Aes256Gcm>),
    ChaCha(Box<ChaCha20Poly1305>),
}

struct Keys {
    cipher: Cipher,
    iv: Vec<u8>,
    seq: u64,
}

#[derive(Default)]
struct Half {
    buf: Vec<u8>,
    handshake: HandshakeReassembler,
    keys: Option<Keys>,
    /// TLS 1.2: keys to install at ChangeCipherSpec.
    pending: Option<Keys>,
    /// TLS 1.2: ChangeCipherSpec seen, so every later record is encrypted.
    after_ccs: bool,
    broken: bool,
}

/// One TLS connection (both directions).
#[derive(Default)]
pub struct TlsSession {
    halves: [Half; 2],
    client_random: Option<[u8; 32]>,
    server_random: Option<[u8; 32]>,
    version: Option<u16>,
    suite: Option<u16>,
}

impl std::fmt::Debug for TlsSession {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TlsSession").field("version", &self.version).field("suite", &self.suite).finish()
    }
}

/// The AEAD of a suite.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum AeadKind {
    /// AES-GCM: in TLS 1.2 a 4-byte implicit IV and an 8-byte explicit nonce per record (RFC 5288).
    AesGcm,
    /// ChaCha20-Poly1305: a 12-byte IV XORed with the sequence number, in TLS 1.2 as in 1.3 (RFC 7905).
    ChaCha,
}

/// AEAD parameters of a suite: (hash, key length, AEAD), or why not.
fn suite_params(suite: u16) -> Result<(Hash, usize, AeadKind), &'static str> {
    match suite {
        0x1301 | 0xc02b | 0xc02f | 0x009c | 0x009e => Ok((Hash::Sha256, 16, AeadKind::AesGcm)),
        0x1302 | 0xc02c | 0xc030 | 0x009d | 0x009f => Ok((Hash::Sha384, 32, AeadKind::AesGcm)),
        0x1303 | 0xcca8 | 0xcca9 | 0xccaa => Ok((Hash::Sha256, 32, AeadKind::ChaCha)),
        _ => Err("not decryptable (CBC or unsupported suite)"),
    }
}

fn make_keys(aead: AeadKind, key: &[u8], iv: Vec<u8>) -> Option<Keys> {
    let cipher = match (aead, key.len()) {
        (AeadKind::AesGcm, 16) => Cipher::Aes128(Box::new(Aes128Gcm::new_from_slice(key).ok()?)),
        (AeadKind::AesGcm, 32) => Cipher::Aes256(Box::new(Aes256Gcm::new_from_slice(key).ok()?)),
        (AeadKind::ChaCha, 32) => Cipher::ChaCha(Box::new(ChaCha20Poly1305::new_from_slice(key).ok()?)),
        _ => return None,
    };
    Some(Keys { cipher, iv, seq: 0 })
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

impl TlsSession {
    /// A session waiting for its ClientHello.
    pub fn new() -> TlsSession {
        TlsSession::default()
    }

    /// Negotiated version and suite, once the ServerHello was read.
    pub fn hello(&self) -> Option<(u16, u16)> {
        Some((self.version?, self.suite?))
    }

    /// Bytes were lost in `side`'s stream: its records cannot be followed any more.
    pub fn gap(&mut self, side: Side, out: &mut Vec<TlsEvent>) {
        self.fail(side, "not decryptable after a gap in the TCP stream".to_owned(), out);
    }

    fn fail(&mut self, side: Side, reason: String, out: &mut Vec<TlsEvent>) {
        if let Some(half) = self.halves.get_mut(side as usize)
            && !half.broken
        {
            half.broken = true;
            half.buf = Vec::new();
            out.push(TlsEvent::NotDecryptable { side, reason });
        }
    }

    /// Feeds `side`'s reassembled stream bytes.
    pub fn push(&mut self, side: Side, bytes: &[u8], keylog: &KeyLog, out: &mut Vec<TlsEvent>) {
        let Some(half) = self.halves.get_mut(side as usize) else { return };
        if half.broken {
            return;
        }
        half.buf.extend_from_slice(bytes);
        loop {
            let Some(half) = self.halves.get_mut(side as usize) else { return };
            let (header, fragment, used) = match parse_record(&half.buf) {
                Ok((record, used)) => (
                    half.buf.get(..RECORD_HEADER_LEN).unwrap_or_default().to_vec(),
                    record.fragment.to_vec(),
                    used,
                ),
                Err(ParseError::Incomplete { .. }) => return,
                Err(e) => return self.fail(side, format!("not TLS: {e}"), out),
            };
            half.buf.drain(..used);
            if let Err(reason) = self.record(side, &header, &fragment, keylog, out) {
                return self.fail(side, reason, out);
            }
        }
    }

    fn record(
        &mut self,
        side: Side,
        header: &[u8],
        body: &[u8],
        keylog: &KeyLog,
        out: &mut Vec<TlsEvent>,
    ) -> Result<(), String> {
        let kind = header.first().copied().unwrap_or(0);
        let tls13 = self.version == Some(0x0304);
        let Some(half) = self.halves.get_mut(side as usize) else { return Ok(()) };
        if kind == ContentType::CHANGE_CIPHER_SPEC.0 {
            // ChangeCipherSpec: TLS 1.2 switches to the negotiated keys; in 1.3 it is only for middleboxes.
            if !tls13 {
                half.keys = half.pending.take();
                half.after_ccs = true;
            }
            return Ok(());
        }
        if half.keys.is_none() && half.after_ccs {
            // Encrypted under keys we do not have (the Finished first).
            return Err(self.missing_reason());
        }
        let Some(keys) = half.keys.as_mut() else {
            return match ContentType(kind) {
                ContentType::HANDSHAKE => self.handshake(side, body, keylog, out),
                ContentType::APPLICATION_DATA => Err(self.missing_reason()),
                _ => Ok(()),
            };
        };
        let plain =
            decrypt(keys, header, body, tls13).ok_or("decryption failed (wrong key or corrupt record)")?;
        let (kind, plain) = if tls13 {
            // Inner plaintext: content, content type, zero padding.
            let end = plain.iter().rposition(|&b| b != 0).ok_or("TLS 1.3 record without content type")?;
            (plain.get(end).copied().unwrap_or(0), plain.get(..end).unwrap_or_default().to_vec())
        } else {
            (kind, plain)
        };
        match ContentType(kind) {
            ContentType::APPLICATION_DATA => out.push(TlsEvent::Data { side, bytes: plain }),
            // TLS 1.2's encrypted handshake is only Finished; 1.3's carries the certificate.
            ContentType::HANDSHAKE if tls13 => self.handshake(side, &plain, keylog, out)?,
            _ => {}
        }
        Ok(())
    }

    fn missing_reason(&self) -> String {
        match (self.client_random, self.suite) {
            (None, _) => "not decryptable: the ClientHello was not seen".to_owned(),
            (Some(random), Some(suite)) if suite_params(suite).is_ok() => {
                format!("not decryptable: no key for client random {}", hex(&random))
            }
            (Some(_), Some(suite)) => suite_params(suite).err().unwrap_or_default().to_owned(),
            (Some(_), None) => "not decryptable: the ServerHello was not seen".to_owned(),
        }
    }

    /// Gathers handshake messages of `side` and acts on those that matter.
    fn handshake(
        &mut self,
        side: Side,
        bytes: &[u8],
        keylog: &KeyLog,
        out: &mut Vec<TlsEvent>,
    ) -> Result<(), String> {
        let Some(half) = self.halves.get_mut(side as usize) else { return Ok(()) };
        half.handshake.push(bytes).map_err(|e| format!("handshake: {e}"))?;
        loop {
            let Some(half) = self.halves.get_mut(side as usize) else { return Ok(()) };
            let (kind, body) = match half.handshake.next_message().map_err(|e| format!("handshake: {e}"))? {
                Some(message) => (message.msg_type, message.body.to_vec()),
                None => return Ok(()),
            };
            let tls13 = self.version == Some(0x0304);
            match (side, kind) {
                (Side::Client, HandshakeType::CLIENT_HELLO) => {
                    let hello = ClientHello::parse(&body).map_err(|e| format!("ClientHello: {e}"))?;
                    self.client_random = Some(hello.random);
                }
                (Side::Server, HandshakeType::SERVER_HELLO) => self.server_hello(&body, keylog, out)?,
                (Side::Server, HandshakeType::CERTIFICATE) => {
                    let chain =
                        if tls13 { parse_tls13_certificate(&body) } else { parse_certificate_list(&body) }
                            .map_err(|e| format!("Certificate: {e}"))?;
                    out.push(TlsEvent::Certificates(chain));
                }
                (_, HandshakeType::FINISHED) if tls13 => {
                    // Finished: this side's next records use its application traffic secret.
                    let label =
                        if side == Side::Client { Label::ClientTraffic0 } else { Label::ServerTraffic0 };
                    let keys = self.tls13_keys(label, keylog);
                    if let Some(half) = self.halves.get_mut(side as usize) {
                        half.keys = keys;
                    }
                }
                _ => {}
            }
        }
    }

    fn server_hello(&mut self, body: &[u8], keylog: &KeyLog, out: &mut Vec<TlsEvent>) -> Result<(), String> {
        let hello = ServerHello::parse(body).map_err(|e| format!("ServerHello: {e}"))?;
        if hello.is_hello_retry_request() {
            // The keys follow the second ClientHello and ServerHello, which this reader does not track.
            for side in [Side::Client, Side::Server] {
                self.fail(side, "not decryptable: a HelloRetryRequest (not followed yet)".to_owned(), out);
            }
            return Ok(());
        }
        let (version, suite) = (hello.version().0, hello.cipher_suite.0);
        self.server_random = Some(hello.random);
        self.version = Some(version);
        self.suite = Some(suite);
        out.push(TlsEvent::Hello { version, suite });
        if let Err(reason) = suite_params(suite) {
            for side in [Side::Client, Side::Server] {
                self.fail(side, reason.to_owned(), out);
            }
            return Ok(());
        }
        if version == 0x0304 {
            let client = self.tls13_keys(Label::ClientHandshake, keylog);
            let server = self.tls13_keys(Label::ServerHandshake, keylog);
            let [c, s] = &mut self.halves;
            c.keys = client;
            s.keys = server;
        } else {
            let (client, server) = self.tls12_keys(keylog).unzip();
            let [c, s] = &mut self.halves;
            c.pending = client;
            s.pending = server;
        }
        Ok(())
    }

    fn tls13_keys(&self, label: Label, keylog: &KeyLog) -> Option<Keys> {
        let (hash, key_len, aead) = suite_params(self.suite?).ok()?;
        let secret = keylog.get(self.client_random.as_ref()?, label)?;
        make_keys(aead, &expand_label(hash, secret, "key", key_len), expand_label(hash, secret, "iv", 12))
    }

    fn tls12_keys(&self, keylog: &KeyLog) -> Option<(Keys, Keys)> {
        let (hash, key_len, aead) = suite_params(self.suite?).ok()?;
        let (client_random, server_random) = (self.client_random?, self.server_random?);
        let master = keylog.get(&client_random, Label::ClientRandom)?;
        let seed = [server_random.as_slice(), client_random.as_slice()].concat();
        // AEAD suites have no MAC keys: client key, server key, client IV, server IV (4 bytes each for
        // AES-GCM, 12 for ChaCha20-Poly1305).
        let iv_len = if aead == AeadKind::ChaCha { 12 } else { 4 };
        let block = prf(hash, master, b"key expansion", &seed, 2 * key_len + 2 * iv_len);
        let (ck, rest) = block.split_at_checked(key_len)?;
        let (sk, rest) = rest.split_at_checked(key_len)?;
        let (civ, siv) = rest.split_at_checked(iv_len)?;
        Some((make_keys(aead, ck, civ.to_vec())?, make_keys(aead, sk, siv.to_vec())?))
    }
}

fn decrypt(keys: &mut Keys, header: &[u8], body: &[u8], tls13: bool) -> Option<Vec<u8>> {
    let mut nonce = [0u8; 12];
    // TLS 1.3 and ChaCha20-Poly1305 (also in 1.2): the IV XOR the sequence number; TLS 1.2 AES-GCM: the
    // implicit IV then the record's explicit nonce.
    let xor_nonce = tls13 || matches!(keys.cipher, Cipher::ChaCha(_));
    let msg = if xor_nonce {
        nonce.copy_from_slice(keys.iv.get(..12)?);
        for (n, s) in nonce.iter_mut().skip(4).zip(keys.seq.to_be_bytes()) {
            *n ^= s;
        }
        body
    } else {
        nonce.get_mut(..4)?.copy_from_slice(keys.iv.get(..4)?);
        nonce.get_mut(4..)?.copy_from_slice(body.get(..8)?);
        body.get(8..)?
    };
    let aad = if tls13 {
        header.to_vec()
    } else {
        let plain_len = u16::try_from(msg.len().checked_sub(16)?).ok()?;
        let mut aad = keys.seq.to_be_bytes().to_vec();
        aad.extend_from_slice(header.get(..3)?);
        aad.extend_from_slice(&plain_len.to_be_bytes());
        aad
    };
    let payload = Payload { msg, aad: &aad };
    let plain = match &keys.cipher {
        Cipher::Aes128(c) => c.decrypt(&Nonce::from(nonce), payload).ok()?,
        Cipher::Aes256(c) => c.decrypt(&Nonce::from(nonce), payload).ok()?,
        Cipher::ChaCha(c) => c.decrypt(&nonce.into(), payload).ok()?,
    };
    keys.seq += 1;
    Some(plain)
}
