//! Server functions: thin adapters from the wire to the server-side rooms.
//! Each one checks the session on the server before doing anything.

pub mod auth;
pub mod postbacks;
pub mod requests;
pub mod staff;

/// Where to go after signing in: only paths on this site are followed.
///
/// Only a path on this site: it starts with one `/`, and holds no second
/// slash or backslash right after it, no control characters or whitespace
/// (browsers drop tabs and newlines, turning `/\t/evil` into `//evil`), and
/// nothing that is not plain ASCII. Anything else goes to the requests page.
pub fn safe_next(next: Option<&str>) -> String {
    let Some(p) = next else {
        return "/".to_string();
    };
    let bytes = p.as_bytes();
    let plain = p.len() <= 2048
        && bytes.first() == Some(&b'/')
        && !matches!(bytes.get(1), Some(b'/' | b'\\'))
        && bytes.iter().all(|b| b.is_ascii_graphic() && *b != b'\\');
    if plain {
        p.to_string()
    } else {
        "/".to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::safe_next;

    #[test]
    fn next_stays_on_site() {
        assert_eq!(safe_next(Some("/staff")), "/staff");
        assert_eq!(safe_next(Some("//evil.example")), "/");
        assert_eq!(safe_next(Some("https://evil.example")), "/");
        assert_eq!(safe_next(Some("/\\evil.example")), "/");
        assert_eq!(safe_next(None), "/");
        for hostile in [
            "/\t/evil.example",
            "/\n/evil.example",
            "/\r//evil.example",
            " //evil.example",
            "/ /evil",
            "/\u{0}x",
            "/é",
            "\\\\evil.example",
            "",
        ] {
            assert_eq!(safe_next(Some(hostile)), "/", "{hostile:?}");
        }
        assert_eq!(
            safe_next(Some("/requests/12?tab=people")),
            "/requests/12?tab=people"
        );
        assert_eq!(safe_next(Some("/?q=a%20b")), "/?q=a%20b");
    }
}
