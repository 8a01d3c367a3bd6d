//! Files only this user may read (keys, certificates' private keys).

use std::path::Path;

/// Writes `bytes` to `path` with mode 0600 (on Unix). `replace`: an
/// existing file is overwritten; otherwise an existing file is an error
/// (two processes making a key at once: the second one fails, not the key).
#[cfg(unix)]
pub fn write(path: &Path, bytes: &[u8], replace: bool) -> std::io::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).mode(0o600);
    if replace {
        options.create(true).truncate(true);
    } else {
        options.create_new(true);
    }
    options.open(path)?.write_all(bytes)
}

#[cfg(not(unix))]
pub fn write(path: &Path, bytes: &[u8], replace: bool) -> std::io::Result<()> {
    if !replace && path.exists() {
        return Err(std::io::Error::new(
            std::io::ErrorKind::AlreadyExists,
            "the file exists",
        ));
    }
    std::fs::write(path, bytes)
}
