//! Values put into a URL's query (the list's address, a `mailto:`, the
//! sign-in page's prefilled address): everything but RFC 3986's
//! unreserved characters is percent-escaped.

use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};

const UNRESERVED: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');

pub fn escape(v: &str) -> String {
    utf8_percent_encode(v, UNRESERVED).to_string()
}

#[cfg(test)]
mod tests {
    #[test]
    fn only_unreserved_characters_stay() {
        assert_eq!(super::escape("Lease dir"), "Lease%20dir");
        assert_eq!(super::escape("a&b=c/d?é"), "a%26b%3Dc%2Fd%3F%C3%A9");
        assert_eq!(super::escape("ann.de-vries_1~"), "ann.de-vries_1~");
    }
}
