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

/// Puts `bytes` at `path` unless a file is already there, and returns what
/// `path` holds afterwards: ours, or what another process put there first.
/// The file appears whole or not at all (written aside, then linked into
/// place), so a process starting at the same moment never reads half a key.
pub fn write_once(path: &Path, bytes: &[u8]) -> std::io::Result<Vec<u8>> {
    let aside = path.with_extension(format!("{}-{}.part", std::process::id(), aside_number()));
    write(&aside, bytes, true)?;
    let linked = std::fs::hard_link(&aside, path);
    let _ = std::fs::remove_file(&aside);
    match linked {
        Ok(()) => Ok(bytes.to_vec()),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => std::fs::read(path),
        Err(e) => Err(e),
    }
}

/// Tells apart two threads of one process writing aside at once.
fn aside_number() -> u32 {
    use std::sync::atomic::{AtomicU32, Ordering};
    static NEXT: AtomicU32 = AtomicU32::new(0);
    NEXT.fetch_add(1, Ordering::Relaxed)
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_writer_wins_and_everyone_reads_its_bytes() {
        let dir = std::env::temp_dir().join(format!("write-once-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("key");
        let handles: Vec<_> = (0..8u8)
            .map(|i| {
                let path = path.clone();
                std::thread::spawn(move || write_once(&path, &[i; 32]).unwrap())
            })
            .collect();
        let seen: Vec<Vec<u8>> = handles.into_iter().map(|h| h.join().unwrap()).collect();
        let on_disk = std::fs::read(&path).unwrap();
        assert_eq!(on_disk.len(), 32);
        assert!(seen.iter().all(|s| *s == on_disk), "{seen:?}");
        let left: Vec<_> = std::fs::read_dir(&dir).unwrap().collect();
        assert_eq!(left.len(), 1, "nothing written aside is left behind");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
