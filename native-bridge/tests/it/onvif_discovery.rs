//! WS-Discovery between two network namespaces joined by a veth pair ([`Net`]): `rtspeek discover` and the
//! bridge's [`Responder`] against each other and against Python's `WSDiscovery` (PyPI, in the venv
//! `cargo xtask test` makes at target/peers-venv), plus the responder's rules: no answer to a Probe it does
//! not match, Bye on shutdown, a bounded number of answers to a flood.
//!
//! Processes inside a namespace are children: Python's peer script (tests/peers/wsdiscovery_peer.py),
//! `rtspeek discover`, and this test binary itself re-executed on one of the `#[ignore]`d `*_child` tests with
//! its settings in an environment variable (the responder, or a prober that watches, probes or floods). Every
//! wait is bounded; children are killed and namespaces deleted on drop, panics included.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use rtspeek_bridge::onvif::discovery::{
    Announcement, Announcements, InterfaceChoice, Prober, Responder, ResponderConfig,
};
use rtspeek_core::onvif::discovery::{MatchBy, Probe, QName};
use rtspeek_tests::peers::{PeerProcess, run_bounded};
use serde_json::{Value, json};

use crate::support::netns::{Net, Side};

const RESPONDER_ENV: &str = "RTSPEEK_WSD_RESPONDER";
const PROBER_ENV: &str = "RTSPEEK_WSD_PROBER";
const NVT: &str = "{http://www.onvif.org/ver10/network/wsdl}NetworkVideoTransmitter";
const DEVICE: &str = "{http://www.onvif.org/ver10/device/wsdl}Device";
const WAIT: Duration = Duration::from_secs(20);

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("native-bridge is in the repository").to_path_buf()
}

/// The venv interpreter with WSDiscovery; a clear failure (not a skip) when `cargo xtask test` has not made it.
fn python() -> PathBuf {
    let python = repo_root().join("target/peers-venv/bin/python");
    let ok =
        Command::new(&python).args(["-c", "import wsdiscovery"]).output().is_ok_and(|o| o.status.success());
    assert!(
        ok,
        "{} cannot import wsdiscovery: run `cargo xtask test` (its `ensure tools` step installs it)",
        python.display()
    );
    python
}

fn peer_script() -> PathBuf {
    repo_root().join("tests/peers/wsdiscovery_peer.py")
}

/// A child that is ready when it prints `line`.
fn spawn_until(command: Command, line: &'static str) -> PeerProcess {
    PeerProcess::spawn(command, Box::new(move |l: &str| (l.trim() == line).then_some(0)), WAIT)
        .unwrap_or_else(|e| panic!("{e}"))
}

/// This test binary re-executed inside `side` on the ignored test `name`, with `env` set to `spec`.
fn child(net: &Net, side: Side, name: &str, env: &str, spec: &Value) -> Command {
    let exe = std::env::current_exe().expect("the test binary's path");
    let mut c = net.command(side, exe);
    c.args([name, "--exact", "--ignored", "--nocapture", "--test-threads=1"]).env(env, spec.to_string());
    c
}

fn start_responder(net: &Net, epr: &str, scopes: &[&str], max_per_second: u32) -> PeerProcess {
    let spec = json!({
        "interface": net.interface(Side::A),
        "epr": epr,
        "xaddrs": [format!("http://{}:8080/onvif/device_service", net.addr(Side::A))],
        "scopes": scopes,
        "max": max_per_second,
    });
    spawn_until(
        child(net, Side::A, "onvif_discovery::responder_child", RESPONDER_ENV, &spec),
        "RESPONDER READY",
    )
}

/// SIGTERMs the responder child (it sends Bye and prints its counts) and returns the counts.
fn stop_responder(responder: &PeerProcess) -> Value {
    let status = Command::new("kill").args(["-TERM", &responder.pid().to_string()]).status();
    assert!(status.is_ok_and(|s| s.success()), "kill -TERM {}", responder.pid());
    let line = responder
        .wait_for_line(|l| l.starts_with("RESPONDER STATS "), WAIT)
        .unwrap_or_else(|| panic!("no stats from the responder; stderr: {}", responder.stderr_tail()));
    serde_json::from_str(line.trim_start_matches("RESPONDER STATS ")).expect("stats JSON")
}

/// `rtspeek discover --json` inside side B; its `devices` array.
fn rtspeek_discover(net: &Net) -> Vec<Value> {
    let mut c = net.command(Side::B, env!("CARGO_BIN_EXE_rtspeek"));
    c.args(["discover", "--interface", net.interface(Side::B), "--timeout", "2.5", "--json", "--no-probe"]);
    let out = run_bounded(c, WAIT).unwrap_or_else(|e| panic!("{e}"));
    let stdout = String::from_utf8_lossy(&out.stdout);
    let v: Value = serde_json::from_str(&stdout)
        .unwrap_or_else(|e| panic!("{e}: {stdout}\nstderr: {}", String::from_utf8_lossy(&out.stderr)));
    v["devices"].as_array().cloned().unwrap_or_default()
}

fn strings(v: &Value) -> Vec<String> {
    v.as_array().into_iter().flatten().filter_map(|s| s.as_str().map(str::to_owned)).collect()
}

fn epr(tag: u32) -> String {
    format!("urn:uuid:{:08x}-{:04x}-4000-8000-{:012x}", std::process::id(), tag, tag)
}

#[test]
fn rtspeek_discover_finds_python_wsdiscovery() {
    let net = Net::new("rtspeek_discover_finds_python_wsdiscovery");
    let epr = epr(1);
    let xaddr = format!("http://{}:8080/onvif/device_service", net.addr(Side::A));
    let mut c = net.command(Side::A, python());
    c.arg(peer_script()).args(["publish", "--epr", &epr, "--xaddr", &xaddr, "--seconds", "60"]);
    c.args([
        "--scope",
        "onvif://www.onvif.org/name/PyCam",
        "--scope",
        "onvif://www.onvif.org/type/video_encoder",
    ]);
    let _publisher = spawn_until(c, "ready");
    let devices = rtspeek_discover(&net);
    let d = devices
        .iter()
        .find(|d| d["endpoint"] == epr.as_str())
        .unwrap_or_else(|| panic!("{epr} not in {devices:?}"));
    assert_eq!(strings(&d["xaddrs"]), vec![xaddr]);
    assert_eq!(
        strings(&d["scopes"]),
        vec!["onvif://www.onvif.org/name/PyCam", "onvif://www.onvif.org/type/video_encoder"]
    );
    let types: Vec<String> = d["types"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|t| {
            format!("{{{}}}{}", t["namespace"].as_str().unwrap_or(""), t["local"].as_str().unwrap_or(""))
        })
        .collect();
    assert_eq!(types, vec![NVT, DEVICE]);
    assert!(d["from"].as_str().is_some_and(|f| f.starts_with(&format!("{}:", net.addr(Side::A)))), "{d}");
}

#[test]
fn python_wsdiscovery_finds_our_responder() {
    let net = Net::new("python_wsdiscovery_finds_our_responder");
    let epr = epr(2);
    let responder = start_responder(
        &net,
        &epr,
        &["onvif://www.onvif.org/location/lab", "onvif://www.onvif.org/name/ours"],
        20,
    );
    // A scope filter in the Probe: our responder must match it by path segments (RFC 3986 rule).
    let mut c = net.command(Side::B, python());
    c.arg(peer_script()).args(["search", "--timeout", "3", "--scope", "onvif://www.onvif.org/location"]);
    let out = run_bounded(c, WAIT).unwrap_or_else(|e| panic!("{e}"));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.lines().any(|l| l == "done"),
        "{stdout}\nstderr: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let found: Vec<Value> = stdout.lines().filter_map(|l| serde_json::from_str(l).ok()).collect();
    let s =
        found.iter().find(|s| s["epr"] == epr.as_str()).unwrap_or_else(|| panic!("{epr} not in {stdout}"));
    assert_eq!(strings(&s["types"]), vec![NVT, DEVICE]);
    assert_eq!(
        strings(&s["scopes"]),
        vec!["onvif://www.onvif.org/location/lab", "onvif://www.onvif.org/name/ours"]
    );
    assert_eq!(
        strings(&s["xaddrs"]),
        vec![format!("http://{}:8080/onvif/device_service", net.addr(Side::A))]
    );
    let stats = stop_responder(&responder);
    assert!(stats["answered"].as_u64() >= Some(1), "{stats}");
}

#[test]
fn rtspeek_discover_finds_our_responder_and_hears_its_hello_and_bye() {
    let net = Net::new("rtspeek_discover_finds_our_responder_and_hears_its_hello_and_bye");
    let epr = epr(3);
    let watcher = spawn_until(
        child(
            &net,
            Side::B,
            "onvif_discovery::prober_child",
            PROBER_ENV,
            &json!({
                "interface": net.interface(Side::B), "mode": "watch", "epr": epr,
            }),
        ),
        "WATCH READY",
    );
    let responder = start_responder(&net, &epr, &["onvif://www.onvif.org/name/ours"], 20);
    let hello = format!("ANNOUNCE hello {epr}");
    assert!(watcher.wait_for_line(|l| l == hello, WAIT).is_some(), "no Hello: {:?}", watcher.stdout_lines());
    let devices = rtspeek_discover(&net);
    let d = devices
        .iter()
        .find(|d| d["endpoint"] == epr.as_str())
        .unwrap_or_else(|| panic!("{epr} not in {devices:?}"));
    assert_eq!(
        strings(&d["xaddrs"]),
        vec![format!("http://{}:8080/onvif/device_service", net.addr(Side::A))]
    );
    assert_eq!(strings(&d["scopes"]), vec!["onvif://www.onvif.org/name/ours"]);
    assert_eq!(d["from"], format!("{}:3702", net.addr(Side::A)).as_str(), "{d}");
    // Its Hello repeats may reach the window before the answer: then `via` is `hello`, and the answer merged in.
    assert!(d["via"] == "probe-match" || d["via"] == "hello", "{d}");
    let stats = stop_responder(&responder);
    // Our probe is sent twice with one message id: answered once, the repeat recognised.
    assert_eq!(stats["answered"], 1, "{stats}");
    assert!(stats["repeats"].as_u64() >= Some(1), "{stats}");
    let bye = format!("ANNOUNCE bye {epr}");
    assert!(watcher.wait_for_line(|l| l == bye, WAIT).is_some(), "no Bye: {:?}", watcher.stdout_lines());
}

#[test]
fn responder_ignores_probes_it_does_not_match_and_survives_garbage() {
    let net = Net::new("responder_ignores_probes_it_does_not_match_and_survives_garbage");
    let responder = start_responder(&net, &epr(4), &["onvif://www.onvif.org/name/ours"], 20);
    let prober = spawn_until(
        child(
            &net,
            Side::B,
            "onvif_discovery::prober_child",
            PROBER_ENV,
            &json!({
                "interface": net.interface(Side::B), "mode": "nonmatching",
            }),
        ),
        "PROBER DONE",
    );
    let lines = prober.stdout_lines();
    // Another type, a scope it does not have, and then a matching probe, which proves the path works.
    for expected in ["ANSWERS other-type 0", "ANSWERS other-scope 0", "ANSWERS matching 1"] {
        assert!(lines.iter().any(|l| l == expected), "{expected} not in {lines:?}");
    }
    let stats = stop_responder(&responder);
    assert_eq!((stats["not_matching"].as_u64(), stats["answered"].as_u64()), (Some(2), Some(1)), "{stats}");
    assert_eq!(stats["malformed"], 3, "{stats}");
}

#[test]
fn a_probe_flood_gets_a_bounded_number_of_answers() {
    let net = Net::new("a_probe_flood_gets_a_bounded_number_of_answers");
    const LIMIT: u64 = 5;
    const PROBES: u64 = 100;
    let responder = start_responder(&net, &epr(5), &[], LIMIT as u32);
    let prober = spawn_until(
        child(
            &net,
            Side::B,
            "onvif_discovery::prober_child",
            PROBER_ENV,
            &json!({
                "interface": net.interface(Side::B), "mode": "flood", "count": PROBES,
            }),
        ),
        "PROBER DONE",
    );
    let line = prober.stdout_lines().into_iter().find(|l| l.starts_with("FLOOD ")).expect("a FLOOD line");
    let flood: Value = serde_json::from_str(line.trim_start_matches("FLOOD ")).expect("FLOOD JSON");
    let stats = stop_responder(&responder);
    // The flood took `seconds` to send: at most LIMIT answers per started second, plus the window it began in.
    let windows = flood["send_ms"].as_u64().unwrap_or(u64::MAX) / 1000 + 2;
    let answers = flood["answers"].as_u64().unwrap_or(u64::MAX);
    assert!(
        (1..=LIMIT * windows).contains(&answers),
        "{answers} answers over {windows} windows: {flood} {stats}"
    );
    assert_eq!(stats["answered"].as_u64(), Some(answers), "{stats}");
    assert!(stats["rate_limited"].as_u64() >= Some(PROBES - LIMIT * windows), "{stats}");
}

#[test]
fn rtspeek_discover_names_an_unusable_interface() {
    let run = |mut c: Command| {
        c.args(["--timeout", "1"]);
        let out = run_bounded(c, WAIT).unwrap_or_else(|e| panic!("{e}"));
        (out.status.code(), String::from_utf8_lossy(&out.stderr).into_owned())
    };
    let mut c = Command::new(env!("CARGO_BIN_EXE_rtspeek"));
    c.args(["discover", "--interface", "rtspeek-nope0"]);
    let (code, stderr) = run(c);
    assert_eq!(code, Some(64), "{stderr}");
    assert!(stderr.contains("no network interface named `rtspeek-nope0`"), "{stderr}");
    // An interface without an IPv4 address: a second veth pair made inside side A (namespaces only: on the
    // loopback fallback it would be the host's; veth, as the `dummy` module may be missing).
    let net = Net::new("rtspeek_discover_names_an_unusable_interface");
    if net.is_loopback() {
        return;
    }
    let mut add = net.command(Side::A, "ip");
    add.args(["link", "add", "rtspeeknov4", "type", "veth", "peer", "name", "rtspeeknov4p"]);
    assert!(run_bounded(add, WAIT).is_ok_and(|o| o.status.success()), "ip link add veth");
    let mut c = net.command(Side::A, env!("CARGO_BIN_EXE_rtspeek"));
    c.args(["discover", "--interface", "rtspeeknov4"]);
    let (code, stderr) = run(c);
    assert_eq!(code, Some(64), "{stderr}");
    assert!(stderr.contains("interface `rtspeeknov4` has no IPv4 address"), "{stderr}");
}

/// The responder, inside a namespace, for the tests above: settings from RTSPEEK_WSD_RESPONDER; prints
/// `RESPONDER READY`, runs until SIGTERM (at most a minute), then shuts down (Bye) and prints its counts.
#[test]
#[ignore = "a child process of the WS-Discovery tests, started by them inside a network namespace"]
fn responder_child() {
    let Ok(spec) = std::env::var(RESPONDER_ENV) else { return };
    // libtest has printed `test NAME ... ` without a newline: the markers go on lines of their own.
    println!();
    let spec: Value = serde_json::from_str(&spec).expect("responder settings");
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
    runtime.block_on(async {
        let mut config = ResponderConfig::onvif(iface(&spec), strings(&spec["xaddrs"]));
        config.endpoint_reference = spec["epr"].as_str().expect("epr").to_owned();
        config.scopes = strings(&spec["scopes"]);
        config.max_answers_per_second = spec["max"].as_u64().expect("max") as u32;
        let mut term =
            tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()).expect("SIGTERM");
        let responder = Responder::start(config).await.unwrap_or_else(|e| panic!("{e}"));
        println!("RESPONDER READY");
        tokio::select! {
            _ = term.recv() => {}
            () = tokio::time::sleep(Duration::from_secs(60)) => {}
        }
        let s = responder.shutdown().await;
        println!(
            "RESPONDER STATS {}",
            json!({"probes": s.probes, "answered": s.answered, "not_matching": s.not_matching,
                   "repeats": s.repeats, "rate_limited": s.rate_limited, "malformed": s.malformed})
        );
    });
}

fn iface(spec: &Value) -> InterfaceChoice {
    InterfaceChoice::Name(spec["interface"].as_str().expect("interface").to_owned())
}

/// A prober inside a namespace, settings from RTSPEEK_WSD_PROBER: `watch` prints every Hello and Bye until the
/// Bye of `epr`; `nonmatching` sends three malformed datagrams, then counts answers to probes the responder
/// must not answer, then to one it must; `flood` sends `count` probes back to back and counts the answers.
#[test]
#[ignore = "a child process of the WS-Discovery tests, started by them inside a network namespace"]
fn prober_child() {
    let Ok(spec) = std::env::var(PROBER_ENV) else { return };
    println!();
    let spec: Value = serde_json::from_str(&spec).expect("prober settings");
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
    let interface = iface(&spec).resolve().unwrap_or_else(|e| panic!("{e}"));
    runtime.block_on(async {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(40);
        match spec["mode"].as_str() {
            Some("watch") => {
                let mut watch = Announcements::listen(&interface).unwrap_or_else(|e| panic!("{e}"));
                println!("WATCH READY");
                while let Some(a) = watch.next(deadline).await {
                    let (kind, epr) = match &a {
                        Announcement::Hello(h, _) => ("hello", h.service.endpoint_reference.clone()),
                        Announcement::Bye(b, _) => ("bye", b.endpoint_reference.clone()),
                    };
                    println!("ANNOUNCE {kind} {epr}");
                    if kind == "bye" && spec["epr"] == epr.as_str() {
                        break;
                    }
                }
            }
            Some("nonmatching") => {
                // Garbage first: the responder must count it and carry on.
                let raw = std::net::UdpSocket::bind((interface.addr, 0)).expect("a UDP socket");
                let truncated = &probe(vec![], vec![]).to_xml().expect("a probe")[..200];
                for junk in [b"not xml at all".as_slice(), truncated.as_bytes(), &[0xff; 60_000]] {
                    raw.send_to(junk, ("239.255.255.250", 3702)).expect("send junk");
                }
                let mut prober = Prober::new(&interface).unwrap_or_else(|e| panic!("{e}"));
                let nvt = vec![QName::network_video_transmitter()];
                let cases = [
                    ("other-type", vec![QName::new("urn:example:other", "Thing")], vec![]),
                    ("other-scope", nvt.clone(), vec!["onvif://www.onvif.org/name/theirs".to_owned()]),
                    ("matching", nvt, vec!["onvif://www.onvif.org/name".to_owned()]),
                ];
                for (name, types, scopes) in cases {
                    let probe = probe(types, scopes);
                    prober.send(&probe).await.unwrap_or_else(|e| panic!("{e}"));
                    let answers =
                        collect(&mut prober, &[probe.message_id], Duration::from_millis(1500)).await;
                    println!("ANSWERS {name} {answers}");
                }
            }
            Some("flood") => {
                let mut prober = Prober::new(&interface).unwrap_or_else(|e| panic!("{e}"));
                let started = std::time::Instant::now();
                let mut ids = Vec::new();
                for _ in 0..spec["count"].as_u64().expect("count") {
                    let p = probe(vec![QName::network_video_transmitter()], vec![]);
                    prober.send(&p).await.unwrap_or_else(|e| panic!("{e}"));
                    ids.push(p.message_id);
                    tokio::time::sleep(Duration::from_millis(2)).await;
                }
                let send_ms = started.elapsed().as_millis() as u64;
                let answers = collect(&mut prober, &ids, Duration::from_millis(1500)).await;
                println!("FLOOD {}", json!({"answers": answers, "send_ms": send_ms}));
            }
            other => panic!("unknown mode {other:?}"),
        }
        println!("PROBER DONE");
    });
}

fn probe(types: Vec<QName>, scopes: Vec<String>) -> Probe {
    let message_id = rtspeek_bridge::onvif::discovery::new_urn_uuid();
    Probe { message_id, types, scopes, match_by: MatchBy::Rfc3986 }
}

/// Answers relating to one of `ids`, received within `window` (answers to earlier probes still arriving are
/// counted too: the flood counts them all).
async fn collect(prober: &mut Prober, ids: &[String], window: Duration) -> u64 {
    let deadline = tokio::time::Instant::now() + window;
    let mut n = 0;
    while let Some((pm, _)) = prober.recv(deadline).await {
        if ids.contains(&pm.relates_to) {
            n += 1;
        }
    }
    n
}
