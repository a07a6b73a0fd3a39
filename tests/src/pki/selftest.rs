//! Checks of the generator itself, with `openssl x509 -text` as the independent reader.

use super::*;

/// `openssl x509 -noout -text` of a certificate.
fn text(cert: &Cert) -> String {
    let dir = OpensslDir::new();
    dir.write("c.pem", cert.cert_pem());
    String::from_utf8(dir.run(&["x509", "-in", "c.pem", "-noout", "-text"])).unwrap()
}

/// openssl's verdict on `leaf` with `chain` as untrusted intermediates and `root` as anchor, at NOW.
fn verify(root: &Cert, chain: &[&Cert], leaf: &Cert) -> Result<(), String> {
    let dir = OpensslDir::new();
    dir.write("root.pem", root.cert_pem());
    dir.write("chain.pem", chain_pem(chain));
    dir.write("leaf.pem", leaf.cert_pem());
    let at = NOW.secs().to_string();
    let mut args = vec!["verify", "-attime", &at, "-CAfile", "root.pem", "-auth_level", "0"];
    if !chain.is_empty() {
        args.extend(["-untrusted", "chain.pem"]);
    }
    args.push("leaf.pem");
    let out = std::process::Command::new("openssl").args(&args).current_dir(dir.path("")).output().unwrap();
    if out.status.success() {
        Ok(())
    } else {
        Err(format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr)))
    }
}

#[test]
fn default_chain_verifies_with_openssl() {
    let root = Cert::root("selftest root");
    let inter = root.intermediate("selftest intermediate");
    let leaf = inter.leaf().dns(["cam.example"]).ip(["192.0.2.10", "2001:db8::1"]).build();
    verify(&root, &[&inter], &leaf).unwrap();
    let t = text(&leaf);
    for want in [
        "Version: 3 (0x2)",
        "ecdsa-with-SHA256",
        "CA:FALSE",
        "Digital Signature, Key Encipherment",
        "TLS Web Server Authentication",
        "DNS:cam.example, IP Address:192.0.2.10, IP Address:2001:DB8:0:0:0:0:0:1",
        "Not Before: May  2 00:00:00 2026 GMT",
        "Not After : Mar 28 00:00:00 2027 GMT",
        "Subject: CN = cam.example",
        "X509v3 Authority Key Identifier",
    ] {
        assert!(t.contains(want), "missing {want:?} in\n{t}");
    }
    assert!(text(&inter).contains("CA:TRUE"));
    assert!(verify(&root, &[], &leaf).is_err(), "intermediate needed");
}

#[test]
fn openssl_made_certificates() {
    let root = Cert::root("selftest root");
    let rsa_inter = root.intermediate_builder("selftest rsa intermediate").key_alg(KeyAlg::Rsa2048).build();
    let t = text(&rsa_inter);
    assert!(t.contains("Public-Key: (2048 bit)") && t.contains("ecdsa-with-SHA256"), "{t}");

    let sha1 = rsa_inter.leaf().dns(["cam.example"]).digest(Digest::Sha1).build();
    let t = text(&sha1);
    assert!(
        t.contains("sha1WithRSAEncryption") && t.contains("Version: 3") && t.contains("DNS:cam.example"),
        "{t}"
    );
    let md5 = rsa_inter.leaf().dns(["cam.example"]).digest(Digest::Md5).build();
    assert!(text(&md5).contains("md5WithRSAEncryption"));
    let ec_sha1 = root.leaf().dns(["cam.example"]).digest(Digest::Sha1).build();
    assert!(text(&ec_sha1).contains("ecdsa-with-SHA1"));

    let v1 = rsa_inter.leaf().cn("cam.example").version1().build();
    let t = text(&v1);
    assert!(t.contains("Version: 1 (0x0)") && !t.contains("X509v3"), "{t}");

    let weak =
        rsa_inter.leaf().dns(["cam.example"]).key_alg(KeyAlg::Rsa1024).valid(day(-10), day(20)).build();
    let t = text(&weak);
    assert!(t.contains("Public-Key: (1024 bit)") && t.contains("sha256WithRSAEncryption"), "{t}");
    assert!(
        t.contains("Not Before: May 22 00:00:00 2026 GMT") && t.contains("Not After : Jun 21 00:00:00 2026")
    );
    verify(&root, &[&rsa_inter], &weak).unwrap();

    // An openssl-made issuer (P-521 key) issues through openssl too, with a matching authorityKeyIdentifier.
    let p521 = root.intermediate_builder("selftest p521").key_alg(KeyAlg::EcP521).build();
    let leaf = p521.leaf().dns(["cam.example"]).digest(Digest::Sha512).build();
    assert!(text(&leaf).contains("ecdsa-with-SHA512"));
    verify(&root, &[&p521], &leaf).unwrap();

    let ss =
        Cert::self_signed_leaf().cn("cam.example").no_san().key_alg(KeyAlg::Rsa2048).digest(Digest::Sha1);
    let t = text(&ss.build());
    assert!(t.contains("Issuer: CN = cam.example") && t.contains("sha1WithRSAEncryption"), "{t}");
    assert!(!t.contains("Subject Alternative Name"), "{t}");
}

#[test]
fn purposes_and_constraints() {
    let root = Cert::root("selftest root");
    let t = text(&root.leaf().dns(["a.example"]).eku(&[Eku::CodeSigning]).build());
    assert!(t.contains("Code Signing") && !t.contains("Server Authentication"), "{t}");
    let t = text(&root.leaf().dns(["a.example"]).eku(&[Eku::ClientAuth]).build());
    assert!(t.contains("TLS Web Client Authentication") && !t.contains("Server"), "{t}");
    let t = text(&root.leaf().dns(["a.example"]).key_usage(&[Ku::KeyCertSign]).build());
    assert!(t.contains("Certificate Sign") && !t.contains("Digital Signature"), "{t}");
    let t = text(&root.leaf().dns(["a.example"]).ca(true).build());
    assert!(t.contains("CA:TRUE"), "{t}");
    let t = text(&root.leaf().dns(["f*.example.com", "192.0.2.10"]).build());
    assert!(t.contains("DNS:f*.example.com, DNS:192.0.2.10"), "{t}");
    let t = text(&root.leaf().cn("cam.example").no_san().build());
    assert!(!t.contains("Subject Alternative Name") && t.contains("CN = cam.example"), "{t}");
    let t = text(&root.leaf().dns(["a.example"]).eku(&[Eku::ClientAuth]).via_openssl().build());
    assert!(t.contains("TLS Web Client Authentication") && t.contains("CA:FALSE"), "{t}");
}

#[test]
fn key_algorithms_and_formats() {
    let root = Cert::root("selftest root");
    for alg in [KeyAlg::EcP384, KeyAlg::Ed25519, KeyAlg::Rsa3072] {
        let leaf = root.leaf().dns(["a.example"]).key_alg(alg).build();
        verify(&root, &[], &leaf).unwrap_or_else(|e| panic!("{alg:?}: {e}"));
        let issued = root.intermediate_builder("x").key_alg(alg).build().leaf().dns(["b.example"]).build();
        assert!(!issued.cert_der().is_empty());
    }
    let rsa = Key::generate(KeyAlg::Rsa2048);
    assert!(rsa.pkcs1_pem().starts_with("-----BEGIN RSA PRIVATE KEY-----\n"));
    assert_eq!(pem_decode_first(&rsa.pkcs1_pem()).1, rsa.traditional_der());
    let ec = Key::generate(KeyAlg::EcP256);
    assert!(ec.sec1_pem().starts_with("-----BEGIN EC PRIVATE KEY-----\n"));
    assert!(ec.encrypted_pkcs8_pem("pw").starts_with("-----BEGIN ENCRYPTED PRIVATE KEY-----\n"));
    let legacy = rsa.legacy_encrypted_pem("pw");
    assert!(
        legacy.contains("Proc-Type: 4,ENCRYPTED") && legacy.contains("DEK-Info: AES-128-CBC"),
        "{legacy}"
    );
    assert!(Key::generate(KeyAlg::Ed25519).encrypted_pkcs8_pem("pw").contains("ENCRYPTED PRIVATE KEY"));
    // The public half openssl derives from our PKCS#8 is the SPKI we keep.
    let dir = OpensslDir::new();
    dir.write("k.pem", ec.pkcs8_pem());
    assert_eq!(dir.run(&["pkey", "-in", "k.pem", "-pubout", "-outform", "DER"]), ec.spki_der());
    assert!(csr_pem(&ec, "cam.example").starts_with("-----BEGIN CERTIFICATE REQUEST-----\n"));
}

#[test]
fn pem_helpers() {
    let root = Cert::root("selftest root");
    let leaf = root.leaf().dns(["a.example"]).build();
    let text2 = chain_pem(&[&leaf, &root]);
    let blocks = pem_blocks(&text2);
    assert_eq!(blocks.len(), 2);
    assert_eq!(blocks[0].der, leaf.cert_der());
    assert_eq!(blocks[1].start, leaf.cert_pem().len());
    assert_eq!(
        pem_blocks(&crlf(&text2)).iter().map(|b| &b.der).collect::<Vec<_>>(),
        [&blocks[0].der, &blocks[1].der]
    );
    assert_eq!(chain_der(&[&leaf, &root]), [leaf.cert_der(), root.cert_der()].concat());

    let bad = corrupt_pem(&text2, 1);
    assert_eq!(bad.block_start, blocks[1].start);
    let after = pem_blocks(&bad.pem);
    assert_eq!(after[0].der, leaf.cert_der());
    assert_eq!(after[1].der.len(), root.cert_der().len());
    assert_eq!(after[1].der[bad.der_offset], 0x04);
    let dir = OpensslDir::new();
    dir.write("bad.pem", pem_encode("CERTIFICATE", &after[1].der));
    let out = std::process::Command::new("openssl")
        .args(["x509", "-in", "bad.pem", "-noout"])
        .current_dir(dir.path(""))
        .output()
        .unwrap();
    assert!(!out.status.success(), "openssl must reject the damaged certificate");
    let (der, off) = corrupt_der(leaf.cert_der());
    assert_eq!(der[off], 0x04);
    assert_eq!(concat(&["a", "b\n"]), "a\nb\n");
}
