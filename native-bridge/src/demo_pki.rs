//! The demo's own small PKI: a root CA and a server certificate for localhost / 127.0.0.1 / ::1, made on first
//! run and kept in the data directory so that clients can be told to trust the CA once.

use std::path::{Path, PathBuf};

use time::{Duration, OffsetDateTime};

use crate::cert_new::{self, KeyType};
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
    // The same PKI `rtspeek cert new --name localhost --name 127.0.0.1 --name ::1` makes.
    let ca = cert_new::new_ca("rtspeek demo root CA", KeyType::EcdsaP256.generate()?, now)?;
    let server_key = KeyType::EcdsaP256.generate()?;
    let names = ["localhost".to_owned(), "127.0.0.1".to_owned(), "::1".to_owned()];
    let server = cert_new::new_server(&ca, &names, &server_key, false, now, 397)?;
    cert_new::write_file(&pki.ca_cert, ca.pem().as_bytes(), false, true)?;
    cert_new::write_file(&pki.server_cert, server.pem().as_bytes(), false, true)?;
    cert_new::write_file(&pki.server_key, server_key.serialize_pem().as_bytes(), true, true)?;
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
