//! Checks an uploaded PDF before it is accepted, and reads what the editor
//! needs: pages as displayed (size and rotation) and `{{SignerN}}` tags.

use app::model::request::{PageInfo, Tag};
use lopdf::{Document, Object, ObjectId};

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
}

pub fn inspect(bytes: &[u8]) -> Result<Inspected, Refusal> {
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
    let doc = Document::load_mem(bytes).map_err(|_| Refusal::Damaged)?;
    if doc.is_encrypted() {
        return Err(Refusal::Encrypted);
    }
    let page_ids = doc.get_pages();
    if page_ids.is_empty() {
        return Err(Refusal::NoPages);
    }
    let pages = pages(&doc);
    let tags = page_ids
        .keys()
        .flat_map(|n| {
            let text = doc.extract_text(&[*n]).unwrap_or_default();
            signer_tags(&text)
                .into_iter()
                .map(move |signer| Tag { signer, page: *n })
        })
        .collect();
    Ok(Inspected { pages, tags })
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

    /// Rewrites the end-to-end fixture: `cargo test -p server write_two_page_fixture -- --ignored`.
    /// `PDF_OUT` and `PDF_PADDING` write another file (the upload benchmark uses them).
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
        std::fs::write(path, crate::sandbox::pdf::two_page_sample(padding)).unwrap();
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
