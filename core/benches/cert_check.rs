//! Certificate analysis speed: a 3-certificate chain (leaf, intermediate, root; ECDSA P-256) with the key, a
//! host and the root as anchor, which is what `rtspeek cert check` and the probe do per server. Also the same
//! chain judged against the public web PKI (the ~150 Mozilla roots are scanned by name), and an RSA-2048 leaf
//! with its PKCS#1 key (RSA public-key operations dominate there).
//!
//! `cargo bench -p rtspeek-core --bench cert_check`; figures in BENCHMARKS.md.

use criterion::{Criterion, criterion_group, criterion_main};
use rtspeek_core::UnixTime;
use rtspeek_core::cert::{CertCheck, InputFile, analyze};

/// The fixtures' reference time (see core/tests/data/pki/README.md).
const NOW: UnixTime = UnixTime(1_780_272_000);

const LEAF: &[u8] = include_bytes!("../tests/data/pki/leaf.pem");
const INTERMEDIATE: &[u8] = include_bytes!("../tests/data/pki/intermediate.pem");
const ROOT: &[u8] = include_bytes!("../tests/data/pki/root.pem");
const LEAF_KEY: &[u8] = include_bytes!("../tests/data/pki/leaf.key");
const RSA_CERT: &[u8] = include_bytes!("../tests/data/keys/rsa2048-sha256.crt");
const RSA_KEY: &[u8] = include_bytes!("../tests/data/keys/rsa2048.pkcs1.pem");

fn bench(c: &mut Criterion) {
    let chain = [
        InputFile { name: "leaf.pem", bytes: LEAF },
        InputFile { name: "intermediate.pem", bytes: INTERMEDIATE },
        InputFile { name: "root.pem", bytes: ROOT },
    ];
    let anchors = [InputFile { name: "root.pem", bytes: ROOT }];
    let key = InputFile { name: "leaf.key", bytes: LEAF_KEY };

    let check = CertCheck::new(&chain, NOW).key(key).host("192.0.2.10").anchors(&anchors);
    let report = analyze(&check).expect("fixtures parse");
    assert_eq!(report.verdict, rtspeek_core::Verdict::Healthy, "{:#?}", report.findings);
    c.bench_function("cert_check/3-cert P-256 chain + key + host, --ca root", |b| {
        b.iter(|| analyze(std::hint::black_box(&check)))
    });

    let web = CertCheck::new(&chain, NOW).key(key).host("192.0.2.10");
    c.bench_function("cert_check/3-cert P-256 chain + key + host, web PKI", |b| {
        b.iter(|| analyze(std::hint::black_box(&web)))
    });

    let rsa = [InputFile { name: "rsa.crt", bytes: RSA_CERT }];
    let rsa_check =
        CertCheck::new(&rsa, NOW).key(InputFile { name: "rsa.key", bytes: RSA_KEY }).anchors(&rsa);
    c.bench_function("cert_check/RSA-2048 self-signed + PKCS#1 key", |b| {
        b.iter(|| analyze(std::hint::black_box(&rsa_check)))
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
