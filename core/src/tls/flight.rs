//! The server flight analyser: feed it the bytes a server sent after our ClientHello (in any chunks, possibly
//! partial, possibly not TLS at all) and it says what the server did: picked a version and suite (with the
//! certificate chain when the handshake is in clear), refused with an alert, answered in another protocol, went
//! silent or hung up.
//!
//! ```
//! use rtspeek_core::tls::{FlightEnd, FlightReader, LooksLike, Progress, ServerFlight};
//! let mut reader = FlightReader::new();
//! // A camera with RTSPS switched off answers our ClientHello in plain RTSP.
//! assert_eq!(reader.push(b"RTSP/1.0 400 Bad Request\r\n\r\n"), Progress::Done);
//! let ServerFlight::NotTls { looks_like, .. } = reader.finish(FlightEnd::Closed) else { panic!() };
//! assert_eq!(looks_like, LooksLike::Rtsp);
//! ```

use super::alerts::Alert;
use super::error::ParseError;
use super::handshake::{HandshakeReassembler, HandshakeType, MAX_HANDSHAKE_BYTES};
use super::record::{ContentType, Record, parse_record};
use super::server_hello::ServerHello;
use super::server_messages::{
    CertificateRequest, KeyExchangeParams, parse_certificate_list, parse_server_key_exchange,
};
use super::sniff::{LooksLike, Sniff, sniff};
use super::suites::{CipherSuite, Weakness};
use super::version::ProtocolVersion;

/// How many warning alerts before a ServerHello are tolerated (a peer looping on warnings is broken).
const MAX_WARNINGS: usize = 16;

/// How many leading bytes of an answer are kept as evidence.
pub const FIRST_BYTES_KEPT: usize = 64;

/// Cap on the raw bytes read from one server flight (records included): twice [`MAX_HANDSHAKE_BYTES`], so
/// that even a flight cut into tiny records fits, and a hostile stream stays bounded.
pub const MAX_FLIGHT_BYTES: usize = 2 * MAX_HANDSHAKE_BYTES;

/// Why the driver stopped reading.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FlightEnd {
    /// The server closed the connection (TCP FIN).
    Closed,
    /// The connection was reset (TCP RST) or failed.
    Reset,
    /// Nothing more arrived within the driver's timeout.
    Timeout,
}

impl FlightEnd {
    /// Lowercase phrase: `closed`, `reset`, `timeout`.
    pub const fn as_str(self) -> &'static str {
        match self {
            FlightEnd::Closed => "closed",
            FlightEnd::Reset => "reset",
            FlightEnd::Timeout => "timeout",
        }
    }
}

/// Whether the analyser wants more bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Progress {
    /// The answer is not conclusive yet: keep reading (until the connection ends or the timeout).
    NeedMore,
    /// The answer is conclusive; [`FlightReader::finish`] gives it. Later bytes do not change it.
    Done,
}

/// A protocol error in a server's flight, located in the received bytes.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{what} (record at byte {stream_offset}): {error}")]
pub struct FlightError {
    /// Offset, in the bytes received, of the record in which the problem showed.
    pub stream_offset: usize,
    /// What was being read: `record`, `ServerHello`, `Certificate`, `handshake message`...
    pub what: &'static str,
    /// The error; for message errors, positions count from the message body.
    pub error: ParseError,
}

/// The server's certificates, as far as this codec can see them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CertificateView {
    /// TLS <= 1.2 sends the chain in clear: the DER certificates, leaf first as sent.
    InClear(Vec<Vec<u8>>),
    /// TLS 1.3 encrypts the Certificate message: only a full handshake (rustls) can read it.
    EncryptedTls13,
    /// No Certificate message: the flight ended before it, the suite is anonymous or PSK, or the ServerHello
    /// was a HelloRetryRequest.
    NotSent,
}

/// A server that answered with a ServerHello: what it picked, and what followed in clear.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HelloFlight {
    /// The ServerHello itself (extensions, random, HelloRetryRequest...).
    pub server_hello: ServerHello,
    /// The negotiated version.
    pub version: ProtocolVersion,
    /// The chosen cipher suite.
    pub suite: CipherSuite,
    /// The certificate chain, when sent in clear.
    pub certificates: CertificateView,
    /// A TLS <= 1.2 CertificateRequest: the server wants a client certificate. (TLS 1.3 sends it encrypted,
    /// so it is always `None` there.)
    pub certificate_request: Option<CertificateRequest>,
    /// Ephemeral key exchange parameters from the ServerKeyExchange.
    pub key_exchange: Option<KeyExchangeParams>,
    /// The flight is whole: ServerHelloDone seen (TLS <= 1.2), or a TLS 1.3 ServerHello or HelloRetryRequest
    /// (whose continuation is encrypted or needs a second ClientHello).
    pub complete: bool,
    /// A fatal alert (or close_notify) that followed the ServerHello in clear.
    pub alert: Option<Alert>,
    /// Warning alerts the server sent before or after the ServerHello and went on (e.g. `unrecognized_name`
    /// from servers that have no certificate for the SNI name but continue with their default one).
    pub warning_alerts: Vec<Alert>,
    /// A protocol error after the ServerHello; what came before it is kept.
    pub problem: Option<FlightError>,
    /// How the stream ended, when it ended before the flight was complete.
    pub end: Option<FlightEnd>,
}

impl HelloFlight {
    /// The server asked for a client certificate (TLS <= 1.2 CertificateRequest).
    pub fn client_cert_requested(&self) -> bool {
        self.certificate_request.is_some()
    }

    /// A TLS 1.3 HelloRetryRequest.
    pub fn is_hello_retry_request(&self) -> bool {
        self.server_hello.is_hello_retry_request()
    }

    /// The chosen suite's weaknesses, taking the negotiated encrypt_then_mac into account.
    pub fn suite_weaknesses(&self) -> Vec<Weakness> {
        self.suite.weaknesses(self.server_hello.encrypt_then_mac())
    }

    /// The certificates in clear, if any.
    pub fn certificates_in_clear(&self) -> Option<&[Vec<u8>]> {
        match &self.certificates {
            CertificateView::InClear(chain) => Some(chain),
            _ => None,
        }
    }
}

/// What the server did with a ClientHello.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ServerFlight {
    /// It answered with a ServerHello (possibly a HelloRetryRequest): the offer was accepted.
    ServerHello(Box<HelloFlight>),
    /// It refused with an alert before any ServerHello (or sent only a warning alert and stopped).
    Alert(Alert),
    /// It answered in another protocol: the port does not speak TLS.
    NotTls {
        /// What the answer looks like.
        looks_like: LooksLike,
        /// The first bytes of the answer (at most [`FIRST_BYTES_KEPT`]).
        first_bytes: Vec<u8>,
    },
    /// It sent part of a TLS answer, then the stream ended before a ServerHello or an alert was complete.
    Truncated {
        /// Bytes received.
        received: usize,
        /// How the stream ended.
        end: FlightEnd,
    },
    /// It sent nothing.
    Empty {
        /// How the stream ended: closed, reset or silence.
        end: FlightEnd,
    },
    /// It answered with TLS records that break the protocol before any ServerHello.
    Malformed(FlightError),
}

/// Where the analysis stands.
#[derive(Debug, Clone)]
enum State {
    /// Waiting for the first bytes, or for enough of them to name a non-TLS protocol.
    Start,
    /// Reading TLS records before the ServerHello.
    Records,
    /// A TLS <= 1.2 ServerHello was read; reading the rest of the flight.
    Hello(Box<HelloFlight>),
    /// The answer is not TLS.
    NotTls(LooksLike),
    /// Conclusive.
    Done(ServerFlight),
}

/// Incremental analyser of one server flight (sans-IO: the driver pushes bytes and says how the stream ended).
#[derive(Debug, Clone)]
pub struct FlightReader {
    /// Received bytes not yet parsed into records.
    buf: Vec<u8>,
    /// Offset, in the received bytes, of `buf[0]`.
    consumed: usize,
    /// Every byte pushed.
    received: usize,
    first_bytes: Vec<u8>,
    /// Warning alerts received before the ServerHello.
    warnings: Vec<Alert>,
    handshake: HandshakeReassembler,
    state: State,
}

impl Default for FlightReader {
    fn default() -> Self {
        Self::new()
    }
}

impl FlightReader {
    /// An analyser that has seen nothing.
    pub fn new() -> Self {
        FlightReader {
            buf: Vec::new(),
            consumed: 0,
            received: 0,
            first_bytes: Vec::new(),
            warnings: Vec::new(),
            handshake: HandshakeReassembler::new(),
            state: State::Start,
        }
    }

    /// Feeds bytes received from the server.
    pub fn push(&mut self, data: &[u8]) -> Progress {
        let keep = FIRST_BYTES_KEPT.saturating_sub(self.first_bytes.len());
        self.first_bytes.extend(data.iter().take(keep));
        self.received = self.received.saturating_add(data.len());
        if let State::Start = self.state {
            match sniff(&self.first_bytes) {
                Sniff::Tls => self.state = State::Records,
                Sniff::NotTls(looks_like) => self.state = State::NotTls(looks_like),
                Sniff::NotTlsYet | Sniff::Nothing => return Progress::NeedMore,
            }
        }
        // The sniff decides TLS on the first byte received, so every TLS byte is in this or a later push.
        self.read_records(data);
        if self.is_done() { Progress::Done } else { Progress::NeedMore }
    }

    /// Whether the answer is conclusive.
    pub fn is_done(&self) -> bool {
        matches!(self.state, State::Done(_) | State::NotTls(_))
    }

    /// The outcome, given how the stream ended (ignored when the answer was already conclusive).
    pub fn finish(self, end: FlightEnd) -> ServerFlight {
        match self.state {
            State::Done(flight) => flight,
            State::NotTls(looks_like) => ServerFlight::NotTls { looks_like, first_bytes: self.first_bytes },
            State::Start if self.received == 0 => ServerFlight::Empty { end },
            // A prefix of a text protocol's signature, then nothing more.
            State::Start => {
                ServerFlight::NotTls { looks_like: LooksLike::Other, first_bytes: self.first_bytes }
            }
            // A warning alert and then nothing: the warning is the answer.
            State::Records => match self.warnings.first() {
                Some(alert) => ServerFlight::Alert(*alert),
                None => ServerFlight::Truncated { received: self.received, end },
            },
            State::Hello(mut flight) => {
                flight.end = Some(end);
                ServerFlight::ServerHello(flight)
            }
        }
    }

    /// Parses the records in `data` (appended to any partial record) while the analysis is not done.
    fn read_records(&mut self, data: &[u8]) {
        if data.is_empty() || self.is_done() {
            return;
        }
        let room = MAX_FLIGHT_BYTES.saturating_sub(self.consumed + self.buf.len());
        let overflow = data.len() > room;
        let mut buf = std::mem::take(&mut self.buf);
        buf.extend(data.iter().take(room));
        let mut pos = 0;
        while !self.is_done() {
            // `pos` only grows by the length of a record inside `buf`, so it never passes the end.
            match parse_record(buf.get(pos..).unwrap_or_default()) {
                Ok((record, used)) => {
                    self.on_record(record, self.consumed + pos);
                    pos += used;
                }
                Err(ParseError::Incomplete { .. }) => break,
                Err(error) => {
                    self.fail(FlightError { stream_offset: self.consumed + pos, what: "record", error });
                }
            }
        }
        buf.drain(..pos);
        self.consumed += pos;
        self.buf = buf;
        if overflow && !self.is_done() {
            let error = ParseError::TooLarge { limit: MAX_FLIGHT_BYTES };
            self.fail(FlightError { stream_offset: MAX_FLIGHT_BYTES, what: "server flight", error });
        }
    }

    /// Ends the analysis with a protocol error: malformed before the ServerHello, a problem after it.
    fn fail(&mut self, error: FlightError) {
        let state = std::mem::replace(&mut self.state, State::Start);
        self.state = match state {
            State::Hello(mut flight) => {
                flight.problem = Some(error);
                State::Done(ServerFlight::ServerHello(flight))
            }
            State::Done(done) => State::Done(done),
            _ => State::Done(ServerFlight::Malformed(error)),
        };
    }

    fn on_record(&mut self, record: Record<'_>, offset: usize) {
        match record.content_type {
            ContentType::ALERT => match Alert::parse(record.fragment) {
                // A warning is not the end: servers send e.g. unrecognized_name and go on.
                Ok(alert) if !alert.is_fatal() => match &mut self.state {
                    State::Hello(flight) => flight.warning_alerts.push(alert),
                    _ if self.warnings.len() < MAX_WARNINGS => self.warnings.push(alert),
                    _ => self.fail(FlightError {
                        stream_offset: offset,
                        what: "alert",
                        error: ParseError::Invalid { pos: 0, context: "warning alerts (too many)" },
                    }),
                },
                Ok(alert) => {
                    let state = std::mem::replace(&mut self.state, State::Start);
                    self.state = State::Done(match state {
                        State::Hello(mut flight) => {
                            flight.alert = Some(alert);
                            ServerFlight::ServerHello(flight)
                        }
                        _ => ServerFlight::Alert(alert),
                    });
                }
                Err(error) => self.fail(FlightError { stream_offset: offset, what: "alert", error }),
            },
            ContentType::HANDSHAKE => {
                if let Err(error) = self.handshake.push(record.fragment) {
                    return self.fail(FlightError {
                        stream_offset: offset,
                        what: "handshake messages",
                        error,
                    });
                }
                self.read_messages(offset);
            }
            _ => {
                let what = if matches!(self.state, State::Hello(_)) {
                    "unexpected record before ServerHelloDone"
                } else {
                    "unexpected record before ServerHello"
                };
                let context = match record.content_type {
                    ContentType::CHANGE_CIPHER_SPEC => "change_cipher_spec record",
                    ContentType::APPLICATION_DATA => "application_data record",
                    _ => "heartbeat record",
                };
                self.fail(FlightError {
                    stream_offset: offset,
                    what,
                    error: ParseError::Invalid { pos: 0, context },
                });
            }
        }
    }

    /// Handles every complete handshake message buffered, `offset` being the record that completed them.
    fn read_messages(&mut self, offset: usize) {
        while !self.is_done() {
            let step = match self.handshake.next_message() {
                Ok(Some(message)) => {
                    on_message(&mut self.state, &mut self.warnings, message.msg_type, message.body)
                }
                Ok(None) => return,
                Err(error) => Err(("handshake message", error)),
            };
            if let Err((what, error)) = step {
                self.fail(FlightError { stream_offset: offset, what, error });
            }
            if let State::Hello(flight) = &self.state
                && flight.complete
                && let State::Hello(flight) = std::mem::replace(&mut self.state, State::Start)
            {
                self.state = State::Done(ServerFlight::ServerHello(flight));
            }
        }
    }
}

/// Applies one handshake message to the analysis; the error names the message that failed.
fn on_message(
    state: &mut State,
    warnings: &mut Vec<Alert>,
    msg_type: HandshakeType,
    body: &[u8],
) -> Result<(), (&'static str, ParseError)> {
    // hello_request is allowed at any time and ignored by clients during a handshake.
    if msg_type == HandshakeType::HELLO_REQUEST {
        return Ok(());
    }
    if let State::Hello(flight) = state {
        return on_flight_message(flight, msg_type, body);
    }
    if msg_type != HandshakeType::SERVER_HELLO {
        return Err(("handshake message before ServerHello", unexpected(msg_type)));
    }
    let server_hello = ServerHello::parse(body).map_err(|e| ("ServerHello", e))?;
    let version = server_hello.version();
    let retry = server_hello.is_hello_retry_request();
    // After a TLS 1.3 ServerHello everything is encrypted; after a HelloRetryRequest the server waits for a
    // second ClientHello. Either way the flight is over for this codec.
    let complete = version.is_tls13_or_later() || retry;
    let certificates =
        if complete && !retry { CertificateView::EncryptedTls13 } else { CertificateView::NotSent };
    let flight = Box::new(HelloFlight {
        warning_alerts: std::mem::take(warnings),
        version,
        suite: server_hello.cipher_suite,
        server_hello,
        certificates,
        certificate_request: None,
        key_exchange: None,
        complete,
        alert: None,
        problem: None,
        end: None,
    });
    *state = if complete { State::Done(ServerFlight::ServerHello(flight)) } else { State::Hello(flight) };
    Ok(())
}

/// Applies one message that follows a TLS <= 1.2 ServerHello.
fn on_flight_message(
    flight: &mut HelloFlight,
    msg_type: HandshakeType,
    body: &[u8],
) -> Result<(), (&'static str, ParseError)> {
    match msg_type {
        HandshakeType::CERTIFICATE => {
            let chain = parse_certificate_list(body).map_err(|e| ("Certificate", e))?;
            flight.certificates = CertificateView::InClear(chain);
        }
        HandshakeType::SERVER_KEY_EXCHANGE => {
            flight.key_exchange =
                parse_server_key_exchange(body, flight.suite).map_err(|e| ("ServerKeyExchange", e))?;
        }
        HandshakeType::CERTIFICATE_REQUEST => {
            let request =
                CertificateRequest::parse(body, flight.version).map_err(|e| ("CertificateRequest", e))?;
            flight.certificate_request = Some(request);
        }
        // OCSP stapling; not requested, harmless.
        HandshakeType::CERTIFICATE_STATUS => {}
        HandshakeType::SERVER_HELLO_DONE => {
            if !body.is_empty() {
                return Err((
                    "ServerHelloDone",
                    ParseError::Invalid { pos: 0, context: "ServerHelloDone (not empty)" },
                ));
            }
            flight.complete = true;
        }
        other => return Err(("handshake message after ServerHello", unexpected(other))),
    }
    Ok(())
}

/// The error for a message that has no place in a server's first flight.
fn unexpected(msg_type: HandshakeType) -> ParseError {
    let context = match msg_type {
        HandshakeType::SERVER_HELLO => "second server_hello",
        HandshakeType::CLIENT_HELLO => "client_hello (the peer echoes or is a client)",
        HandshakeType::CERTIFICATE => "certificate before server_hello",
        HandshakeType::SERVER_HELLO_DONE => "server_hello_done before server_hello",
        HandshakeType::FINISHED => "finished in clear",
        _ => "handshake message type not expected here",
    };
    ParseError::Invalid { pos: 0, context }
}

/// Analyses a whole answer at once: `bytes` as received, `end` how the stream ended.
pub fn classify_flight(bytes: &[u8], end: FlightEnd) -> ServerFlight {
    let mut reader = FlightReader::new();
    reader.push(bytes);
    reader.finish(end)
}

impl std::fmt::Display for ServerFlight {
    /// One line for evidence: `ServerHello TLS 1.2 TLS_RSA_WITH_AES_128_CBC_SHA`, `alert fatal
    /// handshake_failure (40)`, `not TLS (rtsp): RTSP/1.0 400 Bad Request\r\n`...
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ServerFlight::ServerHello(flight) if flight.is_hello_retry_request() => {
                write!(f, "HelloRetryRequest {} {}", flight.version, flight.suite)?;
                if let Some(group) = flight.server_hello.hello_retry_group() {
                    write!(f, " (wants a {group} key share)")?;
                }
                Ok(())
            }
            ServerFlight::ServerHello(flight) => {
                write!(f, "ServerHello {} {}", flight.version, flight.suite)?;
                for warning in &flight.warning_alerts {
                    write!(f, ", with alert {warning}")?;
                }
                if let Some(alert) = flight.alert {
                    write!(f, ", then alert {alert}")?;
                }
                if let Some(problem) = &flight.problem {
                    write!(f, ", then {problem}")?;
                }
                if let Some(end) = flight.end {
                    write!(f, ", then connection {} before ServerHelloDone", end.as_str())?;
                }
                Ok(())
            }
            ServerFlight::Alert(alert) => write!(f, "alert {alert}"),
            ServerFlight::NotTls { looks_like, first_bytes } => {
                write!(f, "not TLS ({}): {}", looks_like.as_str(), super::sniff::escape_bytes(first_bytes))
            }
            ServerFlight::Truncated { received, end } => {
                write!(f, "connection {} after {received} byte(s) of an incomplete TLS answer", end.as_str())
            }
            ServerFlight::Empty { end: FlightEnd::Timeout } => f.write_str("no answer before the timeout"),
            ServerFlight::Empty { end } => write!(f, "connection {} without an answer", end.as_str()),
            ServerFlight::Malformed(error) => write!(f, "malformed TLS answer: {error}"),
        }
    }
}
