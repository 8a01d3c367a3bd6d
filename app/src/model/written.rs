//! Documents written in the portal (HTML or markdown with a service's
//! field markup), as the editor shows them while staff type.

use serde::{Deserialize, Serialize};

/// The formats a written document can have.
pub const FORMATS: [(&str, &str); 2] = [("markdown", "Markdown"), ("html", "HTML")];

/// A mistake in a written document, on its line (1-based).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WrittenProblem {
    pub line: usize,
    pub message: String,
}

/// What the service will make of a text: the preview (sanitised HTML,
/// safe to show), its problems and its fields.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct WrittenCheck {
    pub preview: String,
    pub problems: Vec<WrittenProblem>,
    pub fields: usize,
    /// The signer numbers its fields are for, once each.
    pub signers: Vec<u32>,
}

/// A saved written document, to edit again.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WrittenText {
    pub name: String,
    pub format: String,
    pub text: String,
}

/// `name` with the extension of `format` (`Lease` → `Lease.md`).
pub fn named(name: &str, format: &str) -> String {
    let ext = if format == "html" { "html" } else { "md" };
    let name = name.trim();
    let stem = name
        .strip_suffix(".md")
        .or_else(|| name.strip_suffix(".markdown"))
        .or_else(|| name.strip_suffix(".html"))
        .or_else(|| name.strip_suffix(".htm"))
        .unwrap_or(name);
    format!("{stem}.{ext}")
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_name_takes_the_extension_of_its_format() {
        assert_eq!(super::named("Lease", "markdown"), "Lease.md");
        assert_eq!(super::named(" Lease.md ", "html"), "Lease.html");
        assert_eq!(super::named("Lease.htm", "markdown"), "Lease.md");
    }
}
