//! A scan plan: which ClientHellos to send, several at once, given the answers so far. Each offer goes on a
//! fresh connection; the driver asks [`ScanPlan::next_offer`] until it returns `None` (nothing more to send
//! now: wait for an answer), gives each answer back with [`ScanPlan::record`], and stops when
//! [`ScanPlan::is_done`].
//!
//! 1. What rustls offers (TLS 1.2-1.3, modern suites) goes first and alone: it is what a modern client gets,
//!    and a port that answers it in another protocol or not at all ends the plan without more connections.
//! 2. Then lanes run side by side. A lane offers exactly one version (TLS 1.3, 1.2, 1.1 or 1.0) with the
//!    suites of one key-exchange family usable with it (ECDHE, DHE, static RSA, the rest), minus the suites
//!    the server already chose in that lane, until the server refuses: every accepted suite is found, at one
//!    round trip per accepted suite. A lane that shows the server does not speak its version (alert
//!    `protocol_version`, or an answer in a lower version) ends the other lanes of that version too.
//! 3. When the modern offer was accepted, TLS 1.0 and 1.1 are confirmed (one suite each) but not enumerated:
//!    every client rtspeek judges also speaks TLS 1.2, so against such a server only their presence matters
//!    (a finding), and each costs one round trip instead of one per suite. A legacy-only server is enumerated
//!    in full, because then they decide which clients get in.
//!
//! At most [`ScanPlan::with_max_in_flight`] offers are out at once (4 by default): cameras limit their
//! connections, and four keep a loopback scan of a typical server well under 100 ms.

use super::alerts::AlertDescription;
use super::client_hello::ClientHelloConfig;
use super::flight::{FlightEnd, ServerFlight};
use super::scan::ScanAttempt;
use super::suite_info::KeyExchange;
use super::suites::{CipherSuite, LEGACY_SUITES, TLS13_SUITES};
use super::version::ProtocolVersion;

/// Default bound on offers in flight at once.
pub const DEFAULT_MAX_IN_FLIGHT: usize = 4;

/// Bound on the offers of one lane (a family has at most 21 suites; a server accepting them all needs one
/// more offer to show that nothing else is left).
const MAX_ROUNDS_PER_LANE: usize = 24;

/// Suites the scan offers besides [`LEGACY_SUITES`]: the AES-CCM suites GnuTLS clients offer, so that a
/// server accepting only those is not mistaken for one that accepts nothing.
const CCM_SUITES: &[CipherSuite] = &[
    CipherSuite(0xc0ad), // TLS_ECDHE_ECDSA_WITH_AES_256_CCM
    CipherSuite(0xc0ac), // TLS_ECDHE_ECDSA_WITH_AES_128_CCM
    CipherSuite(0xc09f), // TLS_DHE_RSA_WITH_AES_256_CCM
    CipherSuite(0xc09e), // TLS_DHE_RSA_WITH_AES_128_CCM
    CipherSuite(0xc09d), // TLS_RSA_WITH_AES_256_CCM
    CipherSuite(0xc09c), // TLS_RSA_WITH_AES_128_CCM
];

/// Names one lane of a plan, to give its answer back.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct LaneId(usize);

/// The key-exchange families lanes are split by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Family {
    /// What rustls offers: TLS 1.2-1.3, forward-secret AEAD suites.
    Modern,
    /// TLS 1.3 suites (key exchange negotiated apart).
    Tls13,
    Ecdhe,
    Dhe,
    Rsa,
    /// Camellia/SEED/IDEA with any key exchange is not split further; static ECDH, export and the rest.
    Other,
}

impl Family {
    fn of(suite: CipherSuite) -> Family {
        match suite.info().map(|i| i.key_exchange) {
            Some(KeyExchange::Tls13) => Family::Tls13,
            Some(KeyExchange::Ecdhe) => Family::Ecdhe,
            Some(KeyExchange::Dhe) => Family::Dhe,
            Some(KeyExchange::Rsa) => Family::Rsa,
            _ => Family::Other,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum LaneState {
    Ready,
    InFlight,
    Done,
}

#[derive(Debug, Clone)]
struct Lane {
    family: Family,
    /// The version offered (the highest, for the modern lane).
    version: ProtocolVersion,
    /// Suites still to offer.
    pool: Vec<CipherSuite>,
    state: LaneState,
    rounds: usize,
}

impl Lane {
    fn new(family: Family, version: ProtocolVersion, pool: Vec<CipherSuite>) -> Lane {
        let state = if pool.is_empty() { LaneState::Done } else { LaneState::Ready };
        Lane { family, version, pool, state, rounds: 0 }
    }

    fn offer(&self, random: [u8; 32], share: [u8; 32]) -> ClientHelloConfig {
        match self.family {
            Family::Modern => ClientHelloConfig::modern(random, share),
            _ => {
                let offer = ClientHelloConfig::new(self.version, self.version, &self.pool, random);
                if self.version.is_tls13_or_later() { offer.with_key_share(share) } else { offer }
            }
        }
    }
}

/// The offers of a TLS scan (see the module documentation).
#[derive(Debug, Clone)]
pub struct ScanPlan {
    host: String,
    max_in_flight: usize,
    lanes: Vec<Lane>,
    attempts: Vec<ScanAttempt>,
    /// Set when the modern offer showed the port does not speak TLS (or is silent).
    dead_port: bool,
    /// Set when the modern offer was accepted.
    modern_accepted: bool,
}

impl ScanPlan {
    /// A plan for the server at `host` (a DNS name is sent as SNI, an IP literal is not).
    pub fn new(host: &str) -> Self {
        let mut lanes = vec![Lane::new(Family::Modern, ProtocolVersion::TLS1_3, vec![CipherSuite(0)])];
        lanes.push(Lane::new(Family::Tls13, ProtocolVersion::TLS1_3, TLS13_SUITES.to_vec()));
        for version in [ProtocolVersion::TLS1_2, ProtocolVersion::TLS1_1, ProtocolVersion::TLS1_0] {
            for family in [Family::Ecdhe, Family::Rsa, Family::Dhe, Family::Other] {
                let pool: Vec<CipherSuite> = LEGACY_SUITES
                    .iter()
                    .chain(CCM_SUITES)
                    .copied()
                    .filter(|s| s.usable_with(version) && Family::of(*s) == family)
                    .collect();
                lanes.push(Lane::new(family, version, pool));
            }
        }
        ScanPlan {
            host: host.to_owned(),
            max_in_flight: DEFAULT_MAX_IN_FLIGHT,
            lanes,
            attempts: Vec::new(),
            dead_port: false,
            modern_accepted: false,
        }
    }

    /// Allows `n` offers in flight at once (at least 1: a strictly sequential scan).
    #[must_use]
    pub fn with_max_in_flight(mut self, n: usize) -> Self {
        self.max_in_flight = n.max(1);
        self
    }

    /// The next offer to send now, with the caller's 32 random bytes and x25519 key share value, and the lane
    /// to record its answer for; `None` when nothing more can be sent before an answer comes back (or the
    /// scan is over: see [`is_done`](Self::is_done)).
    pub fn next_offer(
        &mut self,
        random: [u8; 32],
        x25519_key_share: [u8; 32],
    ) -> Option<(LaneId, ClientHelloConfig)> {
        if self.dead_port || self.in_flight() >= self.max_in_flight {
            return None;
        }
        // The modern offer runs alone: its answer decides whether there is anything to scan.
        let modern = self.lanes.first()?;
        let index = if modern.state != LaneState::Done {
            (modern.state == LaneState::Ready).then_some(0)?
        } else {
            self.lanes.iter().position(|lane| self.may_start(lane))?
        };
        let lane = self.lanes.get_mut(index)?;
        lane.state = LaneState::InFlight;
        let offer = lane.offer(random, x25519_key_share).with_server_name(&self.host);
        Some((LaneId(index), offer))
    }

    /// Records the answer to `offer` (sent for `lane` by [`next_offer`](Self::next_offer)).
    pub fn record(&mut self, lane: LaneId, offer: &ClientHelloConfig, flight: ServerFlight) {
        let attempt = ScanAttempt::new(offer, flight);
        let accepted = attempt.accepted().map(|f| (f.version, f.suite));
        let refused_version = matches!(
            &attempt.flight,
            ServerFlight::Alert(alert) if alert.description == AlertDescription::PROTOCOL_VERSION
        );
        let dead_port = matches!(
            attempt.flight,
            ServerFlight::NotTls { .. } | ServerFlight::Empty { end: FlightEnd::Timeout }
        );
        self.attempts.push(attempt);
        let Some(this) = self.lanes.get_mut(lane.0) else { return };
        if this.state != LaneState::InFlight {
            return;
        }
        this.rounds += 1;
        this.state = LaneState::Done;
        if this.family == Family::Modern {
            self.dead_port = dead_port;
            self.modern_accepted = accepted.is_some();
            return;
        }
        let version = this.version;
        match accepted {
            // A legacy version next to a modern one: confirmed, enough.
            Some((v, _)) if v == version && version.is_legacy() && self.modern_accepted => {
                self.end_version(version)
            }
            // A new suite at this version: offer the rest.
            Some((v, suite)) if v == version => {
                this.pool.retain(|s| *s != suite);
                if !this.pool.is_empty() && this.rounds < MAX_ROUNDS_PER_LANE {
                    this.state = LaneState::Ready;
                }
            }
            // Answered in a lower version: the server does not speak this one.
            Some(_) => self.end_version(version),
            None if refused_version => self.end_version(version),
            None => {}
        }
    }

    /// Whether `lane` may send its next offer now. Until the server has accepted something at a lane's
    /// version, the lanes of that version go one at a time: a server that does not speak the version refuses
    /// it once, not once per lane.
    fn may_start(&self, lane: &Lane) -> bool {
        if lane.state != LaneState::Ready {
            return false;
        }
        let version = lane.version;
        let spoken = self.attempts.iter().filter_map(ScanAttempt::accepted).any(|f| f.version == version);
        spoken
            || !self
                .lanes
                .iter()
                .any(|l| l.family != Family::Modern && l.version == version && l.state == LaneState::InFlight)
    }

    /// The lanes of `version` that have not started are over.
    fn end_version(&mut self, version: ProtocolVersion) {
        for lane in self.lanes.iter_mut().filter(|l| l.family != Family::Modern && l.version == version) {
            if lane.state == LaneState::Ready {
                lane.state = LaneState::Done;
            }
        }
    }

    /// Offers sent and not yet answered.
    pub fn in_flight(&self) -> usize {
        self.lanes.iter().filter(|l| l.state == LaneState::InFlight).count()
    }

    /// Whether the scan is over: nothing in flight and nothing left to offer.
    pub fn is_done(&self) -> bool {
        self.in_flight() == 0 && (self.dead_port || self.lanes.iter().all(|l| l.state == LaneState::Done))
    }

    /// Every attempt so far, in the order the answers came.
    pub fn attempts(&self) -> &[ScanAttempt] {
        &self.attempts
    }

    /// The attempts, consuming the plan.
    pub fn into_attempts(self) -> Vec<ScanAttempt> {
        self.attempts
    }
}
