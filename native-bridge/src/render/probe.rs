//! The facts a live probe gathers, as text: where it connected (and what port discovery found), the TLS
//! session and scan, the RTSP conversation and authentication, and each track's media figures.

use std::fmt::Write as _;

use rtspeek_core::Facts;
use rtspeek_core::codec::{Codec, Comparison};
use rtspeek_core::diagnose::facts::TrackFacts;

use super::{Paint, printable};

/// Port discovery, the connection and the TLS session.
pub(super) fn connection_text(out: &mut String, facts: &Facts, p: &Paint) {
    if !facts.ports.is_empty() {
        let _ = writeln!(out, "\n{}", p.bold("ports tried"));
        for port in &facts.ports {
            let _ = writeln!(out, "  {:<6} {:<11} {}", port.port, port.answer, printable(&port.detail));
        }
    }
    if let Some(c) = &facts.connection {
        let _ = writeln!(out, "\n{}", p.bold("connection"));
        let _ = writeln!(out, "  url:       {}", printable(&c.url));
        if let Some(peer) = &c.peer {
            let took = c.connect_ms.map(|ms| format!(" in {ms:.1} ms")).unwrap_or_default();
            let _ = writeln!(out, "  peer:      {peer}{took}");
        }
    }
    let Some(tls) = &facts.tls else { return };
    let _ = writeln!(out, "\n{}", p.bold("tls"));
    if let (Some(version), Some(suite)) = (&tls.version, &tls.cipher_suite) {
        let took = tls.handshake_ms.map(|ms| format!(" ({ms:.1} ms handshake)")).unwrap_or_default();
        let _ = writeln!(out, "  session:   {version} {suite}{took}");
    }
    if let Some(failure) = &tls.failure {
        let _ = writeln!(out, "  failed:    {}", printable(failure));
    }
    if let Some(legacy) = &tls.legacy {
        let _ = writeln!(
            out,
            "  legacy:    {} {} over {} ({:.1} ms handshake): the layers above were tested over it",
            legacy.version, legacy.cipher_suite, legacy.client, legacy.handshake_ms
        );
    }
    let _ = writeln!(out, "  sni:       {}", tls.sni.as_deref().unwrap_or("(none: IP address)"));
    if tls.client_certificate {
        let _ = writeln!(out, "  client certificate presented");
    }
    if let Some(scan) = &tls.scan {
        let versions = if scan.versions.is_empty() { "none".to_owned() } else { scan.versions.join(", ") };
        let took = scan
            .duration_ms
            .map(|ms| format!(" ({} offers in {ms:.0} ms)", scan.attempts.len()))
            .unwrap_or_default();
        let _ = writeln!(out, "  scan:      versions accepted: {versions}{took}");
        for a in &scan.accepted {
            let weak = if a.weaknesses.is_empty() {
                String::new()
            } else {
                format!("  ({})", a.weaknesses.join(", "))
            };
            let _ = writeln!(out, "             {} {}{}", a.version, a.suite, p.yellow(&weak));
        }
    }
}

/// Server, methods, authentication, exchanges.
pub(super) fn rtsp_text(out: &mut String, facts: &Facts, p: &Paint) {
    if let Some(rtsp) = &facts.rtsp {
        let _ = writeln!(out, "\n{}", p.bold("rtsp"));
        if let Some(server) = &rtsp.server {
            let _ = writeln!(out, "  server:    {}", printable(server));
        }
        if !rtsp.methods.is_empty() {
            let _ = writeln!(out, "  methods:   {}", rtsp.methods.join(" "));
        }
        if let Some(timeout) = rtsp.session_timeout_s {
            let _ = writeln!(out, "  session:   timeout {timeout} s");
        }
        for redirect in &rtsp.redirects {
            let _ = writeln!(out, "  redirect:  {}", printable(redirect));
        }
        for e in &rtsp.exchanges {
            let status = e.status.map_or_else(
                || "no answer".to_owned(),
                |s| format!("{s} {}", e.reason.as_deref().unwrap_or("")),
            );
            let rtt = e.rtt_ms.map(|ms| format!("  {ms:.1} ms")).unwrap_or_default();
            let _ =
                writeln!(out, "  {:<48} {}{}", printable(&e.request), printable(status.trim()), p.dim(&rtt));
        }
    }
    if let Some(auth) = &facts.auth {
        let _ = writeln!(out, "\n{}", p.bold("authentication"));
        for c in &auth.challenges {
            let _ = writeln!(out, "  offered:   {}", printable(&c.text));
        }
        let _ = writeln!(out, "  answered:  {}", printable(&auth.chosen));
        let _ = writeln!(out, "  outcome:   {}", auth.outcome);
        for c in &auth.clients {
            let why = c.reason.as_deref().map(|r| format!(" ({r})")).unwrap_or_default();
            let _ = writeln!(out, "  {:<11} {}{}", c.client, c.verdict, printable(&why));
        }
    }
}

/// Each track: transport, RTP figures, codec.
pub(super) fn tracks_text(out: &mut String, facts: &Facts, p: &Paint) {
    if facts.tracks.is_empty() {
        return;
    }
    let _ = writeln!(out, "\n{}", p.bold("media"));
    if let Some(security) = &facts.media_security {
        let _ = writeln!(out, "  protection: {}", printable(&security.statement));
    }
    for (i, t) in facts.tracks.iter().enumerate() {
        track_text(out, i, t, p);
    }
}

/// A track's SRTP: keys and what decrypting showed.
fn srtp_text(out: &mut String, srtp: &rtspeek_core::diagnose::facts::SrtpFacts) {
    let from = srtp.keys_from.as_deref().map(|f| format!(" from {f}")).unwrap_or_default();
    let suite = srtp.suite.as_deref().map(|s| format!(", {s}")).unwrap_or_default();
    let _ = writeln!(out, "    srtp:      {} keys {}{from}{suite}", srtp.profile, srtp.keys);
    if let Some(n) = &srtp.counters {
        let _ = writeln!(
            out,
            "      {} RTP and {} RTCP packets authenticated; {} failed ({} RTCP), {} replayed, {} past the key lifetime",
            n.rtp_ok,
            n.rtcp_ok,
            n.auth_failures + n.rtcp_auth_failures,
            n.rtcp_auth_failures,
            n.replays,
            n.lifetime_exceeded
        );
    }
    if srtp.undecryptable > 0 {
        let _ = writeln!(out, "      {} packets could not be decrypted (no usable key)", srtp.undecryptable);
    }
}

fn track_text(out: &mut String, i: usize, t: &TrackFacts, p: &Paint) {
    let _ = writeln!(
        out,
        "  {} {} {} pt {} ({} Hz), {}",
        p.bold(&format!("track {i}")),
        t.media,
        printable(&t.encoding),
        t.payload_type,
        t.clock_rate,
        t.carried_over
    );
    let _ = writeln!(out, "    control:   {}", printable(&t.control));
    if let Some(transport) = &t.transport {
        let _ = writeln!(out, "    transport: {}", printable(transport));
    }
    if let Some(info) = &t.rtp_info {
        let _ = writeln!(out, "    rtp-info:  {}", printable(info));
    }
    if let Some(srtp) = &t.srtp {
        srtp_text(out, srtp);
    }
    let first = [("first packet", t.first_packet_ms), ("first keyframe", t.first_keyframe_ms)]
        .iter()
        .filter_map(|(what, ms)| ms.map(|ms| format!("{what} {ms:.0} ms")))
        .collect::<Vec<_>>();
    if !first.is_empty() {
        let _ = writeln!(out, "    after PLAY: {}", first.join(", "));
    }
    if let Some(rtp) = &t.rtp {
        let _ = writeln!(
            out,
            "    rtp:       {} packets in {:.1} s, {} RTCP, {} sender reports",
            rtp.rtp_packets, rtp.window_s, rtp.rtcp_packets, rtp.sender_reports
        );
        for s in &rtp.sources {
            let _ = writeln!(
                out,
                "      ssrc {:08x}: {} lost ({:.2}%), {} reordered, {} duplicates, jitter {:.1} ms (max {:.1}), {:.2} Mbit/s, {:.1} fps",
                s.ssrc,
                s.lost,
                s.loss_percent,
                s.reordered,
                s.duplicates,
                s.jitter_ms,
                s.max_jitter_ms,
                s.bitrate_bps / 1e6,
                s.frame_rate
            );
        }
    }
    if let Some(codec) = &t.codec {
        if let Some(sps) = &codec.sps {
            let fps = sps.frame_rate.map(|f| format!(", {f:.2} fps (VUI)")).unwrap_or_default();
            // level_idc is 10 x the level for H.264 (9: level 1b), 30 x the level for H.265.
            let l = sps.level_idc;
            let level = match codec.codec {
                Codec::H264 if l == 9 => "1b".to_owned(),
                Codec::H264 => format!("{}.{}", l / 10, l % 10),
                Codec::H265 => format!("{}.{}", l / 30, l % 30 / 3),
            };
            let _ = writeln!(
                out,
                "    codec:     {} {} level {level}, {}x{}{fps}  {}",
                codec.codec.name(),
                sps.profile_name,
                sps.width,
                sps.height,
                codec.codec_string.as_deref().unwrap_or("")
            );
        }
        let gop = &codec.gop;
        let gop_len = match (gop.gop_frames_min, gop.gop_frames_max) {
            (Some(a), Some(b)) if a == b => format!("GOP {a} frames"),
            (Some(a), Some(b)) => format!("GOP {a}-{b} frames"),
            _ => "GOP not complete in the window".to_owned(),
        };
        let sets = match codec.parameter_sets {
            Comparison::Same => "in band and in the SDP, identical",
            Comparison::Different => "in band differ from the SDP's",
            Comparison::OnlyInBand => "in band only",
            Comparison::OnlySdp => "in the SDP only",
            Comparison::Neither => "none seen",
        };
        let _ = writeln!(
            out,
            "    frames:    {} access units, {} keyframes, {gop_len}; parameter sets {sets}",
            gop.frames, gop.keyframes
        );
    }
}
