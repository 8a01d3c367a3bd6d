//! The documents on a simulator's signing page: every page drawn by pdf.js
//! (the portal's `/js/pdf-pages.js`), with the signer's own fields outlined
//! on it. Unlike an embedded PDF viewer this works the same on phones.

use app::model::request::PageInfo;

use crate::documents::inspect;
use crate::panic::escape;

/// Pages as a viewer shows them; empty when the PDF does not parse.
pub fn pages(bytes: &[u8]) -> Vec<PageInfo> {
    crate::documents::guard::open_checked(bytes)
        .map(|doc| inspect::pages(&doc))
        .unwrap_or_default()
}

/// A field to outline on a page: its label and type, its page (1-based)
/// and its box in points from the page's top left (left, top, width, height).
pub struct Outline {
    pub label: String,
    pub kind: String,
    pub page: u32,
    pub at: [f64; 4],
}

/// The box in percent of the page, or `None` when it starts off the page.
fn percent(o: &Outline, page: &PageInfo) -> Option<[f64; 4]> {
    let (w, h) = (page.width.max(1.0), page.height.max(1.0));
    let [left, top, width, height] = o.at;
    let (left, top) = (left / w * 100.0, top / h * 100.0);
    let (width, height) = (width / w * 100.0, height / h * 100.0);
    (left < 100.0 && top < 100.0).then_some([
        left,
        top,
        width.min(100.0 - left),
        height.min(100.0 - top),
    ])
}

/// One document: its pages, with the signer's fields outlined.
pub fn document(url: &str, name: &str, pages: &[PageInfo], fields: &[Outline]) -> String {
    if pages.is_empty() {
        return format!("<p><a href=\"{url}\">Open {}</a></p>", escape(name));
    }
    let mut out = String::from("<div class=\"sandbox-pages\">");
    for (index, page) in pages.iter().enumerate() {
        let n = index as u32 + 1;
        let boxes: String = fields
            .iter()
            .filter(|o| o.page == n)
            .filter_map(|o| {
                let [left, top, width, height] = percent(o, page)?;
                Some(format!(
                    "<div class=\"sandbox-field\" style=\"left:{left:.2}%;top:{top:.2}%;width:{width:.2}%;height:{height:.2}%\">{} ({})</div>",
                    escape(&o.label),
                    escape(&o.kind)
                ))
            })
            .collect();
        out.push_str(&format!(
            "<div class=\"pdf-page\" style=\"aspect-ratio:{:.2} / {:.2}\">\
             <canvas data-pdf=\"{url}\" data-page=\"{n}\" role=\"img\" aria-label=\"Page {n} of {} in {}\"></canvas>{boxes}</div>",
            page.width,
            page.height,
            pages.len(),
            escape(name)
        ));
    }
    out.push_str(&format!(
        "</div><p><a href=\"{url}\" download>Download {}</a></p>",
        escape(name)
    ));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_every_page_as_displayed() {
        let pages = pages(&crate::sandbox::common::pdf::two_page_sample(0));
        assert_eq!(pages.len(), 2);
        assert_eq!((pages[0].width, pages[0].height), (595.0, 842.0));
        // US Letter turned a quarter: shown in landscape.
        assert_eq!(
            (pages[1].width, pages[1].height, pages[1].rotate),
            (792.0, 612.0, 90)
        );
        assert!(super::pages(b"%PDF-1.7 not really").is_empty());
    }
}
