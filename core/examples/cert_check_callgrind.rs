//! Runs the benchmark's main case (3-certificate P-256 chain, key, host, root as anchor) 20 times, for a
//! repeatable instruction count that does not depend on machine load:
//!
//! ```sh
//! cargo build --release -p rtspeek-core --example cert_check_callgrind
//! valgrind --tool=callgrind --callgrind-out-file=/tmp/cg.out target/release/examples/cert_check_callgrind
//! ```
//! Divide the reported `I refs` by 20 (startup is a few hundred thousand instructions).

use rtspeek_core::UnixTime;
use rtspeek_core::cert::{CertCheck, InputFile, analyze};

fn main() {
    let chain = [
        InputFile { name: "leaf.pem", bytes: include_bytes!("../tests/data/pki/leaf.pem") },
        InputFile { name: "intermediate.pem", bytes: include_bytes!("../tests/data/pki/intermediate.pem") },
        InputFile { name: "root.pem", bytes: include_bytes!("../tests/data/pki/root.pem") },
    ];
    let anchors = [InputFile { name: "root.pem", bytes: include_bytes!("../tests/data/pki/root.pem") }];
    let key = InputFile { name: "leaf.key", bytes: include_bytes!("../tests/data/pki/leaf.key") };
    let check = CertCheck::new(&chain, UnixTime(1_780_272_000)).key(key).host("192.0.2.10").anchors(&anchors);
    for _ in 0..20 {
        let report = analyze(std::hint::black_box(&check)).expect("fixtures parse");
        assert_eq!(report.verdict, rtspeek_core::Verdict::Healthy);
    }
}
