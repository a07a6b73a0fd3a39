//! `rtspeek sdp check` and `rtspeek sdp sprop` as a user runs them: the real binary on files, arguments and
//! standard input, exit statuses, text and JSON output, and input that is neither SDP nor parameter sets.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use serde_json::Value;

fn rtspeek() -> Command {
    Command::new(env!("CARGO_BIN_EXE_rtspeek"))
}

fn run(args: &[&str]) -> Output {
    rtspeek().args(args).output().expect("run rtspeek")
}

/// Runs with `input` on standard input.
fn run_stdin(args: &[&str], input: &[u8]) -> Output {
    let mut child = rtspeek()
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn rtspeek");
    child.stdin.take().expect("stdin").write_all(input).expect("write stdin");
    child.wait_with_output().expect("wait for rtspeek")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// A hand-written description from core/tests/data/sdp/ (see the README there).
fn data(name: &str) -> String {
    let path: PathBuf = Path::new(env!("CARGO_MANIFEST_DIR")).join("../core/tests/data/sdp").join(name);
    assert!(path.is_file(), "{}", path.display());
    path.display().to_string()
}

/// A description captured from GStreamer's RTSP server (tests/fixtures/sdp/).
fn captured(name: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures/sdp").join(name).display().to_string()
}

fn write(dir: &Path, name: &str, contents: &[u8]) -> String {
    let path = dir.join(name);
    std::fs::write(&path, contents).expect("write test file");
    path.display().to_string()
}

#[test]
fn healthy_description_exits_0_with_the_summary() {
    let file = data("dahua-style-h265-aac-metadata.sdp");
    let out = run(&["sdp", "check", &file, "--color", "never"]);
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}{}", text(&out.stderr));
    assert!(stdout.starts_with(&format!("sdp check: {file}\nverdict: HEALTHY\n")), "{stdout}");
    assert!(stdout.contains("session description"), "{stdout}");
    assert!(
        stdout.contains("video    line 10  RTP/AVP  control trackID=0  recvonly  20.000000 fps"),
        "{stdout}"
    );
    assert!(stdout.contains("98  H265/90000  Main 5.0, 2560x1440"), "{stdout}");
    assert!(stdout.contains("107 vnd.onvif.metadata/90000"), "{stdout}");
    assert!(!stdout.contains("findings"), "{stdout}");
    assert!(!stdout.contains('\x1b'), "no colour when asked for none");

    let out = run(&["sdp", "check", &captured("gst-h264.sdp"), "--color", "never"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stdout));
    assert!(
        text(&out.stdout).contains("96  H264/90000  Constrained Baseline 1.2, 320x180, 25 fps  avc1.42c00c")
    );
}

#[test]
fn warnings_exit_1_errors_exit_2() {
    let out = run(&["sdp", "check", &data("sloppy-lf-missing-version.sdp"), "--color", "never"]);
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    assert!(stdout.contains("verdict: DEGRADED"), "{stdout}");
    assert!(stdout.contains("WARNING sdp.missing_version no v=0 line"), "{stdout}");
    assert!(stdout.contains("line 1: o=- 12345 1 IN IP4 192.0.2.20"), "{stdout}");

    let out = run(&["sdp", "check", &data("nvr-ps-stream-no-control.sdp"), "--color", "never"]);
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(2), "{stdout}");
    assert!(stdout.contains("verdict: BROKEN"), "{stdout}");
    assert!(stdout.contains("first broken link: sdp"), "{stdout}");
    assert!(stdout.contains("the video media at line 6 has no a=control"), "{stdout}");
}

#[test]
fn json_report_with_findings_and_facts() {
    let out = run(&["sdp", "check", &data("hikvision-style-h264-pcmu.sdp"), "--json"]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    let json: Value = serde_json::from_slice(&out.stdout).expect("--json prints one JSON document");
    assert_eq!(json["verdict"], "degraded");
    assert_eq!(json["layers"], serde_json::json!([{ "name": "sdp", "status": "warn" }]));
    let finding = &json["findings"][0];
    assert_eq!(finding["code"], "sdp.sprop_mismatch");
    assert_eq!(finding["layer"], "sdp");
    let evidence = finding["evidence"].as_array().expect("evidence");
    assert!(evidence.iter().any(|e| e["label"] == "line 15"), "{evidence:?}");
    let sdp = &json["facts"]["sdp"];
    assert_eq!(sdp["session_name"], "Media Presentation");
    assert_eq!(sdp["media"][0]["codecs"][0]["sps"]["width"], 1920);
    assert_eq!(sdp["media"][0]["codecs"][0]["sps"]["codec_string"], "avc1.640028");
    assert_eq!(sdp["media"][1]["codecs"][0]["encoding"], "PCMU");
}

#[test]
fn standard_input() {
    let body = std::fs::read(data("srtp-savp-sdes.sdp")).expect("read");
    let out = run_stdin(&["sdp", "check", "-", "--color", "never"], &body);
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}{}", text(&out.stderr));
    assert!(stdout.starts_with("sdp check: -\n"), "{stdout}");
    assert!(stdout.contains("sdp.srtp_offered"), "{stdout}");
    assert!(stdout.contains("a=crypto:1 AES_CM_128_HMAC_SHA1_80 <redacted>"), "{stdout}");
    assert!(!stdout.contains("inline:"), "keys never printed: {stdout}");
}

#[test]
fn input_that_is_not_sdp_exits_64_with_one_line() {
    let dir = tempfile::tempdir().expect("tempdir");
    let cases: &[(&str, &[u8], &str)] = &[
        ("empty.sdp", b"", "not a session description: the input is empty"),
        (
            "response.txt",
            b"RTSP/1.0 200 OK\r\nCSeq: 3\r\n\r\nv=0\r\n",
            "line 1 is not an SDP line like `v=0`",
        ),
        ("image.jpg", b"\xff\xd8\xff\xe0\x00\x10JFIF\x00", "not a session description"),
        ("binary.bin", b"v=0\r\ns=\x00\x01\x02\x03\r\n", "binary data (NUL byte) at line 2"),
    ];
    for (name, contents, message) in cases {
        let file = write(dir.path(), name, contents);
        let out = run(&["sdp", "check", &file]);
        let stderr = text(&out.stderr);
        assert_eq!(out.status.code(), Some(64), "{name}: {stderr}");
        assert!(out.stdout.is_empty(), "{name}: nothing on stdout");
        assert_eq!(stderr.lines().count(), 1, "{name}: one line: {stderr}");
        assert!(
            stderr.starts_with(&format!("rtspeek: {file}: ")) && stderr.contains(message),
            "{name}: {stderr}"
        );
    }
    let out = run_stdin(&["sdp", "check", "-"], b"hello world\n");
    assert_eq!(out.status.code(), Some(64));
    assert!(text(&out.stderr).starts_with("rtspeek: -: not a session description"), "{}", text(&out.stderr));
}

#[test]
fn unreadable_file_and_usage_errors_exit_64() {
    let out = run(&["sdp", "check", "/nonexistent/cam.sdp"]);
    assert_eq!(out.status.code(), Some(64));
    assert!(text(&out.stderr).contains("/nonexistent/cam.sdp: cannot read"), "{}", text(&out.stderr));
    assert_eq!(run(&["sdp", "check"]).status.code(), Some(64), "FILE is required");
    assert_eq!(run(&["sdp", "check", "a.sdp", "--color", "sometimes"]).status.code(), Some(64));
}

#[test]
fn colour_and_terminal_safety() {
    let file = data("nvr-ps-stream-no-control.sdp");
    let out = run(&["sdp", "check", &file, "--color", "always"]);
    assert!(text(&out.stdout).contains("\x1b[1;31mBROKEN\x1b[0m"), "{}", text(&out.stdout));

    // Escape sequences in the description never reach the terminal.
    let dir = tempfile::tempdir().expect("tempdir");
    let hostile = write(
        dir.path(),
        "hostile.sdp",
        b"v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=\x1b]0;owned\x07\x1b[2J\r\nt=0 0\r\nm=video 0 RTP/AVP 26\r\n",
    );
    let out = run(&["sdp", "check", &hostile, "--color", "never"]);
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    assert!(!stdout.contains('\x1b') && !stdout.contains('\x07'), "{stdout:?}");
    assert!(stdout.contains("sdp.invalid_text"), "{stdout}");
    assert!(stdout.contains("\\u{1b}]0;owned"), "{stdout}");
}

const H264_SPROP: &str = "Z2QAKKzZQHgCJ+XARAAAAwAEAAADAMg8YMZY,aOvjyyLA";

/// `rtspeek sdp sprop ARGS --json`, parsed; asserts the exit status.
fn sprop_json(args: &[&str], status: i32) -> Value {
    let out = run(&[&["sdp", "sprop", "--json"], args].concat());
    assert_eq!(out.status.code(), Some(status), "{}{}", text(&out.stdout), text(&out.stderr));
    serde_json::from_slice(&out.stdout).expect("JSON")
}

#[test]
fn sprop_reads_a_base64_value_and_prints_what_to_paste() {
    let out = run(&["sdp", "sprop", H264_SPROP]);
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}{}", text(&out.stderr));
    assert!(stdout.starts_with("H.264 parameter sets from a sprop-parameter-sets value\n"), "{stdout}");
    assert!(stdout.contains("High 4.0, 1920x1080, 4:2:0 8-bit, 25 fps"), "{stdout}");
    assert!(stdout.contains("PPS 0 of SPS 0, CABAC"), "{stdout}");
    assert!(stdout.contains("codec string: avc1.640028\nprofile-level-id: 640028\n"), "{stdout}");
    assert!(stdout.contains(&format!("fmtp: sprop-parameter-sets={H264_SPROP}\n")), "{stdout}");

    // The JSON is the page's: core's ParameterSetInfo.
    let json = sprop_json(&[H264_SPROP], 0);
    let want =
        rtspeek_core::sdp::sprop::inspect(rtspeek_core::sdp::sprop::Input::Text(H264_SPROP), None).unwrap();
    assert_eq!(json, serde_json::to_value(&want).unwrap());
    assert_eq!((json["codec"].as_str(), json["input"].as_str()), (Some("h264"), Some("sprop")));
}

#[test]
fn sprop_reads_an_h265_fmtp_line_hex_and_annex_b_files() {
    let fmtp = "a=fmtp:98 profile-id=1;sprop-vps=QAEMAf//AWAAAAMAkAAAAwAAAwCWlZgJ;\
        sprop-sps=QgEBAWAAAAMAkAAAAwAAAwCWoAFAIAWhZZWaSTK8BaAgAAADACAAAAMCgQ==;sprop-pps=RAHBcrRiQA==";
    let json = sprop_json(&[fmtp], 0);
    assert_eq!((json["codec"].as_str(), json["input"].as_str()), (Some("h265"), Some("fmtp")));
    assert_eq!(json["sps"]["width"], 2560);
    let kinds: Vec<_> =
        json["parameter_sets"].as_array().unwrap().iter().map(|s| s["kind"].clone()).collect();
    assert_eq!(kinds, ["VPS", "SPS", "PPS"]);

    // Hex as separate arguments (as a shell splits it): an SPS without its PPS exits 1.
    let json = sprop_json(&["67", "64", "00", "28", "ac", "d9", "40", "78", "02", "27", "e5", "c0"], 1);
    assert_eq!((json["input"].as_str(), json["missing"][0].as_str()), (Some("hex"), Some("PPS")));

    // A binary Annex B file; H.265 detected from its NAL units.
    let file = Path::new(env!("CARGO_MANIFEST_DIR")).join("../core/tests/data/codec/x265_main_320x182.h265");
    let json = sprop_json(&["--file", &file.display().to_string()], 0);
    assert_eq!((json["codec"].as_str(), json["input"].as_str()), (Some("h265"), Some("annexb")));
    assert_eq!((json["sps"]["width"].as_u64(), json["sps"]["height"].as_u64()), (Some(320), Some(182)));
    assert!(json["fmtp"].as_str().unwrap().starts_with("sprop-vps="), "{json}");
    // Text on standard input.
    let out = run_stdin(&["sdp", "sprop", "-"], format!("{H264_SPROP}\n").as_bytes());
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("avc1.640028"));
}

#[test]
fn sprop_bad_input_is_an_input_error() {
    let out = run(&["sdp", "sprop", "hello world"]);
    assert_eq!(out.status.code(), Some(64));
    assert!(out.stdout.is_empty());
    let stderr = text(&out.stderr);
    assert!(stderr.starts_with("rtspeek: \"hello world\" is not a sprop-parameter-sets value"), "{stderr}");

    // A slice is no parameter set: the SDP lint's words.
    let out = run(&["sdp", "sprop", "--codec", "h264", "ZYiE"]);
    assert_eq!(out.status.code(), Some(64));
    assert!(text(&out.stderr).contains("NAL unit type 5 (IDR slice) is not an SPS (7) or PPS (8)"));

    let out = run(&["sdp", "sprop", "--codec", "vp8", H264_SPROP]);
    assert_eq!(out.status.code(), Some(64));
    assert!(text(&out.stderr).contains("expected \"h264\" or \"h265\""));

    // A damaged SPS is reported, with exit status 1.
    let out = run(&["sdp", "sprop", "Z2QAKKzZ,aOvjyyLA"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stdout).contains("unreadable: H.264 SPS at bit"), "{}", text(&out.stdout));
}
