//! SRTP streams (`srtp = "mikey" | "sdes" | "mikey+sdes"`): GStreamer's rtspsrc plays them over RTP/SAVP
//! (MIKEY, RTSPS and plain RTSP); a raw client checks that the UDP media is not plain RTP but SRTP under
//! the keys its own DESCRIBE offered (and that two sessions get different keys); what ffprobe does with
//! them is measured and asserted.

use std::net::UdpSocket;
use std::time::{Duration, Instant};

use rtspeek_core::mikey::Message as Mikey;
use rtspeek_core::rtp::RtpPacket;
use rtspeek_core::srtp::sdes::CryptoAttribute;
use rtspeek_core::srtp::{SrtpContext, Suite};
use rtspeek_tests::peers::clients::gstreamer;
use rtspeek_tests::peers::ffmpeg::run_ffprobe;
use rtspeek_tests::peers::run_bounded;
use rtspeek_tests::rtsp_client::RtspClient;
use tokio::net::TcpStream;

use crate::support::serve::{Pki, Serve, free_udp_pair};

/// An RTSPS listener and a plain one, both with UDP, and SRTP streams of each kind (their keys allowed on
/// plain RTSP, since these tests need it), plus one kept to RTSPS.
fn config(pki: &Pki) -> String {
    pki.leaf("server", &["localhost"]);
    let (tls_udp, plain_udp) = (free_udp_pair(), free_udp_pair());
    let camera =
        r#"{ kind = "synthetic", width = 320, height = 180, fps = 25, gop = 25, bitrate_kbps = 600 }"#;
    let mut text = format!(
        r#"[server]
request_timeout_secs = 3
idle_timeout_secs = 10

[tls]
cert = "server.pem"
key = "server.key"
names = ["localhost", "127.0.0.1"]

[[listener]]
bind = "127.0.0.1:0"
udp_port = {tls_udp}

[[listener]]
bind = "127.0.0.1:0"
tls = false
udp_port = {plain_udp}

[[stream]]
path = "plain-rtp"
source = {camera}

[[stream]]
path = "strict"
encryption = "strict"
srtp = "mikey"
source = {camera}
"#
    );
    for (path, mode) in [("mikey", "mikey"), ("sdes", "sdes"), ("both", "mikey+sdes")] {
        text.push_str(&format!(
            "\n[[stream]]\npath = \"{path}\"\nsrtp = \"{mode}\"\nallow_srtp_cleartext_keys = true\nsource = {camera}\n"
        ));
    }
    for (path, suite) in
        [("sha32", "AES_CM_128_HMAC_SHA1_32"), ("gcm128", "AEAD_AES_128_GCM"), ("gcm256", "AEAD_AES_256_GCM")]
    {
        text.push_str(&format!(
            "\n[[stream]]\npath = \"{path}\"\nencryption = \"strict\"\nsrtp = \"mikey\"\nsrtp_suite = \"{suite}\"\nsource = {camera}\n"
        ));
    }
    text
}

#[test]
fn rtspsrc_plays_mikey_srtp_over_udp_on_rtsps_and_plain_rtsp() {
    let pki = Pki::new();
    let serve = Serve::start(&pki, &config(&pki));
    let ca = pki.ca_path();
    for url in [serve.url("rtsps", "strict"), serve.url("rtsps", "mikey"), serve.url("rtsp", "mikey")] {
        let played = gstreamer(&url, Some(&ca), false).unwrap_or_else(|e| panic!("{e}"));
        assert!(played.played, "{url}: {}\nserver: {}", played.detail, serve.process.stderr_tail());
    }
    // rtspsrc tries UDP first: each of the three sessions was SRTP over UDP, not a TCP fallback.
    let log = serve.process.stderr_tail();
    let udp_plays =
        log.lines().filter(|l| l.contains("playing") && l.contains("Udp") && l.contains("AesCm128")).count();
    assert!(udp_plays >= 3, "three SRTP plays over UDP:\n{log}");

    // Long enough for rtspsrc's receiver reports: SRTCP under the key its SETUP sent in KeyMgmt, all read.
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/peers/gst_rtsp_client.py");
    let mut cmd = std::process::Command::new("/usr/bin/python3");
    cmd.arg(script).arg(serve.url("rtsps", "strict")).arg("--ca").arg(&ca);
    cmd.args(["--protocols", "udp", "--buffers", "200", "--timeout", "20"]);
    let out = run_bounded(cmd, Duration::from_secs(30)).unwrap_or_else(|e| panic!("{e}"));
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stdout));
    let deadline = Instant::now() + Duration::from_secs(5);
    let closed = loop {
        let log = plain_log(&serve.process.stderr_tail());
        let last = log.lines().filter(|l| l.contains("connection closed")).nth(3).map(str::to_owned);
        match last {
            Some(line) => break line,
            None if Instant::now() < deadline => std::thread::sleep(Duration::from_millis(100)),
            None => panic!("the fourth connection's end is not in the log:\n{log}"),
        }
    };
    assert!(closed.contains("srtcp_failures=0") && !closed.contains(" rtcp=0 "), "{closed}");
}

/// `text` without its ANSI colour sequences.
fn plain_log(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' {
            chars.by_ref().find(|&c| c == 'm');
        } else {
            out.push(c);
        }
    }
    out
}

/// The SDP's keys, read from whichever attributes it has: (MIKEY key, SDES key).
fn sdp_keys(sdp: &str) -> (Option<SrtpContext>, Option<SrtpContext>) {
    let mikey = sdp
        .lines()
        .find_map(|l| l.strip_prefix("a=key-mgmt:"))
        .map(|v| Mikey::from_key_mgmt(v).and_then(|m| m.srtp_context()).expect("a MIKEY-NULL offer"));
    let sdes = sdp
        .lines()
        .find_map(|l| l.strip_prefix("a=crypto:"))
        .map(|v| CryptoAttribute::parse(v).and_then(|c| c.context()).expect("an SDES crypto attribute"));
    (mikey, sdes)
}

/// One raw session on `url` (plain RTSP): DESCRIBE, SETUP `transport` with two local UDP sockets, PLAY,
/// and the datagrams of the first seconds. Returns the SDP, the SETUP answer's status and the RTP and RTCP
/// datagrams.
async fn session(url: &str, profile: &str) -> (String, u16, Vec<Vec<u8>>, Vec<Vec<u8>>) {
    let authority = Serve::authority(url);
    let mut client = RtspClient::new(TcpStream::connect(&authority).await.expect("connect"));
    let described = client.answer("DESCRIBE", url, &[("Accept", "application/sdp")]).await;
    assert_eq!(described.status.as_u16(), 200, "{described:?}");
    let sdp = String::from_utf8_lossy(&described.body).into_owned();
    let rtp = UdpSocket::bind("127.0.0.1:0").expect("udp");
    let rtcp = UdpSocket::bind("127.0.0.1:0").expect("udp");
    let ports = (rtp.local_addr().unwrap().port(), rtcp.local_addr().unwrap().port());
    let transport = format!("{profile};unicast;client_port={}-{}", ports.0, ports.1);
    let track = format!("{url}/trackID=0");
    let setup = client.answer("SETUP", &track, &[("Transport", &transport)]).await;
    let status = setup.status.as_u16();
    if status != 200 {
        return (sdp, status, Vec::new(), Vec::new());
    }
    let id = setup.headers.get("Session").unwrap().split(';').next().unwrap().to_owned();
    let played = client.answer("PLAY", url, &[("Session", &id)]).await;
    assert_eq!(played.status.as_u16(), 200, "{played:?}");
    let read = |socket: UdpSocket, wanted: usize| {
        std::thread::spawn(move || {
            socket.set_read_timeout(Some(Duration::from_millis(200))).unwrap();
            let (mut got, deadline, mut buf) =
                (Vec::new(), Instant::now() + Duration::from_secs(8), [0u8; 2048]);
            while got.len() < wanted && Instant::now() < deadline {
                if let Ok(n) = socket.recv(&mut buf) {
                    got.push(buf[..n].to_vec());
                }
            }
            got
        })
    };
    // Our receiver report, protected under the offered key, and a forged one: one read, one counted failure.
    let transport = setup.headers.get("Transport").unwrap().to_owned();
    let server_rtcp = transport
        .split(';')
        .find_map(|p| p.strip_prefix("server_port="))
        .and_then(|p| p.split('-').nth(1))
        .and_then(|p| p.parse::<u16>().ok())
        .unwrap_or_else(|| panic!("server_port in {transport}"));
    // The server routes RTCP from us once PLAY is answered and media flows: let it start.
    tokio::time::sleep(Duration::from_millis(300)).await;
    if let (_, Some(mut ours)) = sdp_keys(&sdp) {
        let mut report = vec![0x81, 201, 0, 7, 0, 0, 0, 9];
        report.extend_from_slice(&[0; 24]);
        let protected = ours.protect_rtcp(&report).unwrap();
        rtcp.send_to(&protected, ("127.0.0.1", server_rtcp)).unwrap();
        let mut forged = protected.clone();
        *forged.last_mut().unwrap() ^= 1;
        rtcp.send_to(&forged, ("127.0.0.1", server_rtcp)).unwrap();
    }
    let (rtp, rtcp) = (read(rtp, 50), read(rtcp, 1));
    let (rtp, rtcp) = (rtp.join().unwrap(), rtcp.join().unwrap());
    client.answer("TEARDOWN", url, &[("Session", &id)]).await;
    (sdp, status, rtp, rtcp)
}

#[test]
fn udp_media_is_srtp_under_the_keys_the_describe_offered_and_fresh_per_session() {
    let pki = Pki::new();
    let serve = Serve::start(&pki, &config(&pki));
    let url = serve.url("rtsp", "both");
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let (sdp, status, rtp, rtcp) = runtime.block_on(session(&url, "RTP/SAVP"));
    assert_eq!(status, 200);
    assert!(sdp.contains("m=video 0 RTP/SAVP 96\r\n"), "{sdp}");
    let (Some(mut mikey), Some(mut sdes)) = sdp_keys(&sdp) else { panic!("both attributes: {sdp}") };
    assert_eq!(sdes.suite(), Suite::AesCm128HmacSha1_80);
    assert!(rtp.len() >= 50 && !rtcp.is_empty(), "{} RTP, {} RTCP datagrams", rtp.len(), rtcp.len());
    for packet in &rtp {
        let clear = sdes.unprotect_rtp(packet).expect("SRTP under the SDES key");
        assert_eq!(mikey.unprotect_rtp(packet).expect("and the MIKEY key"), clear, "one key in both");
        let header = RtpPacket::parse(&clear).expect("RTP inside").header_len();
        // The payload on the wire is not the H.264 the decrypted packet carries.
        assert_ne!(packet.get(header..clear.len()), clear.get(header..), "encrypted payload");
        assert_eq!(packet.len(), clear.len() + Suite::AesCm128HmacSha1_80.rtp_tag_len());
    }
    let report = sdes.unprotect_rtcp(&rtcp[0]).expect("the sender report is SRTCP under the same key");
    assert_eq!(report.get(1), Some(&200), "a sender report");
    // The server read our SRTCP receiver report and counted the forged one (the connection went on).
    let deadline = Instant::now() + Duration::from_secs(5);
    let first = loop {
        let log = plain_log(&serve.process.stderr_tail());
        match log.lines().find(|l| l.contains("connection closed")) {
            Some(line) => break line.to_owned(),
            None if Instant::now() < deadline => std::thread::sleep(Duration::from_millis(100)),
            None => panic!("no closed connection in the log:\n{log}"),
        }
    };
    assert!(first.contains("rtcp=1 ") && first.contains("srtcp_failures=1"), "{first}");

    // A second session gets other keys: the first one's cannot read its packets.
    let (sdp2, _, rtp2, _) = runtime.block_on(session(&url, "RTP/SAVP"));
    let (_, Some(mut sdes2)) = sdp_keys(&sdp2) else { panic!("{sdp2}") };
    assert!(sdes2.unprotect_rtp(&rtp2[0]).is_ok());
    let mut old = sdp_keys(&sdp).1.unwrap();
    assert!(old.unprotect_rtp(&rtp2[0]).is_err(), "the first session's key must not open the second's media");

    // Plain RTP/AVP on an SRTP stream: 461, the stream promises encrypted media.
    let (_, status, _, _) = runtime.block_on(session(&url, "RTP/AVP"));
    assert_eq!(status, 461);
    // And the other way round: SAVP on a plain stream.
    let (_, status, _, _) = runtime.block_on(session(&serve.url("rtsp", "plain-rtp"), "RTP/SAVP"));
    assert_eq!(status, 461);
}

/// Measured with FFmpeg 5.1: rtsp.c reads `a=crypto`, but its SETUP offers `RTP/AVP` whatever the SDP's
/// profile, so an SRTP stream answers 461 and nothing plays, over UDP and TCP, with MIKEY or SDES keys.
/// (core's client table says `srtp: false` for FFmpeg because of this.)
#[test]
fn ffprobe_offers_rtp_avp_to_srtp_streams_and_is_refused() {
    let pki = Pki::new();
    let serve = Serve::start(&pki, &config(&pki));
    for path in ["mikey", "sdes"] {
        for transport in ["udp", "tcp"] {
            let url = serve.url("rtsp", path);
            let args = [
                "-v",
                "trace",
                "-rtsp_transport",
                transport,
                "-show_entries",
                "stream=codec_name",
                "-of",
                "csv=p=0",
            ];
            let out = run_ffprobe(&url, &args, Duration::from_secs(20)).unwrap_or_else(|e| panic!("{e}"));
            let err = String::from_utf8_lossy(&out.stderr);
            let offered: Vec<&str> = err.lines().filter_map(|l| l.strip_prefix("Transport: ")).collect();
            let what = format!("{path} over {transport}");
            assert!(!offered.is_empty(), "{what}: ffprobe's SETUP in its trace:\n{err}");
            assert!(
                offered.iter().all(|t| t.starts_with("RTP/AVP/") && !t.contains("SAVP")),
                "{what}: {offered:?}"
            );
            assert!(err.contains("461"), "{what}: refused with 461:\n{err}");
            assert!(!out.status.success() && out.stdout.is_empty(), "{what}: nothing played");
        }
    }
}

/// rtspsrc with `--protocols`: MIKEY works interleaved too (RTP/SAVP/TCP), `mikey+sdes` plays (it reads the
/// MIKEY attribute), and SDES alone never plays (measured with GStreamer 1.22: rtspsrc reads no `a=crypto`, so
/// its srtpdec has no key and drops everything).
#[test]
fn rtspsrc_plays_mikey_interleaved_and_mikey_sdes_but_not_sdes_alone() {
    let pki = Pki::new();
    let serve = Serve::start(&pki, &config(&pki));
    let ca = pki.ca_path();
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/peers/gst_rtsp_client.py");
    for (path, protocols, plays) in [("mikey", "tcp", true), ("both", "udp", true), ("sdes", "udp", false)] {
        let mut cmd = std::process::Command::new("/usr/bin/python3");
        cmd.arg(script).arg(serve.url("rtsps", path)).arg("--ca").arg(&ca);
        cmd.args(["--protocols", protocols, "--buffers", "10", "--timeout", "6"]);
        let out = run_bounded(cmd, Duration::from_secs(30)).unwrap_or_else(|e| panic!("{e}"));
        let said = String::from_utf8_lossy(&out.stdout);
        assert_eq!(out.status.success(), plays, "{path} over {protocols}: {said}");
        assert_eq!(said.contains("buffers 0"), !plays, "{path} over {protocols}: {said}");
    }
}

/// `--check` names the stream and the key of every SRTP mistake, and lists the mode of a good stream.
#[test]
fn check_names_the_stream_and_key_of_srtp_mistakes() {
    let pki = Pki::new();
    let good = config(&pki);
    let check = |text: &str| {
        let path = pki.path().join("check.toml");
        std::fs::write(&path, text).unwrap();
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_rtspeek"))
            .args(["serve", "--check"])
            .arg(&path)
            .output()
            .unwrap();
        let text = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
        (out.status.code(), text(&out.stdout), text(&out.stderr))
    };
    let (code, stdout, stderr) = check(&good);
    assert_eq!(code, Some(0), "{stdout}{stderr}");
    assert!(
        stdout.contains("stream \"both\": H.264 at 25 fps; SRTP mikey+sdes (AES_CM_128_HMAC_SHA1_80)"),
        "{stdout}"
    );
    assert!(stdout.contains("warn stream \"sdes\": allow_srtp_cleartext_keys"), "{stdout}");
    let cleartext = good.replace(
        "path = \"mikey\"\nsrtp = \"mikey\"\nallow_srtp_cleartext_keys = true",
        "path = \"mikey\"\nsrtp = \"mikey\"",
    );
    for (what, text, expected) in [
        (
            "mode",
            good.replace("srtp = \"sdes\"", "srtp = \"dtls\""),
            "stream \"sdes\".srtp: unknown mode \"dtls\"",
        ),
        (
            "suite",
            good.replace("srtp = \"sdes\"", "srtp = \"sdes\"\nsrtp_suite = \"AES_F8\""),
            "stream \"sdes\".srtp_suite: unknown suite \"AES_F8\"",
        ),
        (
            "suite without srtp",
            good.replace("path = \"plain-rtp\"", "path = \"plain-rtp\"\nsrtp_suite = \"AEAD_AES_128_GCM\""),
            "stream \"plain-rtp\".srtp_suite",
        ),
        ("keys in clear", cleartext, "stream \"mikey\".srtp: the plain listener"),
    ] {
        let (code, stdout, stderr) = check(&text);
        assert_eq!(code, Some(64), "{what}: {stdout}{stderr}");
        assert!(stderr.contains(expected), "{what}: expected {expected:?} in {stderr}");
    }
}

/// Every suite core has, keyed by MIKEY: rtspsrc (GStreamer 1.22) plays each over UDP on RTSPS.
#[test]
fn rtspsrc_plays_every_suite() {
    let pki = Pki::new();
    let serve = Serve::start(&pki, &config(&pki));
    let ca = pki.ca_path();
    for path in ["sha32", "gcm128", "gcm256"] {
        let played = gstreamer(&serve.url("rtsps", path), Some(&ca), false).unwrap_or_else(|e| panic!("{e}"));
        assert!(played.played, "{path}: {}\nserver: {}", played.detail, serve.process.stderr_tail());
    }
    let log = plain_log(&serve.process.stderr_tail());
    for suite in ["AesCm128HmacSha1_32", "AeadAes128Gcm", "AeadAes256Gcm"] {
        assert!(log.lines().any(|l| l.contains("playing") && l.contains(suite)), "{suite}:\n{log}");
    }
}

/// rtspeek's own probe against rtspeek serve's SRTP: MIKEY inside RTSPS over UDP (the strict stream and AES-GCM
/// 256), interleaved when asked, and SDES over plain RTSP, which decrypts but is named as keys in clear.
#[test]
fn the_probe_decrypts_our_srtp_and_states_how_it_is_protected() {
    let pki = Pki::new();
    let serve = Serve::start(&pki, &config(&pki));
    let ca = pki.ca_path().display().to_string();
    let probe = |url: String, extra: &[&str]| -> serde_json::Value {
        let mut args =
            vec!["probe".to_owned(), url.clone(), "--ca".into(), ca.clone(), "--duration".into(), "0".into()];
        args.extend(["--no-tls-scan", "--json"].map(str::to_owned));
        args.extend(extra.iter().map(|s| (*s).to_owned()));
        let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_rtspeek"));
        cmd.args(&args);
        let out = run_bounded(cmd, Duration::from_secs(60)).unwrap_or_else(|e| panic!("{url}: {e}"));
        serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
            panic!(
                "{url}: {e}\n{}{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            )
        })
    };
    let codes = |r: &serde_json::Value| -> Vec<String> {
        r["findings"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|f| f["code"].as_str().map(str::to_owned))
            .collect()
    };
    let cases: [(String, &[&str], &str, &str, &str); 4] = [
        (serve.url("rtsps", "strict"), &[], "udp", "srtp", "AES_CM_128_HMAC_SHA1_80"),
        (serve.url("rtsps", "gcm256"), &[], "udp", "srtp", "AEAD_AES_256_GCM"),
        (serve.url("rtsps", "strict"), &["--transport", "tcp"], "tcp", "srtp", "AES_CM_128_HMAC_SHA1_80"),
        (serve.url("rtsp", "sdes"), &[], "udp", "srtp_keys_in_clear", "AES_CM_128_HMAC_SHA1_80"),
    ];
    for (url, extra, carried, protection, suite) in cases {
        let r = probe(url.clone(), extra);
        let track = &r["facts"]["tracks"][0];
        let srtp = &track["srtp"];
        assert_eq!(srtp["keys"], "ready", "{url} {extra:?}: {srtp}\n{:?}", codes(&r));
        assert_eq!(srtp["suite"], suite, "{url}");
        assert!(srtp["counters"]["rtp_ok"].as_u64().is_some_and(|n| n > 0), "{url}: {srtp}");
        assert_eq!(srtp["counters"]["auth_failures"], 0, "{url}: {srtp}");
        assert_eq!(track["carried_over"], carried, "{url} {extra:?}");
        assert_eq!(track["codec"]["sps"]["width"], 320, "{url}: the decrypted video decodes");
        assert_eq!(
            r["facts"]["media_security"]["protection"], protection,
            "{url}: {}",
            r["facts"]["media_security"]
        );
        use rtspeek_core::diagnose::codes as c;
        let wrong = [
            c::RTP_SRTP_AUTH_FAILED,
            c::RTP_SRTP_ROC_MISMATCH,
            c::RTP_SRTP_KEY_LIFETIME,
            c::TRANSPORT_CLEARTEXT_MEDIA,
        ];
        assert!(!codes(&r).iter().any(|got| wrong.iter().any(|w| w.code == got)), "{url}: {:?}", codes(&r));
    }
    let clear = probe(serve.url("rtsp", "sdes"), &[]);
    assert!(codes(&clear).iter().any(|c| c == "transport.srtp_keys_in_clear"), "{:?}", codes(&clear));
    assert!(
        !serde_json::to_string(&clear).unwrap_or_default().contains("inline:"),
        "no SDES key in the report"
    );
}
