//! A scan plan: which ClientHello to send next, given the answers so far. One connection per offer; the driver
//! asks [`ScanPlan::next_offer`], sends it on a fresh connection, and gives the answer back with
//! [`ScanPlan::record`], until the plan has no more offers.
//!
//! The order: first what rustls offers (TLS 1.2-1.3, modern suites); then the legacy suites up to TLS 1.2,
//! 1.1 and 1.0 (versions the server showed it lacks are skipped); then, for each version accepted with legacy
//! suites, the suites the server accepts, by offering the legacy list minus the suites it already chose until
//! it refuses (bounded per version). A port that answers the first offer in another protocol or not at all
//! ends the plan at once.

use super::client_hello::ClientHelloConfig;
use super::flight::{FlightEnd, ServerFlight};
use super::scan::ScanAttempt;
use super::suites::{CipherSuite, LEGACY_SUITES};
use super::version::ProtocolVersion;

/// Default bound on suite enumeration rounds per version.
const DEFAULT_ROUNDS_PER_VERSION: usize = 12;

/// Where a scan stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScanStage {
    /// The modern offer (what rustls sends).
    Modern,
    /// Legacy suites offered up to this version.
    Versions(ProtocolVersion),
    /// Enumerating the suites accepted at this version.
    Suites(ProtocolVersion),
    /// Nothing more to offer.
    Done,
}

/// The sequence of offers of a TLS scan (see the module documentation).
#[derive(Debug, Clone)]
pub struct ScanPlan {
    host: String,
    rounds_per_version: usize,
    stage: ScanStage,
    rounds: usize,
    attempts: Vec<ScanAttempt>,
}

impl ScanPlan {
    /// A plan for the server at `host` (a DNS name is sent as SNI, an IP literal is not).
    pub fn new(host: &str) -> Self {
        ScanPlan {
            host: host.to_owned(),
            rounds_per_version: DEFAULT_ROUNDS_PER_VERSION,
            stage: ScanStage::Modern,
            rounds: 0,
            attempts: Vec::new(),
        }
    }

    /// Bounds suite enumeration to `rounds` offers per accepted version (0: versions only, no enumeration).
    #[must_use]
    pub fn with_suite_rounds(mut self, rounds: usize) -> Self {
        self.rounds_per_version = rounds;
        self
    }

    /// The current stage.
    pub fn stage(&self) -> ScanStage {
        self.stage
    }

    /// The next offer, with the caller's 32 random bytes and x25519 key share value; `None` when the scan is
    /// over.
    pub fn next_offer(&self, random: [u8; 32], x25519_key_share: [u8; 32]) -> Option<ClientHelloConfig> {
        let offer = match self.stage {
            ScanStage::Modern => ClientHelloConfig::modern(random, x25519_key_share),
            ScanStage::Versions(version) => ClientHelloConfig::legacy(version, random),
            ScanStage::Suites(version) => {
                let seen = self.accepted_suites(version);
                let rest: Vec<CipherSuite> = LEGACY_SUITES
                    .iter()
                    .copied()
                    .filter(|s| s.usable_with(version) && !seen.contains(s))
                    .collect();
                ClientHelloConfig::new(ProtocolVersion::TLS1_0, version, &rest, random)
            }
            ScanStage::Done => return None,
        };
        Some(offer.with_server_name(&self.host))
    }

    /// Records the answer to `offer` (the last value of [`next_offer`](Self::next_offer)) and moves on.
    pub fn record(&mut self, offer: &ClientHelloConfig, flight: ServerFlight) {
        let attempt = ScanAttempt::new(offer, flight);
        let accepted = attempt.accepted().map(|f| (f.version, f.suite));
        let dead_port = matches!(
            attempt.flight,
            ServerFlight::NotTls { .. } | ServerFlight::Empty { end: FlightEnd::Timeout }
        );
        self.attempts.push(attempt);
        self.stage = match self.stage {
            ScanStage::Modern if dead_port => ScanStage::Done,
            ScanStage::Modern => ScanStage::Versions(ProtocolVersion::TLS1_2),
            ScanStage::Versions(offered) => {
                // A server answers with its best version up to the one offered, so the versions between its
                // answer and the offer are not supported: continue below the answer.
                let below = accepted.map_or(offered, |(version, _)| version);
                match previous(below) {
                    Some(version) => ScanStage::Versions(version),
                    None => self.first_enumeration(),
                }
            }
            ScanStage::Suites(version) => {
                self.rounds += 1;
                // The offer left out every suite already seen, so an acceptance at this version is a new suite.
                let new_suite = accepted.is_some_and(|(v, _)| v == version);
                if new_suite && self.rounds < self.rounds_per_version && self.has_untried(version) {
                    ScanStage::Suites(version)
                } else {
                    self.rounds = 0;
                    self.enumeration_after(version)
                }
            }
            ScanStage::Done => ScanStage::Done,
        };
    }

    /// Every attempt so far.
    pub fn attempts(&self) -> &[ScanAttempt] {
        &self.attempts
    }

    /// The attempts, consuming the plan.
    pub fn into_attempts(self) -> Vec<ScanAttempt> {
        self.attempts
    }

    /// Suites the server accepted at `version`, in any attempt.
    fn accepted_suites(&self, version: ProtocolVersion) -> Vec<CipherSuite> {
        self.attempts
            .iter()
            .filter_map(ScanAttempt::accepted)
            .filter(|f| f.version == version)
            .map(|f| f.suite)
            .collect()
    }

    /// Whether legacy suites remain to be offered at `version`.
    fn has_untried(&self, version: ProtocolVersion) -> bool {
        let seen = self.accepted_suites(version);
        LEGACY_SUITES.iter().any(|s| s.usable_with(version) && !seen.contains(s))
    }

    /// Versions (<= TLS 1.2) accepted so far, best first.
    fn legacy_offer_versions(&self) -> Vec<ProtocolVersion> {
        let mut versions: Vec<ProtocolVersion> = self
            .attempts
            .iter()
            .filter_map(ScanAttempt::accepted)
            .map(|f| f.version)
            .filter(|v| !v.is_tls13_or_later())
            .collect();
        versions.sort_by(|a, b| b.cmp(a));
        versions.dedup();
        versions
    }

    fn first_enumeration(&self) -> ScanStage {
        self.legacy_offer_versions()
            .into_iter()
            .find(|v| self.rounds_per_version > 0 && self.has_untried(*v))
            .map_or(ScanStage::Done, ScanStage::Suites)
    }

    fn enumeration_after(&self, done: ProtocolVersion) -> ScanStage {
        self.legacy_offer_versions()
            .into_iter()
            .find(|v| *v < done && self.has_untried(*v))
            .map_or(ScanStage::Done, ScanStage::Suites)
    }
}

/// The offerable version below `version` (TLS 1.0 has none).
fn previous(version: ProtocolVersion) -> Option<ProtocolVersion> {
    ProtocolVersion::OFFERABLE.iter().rev().copied().find(|v| *v < version)
}
