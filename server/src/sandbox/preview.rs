//! The documents on the sandbox's signing page: every page drawn by pdf.js
//! (the portal's `/js/pdf-pages.js`), with the signer's own fields outlined
//! on it. Unlike an embedded PDF viewer this works the same on phones.

use app::model::request::PageInfo;
use signhost::model::Field;

use crate::documents::inspect;
use crate::panic::escape;

/// Pages as a viewer shows them; empty when the PDF does not parse.
pub fn pages(bytes: &[u8]) -> Vec<PageInfo> {
    crate::documents::guard::open_checked(bytes)
        .map(|doc| inspect::pages(&doc))
        .unwrap_or_default()
}

/// A field placed by position: its page (1-based) and box in percent of that
/// page, or `None` for a field anchored to a text or off the page.
fn placed(field: &Field, page: &PageInfo) -> Option<(u32, [f64; 4])> {
    let l = field.location.as_ref().filter(|l| l.search.is_none())?;
    let (w, h) = (page.width.max(1.0), page.height.max(1.0));
    let left = l.left.unwrap_or(0.0) / w * 100.0;
    let top = l.top.unwrap_or(0.0) / h * 100.0;
    let width = l.width.unwrap_or(140.0) / w * 100.0;
    let height = l.height.unwrap_or(70.0) / h * 100.0;
    (left < 100.0 && top < 100.0).then_some((
        l.page_number.unwrap_or(1).max(1) as u32,
        [left, top, width.min(100.0 - left), height.min(100.0 - top)],
    ))
}

/// One document: its pages, with the signer's `fields` (name, field) outlined.
pub fn document(url: &str, name: &str, pages: &[PageInfo], fields: &[(&String, &Field)]) -> String {
    if pages.is_empty() {
        return format!("<p><a href=\"{url}\">Open {}</a></p>", escape(name));
    }
    let mut out = String::from("<div class=\"sandbox-pages\">");
    for (index, page) in pages.iter().enumerate() {
        let n = index as u32 + 1;
        let boxes: String = fields
            .iter()
            .filter_map(|(field_name, f)| {
                let (on, [left, top, width, height]) = placed(f, page)?;
                (on == n).then(|| {
                    format!(
                        "<div class=\"sandbox-field\" style=\"left:{left:.2}%;top:{top:.2}%;width:{width:.2}%;height:{height:.2}%\">{} ({})</div>",
                        escape(field_name),
                        escape(&f.r#type)
                    )
                })
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
    use signhost::model::Location;

    fn field(page: i32, left: f64, top: f64) -> Field {
        Field {
            r#type: "Signature".into(),
            location: Some(Location {
                page_number: Some(page),
                left: Some(left),
                top: Some(top),
                width: Some(100.0),
                height: Some(50.0),
                ..Default::default()
            }),
            ..Default::default()
        }
    }

    #[test]
    fn reads_every_page_as_displayed() {
        let pages = pages(&super::super::pdf::two_page_sample(0));
        assert_eq!(pages.len(), 2);
        assert_eq!((pages[0].width, pages[0].height), (595.0, 842.0));
        // US Letter turned a quarter: shown in landscape.
        assert_eq!(
            (pages[1].width, pages[1].height, pages[1].rotate),
            (792.0, 612.0, 90)
        );
        assert!(super::pages(b"%PDF-1.7 not really").is_empty());
    }

    #[test]
    fn outlines_a_field_on_its_own_page_in_percent() {
        let pages = pages(&super::super::pdf::two_page_sample(0));
        let name = "Signature1".to_string();
        let f = field(2, 396.0, 306.0);
        let html = document("/f", "Lease <1>", &pages, &[(&name, &f)]);
        assert_eq!(html.matches("<canvas").count(), 2);
        assert!(html.contains("aria-label=\"Page 2 of 2 in Lease &lt;1&gt;\""));
        let second = html.split("data-page=\"2\"").nth(1).unwrap();
        assert!(second.contains("left:50.00%;top:50.00%"), "{second}");
        let first = html.split("data-page=\"2\"").next().unwrap();
        assert!(!first.contains("sandbox-field"));
    }

    #[test]
    fn a_field_anchored_to_text_is_only_listed() {
        let pages = pages(&super::super::pdf::two_page_sample(0));
        let name = "Signature1".to_string();
        let mut f = field(1, 10.0, 10.0);
        f.location.as_mut().unwrap().search = Some("{{Signer1}}".into());
        assert!(!document("/f", "a", &pages, &[(&name, &f)]).contains("sandbox-field"));
    }
}
