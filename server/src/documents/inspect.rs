//! Checks an uploaded PDF before it is accepted, and reads what the editor
//! needs: pages as displayed (size and rotation) and `{{SignerN}}` tags.

use std::collections::BTreeMap;

use app::model::request::{PageInfo, Tag};
use lopdf::content::Content;
use lopdf::{Document, Object, ObjectId};

use super::guard::{self, Budget, Limits};

/// What was read from an accepted PDF.
#[derive(Debug, Clone, PartialEq)]
pub struct Inspected {
    pub pages: Vec<PageInfo>,
    pub tags: Vec<Tag>,
}

/// Why a file is refused; the text is shown to staff.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    #[error("The file is empty.")]
    Empty,
    #[error("This is not a PDF. Only PDF documents can be signed.")]
    NotPdf,
    #[error("This PDF is protected with a password or encryption. Save an unprotected copy and upload that.")]
    Encrypted,
    #[error("This PDF is damaged and cannot be read. Try saving or exporting it again.")]
    Damaged,
    #[error("This PDF has no pages.")]
    NoPages,
    #[error("This PDF is built in an unusually complex way (too deeply nested or too many objects) and cannot be accepted. Print it to a new PDF and upload that.")]
    TooComplex,
    #[error("This PDF holds compressed content that unpacks to far more than a document needs, so it cannot be accepted. Print it to a new PDF and upload that.")]
    TooLarge,
    #[error("This PDF uses a combination of compression methods the portal does not accept. Print it to a new PDF and upload that.")]
    FilterChain,
    #[error("This PDF has more pages than the portal accepts ({0} at most). Split it into several documents.")]
    TooManyPages(usize),
    #[error(
        "Reading this PDF took too long, so it was stopped. Print it to a new PDF and upload that."
    )]
    TooSlow,
    #[error("This PDF contains scripts or launch actions, which a document to be signed must not have. Print it to a new PDF and upload that.")]
    Scripted,
    #[error("The upload was abandoned before the PDF was checked.")]
    Abandoned,
}

pub fn inspect(bytes: &[u8]) -> Result<Inspected, Refusal> {
    let limits = Limits::default();
    inspect_within(bytes, &limits, &Budget::new(limits.max_time))
}

/// `inspect` within `limits`, stopping when `budget` runs out.
pub fn inspect_within(
    bytes: &[u8],
    limits: &Limits,
    budget: &Budget,
) -> Result<Inspected, Refusal> {
    if bytes.is_empty() {
        return Err(Refusal::Empty);
    }
    let head = &bytes[..bytes.len().min(1024)];
    if !contains(head, b"%PDF-") {
        return Err(Refusal::NotPdf);
    }
    if contains(bytes, b"/Encrypt") {
        return Err(Refusal::Encrypted);
    }
    let doc = guard::open_for_reading(bytes, limits, budget)?;
    if doc.is_encrypted() {
        return Err(Refusal::Encrypted);
    }
    let page_ids = doc.get_pages();
    if page_ids.is_empty() {
        return Err(Refusal::NoPages);
    }
    if page_ids.len() > limits.max_pages {
        return Err(Refusal::TooManyPages(limits.max_pages));
    }
    let pages = pages(&doc);
    let mut tags = Vec::new();
    for (n, id) in &page_ids {
        budget.check()?;
        // Page content is decoded by everyone who shows or signs the PDF:
        // too deep a nesting refuses the file, otherwise its text is read.
        let text = match doc.get_page_content(*id) {
            Ok(bytes) => {
                guard::check_depth(&bytes, limits.max_depth)?;
                Content::decode(&bytes)
                    .ok()
                    .and_then(|content| text_of(&doc, *id, &content))
                    .unwrap_or_default()
            }
            Err(_) => String::new(),
        };
        tags.extend(
            signer_tags(&text)
                .into_iter()
                .map(|signer| Tag { signer, page: *n }),
        );
    }
    Ok(Inspected { pages, tags })
}

/// The decoded operations of a page's content, after the nesting check.
pub fn page_content(doc: &Document, page: ObjectId, max_depth: usize) -> Option<Content> {
    let bytes = doc.get_page_content(page).ok()?;
    guard::check_depth(&bytes, max_depth).ok()?;
    Content::decode(&bytes).ok()
}

/// The text shown on one page, decoded with the page's font encodings.
/// One page at a time, so reading a whole document is linear in its pages
/// (lopdf's `extract_text` walks the page tree again for every page).
pub fn page_text(doc: &Document, page: ObjectId, max_depth: usize) -> Option<String> {
    text_of(doc, page, &page_content(doc, page, max_depth)?)
}

/// The text of `page`'s decoded `content`, with the page's font encodings.
fn text_of(doc: &Document, page: ObjectId, content: &Content) -> Option<String> {
    let encodings: BTreeMap<Vec<u8>, lopdf::Encoding<'_>> = doc
        .get_page_fonts(page)
        .ok()?
        .into_iter()
        .filter_map(|(name, font)| font.get_font_encoding(doc).ok().map(|e| (name, e)))
        .collect();
    let mut text = String::new();
    let mut encoding = None;
    for op in &content.operations {
        match op.operator.as_str() {
            "Tf" => {
                encoding = op
                    .operands
                    .first()
                    .and_then(|o| o.as_name().ok())
                    .and_then(|name| encodings.get(name));
            }
            "Tj" | "TJ" | "'" | "\"" => {
                for operand in &op.operands {
                    let strings: Vec<&Object> = match operand {
                        Object::Array(items) => items.iter().collect(),
                        other => vec![other],
                    };
                    for s in strings {
                        if let Object::String(bytes, _) = s {
                            match encoding {
                                Some(e) => text
                                    .push_str(&Document::decode_text(e, bytes).unwrap_or_default()),
                                None => text.extend(bytes.iter().map(|b| *b as char)),
                            }
                        }
                    }
                }
            }
            "ET" => text.push('\n'),
            _ => {}
        }
    }
    Some(text)
}

/// Every page as a viewer shows it, in order.
pub fn pages(doc: &Document) -> Vec<PageInfo> {
    doc.get_pages()
        .values()
        .map(|id| page_info(doc, *id))
        .collect()
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

/// The signer numbers of the `{{SignerN}}` tags in `text`, each once.
pub fn signer_tags(text: &str) -> Vec<u32> {
    let compact: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    let mut found = Vec::new();
    for part in compact.split("{{Signer").skip(1) {
        let Some((n, _)) = part.split_once("}}") else {
            continue;
        };
        if let Ok(n) = n.parse::<u32>() {
            if !found.contains(&n) {
                found.push(n);
            }
        }
    }
    found
}

/// A page attribute, looked up through the page tree as PDF inherits it.
pub fn inherited<'a>(doc: &'a Document, page: ObjectId, key: &[u8]) -> Option<&'a Object> {
    let mut dict = doc.get_dictionary(page).ok()?;
    for _ in 0..32 {
        if let Ok(v) = dict.get(key) {
            return Some(v);
        }
        let parent = dict.get(b"Parent").and_then(Object::as_reference).ok()?;
        dict = doc.get_dictionary(parent).ok()?;
    }
    None
}

pub fn number(o: &Object) -> Option<f64> {
    match o {
        Object::Integer(i) => Some(*i as f64),
        Object::Real(r) => Some(*r as f64),
        _ => None,
    }
}

fn resolve<'a>(doc: &'a Document, o: &'a Object) -> &'a Object {
    match o {
        Object::Reference(id) => doc.get_object(*id).unwrap_or(o),
        other => other,
    }
}

fn rect(doc: &Document, page: ObjectId, key: &[u8]) -> Option<[f64; 4]> {
    let array = resolve(doc, inherited(doc, page, key)?).as_array().ok()?;
    let v: Vec<f64> = array
        .iter()
        .filter_map(|o| number(resolve(doc, o)))
        .collect();
    (v.len() == 4).then(|| {
        [
            v[0].min(v[2]),
            v[1].min(v[3]),
            v[0].max(v[2]),
            v[1].max(v[3]),
        ]
    })
}

/// The visible area of a page (CropBox, else MediaBox, else A4) in user space.
pub fn page_box(doc: &Document, page: ObjectId) -> [f64; 4] {
    rect(doc, page, b"CropBox")
        .or_else(|| rect(doc, page, b"MediaBox"))
        .unwrap_or([0.0, 0.0, 595.0, 842.0])
}

/// The page's rotation: 0, 90, 180 or 270 degrees clockwise.
pub fn rotation(doc: &Document, page: ObjectId) -> i64 {
    let r = inherited(doc, page, b"Rotate")
        .map(|o| resolve(doc, o))
        .and_then(number)
        .unwrap_or(0.0) as i64;
    (r.rem_euclid(360) / 90) * 90
}

/// Size and rotation of a page as a viewer shows it.
pub fn page_info(doc: &Document, page: ObjectId) -> PageInfo {
    let [x0, y0, x1, y1] = page_box(doc, page);
    let rotate = rotation(doc, page);
    let (w, h) = (x1 - x0, y1 - y0);
    let (width, height) = if rotate % 180 == 0 { (w, h) } else { (h, w) };
    PageInfo {
        width,
        height,
        rotate,
    }
}

/// A rectangle given as displayed (points from the top-left of the rotated
/// page) in the page's own user space: `(x, y, width, height)`, y upwards.
pub fn to_user_space(
    (left, top, width, height): (f64, f64, f64, f64),
    [x0, y0, x1, y1]: [f64; 4],
    rotate: i64,
) -> (f64, f64, f64, f64) {
    let (w, h) = (x1 - x0, y1 - y0);
    match rotate {
        90 => (x0 + top, y0 + left, height, width),
        180 => (x0 + w - left - width, y0 + top, width, height),
        270 => (x0 + w - top - height, y0 + h - left - width, height, width),
        _ => (x0 + left, y0 + h - top - height, width, height),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixture(name: &str) -> Vec<u8> {
        std::fs::read(format!(
            "{}/tests/fixtures/{name}",
            env!("CARGO_MANIFEST_DIR")
        ))
        .unwrap()
    }

    #[test]
    fn reads_pages_and_tags() {
        let found = inspect(&fixture("sample.pdf")).unwrap();
        assert_eq!(
            found.pages,
            vec![PageInfo {
                width: 595.0,
                height: 842.0,
                rotate: 0
            }]
        );
        assert_eq!(found.tags, vec![Tag { signer: 1, page: 1 }]);
    }

    #[test]
    fn rotated_pages_are_measured_as_displayed() {
        let found = inspect(&fixture("rotated.pdf")).unwrap();
        assert_eq!(
            found.pages,
            vec![PageInfo {
                width: 842.0,
                height: 595.0,
                rotate: 90
            }]
        );
    }

    #[test]
    fn refuses_what_cannot_be_signed() {
        assert_eq!(inspect(b""), Err(Refusal::Empty));
        assert_eq!(inspect(b"GIF89a not a pdf"), Err(Refusal::NotPdf));
        assert_eq!(inspect(&fixture("encrypted.pdf")), Err(Refusal::Encrypted));
        assert_eq!(inspect(&fixture("restricted.pdf")), Err(Refusal::Encrypted));
        let mut cut = fixture("sample.pdf");
        cut.truncate(200);
        assert_eq!(inspect(&cut), Err(Refusal::Damaged));
    }

    #[test]
    fn two_page_documents_with_sizes_rotation_and_tags() {
        let found = inspect(&crate::sandbox::pdf::two_page_sample(10)).unwrap();
        assert_eq!(
            found.pages,
            vec![
                PageInfo {
                    width: 595.0,
                    height: 842.0,
                    rotate: 0
                },
                PageInfo {
                    width: 792.0,
                    height: 612.0,
                    rotate: 90
                },
            ]
        );
        assert_eq!(
            found.tags,
            vec![Tag { signer: 1, page: 1 }, Tag { signer: 2, page: 2 }]
        );
    }

    #[test]
    fn reading_keeps_page_contents_and_drops_the_other_stream_bytes() {
        let bytes = crate::sandbox::pdf::two_page_sample(2_000_000);
        let limits = Limits::default();
        let budget = Budget::unlimited();
        let held = |doc: &Document| -> usize {
            doc.objects
                .values()
                .filter_map(|o| o.as_stream().ok())
                .map(|s| s.content.len())
                .sum()
        };
        let whole = guard::open(&bytes, &limits, &budget).unwrap();
        let light = guard::open_for_reading(&bytes, &limits, &budget).unwrap();
        assert!(held(&whole) > 2_000_000, "{}", held(&whole));
        assert!(held(&light) < 10_000, "{}", held(&light));
        for (_, page) in light.get_pages() {
            assert_eq!(
                light.get_page_content(page).unwrap(),
                whole.get_page_content(page).unwrap()
            );
        }
        assert_eq!(
            inspect(&bytes).unwrap().tags,
            vec![Tag { signer: 1, page: 1 }, Tag { signer: 2, page: 2 }]
        );
    }

    /// Rewrites the end-to-end fixture: `cargo test -p server write_two_page_fixture -- --ignored`.
    /// `PDF_OUT`, `PDF_PADDING` and `PDF_STREAMS` write another file (the
    /// upload benchmark uses them).
    #[test]
    #[ignore]
    fn write_two_page_fixture() {
        let path = std::env::var("PDF_OUT").unwrap_or_else(|_| {
            format!(
                "{}/../end2end/fixtures/two-pages.pdf",
                env!("CARGO_MANIFEST_DIR")
            )
        });
        let padding = std::env::var("PDF_PADDING")
            .ok()
            .and_then(|p| p.parse().ok())
            .unwrap_or(120 * 1024);
        std::fs::create_dir_all(std::path::Path::new(&path).parent().unwrap()).unwrap();
        let streams = std::env::var("PDF_STREAMS")
            .ok()
            .and_then(|p| p.parse().ok())
            .unwrap_or(1);
        std::fs::write(
            path,
            crate::sandbox::pdf::two_page_sample_in(padding, streams),
        )
        .unwrap();
    }

    #[test]
    fn tags_are_found_once_each() {
        assert_eq!(
            signer_tags("{{Signer2}} text {{ Signer1 }} {{Signer2}} {{SignerX}}"),
            vec![2, 1]
        );
    }

    #[test]
    fn displayed_rectangles_map_to_user_space() {
        let a4 = [0.0, 0.0, 595.0, 842.0];
        let r = (10.0, 20.0, 100.0, 50.0);
        assert_eq!(to_user_space(r, a4, 0), (10.0, 772.0, 100.0, 50.0));
        // Rotated 90° clockwise: the displayed top is the page's left edge.
        assert_eq!(to_user_space(r, a4, 90), (20.0, 10.0, 50.0, 100.0));
        assert_eq!(to_user_space(r, a4, 180), (485.0, 20.0, 100.0, 50.0));
        assert_eq!(to_user_space(r, a4, 270), (525.0, 732.0, 50.0, 100.0));
        // An offset box moves everything with it.
        let shifted = [100.0, 200.0, 695.0, 1042.0];
        assert_eq!(to_user_space(r, shifted, 0), (110.0, 972.0, 100.0, 50.0));
    }
}
