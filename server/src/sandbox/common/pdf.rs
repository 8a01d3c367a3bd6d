//! Real PDFs: the signed documents (the original with a visible mark per
//! signature) and the receipt.

use lopdf::content::{Content, Operation};
use lopdf::{dictionary, Dictionary, Document, Object, ObjectId, Stream};
use sha2::{Digest, Sha256};

use crate::documents::guard::{self, Limits};
use crate::documents::inspect::{
    self, inherited, number, page_box, page_info, rotation, to_user_space,
};

const FONT: &str = "FSbx";

/// Whether `bytes` is a PDF that parses within the portal's limits.
pub fn is_pdf(bytes: &[u8]) -> bool {
    bytes.starts_with(b"%PDF-") && guard::open_checked(bytes).is_ok()
}

/// A mark to draw: a box at a place on a page, in points from the top-left.
#[derive(Debug, Clone, PartialEq)]
pub struct Mark {
    pub page: u32,
    pub left: f64,
    pub top: f64,
    pub width: f64,
    pub height: f64,
    pub lines: Vec<String>,
}

/// The page numbers (1-based) whose text contains `needle`.
pub fn pages_containing(bytes: &[u8], needle: &str) -> Vec<u32> {
    let Ok(doc) = guard::open_checked(bytes) else {
        return Vec::new();
    };
    let depth = Limits::default().max_depth;
    doc.get_pages()
        .into_iter()
        .filter(|(_, id)| {
            inspect::page_text(&doc, *id, depth)
                .is_some_and(|t| t.replace(char::is_whitespace, "").contains(needle))
        })
        .map(|(n, _)| n)
        .collect()
}

/// Where `needle` is written: the page (1-based) and the position of the text
/// in points from the top-left. Follows `Td`/`TD`/`Tm`/`T*` through simple
/// content streams; `None` when the text is not found as one string.
pub fn find_text(bytes: &[u8], needle: &str) -> Option<(u32, f64, f64)> {
    let doc = guard::open_checked(bytes).ok()?;
    let depth = Limits::default().max_depth;
    for (n, page) in doc.get_pages() {
        let (_, height) = media_box(&doc, page);
        let ops = inspect::page_content(&doc, page, depth)?.operations;
        let (mut x, mut y, mut line_x, mut line_y, mut leading) = (0.0, 0.0, 0.0, 0.0, 0.0);
        for op in ops {
            let nums: Vec<f64> = op.operands.iter().filter_map(number).collect();
            match op.operator.as_str() {
                "BT" => (x, y, line_x, line_y) = (0.0, 0.0, 0.0, 0.0),
                "Td" | "TD" if nums.len() == 2 => {
                    if op.operator == "TD" {
                        leading = -nums[1];
                    }
                    (line_x, line_y) = (line_x + nums[0], line_y + nums[1]);
                    (x, y) = (line_x, line_y);
                }
                "Tm" if nums.len() == 6 => {
                    (x, y, line_x, line_y) = (nums[4], nums[5], nums[4], nums[5])
                }
                "TL" if nums.len() == 1 => leading = nums[0],
                "T*" => {
                    line_y -= leading;
                    (x, y) = (line_x, line_y);
                }
                "Tj" | "'" | "TJ" => {
                    let text: String = op
                        .operands
                        .iter()
                        .flat_map(|o| match o {
                            Object::Array(items) => items.clone(),
                            other => vec![other.clone()],
                        })
                        .filter_map(|o| {
                            o.as_str()
                                .ok()
                                .map(|b| b.iter().map(|c| *c as char).collect::<String>())
                        })
                        .collect();
                    if text.contains(needle) {
                        return Some((n, x, height - y));
                    }
                }
                _ => {}
            }
        }
    }
    None
}

/// Width and height of page `n` (1-based), A4 when unknown.
pub fn page_size(bytes: &[u8], n: u32) -> (f64, f64) {
    guard::open_checked(bytes)
        .ok()
        .and_then(|doc| doc.get_pages().get(&n).map(|id| media_box(&doc, *id)))
        .unwrap_or((595.0, 842.0))
}

fn media_box(doc: &Document, page: ObjectId) -> (f64, f64) {
    let info = page_info(doc, page);
    (info.width, info.height)
}

/// Gives `page` its own resource dictionary (copying inherited resources)
/// with our font in it.
fn add_font(doc: &mut Document, page: ObjectId, font: ObjectId) -> lopdf::Result<()> {
    let mut resources = match inherited(doc, page, b"Resources") {
        Some(Object::Reference(id)) => doc.get_dictionary(*id)?.clone(),
        Some(Object::Dictionary(d)) => d.clone(),
        _ => Dictionary::new(),
    };
    let mut fonts = match resources.get(b"Font") {
        Ok(Object::Reference(id)) => doc.get_dictionary(*id)?.clone(),
        Ok(Object::Dictionary(d)) => d.clone(),
        _ => Dictionary::new(),
    };
    fonts.set(FONT, font);
    resources.set("Font", fonts);
    doc.get_dictionary_mut(page)?.set("Resources", resources);
    Ok(())
}

fn text(s: &str) -> Object {
    let latin: String = s
        .chars()
        .map(|c| {
            if (c as u32) < 256 && !c.is_control() {
                c
            } else {
                '?'
            }
        })
        .collect();
    Object::string_literal(
        latin
            .into_bytes()
            .into_iter()
            .map(char::from)
            .collect::<String>(),
    )
}

/// A text matrix that writes upright, as the page is displayed, from `anchor`
/// (user space): the page's rotation undone.
fn text_matrix((x, y): (f64, f64), rotate: i64) -> [f32; 6] {
    let (cos, sin) = match rotate {
        90 => (0.0, 1.0),
        180 => (-1.0, 0.0),
        270 => (0.0, -1.0),
        _ => (1.0, 0.0),
    };
    [cos, sin, -sin, cos, x as f32, y as f32]
}

/// The original PDF with every mark drawn on it.
pub fn mark(original: &[u8], marks: &[Mark]) -> lopdf::Result<Vec<u8>> {
    let mut doc =
        guard::open_checked(original).map_err(|r| lopdf::Error::InvalidStream(r.to_string()))?;
    let font = doc.add_object(dictionary! {
        "Type" => "Font", "Subtype" => "Type1", "BaseFont" => "Helvetica", "Encoding" => "WinAnsiEncoding",
    });
    let pages = doc.get_pages();
    for m in marks {
        let Some(&page) = pages.get(&m.page) else {
            continue;
        };
        let (page_box, rotate) = (page_box(&doc, page), rotation(&doc, page));
        let (x, y, width, height) =
            to_user_space((m.left, m.top, m.width, m.height), page_box, rotate);
        let (ax, ay, _, _) =
            to_user_space((m.left + 5.0, m.top + 13.0, 0.0, 0.0), page_box, rotate);
        let mut ops = vec![
            Operation::new("q", vec![]),
            Operation::new("RG", vec![0.12.into(), 0.37.into(), 0.75.into()]),
            Operation::new("w", vec![1.5.into()]),
            Operation::new("re", vec![x.into(), y.into(), width.into(), height.into()]),
            Operation::new("S", vec![]),
            Operation::new("rg", vec![0.12.into(), 0.37.into(), 0.75.into()]),
            Operation::new("BT", vec![]),
            Operation::new("Tf", vec![FONT.into(), 9.into()]),
            Operation::new(
                "Tm",
                text_matrix((ax, ay), rotate)
                    .into_iter()
                    .map(Object::Real)
                    .collect(),
            ),
        ];
        for (i, line) in m.lines.iter().enumerate() {
            if i > 0 {
                ops.push(Operation::new("Td", vec![0.into(), (-11).into()]));
            }
            ops.push(Operation::new("Tj", vec![text(line)]));
        }
        ops.extend([Operation::new("ET", vec![]), Operation::new("Q", vec![])]);
        add_font(&mut doc, page, font)?;
        doc.add_page_contents(page, Content { operations: ops }.encode()?)?;
    }
    let mut out = Vec::new();
    doc.save_to(&mut out)?;
    Ok(out)
}

pub fn hex_sha256(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// A one-page A4 PDF with lines of Helvetica (text, size).
pub fn text_document(lines: &[(String, i64)]) -> lopdf::Result<Vec<u8>> {
    let mut doc = Document::with_version("1.7");
    let pages_id = doc.new_object_id();
    let font = doc.add_object(dictionary! {
        "Type" => "Font", "Subtype" => "Type1", "BaseFont" => "Helvetica", "Encoding" => "WinAnsiEncoding",
    });
    let resources = doc.add_object(dictionary! { "Font" => dictionary! { FONT => font } });
    let mut ops = vec![
        Operation::new("BT", vec![]),
        Operation::new("Td", vec![56.into(), 780.into()]),
    ];
    for (i, (line, size)) in lines.iter().enumerate() {
        if i > 0 {
            ops.push(Operation::new("Td", vec![0.into(), (-(size + 6)).into()]));
        }
        ops.push(Operation::new("Tf", vec![FONT.into(), (*size).into()]));
        ops.push(Operation::new("Tj", vec![text(line)]));
    }
    ops.push(Operation::new("ET", vec![]));
    let content = doc.add_object(Stream::new(
        dictionary! {},
        Content { operations: ops }.encode()?,
    ));
    let page = doc.add_object(dictionary! {
        "Type" => "Page", "Parent" => pages_id, "Contents" => content, "Resources" => resources,
        "MediaBox" => vec![0.into(), 0.into(), 595.into(), 842.into()],
    });
    doc.objects.insert(
        pages_id,
        Object::Dictionary(
            dictionary! { "Type" => "Pages", "Kids" => vec![page.into()], "Count" => 1 },
        ),
    );
    let catalog = doc.add_object(dictionary! { "Type" => "Catalog", "Pages" => pages_id });
    doc.trailer.set("Root", catalog);
    let mut out = Vec::new();
    doc.save_to(&mut out)?;
    Ok(out)
}

/// A one-page A4 PDF with these lines of text, for tests and samples.
pub fn sample(text_lines: &[&str]) -> Vec<u8> {
    let lines: Vec<(String, i64)> = text_lines.iter().map(|t| (t.to_string(), 12)).collect();
    text_document(&lines).expect("sample pdf")
}

/// A two-page PDF: A4 with `{{Signer1}}`, then US Letter turned 90° with
/// `{{Signer2}}`, padded with an unused stream of `padding` bytes so that
/// uploads take long enough to watch.
pub fn two_page_sample(padding: usize) -> Vec<u8> {
    two_page_sample_in(padding, 1)
}

/// `two_page_sample` with its padding split over `streams` streams (as a
/// scan's pages are images of their own).
pub fn two_page_sample_in(padding: usize, streams: usize) -> Vec<u8> {
    use lopdf::content::{Content, Operation};
    use lopdf::{dictionary, Stream};
    let mut doc = Document::with_version("1.7");
    let pages_id = doc.new_object_id();
    let font = doc.add_object(dictionary! {
        "Type" => "Font", "Subtype" => "Type1", "BaseFont" => "Helvetica",
    });
    let resources = doc.add_object(dictionary! { "Font" => dictionary! { "F1" => font } });
    let page = |doc: &mut Document, lines: &[&str], size: (i64, i64), rotate: i64| {
        let mut ops = vec![
            Operation::new("BT", vec![]),
            Operation::new("Tf", vec!["F1".into(), 14.into()]),
            Operation::new("Td", vec![56.into(), (size.1 - 80).into()]),
        ];
        for line in lines {
            ops.push(Operation::new("Tj", vec![Object::string_literal(*line)]));
            ops.push(Operation::new("Td", vec![0.into(), (-24).into()]));
        }
        ops.push(Operation::new("ET", vec![]));
        let content = doc.add_object(Stream::new(
            dictionary! {},
            Content { operations: ops }.encode().unwrap(),
        ));
        doc.add_object(dictionary! {
            "Type" => "Page", "Parent" => pages_id, "Contents" => content, "Resources" => resources,
            "MediaBox" => vec![0.into(), 0.into(), size.0.into(), size.1.into()], "Rotate" => rotate,
        })
    };
    let first = page(
        &mut doc,
        &[
            "Lease agreement",
            "Keizersgracht 12, Amsterdam",
            "",
            "Tenant: {{Signer1}}",
        ],
        (595, 842),
        0,
    );
    let second = page(
        &mut doc,
        &["Annex: inventory", "Landlord: {{Signer2}}"],
        (612, 792),
        90,
    );
    let mut noise = Vec::with_capacity(padding);
    let mut x: u32 = 2_463_534_242;
    for _ in 0..padding {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        noise.push(x as u8);
    }
    let piece = noise.len().div_ceil(streams.max(1)).max(1);
    for part in noise.chunks(piece) {
        doc.add_object(Stream::new(dictionary! {}, part.to_vec()));
    }
    doc.objects.insert(
        pages_id,
        Object::Dictionary(dictionary! {
            "Type" => "Pages", "Kids" => vec![first.into(), second.into()], "Count" => 2,
        }),
    );
    let catalog = doc.add_object(dictionary! { "Type" => "Catalog", "Pages" => pages_id });
    doc.trailer.set("Root", catalog);
    let mut out = Vec::new();
    doc.save_to(&mut out).unwrap();
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mark_text_reads_upright_on_rotated_pages() {
        // Where a point in user space shows on the displayed page: the
        // inverse of `to_user_space`, found by searching the displayed grid.
        let page_box = [0.0, 0.0, 612.0, 792.0];
        for rotate in [0, 90, 180, 270] {
            let display = |(ux, uy): (f64, f64)| {
                let (w, h) = if rotate % 180 == 0 {
                    (612, 792)
                } else {
                    (792, 612)
                };
                (0..=w)
                    .flat_map(|l| (0..=h).map(move |t| (l as f64, t as f64)))
                    .find(|&(l, t)| {
                        let (x, y, _, _) = to_user_space((l, t, 0.0, 0.0), page_box, rotate);
                        (x - ux).abs() < 0.01 && (y - uy).abs() < 0.01
                    })
                    .expect("on the page")
            };
            let (ax, ay, _, _) = to_user_space((100.0, 50.0, 0.0, 0.0), page_box, rotate);
            let [a, b, c, d, e, f] = text_matrix((ax, ay), rotate).map(f64::from);
            assert_eq!(display((e, f)), (100.0, 50.0), "{rotate}: the anchor");
            // Ten points along the text's line go right on the display …
            assert_eq!(
                display((e + 10.0 * a, f + 10.0 * b)),
                (110.0, 50.0),
                "{rotate}"
            );
            // … and its "up" goes up.
            assert_eq!(
                display((e + 10.0 * c, f + 10.0 * d)),
                (100.0, 40.0),
                "{rotate}"
            );
        }
    }

    #[test]
    fn marks_make_a_valid_pdf_that_differs() {
        let original = sample(&["Contract", "{{Signer1}}"]);
        assert!(is_pdf(&original));
        let m = Mark {
            page: 1,
            left: 400.0,
            top: 40.0,
            width: 140.0,
            height: 70.0,
            lines: vec!["Signed by Ann".into(), "2026-11-22".into()],
        };
        let signed = mark(&original, &[m]).unwrap();
        assert!(is_pdf(&signed));
        assert_ne!(signed, original);
        let text = Document::load_mem(&signed)
            .unwrap()
            .extract_text(&[1])
            .unwrap();
        assert!(text.contains("Signed by Ann"), "{text}");
        assert!(text.contains("Contract"), "the original text stays: {text}");
        assert_eq!(pages_containing(&original, "{{Signer1}}"), vec![1]);
        let (page, x, top) = find_text(&original, "{{Signer1}}").expect("the tag is found");
        assert_eq!((page, x), (1, 56.0));
        assert!(
            (top - (842.0 - 762.0)).abs() < 0.01,
            "second line, 18 pt under the first: {top}"
        );
        assert_eq!(find_text(&original, "{{Signer9}}"), None);
        assert_eq!(page_size(&original, 1), (595.0, 842.0));
    }

    #[test]
    fn not_a_pdf() {
        assert!(!is_pdf(b"hello"));
        assert!(!is_pdf(b"%PDF-1.7 but broken"));
    }
}

#[cfg(test)]
mod fixture {
    /// Writes the sample PDF the scripts use (run with `--ignored` to refresh it).
    #[test]
    #[ignore]
    fn write_sample_fixture() {
        let bytes = super::sample(&[
            "Sample agreement",
            "Signed in the portal's sandbox",
            "{{Signer1}}",
        ]);
        std::fs::write(
            concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/sample.pdf"),
            bytes,
        )
        .unwrap();
    }
}
