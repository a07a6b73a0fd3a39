//! `openssl s_client` habits on `rtspeek probe`: `--servername` (SNI and the name verified), `--connect-to`
//! (dial an address, verify the URL's name) and `--save-chain` (the chain as presented, also when it fails
//! verification), against the fault camera on loopback with a certificate that names only `camera.test`.

use std::process::{Command, Output};
use std::time::Duration;

use rtspeek_tests::fault_camera::{CameraConfig, FaultCamera, TlsSetup};
use rtspeek_tests::pki::{Cert, days_from_now};
use serde_json::Value;

async fn rtspeek(args: Vec<String>) -> Output {
    let run = tokio::task::spawn_blocking(move || {
        Command::new(env!("CARGO_BIN_EXE_rtspeek")).args(&args).output().expect("run rtspeek")
    });
    tokio::time::timeout(Duration::from_secs(60), run).await.expect("rtspeek finishes").expect("join")
}

fn report(out: &Output) -> Value {
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!("{e}: {}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr))
    })
}

fn codes(report: &Value) -> Vec<String> {
    report["findings"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|f| f["code"].as_str().map(str::to_owned))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn servername_connect_to_and_save_chain() {
    let dir = tempfile::tempdir().expect("tempdir");
    let root = Cert::root("s_client habits root");
    let intermediate = root.intermediate("s_client habits intermediate");
    let leaf = intermediate.leaf().dns(["camera.test"]).valid(days_from_now(-1), days_from_now(100)).build();
    let root_pem = dir.path().join("root.pem");
    std::fs::write(&root_pem, root.cert_pem()).expect("write root");
    let chain = format!("{}{}", leaf.cert_pem(), intermediate.cert_pem());
    let camera = FaultCamera::start(CameraConfig::default().tls(TlsSetup::new(chain, leaf.key_pem())))
        .await
        .expect("camera");
    let port = camera.addr().port();
    let root_arg = root_pem.display().to_string();
    let base = |url: &str, extra: &[&str]| -> Vec<String> {
        let mut v: Vec<String> =
            ["probe", url, "--ca", &root_arg, "--duration", "0", "--no-tls-scan", "--json"]
                .map(str::to_owned)
                .into();
        v.extend(extra.iter().map(|s| (*s).to_owned()));
        v
    };

    // By address: the certificate does not name 127.0.0.1. The chain is saved anyway.
    let saved = dir.path().join("presented.pem");
    let saved_arg = saved.display().to_string();
    let out = rtspeek(base(&camera.url("/stream"), &["--save-chain", &saved_arg])).await;
    let r = report(&out);
    assert_eq!(r["first_broken_layer"], "certificate", "{:?}", codes(&r));
    assert!(codes(&r).iter().any(|c| c == "cert.ip_not_in_san"), "{:?}", codes(&r));
    let pem = std::fs::read_to_string(&saved).expect("the chain was saved");
    assert_eq!(pem.matches("-----BEGIN CERTIFICATE-----").count(), 2, "{pem}");
    let expect = |p: &str| p.lines().filter(|l| !l.starts_with("-----")).collect::<String>();
    assert_eq!(
        expect(&pem),
        expect(&format!("{}{}", leaf.cert_pem(), intermediate.cert_pem())),
        "as presented"
    );

    // --servername: SNI camera.test, and camera.test is the name verified.
    let out = rtspeek(base(&camera.url("/stream"), &["--servername", "camera.test"])).await;
    let r = report(&out);
    assert_eq!(r["verdict"], "healthy", "{:?}", codes(&r));
    assert_eq!(r["facts"]["tls"]["sni"], "camera.test");
    assert_eq!(r["facts"]["certificate"]["host"], "camera.test");

    // --connect-to: the URL names camera.test (which does not resolve here), the connection goes to loopback.
    let url = "rtsps://camera.test:322/stream";
    let to = format!("127.0.0.1:{port}");
    let out = rtspeek(base(url, &["--connect-to", &to])).await;
    let r = report(&out);
    assert_eq!(r["verdict"], "healthy", "{:?}", codes(&r));
    assert_eq!(r["facts"]["connection"]["peer"], to);
    assert_eq!(r["facts"]["tls"]["sni"], "camera.test");
    assert!(r["target"].as_str().is_some_and(|t| t.contains("camera.test:322")), "{}", r["target"]);

    // Bad values are refused before anything is dialled.
    for bad in ["127.0.0.1", "::1:554", "host:0", "host:port"] {
        let out = rtspeek(base(url, &["--connect-to", bad])).await;
        assert_eq!(out.status.code(), Some(64), "{bad}: {}", String::from_utf8_lossy(&out.stderr));
    }
    camera.shutdown().await;
}

/// `--trust system` reads the store OpenSSL and GnuTLS read (here `SSL_CERT_FILE`, which they honour too), and
/// the report names it; `--trust both` adds the web PKI; the default stays the web PKI alone.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn trust_system_honours_the_store_openssl_reads() {
    let dir = tempfile::tempdir().expect("tempdir");
    let root = Cert::root("enterprise root");
    let leaf =
        root.leaf().ip(["127.0.0.1"]).dns(["localhost"]).valid(days_from_now(-1), days_from_now(100)).build();
    let bundle = dir.path().join("enterprise-bundle.pem");
    std::fs::write(&bundle, root.cert_pem()).expect("write bundle");
    let camera =
        FaultCamera::start(CameraConfig::default().tls(TlsSetup::new(leaf.cert_pem(), leaf.key_pem())))
            .await
            .expect("camera");
    let url = camera.url("/stream");
    let run = |trust: &'static str| {
        let (url, bundle) = (url.clone(), bundle.clone());
        async move {
            let args = ["probe", &url, "--trust", trust, "--duration", "0", "--no-tls-scan", "--json"];
            let args: Vec<String> = args.map(str::to_owned).into();
            let run = tokio::task::spawn_blocking(move || {
                Command::new(env!("CARGO_BIN_EXE_rtspeek"))
                    .args(&args)
                    .env("SSL_CERT_FILE", &bundle)
                    .env_remove("SSL_CERT_DIR")
                    .output()
                    .expect("run rtspeek")
            });
            report(
                &tokio::time::timeout(Duration::from_secs(60), run).await.expect("finishes").expect("join"),
            )
        }
    };
    let system = run("system").await;
    assert_eq!(system["verdict"], "healthy", "{:?}", codes(&system));
    let store = &system["trust"]["store"];
    assert_eq!(store["kind"], "system", "{store}");
    assert!(store["source"].as_str().is_some_and(|s| s.contains("enterprise-bundle.pem")), "{store}");
    assert_eq!(store["anchors"], 1);
    assert!(system["trust"]["statement"].as_str().is_some_and(|s| s.contains("system trust store")));

    let both = run("both").await;
    assert_eq!(both["verdict"], "healthy", "{:?}", codes(&both));
    assert!(both["trust"]["store"]["web_pki"].as_u64().is_some_and(|n| n > 100), "{}", both["trust"]);

    let web = run("webpki").await;
    assert_eq!(web["first_broken_layer"], "certificate", "the web PKI does not know the enterprise root");
    assert_eq!(web["trust"]["store"]["kind"], "web_pki");
    camera.shutdown().await;
}
