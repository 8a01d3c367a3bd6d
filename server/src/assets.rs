//! The browser's files (`/pkg`, `/js`, `/pdfjs`): whether this build named
//! them after their content. A release build by `scripts/run` does
//! (`LEPTOS_HASH_FILES=true`, then `--precompress` writes a brotli and a
//! gzip copy beside each, which the static file handler sends to browsers
//! that accept them). A binary started on its own finds that out from the
//! `hash.txt` cargo-leptos left beside it, so the pages name files that
//! exist whichever way the portal was started.

use std::path::Path;

/// Whether `hash.txt` (in `exe_dir`) names a wasm file that is really in
/// the site's package directory (a stale `hash.txt` from an older build
/// does not count).
pub fn hashed_build_present(
    exe_dir: &Path,
    hash_file: &str,
    pkg_dir: &Path,
    output_name: &str,
) -> bool {
    let Ok(hashes) = std::fs::read_to_string(exe_dir.join(hash_file)) else {
        return false;
    };
    hashes
        .lines()
        .filter_map(|line| line.split_once(':'))
        .find(|(kind, _)| kind.trim() == "wasm")
        .is_some_and(|(_, hash)| {
            pkg_dir
                .join(format!("{output_name}.{}.wasm", hash.trim()))
                .is_file()
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_hash_file_counts_only_when_its_files_are_there() {
        let dir = std::env::temp_dir().join(format!("hashed-build-{}", std::process::id()));
        let exe = dir.join("release");
        let pkg = dir.join("site/pkg");
        std::fs::create_dir_all(&exe).unwrap();
        std::fs::create_dir_all(&pkg).unwrap();
        assert!(!hashed_build_present(&exe, "hash.txt", &pkg, "portal"));

        std::fs::write(exe.join("hash.txt"), "js: 11aa\nwasm: 22bb\ncss: 33cc\n").unwrap();
        // A debug build's unhashed files beside a stale hash file.
        std::fs::write(pkg.join("portal.wasm"), b"\0asm").unwrap();
        assert!(!hashed_build_present(&exe, "hash.txt", &pkg, "portal"));

        std::fs::write(pkg.join("portal.22bb.wasm"), b"\0asm").unwrap();
        assert!(hashed_build_present(&exe, "hash.txt", &pkg, "portal"));
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
