//! The seed's HTML and markdown rules. "Whenever an invite is sent or
//! document is saved, its content is sanitized. That means unsupported
//! tags will be removed or converted." Supported: `b i u p br h2 ol ul li`
//! and `<input class="field" data-…>`; converted: `em→i strong→b div→p`,
//! `h1 h3 h4 h5→h2`. Markdown: `**bold**`, `*italic*`, `__underline__`,
//! `#header#`, a line break for `\r` or `\n`, and `{…}` fields.
//!
//! Applied on the portal's side too, so staff see what Hotsign will keep.
//! Where the seed is silent: attributes of supported tags are dropped;
//! the content of an unsupported tag is kept (the tag is "removed"), except
//! for elements whose content is not text (`script`, `style`, …), which go
//! with their content; comments go.

use lol_html::html_content::Element;
use lol_html::{doc_comments, element, HtmlRewriter, Settings};

/// Tags Hotsign keeps as they are.
pub const SUPPORTED: [&str; 9] = ["b", "i", "u", "p", "br", "h2", "ol", "ul", "li"];

/// Tags Hotsign turns into a supported one.
pub const CONVERTED: [(&str, &str); 7] = [
    ("em", "i"),
    ("strong", "b"),
    ("div", "p"),
    ("h1", "h2"),
    ("h3", "h2"),
    ("h4", "h2"),
    ("h5", "h2"),
];

/// Attributes an `<input class="field">` keeps.
pub const FIELD_ATTRIBUTES: [&str; 6] = [
    "data-label",
    "data-required",
    "data-signer",
    "data-type",
    "data-options",
    "data-value",
];

/// Elements removed with everything in them (never text to show).
const DROPPED: [&str; 12] = [
    "script", "style", "iframe", "object", "embed", "noscript", "template", "head", "title", "svg",
    "math", "textarea",
];

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("the document could not be read as HTML: {0}")]
pub struct MarkupError(String);

fn strip_attributes(el: &mut Element, keep: &[&str]) {
    let names: Vec<String> = el.attributes().iter().map(|a| a.name()).collect();
    for name in names {
        if !keep.contains(&name.as_str()) {
            el.remove_attribute(&name);
        }
    }
}

/// Whether an `<input>` is a field (`class` holds `field`).
pub fn is_field_class(class: Option<&str>) -> bool {
    class.is_some_and(|c| c.split_whitespace().any(|w| w == "field"))
}

/// HTML as Hotsign keeps it.
pub fn sanitise(html: &str) -> Result<String, MarkupError> {
    let mut out = Vec::with_capacity(html.len());
    let mut rewriter = HtmlRewriter::new(
        Settings {
            element_content_handlers: vec![element!("*", |el| {
                let tag = el.tag_name().to_ascii_lowercase();
                if DROPPED.contains(&tag.as_str()) {
                    el.remove();
                } else if SUPPORTED.contains(&tag.as_str()) {
                    strip_attributes(el, &[]);
                } else if let Some((_, to)) = CONVERTED.iter().find(|(from, _)| *from == tag) {
                    el.set_tag_name(to)?;
                    strip_attributes(el, &[]);
                } else if tag == "input" {
                    if is_field_class(el.get_attribute("class").as_deref()) {
                        let mut keep = vec!["class"];
                        keep.extend(FIELD_ATTRIBUTES);
                        strip_attributes(el, &keep);
                        el.set_attribute("class", "field")?;
                    } else {
                        // "Required or the input will be removed."
                        el.remove();
                    }
                } else {
                    el.remove_and_keep_content();
                }
                Ok(())
            })],
            document_content_handlers: vec![doc_comments!(|c| {
                c.remove();
                Ok(())
            })],
            ..Settings::new()
        },
        |chunk: &[u8]| out.extend_from_slice(chunk),
    );
    rewriter
        .write(html.as_bytes())
        .map_err(|e| MarkupError(e.to_string()))?;
    rewriter.end().map_err(|e| MarkupError(e.to_string()))?;
    String::from_utf8(out).map_err(|e| MarkupError(e.to_string()))
}

/// Sanitised HTML for reading, not filling in: each field input becomes a
/// placeholder naming its label, signer and type (`<span class="field-slot">`),
/// so a preview has no unlabelled inputs.
pub fn for_display(sanitised: &str) -> String {
    let mut out = Vec::with_capacity(sanitised.len());
    let mut rewriter = HtmlRewriter::new(
        Settings {
            element_content_handlers: vec![element!("input", |el| {
                // Attribute values come as written: entities undone once, escaped again below.
                let get = |n: &str| {
                    el.get_attribute(n)
                        .unwrap_or_default()
                        .replace("&quot;", "\"")
                        .replace("&lt;", "<")
                        .replace("&gt;", ">")
                        .replace("&amp;", "&")
                };
                let signer = match get("data-signer") {
                    s if s.is_empty() => "1".to_string(),
                    s => s,
                };
                let kind = get("data-type");
                let label = get("data-label");
                let value = get("data-value");
                let required = get("data-required") != "false";
                let text = format!(
                    "{}{} · signer {} · {}{}",
                    if label.is_empty() { "Field" } else { &label },
                    if required { " *" } else { "" },
                    signer,
                    kind,
                    if value.is_empty() {
                        String::new()
                    } else {
                        format!(": {value}")
                    }
                );
                el.replace(
                    &format!(
                        "<span class=\"field-slot\" data-signer=\"{}\">{}</span>",
                        escape(&signer),
                        escape(&text)
                    ),
                    lol_html::html_content::ContentType::Html,
                );
                Ok(())
            })],
            ..Settings::new()
        },
        |chunk: &[u8]| out.extend_from_slice(chunk),
    );
    if rewriter.write(sanitised.as_bytes()).is_err() || rewriter.end().is_err() {
        return escape(sanitised);
    }
    String::from_utf8(out).unwrap_or_default()
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// Replaces each `open…close` pair on a line with `<tag>…</tag>`.
fn pairs(line: &str, marker: &str, tag: &str) -> String {
    let mut out = String::new();
    let mut rest = line;
    while let Some(start) = rest.find(marker) {
        let after = &rest[start + marker.len()..];
        match after.find(marker) {
            Some(end) if end > 0 => {
                out.push_str(&rest[..start]);
                out.push_str(&format!("<{tag}>{}</{tag}>", &after[..end]));
                rest = &after[end + marker.len()..];
            }
            _ => break,
        }
    }
    out.push_str(rest);
    out
}

/// The seed's markdown as the HTML Hotsign shows; each field becomes
/// `render_field(source)` (the preview draws a box for it).
pub fn markdown_to_html(markdown: &str, render_field: impl Fn(&str) -> String) -> String {
    let normalised = markdown.replace("\r\n", "\n").replace('\r', "\n");
    let lines: Vec<String> = normalised
        .split('\n')
        .map(|line| {
            // Fields first, so their text is not read as emphasis.
            let mut html = String::new();
            let mut rest = line;
            while let Some(start) = rest.find('{') {
                match rest[start..].find('}') {
                    Some(len) if rest[start..start + len].contains('/') => {
                        html.push_str(&inline(&rest[..start]));
                        html.push_str(&render_field(&rest[start..start + len + 1]));
                        rest = &rest[start + len + 1..];
                    }
                    _ => break,
                }
            }
            html.push_str(&inline(rest));
            html
        })
        .collect();
    lines.join("<br>")
}

/// One line's emphasis and header, escaped.
fn inline(text: &str) -> String {
    let trimmed = text.trim();
    if trimmed.len() > 2 && trimmed.starts_with('#') && trimmed.ends_with('#') {
        return format!("<h2>{}</h2>", inline(trimmed.trim_matches('#').trim()));
    }
    let escaped = escape(text);
    let bold = pairs(&escaped, "**", "b");
    let underline = pairs(&bold, "__", "u");
    pairs(&underline, "*", "i")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn clean(html: &str) -> String {
        sanitise(html).unwrap()
    }

    #[test]
    fn every_supported_tag_is_kept_without_its_attributes() {
        for tag in SUPPORTED {
            if tag == "br" {
                assert_eq!(clean("a<br class=\"x\">b"), "a<br>b");
                continue;
            }
            assert_eq!(
                clean(&format!(
                    "<{tag} style=\"color:red\" onclick=\"x()\">t</{tag}>"
                )),
                format!("<{tag}>t</{tag}>"),
                "{tag}"
            );
        }
    }

    #[test]
    fn every_converted_tag_becomes_its_supported_one() {
        for (from, to) in CONVERTED {
            assert_eq!(
                clean(&format!("<{from} id=\"a\">t</{from}>")),
                format!("<{to}>t</{to}>"),
                "{from}"
            );
        }
    }

    #[test]
    fn unsupported_tags_go_but_their_text_stays_and_scripts_go_entirely() {
        assert_eq!(
            clean("<span class=\"x\">keep <a href=\"javascript:x()\">this</a></span>"),
            "keep this"
        );
        assert_eq!(
            clean("<h6>small</h6><table><tr><td>cell</td></tr></table>"),
            "smallcell"
        );
        assert_eq!(
            clean("a<script>alert(1)</script>b<style>p{}</style>c"),
            "abc"
        );
        assert_eq!(clean("a<!-- note -->b"), "ab");
        assert_eq!(clean("<img src=x onerror=alert(1)>t"), "t");
    }

    #[test]
    fn a_field_input_keeps_its_data_attributes_and_other_inputs_are_removed() {
        assert_eq!(
            clean("<input class=\"big field\" data-label=\"Name\" data-type=\"text\" data-signer=\"2\" onfocus=\"x()\" name=\"n\">"),
            "<input class=\"field\" data-label=\"Name\" data-type=\"text\" data-signer=\"2\">"
        );
        assert_eq!(clean("a<input type=\"text\" data-label=\"x\">b"), "ab");
        assert_eq!(clean("<input class=\"fields\">"), "");
    }

    #[test]
    fn a_preview_shows_each_field_as_a_labelled_placeholder() {
        let shown = for_display(
            "<p>Tenant: <input class=\"field\" data-signer=\"2\" data-label=\"Name <b>\" data-type=\"text\" data-value=\"Ann\"></p>",
        );
        assert_eq!(
            shown,
            "<p>Tenant: <span class=\"field-slot\" data-signer=\"2\">Name &lt;b&gt; * · signer 2 · text: Ann</span></p>"
        );
        let amp = for_display(
            "<input class=\"field\" data-label=\"Rent &amp; costs\" data-type=\"text\">",
        );
        assert!(
            amp.contains(">Rent &amp; costs * · signer 1 · text<"),
            "{amp}"
        );
        assert!(!shown.contains("<input"));
    }

    #[test]
    fn markdown_marks_become_the_seeds_tags() {
        let none = |_: &str| String::new();
        assert_eq!(
            markdown_to_html("**bold** and *italic*", none),
            "<b>bold</b> and <i>italic</i>"
        );
        assert_eq!(markdown_to_html("__underline__", none), "<u>underline</u>");
        assert_eq!(markdown_to_html("#Lease#", none), "<h2>Lease</h2>");
        assert_eq!(
            markdown_to_html("one\ntwo\r\nthree\rfour", none),
            "one<br>two<br>three<br>four"
        );
        // Text is escaped: markdown cannot smuggle HTML in.
        assert_eq!(
            markdown_to_html("<script>x</script> & co", none),
            "&lt;script&gt;x&lt;/script&gt; &amp; co"
        );
        // An unclosed mark stays as typed.
        assert_eq!(markdown_to_html("2 * 3", none), "2 * 3");
    }

    #[test]
    fn markdown_fields_are_handed_to_the_renderer_untouched() {
        let html = markdown_to_html("Name: {1/Employee *Name*/Text/John} **ok**", |f| {
            format!("[{f}]")
        });
        assert_eq!(html, "Name: [{1/Employee *Name*/Text/John}] <b>ok</b>");
        // Braces without a slash are text.
        assert_eq!(markdown_to_html("{note}", |f| format!("[{f}]")), "{note}");
    }
}
