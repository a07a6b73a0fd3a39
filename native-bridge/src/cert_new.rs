//! `rtspeek cert new`: a local CA and a server certificate for the names and addresses clients use, instead of
//! an OpenSSL recipe copied from a forum. The result is checked with the same analysis as `rtspeek cert check`
//! before it is reported, and `rtspeek demo` makes its PKI with the same functions.
//!
//! Keys: ECDSA P-256 by default (every RTSPS client tested here accepts it), P-384, Ed25519 (refused by many
//! NVRs and browsers: the output says so), or RSA 2048/3072 for old clients. RSA keys come from OpenSSL,
//! because the signing library (ring, through rcgen) can sign with RSA but not generate RSA keys; a build
//! without the default `legacy-tls` feature (no OpenSSL) offers the other types.

use std::net::IpAddr;
use std::path::{Path, PathBuf};

use clap::{Args, ValueEnum};
use rcgen::{
    BasicConstraints, CertificateParams, CertifiedIssuer, DnType, ExtendedKeyUsagePurpose, IsCa, Issuer,
    KeyPair, KeyUsagePurpose, SanType,
};
use rtspeek_core::UnixTime;
use rtspeek_core::cert::{CertCheck, InputFile, analyze};
use time::{Duration, OffsetDateTime};

use crate::cli_error::CliError;
use crate::render;

/// Arguments of `rtspeek cert new`.
#[derive(Debug, Args)]
pub(crate) struct NewArgs {
    /// Directory to write into (created if missing): `ca.pem`, `ca.key`, `server.pem`, `server.key`.
    #[arg(long, value_name = "DIR")]
    pub(crate) out: PathBuf,
    /// A DNS name or IP address clients use to reach the server (repeatable; the first is the Common Name).
    #[arg(long = "name", value_name = "NAME|IP", required = true)]
    pub(crate) names: Vec<String>,
    /// Key type of the new keys.
    #[arg(long, value_enum, default_value_t = KeyType::EcdsaP256)]
    pub(crate) key_type: KeyType,
    /// Days the server certificate is valid (at most 825: Apple clients refuse longer ones).
    #[arg(long, default_value_t = 397, value_parser = clap::value_parser!(u16).range(1..=825))]
    pub(crate) days: u16,
    /// Sign with this existing CA certificate (with --ca-key) instead of making a new CA.
    #[arg(long, value_name = "FILE", requires = "ca_key")]
    pub(crate) ca_cert: Option<PathBuf>,
    /// The existing CA's private key (PEM).
    #[arg(long, value_name = "FILE", requires = "ca_cert")]
    pub(crate) ca_key: Option<PathBuf>,
    /// An `rtspeek serve` configuration whose listener addresses must be among the names (warns otherwise).
    #[arg(long, value_name = "FILE")]
    pub(crate) config: Option<PathBuf>,
    /// Overwrite existing files.
    #[arg(long)]
    pub(crate) force: bool,
}

/// Key types offered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum KeyType {
    /// ECDSA with P-256 and SHA-256.
    EcdsaP256,
    /// ECDSA with P-384 and SHA-384.
    EcdsaP384,
    /// Ed25519.
    Ed25519,
    /// RSA 2048 with SHA-256.
    Rsa2048,
    /// RSA 3072 with SHA-256.
    Rsa3072,
}

impl KeyType {
    fn describe(self) -> &'static str {
        match self {
            KeyType::EcdsaP256 => "ECDSA P-256",
            KeyType::EcdsaP384 => "ECDSA P-384",
            KeyType::Ed25519 => "Ed25519",
            KeyType::Rsa2048 => "RSA 2048",
            KeyType::Rsa3072 => "RSA 3072",
        }
    }

    /// A fresh key of this type.
    pub(crate) fn generate(self) -> Result<KeyPair, CliError> {
        let generated = match self {
            KeyType::EcdsaP256 => KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256),
            KeyType::EcdsaP384 => KeyPair::generate_for(&rcgen::PKCS_ECDSA_P384_SHA384),
            KeyType::Ed25519 => KeyPair::generate_for(&rcgen::PKCS_ED25519),
            KeyType::Rsa2048 => return rsa_key(2048),
            KeyType::Rsa3072 => return rsa_key(3072),
        };
        generated.map_err(|e| CliError::Runtime(format!("generating a {} key: {e}", self.describe())))
    }
}

#[cfg(feature = "legacy-tls")]
fn rsa_key(bits: u32) -> Result<KeyPair, CliError> {
    let err = |e: &dyn std::fmt::Display| CliError::Runtime(format!("generating an RSA {bits} key: {e}"));
    let rsa = openssl::rsa::Rsa::generate(bits).map_err(|e| err(&e))?;
    let pem = openssl::pkey::PKey::from_rsa(rsa)
        .and_then(|key| key.private_key_to_pem_pkcs8())
        .map_err(|e| err(&e))?;
    let pem = String::from_utf8(pem).map_err(|e| err(&e))?;
    KeyPair::from_pem(&pem).map_err(|e| err(&e))
}

#[cfg(not(feature = "legacy-tls"))]
fn rsa_key(bits: u32) -> Result<KeyPair, CliError> {
    Err(CliError::Input(format!(
        "RSA {bits} keys need OpenSSL, which this build leaves out (the `legacy-tls` feature): choose ecdsa-p256"
    )))
}

/// One name of a certificate: DNS or IP.
fn san(name: &str) -> Result<SanType, CliError> {
    let bare = name.trim_start_matches('[').trim_end_matches(']');
    if let Ok(ip) = bare.parse::<IpAddr>() {
        return Ok(SanType::IpAddress(ip));
    }
    let invalid = |why: &dyn std::fmt::Display| {
        CliError::Input(format!("--name {name:?}: not a DNS name or an IP address: {why}"))
    };
    // The rules clients apply (rustls' DnsName: letters, digits, '-', labels of 1-63), a wildcard on the left.
    let checked = name.strip_prefix("*.").unwrap_or(name);
    rustls::pki_types::DnsName::try_from(checked).map_err(|e| invalid(&e))?;
    Ok(SanType::DnsName(name.to_owned().try_into().map_err(|e| invalid(&e))?))
}

/// A root CA, valid ten years from a day ago.
pub(crate) fn new_ca(
    common_name: &str,
    key: KeyPair,
    now: OffsetDateTime,
) -> Result<CertifiedIssuer<'static, KeyPair>, CliError> {
    let mut params = CertificateParams::default();
    params.distinguished_name.push(DnType::CommonName, common_name);
    params.distinguished_name.push(DnType::OrganizationName, "rtspeek");
    // Path length 0: this CA signs servers, not other CAs.
    params.is_ca = IsCa::Ca(BasicConstraints::Constrained(0));
    params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    params.not_before = now - Duration::days(1);
    params.not_after = now + Duration::days(3650);
    CertifiedIssuer::self_signed(params, key)
        .map_err(|e| CliError::Runtime(format!("signing the CA certificate: {e}")))
}

/// A server certificate for `names` (the first is the Common Name), signed by `issuer`, valid `days` from a day
/// ago: serverAuth, digitalSignature (and keyEncipherment for RSA, which TLS 1.2 RSA key exchange needs).
pub(crate) fn new_server<S: rcgen::SigningKey>(
    issuer: &Issuer<'_, S>,
    names: &[String],
    key: &KeyPair,
    rsa: bool,
    now: OffsetDateTime,
    days: u16,
) -> Result<rcgen::Certificate, CliError> {
    let mut params = CertificateParams::default();
    if let Some(first) = names.first() {
        params.distinguished_name.push(DnType::CommonName, first.as_str());
    }
    params.subject_alt_names = names.iter().map(|n| san(n)).collect::<Result<_, _>>()?;
    params.is_ca = IsCa::ExplicitNoCa;
    params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
    if rsa {
        params.key_usages.push(KeyUsagePurpose::KeyEncipherment);
    }
    params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
    params.not_before = now - Duration::days(1);
    params.not_after = now + Duration::days(i64::from(days));
    params
        .signed_by(key, issuer)
        .map_err(|e| CliError::Runtime(format!("signing the server certificate: {e}")))
}

/// Writes `bytes` to `path`, readable by the owner only when `private` (keys), refusing to replace a file
/// unless `force`.
pub(crate) fn write_file(path: &Path, bytes: &[u8], private: bool, force: bool) -> Result<(), CliError> {
    rtspeek_bridge::files::write(path, bytes, private, force).map_err(|e| {
        if e.kind() == std::io::ErrorKind::AlreadyExists {
            CliError::Input(format!("{}: exists (--force replaces it)", path.display()))
        } else {
            CliError::write(path, &e)
        }
    })
}

/// `rtspeek cert new`.
pub(crate) fn run(args: &NewArgs) -> Result<u8, CliError> {
    let now = OffsetDateTime::now_utc();
    // Every name is checked before anything is generated or written.
    for name in &args.names {
        san(name)?;
    }
    std::fs::create_dir_all(&args.out).map_err(|e| CliError::write(&args.out, &e))?;
    let ca_path = args.ca_cert.clone().unwrap_or_else(|| args.out.join("ca.pem"));
    let (server_path, key_path) = (args.out.join("server.pem"), args.out.join("server.key"));
    let new_ca_paths = [ca_path.clone(), args.out.join("ca.key")];
    let mut written = vec![server_path.clone(), key_path.clone()];
    if args.ca_cert.is_none() {
        written.extend(new_ca_paths);
    }
    // Nothing is written unless everything can be: no half-replaced PKI.
    if !args.force {
        for path in &written {
            if path.exists() {
                return Err(CliError::Input(format!("{}: exists (--force replaces it)", path.display())));
            }
        }
    }
    let server_key = args.key_type.generate()?;
    let rsa = matches!(args.key_type, KeyType::Rsa2048 | KeyType::Rsa3072);
    let (ca_pem, server) = match (&args.ca_cert, &args.ca_key) {
        (Some(cert), Some(key)) => {
            let read = |p: &Path| {
                std::fs::read_to_string(p).map_err(|e| CliError::Input(format!("{}: {e}", p.display())))
            };
            let ca_key = KeyPair::from_pem(&read(key)?)
                .map_err(|e| CliError::Input(format!("{}: not a usable private key: {e}", key.display())))?;
            let ca_pem = read(cert)?;
            let issuer = Issuer::from_ca_cert_pem(&ca_pem, ca_key).map_err(|e| {
                CliError::Input(format!("{}: not a usable CA certificate: {e}", cert.display()))
            })?;
            let server = new_server(&issuer, &args.names, &server_key, rsa, now, args.days)?;
            (ca_pem, server)
        }
        _ => {
            let ca = new_ca("rtspeek local CA", args.key_type.generate()?, now)?;
            write_file(&ca_path, ca.pem().as_bytes(), false, args.force)?;
            write_file(&args.out.join("ca.key"), ca.key().serialize_pem().as_bytes(), true, args.force)?;
            let server = new_server(&ca, &args.names, &server_key, rsa, now, args.days)?;
            (ca.pem(), server)
        }
    };
    write_file(&server_path, server.pem().as_bytes(), false, args.force)?;
    write_file(&key_path, server_key.serialize_pem().as_bytes(), true, args.force)?;

    let checked = check(&server.pem(), &server_key.serialize_pem(), &ca_pem, &args.names, now)?;
    let mut lines = vec![
        format!(
            "ca      {}{}",
            ca_path.display(),
            if args.ca_cert.is_some() { " (given)" } else { " (new)" }
        ),
        format!(
            "server  {} for {} ({}, {} days), SHA-256 {}",
            server_path.display(),
            args.names.join(", "),
            args.key_type.describe(),
            args.days,
            rtspeek_core::cert::fingerprint_sha256(server.der())
        ),
        format!("key     {} (owner only)", key_path.display()),
    ];
    lines.extend(checked.iter().map(|c| format!("check   {c}")));
    if args.key_type == KeyType::Ed25519 {
        lines.push(
            "warn    Ed25519: many NVRs, cameras and browsers refuse Ed25519 certificates; ecdsa-p256 is the safe \
             choice"
                .to_owned(),
        );
    }
    if let Some(config) = &args.config {
        lines.extend(listener_warnings(config, &args.names)?.into_iter().map(|w| format!("warn    {w}")));
    }
    lines.push(format!(
        "use     rtspeek serve: [tls] cert = \"{}\" key = \"{}\"; clients trust {}",
        server_path.display(),
        key_path.display(),
        ca_path.display()
    ));
    render::print_stdout(&(lines.join("\n") + "\n"));
    let healthy = checked.iter().all(|c| c.starts_with("healthy"));
    Ok(if healthy { 0 } else { 1 })
}

/// `rtspeek cert check` of the new pair against its CA, for every name: one line each.
fn check(
    cert: &str,
    key: &str,
    ca: &str,
    names: &[String],
    now: OffsetDateTime,
) -> Result<Vec<String>, CliError> {
    let certs = [InputFile { name: "server.pem", bytes: cert.as_bytes() }];
    let anchors = [InputFile { name: "ca.pem", bytes: ca.as_bytes() }];
    let mut lines = Vec::new();
    for name in names {
        let check = CertCheck::new(&certs, UnixTime(now.unix_timestamp()))
            .key(InputFile { name: "server.key", bytes: key.as_bytes() })
            .anchors(&anchors)
            .host(name);
        let report =
            analyze(&check).map_err(|e| CliError::Runtime(format!("checking the new certificate: {e}")))?;
        let codes: Vec<&str> = report.findings.iter().map(|f| f.code.as_str()).collect();
        lines.push(match report.verdict {
            rtspeek_core::Verdict::Healthy => format!("healthy for {name} with the CA"),
            verdict => format!("{verdict:?} for {name}: {}", codes.join(", ")).to_lowercase(),
        });
    }
    Ok(lines)
}

/// The listeners of `config` whose address is not among `names`.
fn listener_warnings(config: &Path, names: &[String]) -> Result<Vec<String>, CliError> {
    let config = rtspeek_bridge::serve::config::ServeConfig::load(config)
        .map_err(|e| CliError::Input(e.to_string()))?;
    let ips: Vec<IpAddr> =
        names.iter().filter_map(|n| n.trim_start_matches('[').trim_end_matches(']').parse().ok()).collect();
    let mut warnings = Vec::new();
    for listener in config.listeners.iter().filter(|l| l.tls) {
        let ip = listener.bind.ip();
        if ip.is_unspecified() {
            warnings.push(format!(
                "listener {} listens on every address: clients that connect by an IP not in the certificate \
                 will refuse it (add each one with --name)",
                listener.bind
            ));
        } else if !ips.contains(&ip) {
            warnings.push(format!(
                "listener {}: {ip} is not in the certificate: clients that connect to it by address will \
                 refuse it (add --name {ip})",
                listener.bind
            ));
        }
    }
    Ok(warnings)
}
