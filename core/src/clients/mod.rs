//! Which players, NVRs and libraries will play this camera, why not, and the settings for each.
//!
//! A strict client (rustls) is one judge; the clients people use are others. FFmpeg never checks an
//! rtsps:// certificate, GStreamer and OpenSSL fall back to the Common Name, Go refuses it, VLC 3 cannot open
//! rtsps:// at all, Go 1.22 dropped the RSA key exchange many cameras need, FFmpeg answers Digest only with
//! MD5. This module holds a table of client profiles ([`PROFILES`], data: versions and suites offered,
//! verification and name rules, key and hash minimums, Digest stacks, transports, codecs, SRTP, each with its
//! sources) and one pure function, [`assess`], from a [`Report`] (a live probe's or an offline certificate
//! check's) to a [`ClientVerdict`] per profile: `works`, `risky` (plays, with a caveat) or `fails`, the reasons
//! (finding codes and words that name the client), and the settings that make it work where any exist.
//!
//! Profile ids are public API like finding codes: catalogued here, documented in `docs/clients.md`
//! ([`catalogue_markdown`]), never renamed casually.
//!
//! ```
//! use rtspeek_core::UnixTime;
//! use rtspeek_core::cert::{CertCheck, InputFile, analyze};
//! use rtspeek_core::clients::Outcome;
//! // A self-signed camera certificate with SAN DNS:cam.example, IP:192.0.2.10.
//! let pem = include_bytes!("../../tests/data/pki/self-signed.pem");
//! let files = [InputFile { name: "cam.pem", bytes: pem }];
//! let report = analyze(&CertCheck::new(&files, UnixTime(1_780_272_000)).host("192.0.2.10")).unwrap();
//! // `analyze` fills `report.clients` with `assess`.
//! let verdict = |id: &str| report.clients.iter().find(|c| c.id == id).unwrap().verdict;
//! assert_eq!(verdict("ffmpeg-gnutls"), Outcome::Risky, "FFmpeg plays it without checking it");
//! assert_eq!(verdict("gstreamer"), Outcome::Fails, "GStreamer checks it against its trust store");
//! ```

mod judge;
mod observe;
mod profile;
mod table;

use serde::{Deserialize, Serialize};

pub use profile::{
    ClientProfile, CnFallback, Evidence, H265Support, Settings, SrtpKeying, TlsBehaviour, TransportRule,
    Verification,
};
pub use table::PROFILES;

use crate::{Layer, Report};

/// Whether a client plays the stream with its default settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// It plays, and nothing needs changing.
    Works,
    /// It plays, or probably plays, with a caveat the reasons state: something wrong or weak (no
    /// certificate check, a deprecated fallback, media in clear), or something not observed that may stop it
    /// (a layer not reached, a transport not tried).
    Risky,
    /// It does not play; the settings say what makes it work, where anything does.
    Fails,
}

impl Outcome {
    /// `works`, `risky`, `fails`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Outcome::Works => "works",
            Outcome::Risky => "risky",
            Outcome::Fails => "fails",
        }
    }
}

/// What a reason does to the verdict.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Effect {
    /// It keeps the client from playing.
    Fails,
    /// It may keep the client from playing: what decides it was not observed (a transport not tried, a layer
    /// not reached, a server that may insist on Digest qop, a platform decoder).
    MayFail,
    /// The client plays, but this is wrong or weak (no certificate check, a deprecated fallback, TLS 1.0,
    /// media or a password in clear).
    Caveat,
}

/// One reason for a verdict.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reason {
    /// The layer it is about.
    pub layer: Layer,
    /// The finding code it corresponds to, when one does.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    /// In words, naming the client.
    pub text: String,
    /// What it does to the verdict.
    pub effect: Effect,
}

/// How one client fares: an element of the report's top-level `clients`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClientVerdict {
    /// The profile id (stable: `ffmpeg-gnutls`, `gstreamer`...).
    pub id: String,
    /// The client's name.
    pub name: String,
    /// The verdict.
    pub verdict: Outcome,
    /// Why, in chain order (empty when it works).
    pub because: Vec<Reason>,
    /// What to set on this client (or change on the camera) to make it work, or to make it safe.
    pub settings: Vec<String>,
    /// Whether the profile's facts were measured against the real client here (otherwise cited).
    pub measured: bool,
}

/// Every profile's verdict for what `report` observed.
pub fn assess(report: &Report) -> Vec<ClientVerdict> {
    let obs = observe::Observations::of(report);
    PROFILES.iter().map(|p| judge::judge(p, &obs)).collect()
}

/// The profile with this id.
pub fn lookup(id: &str) -> Option<&'static ClientProfile> {
    PROFILES.iter().find(|p| p.id == id)
}

/// The catalogue of client ids, as kept in `docs/clients.md`.
pub fn catalogue_markdown() -> String {
    let mut out = String::from(
        "# Client profiles\n\n\
         <!-- Generated from core/src/clients/table.rs by `cargo xtask docs`; a test checks it is current. -->\n\n\
         The report's `clients` array judges the stream once per client profile below: `works`, `risky` (plays, \
         with a caveat) or `fails`, with the reasons and the settings for that client. Ids are stable public \
         API, like finding codes. \"Measured\" profiles were run here by the interop matrix \
         (`native-bridge/tests/it/client_matrix.rs`), which checks every verdict against what the real client did; \
         \"cited\" ones come from their sources (see the comments in `core/src/clients/table.rs`) and are not \
         verified here.\n",
    );
    for p in PROFILES {
        let evidence = match p.evidence {
            Evidence::Measured(how) => format!("measured here: {how}"),
            Evidence::Cited(sources) => format!("cited, not verified here: {sources}"),
        };
        let tls = match &p.tls {
            None => "cannot open rtsps://".to_owned(),
            Some(t) => {
                let versions: Vec<&str> = t.versions.iter().filter_map(|v| v.name()).collect();
                let verification = match t.verification {
                    Verification::Always => "checks the certificate",
                    Verification::Never => "never checks the certificate",
                    Verification::SkippedForIpHosts => {
                        "checks the certificate for host names, not for IP addresses"
                    }
                };
                let cn = match t.cn_fallback {
                    CnFallback::Never => "no Common Name fallback",
                    CnFallback::WhenNoDnsSan => "Common Name fallback when there is no DNS SAN",
                    CnFallback::WhenNoSan => "Common Name fallback when there is no SAN",
                };
                format!(
                    "{} with {} suites; {verification}; {cn}; RSA >= {} bits; SHA-1 signatures {}",
                    versions.join(", "),
                    t.suites.len(),
                    t.min_rsa_bits,
                    if t.accepts_sha1_signatures { "accepted" } else { "refused" }
                )
            }
        };
        out.push_str(&format!(
            "\n## `{}`: {}\n\n- versions: {}\n- used by: {}\n- evidence: {evidence}\n- TLS: {tls}\n- \
             authentication: {}\n- transport: rtsps:// {}; rtsp:// {}\n- H.265: {}; SRTP: {}\n",
            p.id,
            p.name,
            p.versions,
            p.used_by,
            p.auth.name,
            p.transport_rtsps.describe(),
            p.transport_rtsp.describe(),
            p.h265.describe(),
            if p.srtp { "yes" } else { "no" },
        ));
    }
    out
}
