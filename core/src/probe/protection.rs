//! The media-security statement: how each track's media was protected once set up, and one sentence for
//! the report. It tells apart what users confuse: an rtsps:// URL with cleartext UDP media next to it, RTP inside
//! the TLS connection, SRTP whose keys travelled inside TLS, and SRTP whose keys anyone on the path could read.

use super::tracks::{Carriage, Track};
use crate::diagnose::facts::MediaSecurity;

/// How one track is protected: the `protection` value and the phrase for the statement.
fn track_protection(track: &Track, tls: bool) -> Option<(&'static str, String)> {
    let carriage = track.carriage?;
    let srtp = track.srtp.as_ref().filter(|s| s.active());
    Some(match (srtp, carriage) {
        (Some(s), _) if s.keys_ready() && s.keys_in_clear(tls) => {
            ("srtp_keys_in_clear", s.protection_words(tls))
        }
        (Some(s), _) if s.keys_ready() => ("srtp", s.protection_words(tls)),
        (Some(_), _) => ("undecryptable_srtp", "SRTP whose keys rtspeek could not use".to_owned()),
        (None, Carriage::Tcp { .. }) if tls => {
            ("tls_interleaved", "RTP inside the TLS connection (interleaved in RTSPS)".to_owned())
        }
        (None, Carriage::Tcp { .. }) => {
            ("cleartext_tcp", "cleartext RTP inside the plain RTSP connection".to_owned())
        }
        (None, Carriage::Udp { .. }) if tls => (
            "cleartext_udp",
            "cleartext RTP over UDP, outside the TLS connection: anyone on the path can watch it".to_owned(),
        ),
        (None, Carriage::Udp { .. }) => {
            ("cleartext_udp", "cleartext RTP over UDP: anyone on the path can watch it".to_owned())
        }
    })
}

/// The statement for the tracks set up (`None` if none was).
pub(crate) fn media_security(tracks: &[Track], tls: bool) -> Option<MediaSecurity> {
    let each: Vec<(&str, &str, String)> = tracks
        .iter()
        .filter_map(|t| track_protection(t, tls).map(|(kind, words)| (t.media.as_str(), kind, words)))
        .collect();
    let (_, first_kind, first_words) = each.first()?;
    if each.iter().all(|(_, kind, words)| kind == first_kind && words == first_words) {
        return Some(MediaSecurity {
            protection: (*first_kind).to_owned(),
            statement: format!("media: {first_words}"),
        });
    }
    let parts: Vec<String> = each.iter().map(|(media, _, words)| format!("{media}: {words}")).collect();
    Some(MediaSecurity { protection: "mixed".to_owned(), statement: parts.join("; ") })
}
