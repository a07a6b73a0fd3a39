//! Replacing a pair in service: the new certificate and key are validated as the server would validate them
//! (same analysis, same names) before anything is replaced; the pair in service is kept beside its files
//! (`<file>.prev`) for rollback; the new files replace the old ones by rename, so a reader never sees half a
//! file. A running server takes the new pair with its file watcher (or at SIGHUP) for new connections, and
//! established sessions keep theirs (see [`certs`](super::certs)). A refused pair changes nothing.
//!
//! The key is renamed into place before the certificate. Between the two renames the files on disk do not
//! match; the watcher refuses such a pair (the key does not belong to the certificate) and takes the next,
//! complete one, so clients never get a mismatched pair.

use std::path::{Path, PathBuf};

use rtspeek_core::UnixTime;

use super::certs::{LoadedPair, PairError, check_pair, load_pair};
use super::config::PairConfig;

/// What an apply or a rollback did.
#[derive(Debug)]
pub struct Applied {
    /// The pair now in the files.
    pub pair: LoadedPair,
    /// SHA-256 of the leaf that was replaced, when there was one that could be read.
    pub previous: Option<String>,
}

/// Why a pair was not applied. Nothing was replaced.
#[derive(Debug, thiserror::Error)]
pub enum ApplyError {
    /// The new pair does not pass the server's validation: every reason.
    #[error("the new pair is refused, the one in service stays: {0}")]
    Refused(PairError),
    /// Rollback without a previous pair.
    #[error("no previous pair to roll back to: {} and {} are needed", cert.display(), key.display())]
    NoPrevious {
        /// The previous certificate file expected.
        cert: PathBuf,
        /// The previous key file expected.
        key: PathBuf,
    },
    /// A file could not be written, copied or renamed.
    #[error("{}: {source}", path.display())]
    Write {
        /// The file.
        path: PathBuf,
        /// The operating system's error.
        source: std::io::Error,
    },
}

/// The file that keeps the previous version of `path`: `server.pem.prev`.
pub fn previous_of(path: &Path) -> PathBuf {
    let mut name = path.file_name().unwrap_or_default().to_os_string();
    name.push(".prev");
    path.with_file_name(name)
}

/// A pair to apply: each file's display name (what a refusal calls it: the file given, `uploaded
/// certificate`) and its PEM bytes.
#[derive(Debug, Clone, Copy)]
pub struct NewPair<'a> {
    /// The certificate chain: name, PEM.
    pub cert: (&'a str, &'a [u8]),
    /// The private key: name, PEM.
    pub key: (&'a str, &'a [u8]),
}

/// Validates `new` for `target` (its names) at `now`, keeps the pair in service as `.prev` files, and puts
/// the new one in `target`'s files.
pub fn apply(target: &PairConfig, new: NewPair<'_>, now: UnixTime) -> Result<Applied, ApplyError> {
    // Judged as given first, so that a refusal names what the user chose, not a staging file.
    check_pair(&target.names, new.cert, new.key, now).map_err(ApplyError::Refused)?;
    let (cert_pem, key_pem) = (new.cert.1, new.key.1);
    let staged = PairConfig {
        cert: staging_of(&target.cert),
        key: staging_of(&target.key),
        names: target.names.clone(),
    };
    let result = stage_and_check(&staged, cert_pem, key_pem, now);
    let pair = match result {
        Ok(pair) => pair,
        Err(e) => {
            let _ = std::fs::remove_file(&staged.cert);
            let _ = std::fs::remove_file(&staged.key);
            return Err(e);
        }
    };
    let previous = load_pair(target, now).ok().map(|p| p.fingerprint);
    for (path, private) in [(&target.cert, false), (&target.key, true)] {
        if path.exists() {
            copy_private(path, &previous_of(path), private)?;
        }
    }
    rename(&staged.key, &target.key)?;
    rename(&staged.cert, &target.cert)?;
    Ok(Applied { pair, previous })
}

/// Puts the `.prev` pair of `target` back (validated first); the pair it replaces becomes the `.prev` one, so a
/// second rollback undoes the first.
pub fn rollback(target: &PairConfig, now: UnixTime) -> Result<Applied, ApplyError> {
    let (cert, key) = (previous_of(&target.cert), previous_of(&target.key));
    let (Ok(cert_pem), Ok(key_pem)) = (std::fs::read(&cert), std::fs::read(&key)) else {
        return Err(ApplyError::NoPrevious { cert, key });
    };
    let names = (cert.display().to_string(), key.display().to_string());
    apply(target, NewPair { cert: (&names.0, &cert_pem), key: (&names.1, &key_pem) }, now)
}

/// `.server.pem.new` beside `server.pem`: the same directory, so the rename is atomic.
fn staging_of(path: &Path) -> PathBuf {
    let mut name = std::ffi::OsString::from(".");
    name.push(path.file_name().unwrap_or_default());
    name.push(".new");
    path.with_file_name(name)
}

fn stage_and_check(
    staged: &PairConfig,
    cert_pem: &[u8],
    key_pem: &[u8],
    now: UnixTime,
) -> Result<LoadedPair, ApplyError> {
    write_new(&staged.cert, cert_pem, false)?;
    write_new(&staged.key, key_pem, true)?;
    load_pair(staged, now).map_err(ApplyError::Refused)
}

fn write_new(path: &Path, bytes: &[u8], private: bool) -> Result<(), ApplyError> {
    crate::files::write(path, bytes, private, true)
        .map_err(|source| ApplyError::Write { path: path.to_owned(), source })
}

fn copy_private(from: &Path, to: &Path, private: bool) -> Result<(), ApplyError> {
    let bytes = std::fs::read(from).map_err(|source| ApplyError::Write { path: from.to_owned(), source })?;
    write_new(to, &bytes, private)
}

fn rename(from: &Path, to: &Path) -> Result<(), ApplyError> {
    std::fs::rename(from, to).map_err(|source| ApplyError::Write { path: to.to_owned(), source })
}
