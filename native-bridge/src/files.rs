//! Writing the files rtspeek makes (certificates, keys), with the permissions a key needs.

use std::path::Path;

/// Writes `bytes` to `path` and syncs it: readable by the owner only when `private` (keys), else 0644; an
/// existing file is replaced only when `replace` (otherwise the error is `AlreadyExists`).
pub fn write(path: &Path, bytes: &[u8], private: bool, replace: bool) -> std::io::Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true);
    if replace {
        options.create(true).truncate(true);
    } else {
        options.create_new(true);
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt as _;
        options.mode(if private { 0o600 } else { 0o644 });
    }
    let _ = private;
    let mut file = options.open(path)?;
    std::io::Write::write_all(&mut file, bytes)?;
    file.sync_all()
}
