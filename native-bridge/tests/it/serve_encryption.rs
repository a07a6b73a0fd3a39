//! The encryption policy (`encryption = "no" | "optional" | "strict"`, per server and per stream) with a real
//! client: ffprobe plays a strict stream over RTSPS and is refused over plain RTSP with a 403, a plain-only
//! stream the other way round; the printed URLs follow the policy; `serve --check` names the RTSPS compatibility
//! risk and refuses a policy no listener can serve.

use std::process::Command;
use std::time::Duration;

use rtspeek_tests::peers::ffmpeg::run_ffprobe;

use crate::support::serve::{Pki, Serve, basic_config};

/// The codec ffprobe reads from `url`, or its error output.
fn ffprobe(url: &str) -> Result<String, String> {
    let args =
        ["-v", "error", "-rtsp_transport", "tcp", "-show_entries", "stream=codec_name", "-of", "csv=p=0"];
    let out = run_ffprobe(url, &args, Duration::from_secs(20)).unwrap_or_else(|e| panic!("{e}"));
    let stdout = String::from_utf8_lossy(&out.stdout).trim().to_owned();
    if out.status.success() { Ok(stdout) } else { Err(String::from_utf8_lossy(&out.stderr).into_owned()) }
}

fn fixture() -> String {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures/media/h264.264");
    path.canonicalize().unwrap_or_else(|e| panic!("{}: {e}", path.display())).display().to_string()
}

fn streams() -> String {
    let file = fixture();
    format!(
        r#"
[[stream]]
path = "strict"
encryption = "strict"
source = {{ kind = "file", path = "{file}" }}

[[stream]]
path = "plain"
encryption = "no"
source = {{ kind = "file", path = "{file}" }}
"#
    )
}

#[test]
fn ffprobe_plays_each_stream_only_over_what_its_policy_allows() {
    let pki = Pki::new();
    let serve = Serve::start(&pki, &basic_config(&pki, &streams()));
    // The URLs printed at start follow the policy: RTSPS only, plain only, both (RTSPS first).
    let printed = |path: &str| -> Vec<&str> {
        serve
            .urls
            .iter()
            .filter(|u| u.ends_with(&format!("/{path}")))
            .map(|u| &u[..u.find(':').unwrap()])
            .collect()
    };
    assert_eq!(printed("strict"), ["rtsps"]);
    assert_eq!(printed("plain"), ["rtsp"]);
    assert_eq!(printed("synthetic"), ["rtsps", "rtsp"]);

    let strict = serve.url("rtsps", "strict");
    assert_eq!(ffprobe(&strict).as_deref(), Ok("h264"));
    let refused = ffprobe(&strict.replacen("rtsps://", "rtsp://", 1).replacen(
        &Serve::authority(&strict),
        &Serve::authority(&serve.url("rtsp", "synthetic")),
        1,
    ))
    .expect_err("a strict stream over plain RTSP");
    assert!(refused.contains("403"), "{refused}");

    let plain = serve.url("rtsp", "plain");
    assert_eq!(ffprobe(&plain).as_deref(), Ok("h264"));
    let refused = ffprobe(&plain.replacen("rtsp://", "rtsps://", 1).replacen(
        &Serve::authority(&plain),
        &Serve::authority(&serve.url("rtsps", "synthetic")),
        1,
    ))
    .expect_err("a plain-only stream over RTSPS");
    assert!(refused.contains("403"), "{refused}");
}

#[test]
fn check_warns_about_strict_and_refuses_a_policy_no_listener_serves() {
    let pki = Pki::new();
    let run_check = |config: &str| {
        let path = pki.path().join("encryption.toml");
        std::fs::write(&path, config).unwrap();
        let out = Command::new(env!("CARGO_BIN_EXE_rtspeek"))
            .args(["serve", "--check", &path.display().to_string()])
            .output()
            .expect("run rtspeek");
        let text =
            format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
        (out.status.code(), text)
    };
    let (code, text) = run_check(&basic_config(&pki, &streams()));
    assert_eq!(code, Some(0), "{text}");
    assert!(
        text.contains("warn stream \"strict\": encryption = \"strict\"") && text.contains("NVRs"),
        "{text}"
    );

    // Without a TLS listener nothing can serve a strict stream; without a plain one, a plain-only stream.
    let no_tls = basic_config(&pki, &streams()).replacen("[[listener]]\nbind = \"127.0.0.1:0\"\n\n", "", 1);
    let (code, text) = run_check(&no_tls);
    assert_eq!(code, Some(64), "{text}");
    assert!(text.contains("stream \"strict\".encryption"), "{text}");
    let plain_only_server = basic_config(&pki, "")
        .replacen("[server]\n", "[server]\nencryption = \"no\"\n", 1)
        .replacen("tls = false\n", "tls = true\n", 1)
        .replacen("udp_port", "# udp_port", 1);
    let (code, text) = run_check(&plain_only_server);
    assert_eq!(code, Some(64), "{text}");
    assert!(text.contains("stream \"synthetic\".encryption") && text.contains("no plain listener"), "{text}");
}
