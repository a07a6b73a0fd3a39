//! Running the `openssl` command line (OpenSSL 3.0) as a third-party generator, for what rcgen cannot make:
//! RSA keys, weak keys and digests, version 1 certificates and the traditional and encrypted key formats.

use std::fmt::Write as _;
use std::path::PathBuf;
use std::process::Command;

use rtspeek_core::UnixTime;

/// A scratch directory in which `openssl` commands run; deleted when dropped.
#[derive(Debug)]
pub struct OpensslDir {
    dir: tempfile::TempDir,
}

impl Default for OpensslDir {
    fn default() -> Self {
        Self::new()
    }
}

impl OpensslDir {
    /// A fresh, empty scratch directory.
    pub fn new() -> Self {
        OpensslDir { dir: tempfile::tempdir().expect("create a temporary directory for openssl") }
    }

    /// The path of `name` inside the directory.
    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// Writes `bytes` to `name`.
    pub fn write(&self, name: &str, bytes: impl AsRef<[u8]>) {
        std::fs::write(self.path(name), bytes).unwrap_or_else(|e| panic!("write {name}: {e}"));
    }

    /// Reads `name`.
    pub fn read(&self, name: &str) -> Vec<u8> {
        std::fs::read(self.path(name)).unwrap_or_else(|e| panic!("read {name}: {e}"))
    }

    /// Runs `openssl ARGS` in the directory and returns its standard output.
    ///
    /// # Panics
    /// If openssl cannot be started or exits with a failure; the message holds the command line and openssl's
    /// standard error.
    pub fn run(&self, args: &[&str]) -> Vec<u8> {
        let out = Command::new("openssl")
            .args(args)
            .current_dir(self.dir.path())
            .output()
            .unwrap_or_else(|e| panic!("cannot run `openssl {}`: {e}", args.join(" ")));
        if !out.status.success() {
            panic!(
                "`openssl {}` failed ({}):\n{}{}",
                args.join(" "),
                out.status,
                String::from_utf8_lossy(&out.stderr),
                String::from_utf8_lossy(&out.stdout)
            );
        }
        out.stdout
    }
}

/// What `openssl ca` should issue.
pub(crate) struct CaRequest<'a> {
    /// Subject common name.
    pub cn: &'a str,
    /// Subject private key, PKCS#8 PEM.
    pub subject_key_pem: &'a str,
    /// Issuer certificate (PEM) and private key (PKCS#8 PEM); `None` for self-signed.
    pub issuer: Option<(&'a str, &'a str)>,
    /// Digest (`sha1`, `md5`, `sha256`...); `None` for the key's default (and for Ed25519/Ed448 issuers).
    pub digest: Option<&'a str>,
    /// notBefore.
    pub not_before: UnixTime,
    /// notAfter.
    pub not_after: UnixTime,
    /// `openssl x509v3_config` lines; `None` makes a version 1 certificate (no extensions at all).
    pub extensions: Option<Vec<String>>,
}

/// Issues a certificate with `openssl ca` and returns it as DER.
///
/// `openssl x509 -req` in OpenSSL 3.0 has no option for the start date; `openssl ca` has `-startdate` and
/// `-enddate`, and makes a version 1 certificate when no extension section is given.
pub(crate) fn ca_issue(req: &CaRequest<'_>) -> Vec<u8> {
    let dir = OpensslDir::new();
    let mut cnf = String::from(CNF);
    if let Some(ext) = &req.extensions {
        cnf.push_str("[ext]\n");
        for line in ext {
            writeln!(cnf, "{line}").expect("write to a String");
        }
    }
    dir.write("ca.cnf", cnf);
    dir.write("index.txt", "");
    dir.write("subject.key", req.subject_key_pem);
    make_csr(&dir, req.cn);
    let start = asn1_time(req.not_before);
    let end = asn1_time(req.not_after);
    let mut args = vec![
        "ca",
        "-batch",
        "-config",
        "ca.cnf",
        "-rand_serial",
        "-notext",
        "-preserveDN",
        "-in",
        "req.csr",
        "-out",
        "cert.pem",
        "-startdate",
        &start,
        "-enddate",
        &end,
    ];
    match req.issuer {
        Some((cert, key)) => {
            dir.write("issuer.pem", cert);
            dir.write("issuer.key", key);
            args.extend(["-cert", "issuer.pem", "-keyfile", "issuer.key"]);
        }
        None => args.extend(["-selfsign", "-keyfile", "subject.key"]),
    }
    if let Some(md) = req.digest {
        args.extend(["-md", md]);
    }
    if req.extensions.is_some() {
        args.extend(["-extensions", "ext"]);
    }
    dir.run(&args);
    dir.run(&["x509", "-in", "cert.pem", "-outform", "DER"])
}

/// A certificate signing request (PKCS#10) for `key_pem` with subject `CN=cn`, PEM.
pub(crate) fn csr_pem(key_pem: &str, cn: &str) -> String {
    let dir = OpensslDir::new();
    dir.write("ca.cnf", CNF);
    dir.write("subject.key", key_pem);
    make_csr(&dir, cn);
    String::from_utf8(dir.read("req.csr")).expect("openssl writes ASCII PEM")
}

/// A self-contained configuration for `openssl req` and `openssl ca` (no system openssl.cnf involved).
const CNF: &str = "[req]\ndistinguished_name = dn\nstring_mask = utf8only\nprompt = no\n[dn]\n\
    [ca]\ndefault_ca = test_ca\n\
    [test_ca]\ndatabase = index.txt\nnew_certs_dir = .\nserial = serial\npolicy = any\n\
    unique_subject = no\nemail_in_dn = no\ndefault_md = default\n\
    [any]\ncommonName = supplied\n";

/// Writes `req.csr` for `subject.key` in `dir`, which must hold `ca.cnf`.
fn make_csr(dir: &OpensslDir, cn: &str) {
    let subj = format!("/CN={}", cn.replace('/', "\\/"));
    dir.run(&["req", "-config", "ca.cnf", "-new", "-key", "subject.key", "-subj", &subj, "-out", "req.csr"]);
}

/// `YYYYMMDDHHMMSSZ`, as `openssl ca -startdate` takes it.
fn asn1_time(t: UnixTime) -> String {
    let dt = time::OffsetDateTime::from_unix_timestamp(t.secs()).expect("time in range");
    let fmt = time::macros::format_description!("[year][month][day][hour][minute][second]Z");
    dt.format(&fmt).expect("format time")
}
