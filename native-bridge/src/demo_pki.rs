//! The demo's own small PKI: a root CA and a server certificate for localhost / 127.0.0.1 / ::1, made on first
//! run and kept in the data directory so that clients can be told to trust the CA once.

use std::path::{Path, PathBuf};

use rcgen::{
    BasicConstraints, CertificateParams, CertifiedIssuer, DnType, ExtendedKeyUsagePurpose, IsCa, KeyPair,
    KeyUsagePurpose, SanType,
};
use time::{Duration, OffsetDateTime};

use crate::cli_error::CliError;

/// Paths of the demo PKI files.
#[derive(Debug, Clone)]
pub(crate) struct DemoPki {
    /// The demo root CA certificate (what clients trust: `--ca`, `-CAfile`).
    pub(crate) ca_cert: PathBuf,
    /// Server certificate followed by nothing else (the root is the direct issuer).
    pub(crate) server_cert: PathBuf,
    /// Server private key, PKCS#8 PEM.
    pub(crate) server_key: PathBuf,
}

/// Where rtspeek keeps its data: `$RTSPEEK_DATA_DIR`, else `$XDG_DATA_HOME/rtspeek`, else
/// `~/.local/share/rtspeek`, else `./.rtspeek`.
pub(crate) fn default_data_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("RTSPEEK_DATA_DIR") {
        return PathBuf::from(dir);
    }
    if let Some(dir) = std::env::var_os("XDG_DATA_HOME") {
        return PathBuf::from(dir).join("rtspeek");
    }
    match std::env::var_os("HOME") {
        Some(home) => PathBuf::from(home).join(".local/share/rtspeek"),
        None => PathBuf::from(".rtspeek"),
    }
}

/// Returns the demo PKI in `dir`, creating it when missing (or when the server certificate is due to expire
/// within 30 days).
pub(crate) fn ensure(dir: &Path, now: OffsetDateTime) -> Result<DemoPki, CliError> {
    let pki = DemoPki {
        ca_cert: dir.join("demo-ca.pem"),
        server_cert: dir.join("demo-server.pem"),
        server_key: dir.join("demo-server.key"),
    };
    let fresh = [&pki.ca_cert, &pki.server_cert, &pki.server_key].iter().all(|p| p.exists())
        && still_valid(&pki.server_cert, now + Duration::days(30));
    if fresh {
        return Ok(pki);
    }
    std::fs::create_dir_all(dir).map_err(|e| CliError::write(dir, &e))?;
    let err = |e: rcgen::Error| CliError::Runtime(format!("generating the demo certificates: {e}"));

    let mut ca_params = CertificateParams::default();
    ca_params.distinguished_name.push(DnType::CommonName, "rtspeek demo root CA");
    ca_params.distinguished_name.push(DnType::OrganizationName, "rtspeek demo");
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Constrained(0));
    ca_params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    ca_params.not_before = now - Duration::days(1);
    ca_params.not_after = now + Duration::days(3650);
    let ca = CertifiedIssuer::self_signed(ca_params, KeyPair::generate().map_err(err)?).map_err(err)?;

    let server_key = KeyPair::generate().map_err(err)?;
    let mut params = CertificateParams::default();
    params.distinguished_name.push(DnType::CommonName, "rtspeek demo server");
    params.subject_alt_names = vec![
        SanType::DnsName("localhost".try_into().map_err(err)?),
        SanType::IpAddress([127, 0, 0, 1].into()),
        SanType::IpAddress(std::net::Ipv6Addr::LOCALHOST.into()),
    ];
    params.is_ca = IsCa::ExplicitNoCa;
    params.key_usages = vec![KeyUsagePurpose::DigitalSignature, KeyUsagePurpose::KeyEncipherment];
    params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
    params.not_before = now - Duration::days(1);
    params.not_after = now + Duration::days(397);
    let server = params.signed_by(&server_key, &ca).map_err(err)?;

    write_file(&pki.ca_cert, ca.pem().as_bytes(), false)?;
    write_file(&pki.server_cert, server.pem().as_bytes(), false)?;
    write_file(&pki.server_key, server_key.serialize_pem().as_bytes(), true)?;
    Ok(pki)
}

fn still_valid(cert: &Path, at: OffsetDateTime) -> bool {
    let Ok(bytes) = std::fs::read(cert) else { return false };
    let files = [rtspeek_core::cert::InputFile { name: "demo", bytes: &bytes }];
    let check = rtspeek_core::cert::CertCheck::new(&files, rtspeek_core::UnixTime(at.unix_timestamp()));
    match rtspeek_core::cert::analyze(&check) {
        Ok(report) => !report.has("cert.expired") && !report.has("cert.not_yet_valid"),
        Err(_) => false,
    }
}

fn write_file(path: &Path, bytes: &[u8], private: bool) -> Result<(), CliError> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt as _;
        options.mode(if private { 0o600 } else { 0o644 });
    }
    let _ = private;
    let mut file = options.open(path).map_err(|e| CliError::write(path, &e))?;
    std::io::Write::write_all(&mut file, bytes).map_err(|e| CliError::write(path, &e))
}
