//! A document as the portal writes it for Hotsign: its markup checked the
//! way Hotsign will read it (size, sanitising, fields), and a preview of
//! what Hotsign keeps, each field drawn as the seed's `<input class="field">`.

use crate::contract::Format;
use crate::fields::{self, Field, Problem};
use crate::{markup, MAX_CONTENT_BYTES};

/// What staff see of a document before it is saved or sent.
#[derive(Debug, Clone, PartialEq)]
pub struct Checked {
    /// Sanitised HTML, safe to show.
    pub preview: String,
    pub fields: Vec<Field>,
    /// Empty when Hotsign will take it as it is.
    pub problems: Vec<Problem>,
}

impl Checked {
    /// The signer numbers the fields name, in order, once each.
    pub fn signers(&self) -> Vec<u32> {
        let mut n: Vec<u32> = self.fields.iter().map(|f| f.signer).collect();
        n.sort_unstable();
        n.dedup();
        n
    }
}

fn attribute(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('"', "&quot;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// A markdown field (`{1/Label*/Type/Prefill}`) as the seed's HTML input.
fn as_input(source: &str) -> String {
    let (found, _) = fields::parse_markdown(source);
    let Some(f) = found.first() else {
        return attribute(source);
    };
    let mut html = format!(
        "<input class=\"field\" data-signer=\"{}\" data-label=\"{}\" data-required=\"{}\" data-type=\"{}\"",
        f.signer,
        attribute(&f.label),
        f.required,
        f.kind.as_str()
    );
    if !f.options.is_empty() {
        html.push_str(&format!(
            " data-options=\"{}\"",
            attribute(&f.options.join(","))
        ));
    }
    if let Some(v) = &f.prefill {
        html.push_str(&format!(" data-value=\"{}\"", attribute(v)));
    }
    html.push('>');
    html
}

/// Checks `content` as Hotsign will read it.
pub fn check(format: Format, content: &str) -> Checked {
    let mut problems = Vec::new();
    if content.len() > MAX_CONTENT_BYTES {
        problems.push(Problem {
            line: 1,
            message: format!(
                "the document is {} bytes; Hotsign takes at most 5 MB of content",
                content.len()
            ),
        });
    }
    if content.trim().is_empty() {
        problems.push(Problem {
            line: 1,
            message: "the document is empty".into(),
        });
    }
    let (found, field_problems, html) = match format {
        Format::Markdown => {
            let (f, p) = fields::parse_markdown(content);
            (f, p, markup::markdown_to_html(content, as_input))
        }
        Format::Html => {
            let (f, p) = fields::parse_html(content);
            (f, p, content.to_string())
        }
    };
    problems.extend(field_problems);
    let preview = markup::sanitise(&html).unwrap_or_else(|e| {
        problems.push(Problem {
            line: 1,
            message: e.to_string(),
        });
        String::new()
    });
    if !found.iter().any(|f| f.kind == fields::FieldType::Signature) && problems.is_empty() {
        problems.push(Problem {
            line: 1,
            message: "the document has no signature field: add one for each signer, like {1/Signature*/Signature}".into(),
        });
    }
    problems.sort_by_key(|p| p.line);
    Checked {
        preview,
        fields: found,
        problems,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_markdown_lease_previews_its_fields_as_hotsign_inputs() {
        let c = check(
            Format::Markdown,
            "#Lease#\nTenant: {1/Tenant name*/Text/Ann Smit}\n**Sign:** {1/Tenant*/Signature}\n{2/Landlord*/Signature}",
        );
        assert!(c.problems.is_empty(), "{:?}", c.problems);
        assert_eq!(c.signers(), vec![1, 2]);
        assert!(c.preview.starts_with("<h2>Lease</h2>"), "{}", c.preview);
        assert!(c.preview.contains("<b>Sign:</b>"));
        assert!(c.preview.contains(
            "<input class=\"field\" data-signer=\"1\" data-label=\"Tenant name\" data-required=\"true\" data-type=\"text\" data-value=\"Ann Smit\">"
        ), "{}", c.preview);
    }

    #[test]
    fn html_is_sanitised_and_its_problems_carry_their_line() {
        let c = check(
            Format::Html,
            "<div onclick=\"x()\">Hi</div>\n<script>alert(1)</script>\n<input class=\"field\" data-signer=\"7\" data-label=\"S\" data-type=\"signature\">",
        );
        assert_eq!(c.problems.len(), 1, "{:?}", c.problems);
        assert_eq!(c.problems[0].line, 3);
        assert!(c.problems[0].message.contains("1 to 5"));
        assert!(c.preview.starts_with("<p>Hi</p>") && !c.preview.contains("script"));
    }

    #[test]
    fn a_document_without_a_signature_or_too_large_is_refused() {
        let c = check(Format::Markdown, "Just text {1/Name/Text}");
        assert!(c.problems[0].message.contains("no signature field"));
        let big = format!("{{1/S*/Signature}}{}", "a".repeat(MAX_CONTENT_BYTES));
        let c = check(Format::Markdown, &big);
        assert!(c.problems.iter().any(|p| p.message.contains("5 MB")));
        assert!(!check(Format::Html, "  ").problems.is_empty());
    }
}
