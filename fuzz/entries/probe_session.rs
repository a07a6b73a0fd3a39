//! Entry of the `probe_session` fuzz target, shared by the fuzz target (fuzz/fuzz_targets/probe_session.rs)
//! and the corpus replay test (tests/tests/it/fuzz_corpus.rs) through `#[path]`, so that both run exactly this
//! code.
//! It may use only `rtspeek_core` and std, which both crates have.
//!
//! The whole sans-IO probe against a fake driver whose server says what the input says. Every connection the
//! probe asks for succeeds at once (a TLS one with an empty verifier record, or fails its handshake when the
//! configuration says so), every UDP pair binds, and the input's records are delivered as data on the open
//! connections, datagrams, closes, waits and an interrupt, in virtual time. The probe must never panic and
//! must end with [`Output::Done`] within a bounded number of steps once the input is exhausted (a hang is a
//! bug), and its report and events must not contain the password it was given.
//!
//! Input: two configuration bytes, then records `[op][length: u16 big-endian][payload]` (a length past the
//! end takes what is left). `op & 7`:
//!
//! - 0-3: the payload as data on an open connection, the newest for `op >> 3 == 0`, older ones for higher
//!   values (the TLS scan and port discovery hold several);
//! - 4 / 5: the payload as an RTP / RTCP datagram on the newest UDP pair, from the camera or, with bit 3,
//!   from a stranger; `op >> 4` times 100 datagrams reported dropped before it (a flood);
//! - 6: the server closes the connection chosen as for data: payload byte 0 says how (end of stream, reset,
//!   TLS alert payload byte 1, error);
//! - 7: time passes: `op >> 3` quarter seconds, or up to the probe's next timer for 0; `0xff` interrupts.
//!
//! Each record also advances the virtual clock by 1 ms, and the probe's timers fire when due, as a driver
//! that sleeps until the next timer or input would fire them.
//!
//! Configuration byte 0: bit 0 `rtsps://` (else `rtsp://`); bit 1 credentials (`--user`/`--password`);
//! bits 2-3 transport (auto, TCP, UDP, auto); bit 4 TLS scan always (else on failure); bit 5 media
//! delivery; bit 6 the modern client's handshake fails; bit 7 the verifier rejects the (empty) chain.
//! Byte 1: bit 0 `--legacy-tls`; bit 1 port discovery (`rtspeek probe HOST`); bit 2 `--insecure`; bit 3 the
//! credentials in the URL instead; bit 4 a zero media window (until every track is decodable); bit 5 the
//! server asks for a client certificate; bit 6 the handshake fails with an alert (else "incompatible").

use std::collections::VecDeque;
use std::time::Duration;

use rtspeek_core::probe::{
    CloseReason, ConnId, ConnectTls, DiscoveryConfig, HandshakeFailure, Input, Output, Probe, ProbeConfig,
    ProbeEvent, TlsEstablished, TlsParameter, TlsScan, TransportChoice, UdpChannel, UdpId, VerifierRecord,
};
use rtspeek_core::rtsp::Url;
use rtspeek_core::rtsp::auth::Credentials;
use rtspeek_core::{Report, UnixTime};

#[path = "records.rs"]
mod records;
use records::next_record;

/// A fixed time (2027-01-15), so that a run is reproducible.
const NOW: UnixTime = UnixTime(1_800_000_000);
/// A fixed seed: client nonces, TLS randoms and SSRCs are the same on every run.
const SEED: [u8; 32] = [0x5e; 32];
const USER: &str = "admin";
/// The password the probe is given: it must not appear in the report or the events.
const PASSWORD: &str = "fuzz-pw-5ecret";
/// `admin:fuzz-pw-5ecret` in base64 (Basic credentials), which must not appear either.
const BASIC: &str = "YWRtaW46ZnV6ei1wdy01ZWNyZXQ=";

/// Bounds that only a hang reaches: outputs drained after one input, and timer firings after the input
/// ended (the probe's overall bound is reached in far fewer).
const MAX_OUTPUTS_PER_INPUT: usize = 100_000;
const MAX_TIMER_STEPS: usize = 10_000;

/// An input the driver owes the probe (its answer to an output), delivered before the next record.
#[derive(Debug)]
enum Owed {
    Connected(ConnId),
    Tls(ConnId, ConnectTls),
    UdpBound(UdpId, u16),
}

/// The fake driver: what is open, the virtual clock and the next timer.
struct Driver {
    flags: [u8; 2],
    probe: Probe,
    now: Duration,
    /// The probe's next timer, from the last [`Output::Timeout`].
    deadline: Duration,
    /// Connections the probe opened and neither side closed, oldest first.
    open: Vec<ConnId>,
    /// UDP pairs bound and not closed, oldest first.
    udp: Vec<UdpId>,
    owed: VecDeque<Owed>,
    next_port: u16,
    report: Option<Report>,
    /// Debug text of every event, checked for the password at the end.
    events: Vec<String>,
}

/// What the fuzz target runs: see the module docs for the input format.
pub fn run(data: &[u8]) {
    let (flags, mut records) = match data {
        [a, b, rest @ ..] => ([*a, *b], rest),
        _ => ([0, 0], &[][..]),
    };
    let mut d = Driver::new(flags);
    d.drain();
    while d.report.is_none() {
        let Some((op, payload)) = next_record(&mut records) else { break };
        d.now += Duration::from_millis(1);
        d.fire_due_timers();
        if d.report.is_some() {
            break;
        }
        d.record(op, payload);
        d.drain();
    }
    // The input is over: only time passes, and the probe must finish.
    let mut steps = 0;
    while d.report.is_none() {
        steps += 1;
        assert!(steps <= MAX_TIMER_STEPS, "the probe does not finish: {steps} timer steps at {:?}", d.now);
        d.now = d.now.max(d.deadline);
        d.probe.handle_timeout(d.now);
        d.drain();
    }
    let report = d.report.take().expect("finished");
    let text = format!("{report:?}");
    let leaks = |text: &str| text.contains(PASSWORD) || text.contains(BASIC);
    // The server may send the password back itself, and the report may quote what it said.
    if !contains(data, PASSWORD.as_bytes()) && !contains(data, BASIC.as_bytes()) {
        assert!(!leaks(&text), "the report holds the password");
        assert!(!d.events.iter().any(|e| leaks(e)), "an event holds the password");
    }
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

impl Driver {
    fn new(flags: [u8; 2]) -> Driver {
        let [a, b] = flags;
        let with_credentials = a & 2 != 0;
        let in_url = with_credentials && b & 8 != 0;
        let userinfo = if in_url { format!("{USER}:{PASSWORD}@") } else { String::new() };
        let scheme = if a & 1 != 0 { "rtsps" } else { "rtsp" };
        let url = Url::parse(&format!("{scheme}://{userinfo}192.0.2.10/stream")).expect("a valid URL");
        let mut config = ProbeConfig::new(url, NOW, SEED);
        if with_credentials && !in_url {
            config.credentials = Some(Credentials::new(USER, PASSWORD));
        }
        config.transport = match (a >> 2) & 3 {
            1 => TransportChoice::Tcp,
            2 => TransportChoice::Udp,
            _ => TransportChoice::Auto,
        };
        config.tls_scan = if a & 0x10 != 0 { TlsScan::Always } else { TlsScan::OnFailure };
        config.deliver_media = a & 0x20 != 0;
        config.legacy_tls = b & 1 != 0;
        if b & 2 != 0 {
            config.discovery =
                Some(DiscoveryConfig { ports: vec![322, 554], per_port_timeout: Duration::from_millis(500) });
        }
        config.insecure = b & 4 != 0;
        config.media_window = if b & 0x10 != 0 { Duration::ZERO } else { Duration::from_secs(1) };
        config.step_timeout = Duration::from_secs(2);
        Driver {
            flags,
            probe: Probe::new(config),
            now: Duration::ZERO,
            deadline: Duration::ZERO,
            open: Vec::new(),
            udp: Vec::new(),
            owed: VecDeque::new(),
            next_port: 40_000,
            report: None,
            events: Vec::new(),
        }
    }

    /// Fires the timers due by now, as a driver that slept until the earlier of the timer and the input.
    fn fire_due_timers(&mut self) {
        let mut steps = 0;
        while self.report.is_none() && self.deadline <= self.now {
            steps += 1;
            assert!(steps <= MAX_TIMER_STEPS, "timers due at {:?} keep firing without end", self.now);
            self.probe.handle_timeout(self.now);
            self.drain();
        }
    }

    /// Drains the probe's outputs, answering each, until it waits for a timer or is done; then delivers what
    /// the driver owes it (connections made, handshakes, bound sockets) and drains again.
    fn drain(&mut self) {
        if self.report.is_some() {
            return;
        }
        loop {
            let mut outputs = 0;
            loop {
                outputs += 1;
                assert!(outputs <= MAX_OUTPUTS_PER_INPUT, "the probe keeps producing outputs");
                match self.probe.poll_output() {
                    Some(Output::Timeout(at)) => {
                        assert!(at >= self.now, "a timer in the past: {at:?} < {:?}", self.now);
                        self.deadline = at;
                        break;
                    }
                    Some(Output::Done(report)) => {
                        assert!(self.probe.poll_output().is_none(), "an output after Done");
                        assert!(self.probe.is_done());
                        self.report = Some(*report);
                        return;
                    }
                    Some(other) => self.output(other),
                    None => panic!("poll_output returned None before Done"),
                }
            }
            let Some(owed) = self.owed.pop_front() else { return };
            self.deliver(owed);
        }
    }

    fn output(&mut self, output: Output) {
        match output {
            Output::Connect { conn, tls, .. } => {
                assert!(!self.open.contains(&conn), "connection {conn:?} opened twice");
                self.open.push(conn);
                self.owed.push_back(Owed::Connected(conn));
                if tls != ConnectTls::None {
                    self.owed.push_back(Owed::Tls(conn, tls));
                }
            }
            Output::Close { conn } => self.open.retain(|c| *c != conn),
            Output::BindUdp { udp } => {
                let port = self.next_port;
                self.next_port = self.next_port.wrapping_add(2).max(1024) & !1;
                self.udp.push(udp);
                self.owed.push_back(Owed::UdpBound(udp, port));
            }
            Output::CloseUdp { udp } => self.udp.retain(|u| *u != udp),
            Output::Event(event) => {
                assert!(!matches!(event, ProbeEvent::Done { .. }), "the report leaves only as Output::Done");
                self.events.push(format!("{event:?}"));
            }
            Output::Media(frame) => assert!(!frame.data.is_empty(), "an empty media frame"),
            Output::Transmit { .. } | Output::SendUdp { .. } => {}
            Output::Timeout(_) | Output::Done(_) => unreachable!("handled by drain"),
        }
    }

    fn deliver(&mut self, owed: Owed) {
        let now = self.now;
        match owed {
            Owed::Connected(conn) if self.open.contains(&conn) => {
                self.probe.handle_input(now, Input::Connected { conn, peer: ([192, 0, 2, 10], 322).into() });
            }
            Owed::Tls(conn, tls) if self.open.contains(&conn) => {
                let [a, b] = self.flags;
                let legacy = tls == ConnectTls::Legacy;
                let input = if a & 0x40 != 0 && !legacy {
                    let failure = if b & 0x40 != 0 {
                        HandshakeFailure::Alert(40)
                    } else {
                        HandshakeFailure::Incompatible {
                            parameter: TlsParameter::Version,
                            detail: "fuzz: no protocol in common".into(),
                        }
                    };
                    Input::TlsFailed { conn, failure, verifier: None }
                } else {
                    let error =
                        (a & 0x80 != 0).then(|| "fuzz: invalid peer certificate: UnknownIssuer".into());
                    let overridden = error.is_some() && b & 4 != 0;
                    let tls = TlsEstablished {
                        version: if legacy { "TLSv1".into() } else { "TLSv1.3".into() },
                        cipher_suite: if legacy {
                            "TLS_RSA_WITH_AES_128_CBC_SHA".into()
                        } else {
                            "TLS13_AES_128_GCM_SHA256".into()
                        },
                        sni: None,
                        client_cert_requested: b & 0x20 != 0,
                        verifier: VerifierRecord { chain: Vec::new(), error, overridden },
                        client: legacy.then(|| "fuzz legacy client".into()),
                    };
                    Input::TlsEstablished { conn, tls }
                };
                self.probe.handle_input(now, input);
            }
            Owed::UdpBound(udp, rtp_port) if self.udp.contains(&udp) => {
                let rtcp_port = rtp_port.wrapping_add(1);
                self.probe.handle_input(now, Input::UdpBound { udp, rtp_port, rtcp_port });
            }
            _ => {}
        }
    }

    /// The open connection `pick` names: 0 the newest, then older ones (wrapping).
    fn connection(&self, pick: u8) -> Option<ConnId> {
        let n = self.open.len();
        (n > 0).then(|| self.open[n - 1 - usize::from(pick) % n])
    }

    fn record(&mut self, op: u8, payload: &[u8]) {
        let now = self.now;
        match op & 7 {
            0..=3 => {
                if let Some(conn) = self.connection(op >> 3) {
                    self.probe.handle_input(now, Input::Data { conn, bytes: payload });
                }
            }
            4 | 5 => {
                if let Some(&udp) = self.udp.last() {
                    let channel = if op & 7 == 4 { UdpChannel::Rtp } else { UdpChannel::Rtcp };
                    // Bit 3 sends from a stranger instead of the camera; the high bits report a dropped count.
                    let host = if op & 8 != 0 { "198.51.100.7" } else { "192.0.2.10" };
                    let from =
                        format!("{host}:{}", 6000 + u16::from(op >> 4)).parse().expect("a valid address");
                    let dropped = u32::from(op >> 4) * 100;
                    self.probe
                        .handle_input(now, Input::Datagram { udp, channel, bytes: payload, from, dropped });
                }
            }
            6 => {
                if let Some(conn) = self.connection(op >> 3) {
                    let reason = match payload.first().map(|b| b % 4) {
                        None | Some(0) => CloseReason::Eof,
                        Some(1) => CloseReason::Reset,
                        Some(2) => CloseReason::TlsAlert(payload.get(1).copied().unwrap_or(116)),
                        _ => CloseReason::Error("fuzz: connection error".into()),
                    };
                    self.open.retain(|c| *c != conn);
                    self.probe.handle_input(now, Input::Closed { conn, reason });
                }
            }
            _ if op == 0xff => self.probe.handle_input(now, Input::Interrupt),
            _ => {
                let quarters = u64::from(op >> 3);
                self.now = if quarters == 0 {
                    self.now.max(self.deadline)
                } else {
                    self.now + Duration::from_millis(250 * quarters)
                };
                self.fire_due_timers();
            }
        }
    }
}
