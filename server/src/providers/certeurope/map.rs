//! A portal request in SignAPI's terms, without I/O: one order per signer
//! (the certificate holder), one signature request per document, the
//! references that find them again, and the visible signature's place.
//!
//! Coordinates: SignAPI's sources give `signaturePosX`, `signaturePosY` and
//! `signaturePage` as integers without a unit or an origin. The portal
//! reads them as PDF points from the page's lower-left corner to the lower
//! left of the signature box (PDF user space, the page as stored); the
//! simulator draws them so. This is the one place that guess lives.

use app::model::request::{FieldKind, PageInfo, Place, PlacedField, Signer, Verification};
use app::ssr::db::documents::DocumentRow;
use base64::Engine;
use certeurope::model::{
    Holder, LineOptions, OrderCreate, PdfSignatureOptions, SignatureLevel, SignatureOptions,
    SignatureRequest,
};

/// The portal's id of a request at SignAPI (it has no object for the
/// whole request: the orders of its signers carry this prefix).
pub fn external_id(request_id: i64) -> String {
    format!("portal-{request_id}")
}

/// The request of an `external_id`, or of any reference made from it.
pub fn request_of(reference: &str) -> Option<i64> {
    let rest = reference.strip_prefix("portal-")?;
    rest.split('-').next()?.parse().ok()
}

/// `externalOrderRequestId` of a signer's order: found again after a crash.
pub fn order_ref(request_id: i64, signer_key: &str) -> String {
    format!("portal-{request_id}-{signer_key}")
}

/// `externalSignatureRequestId` of a signer's signature on a document.
pub fn request_ref(request_id: i64, signer_key: &str, document_id: i64) -> String {
    format!("portal-{request_id}-{signer_key}-d{document_id}")
}

/// Whether the signer gets a one-time code (a triggered order): staff
/// asked for an SMS code ("PhoneNumber"); otherwise consent alone (a
/// simple order).
pub fn uses_otp(signer: &Signer) -> bool {
    signer
        .verifications
        .iter()
        .any(|v| matches!(v, Verification::PhoneNumber { .. }))
}

/// Where the one-time code goes: the number given with the check, else the signer's mobile.
pub fn otp_contact(signer: &Signer) -> String {
    signer
        .verifications
        .iter()
        .find_map(|v| match v {
            Verification::PhoneNumber { number } if !number.trim().is_empty() => {
                Some(number.trim().to_string())
            }
            _ => None,
        })
        .unwrap_or_else(|| signer.mobile.trim().to_string())
}

fn some(s: &str) -> Option<String> {
    let s = s.trim();
    (!s.is_empty()).then(|| s.to_string())
}

/// The order for one signer.
pub fn order(request_id: i64, signer: &Signer, client_identifier: Option<&str>) -> OrderCreate {
    let (firstname, lastname) = signer.name_parts();
    let otp = uses_otp(signer);
    OrderCreate {
        external_order_request_id: order_ref(request_id, &signer.key),
        holder: Holder {
            firstname,
            lastname,
            email: some(&signer.email),
            mobile: some(&signer.mobile).or_else(|| otp.then(|| otp_contact(signer))),
            country: signer.country_code(),
            id_number: None,
            id_type: None,
        },
        proof_folder: None,
        client_identifier: client_identifier.map(str::to_string),
        enable_otp: otp.then_some(true),
        otp_contact: otp.then(|| otp_contact(signer)),
        enable_email: None,
        enable_sharing: None,
    }
}

/// The visible signature for the signer's first signature field on the
/// document (SignAPI takes one position per signature request).
pub fn placement(
    fields: &[PlacedField],
    pages: &[PageInfo],
    signer: &Signer,
) -> Option<PdfSignatureOptions> {
    let (page, left, top, height) = fields
        .iter()
        .filter(|f| f.signer == signer.key && f.kind == FieldKind::Signature)
        .find_map(|f| match f.place {
            Place::Page {
                page,
                left,
                top,
                height,
                ..
            } => Some((page, left, top, height)),
            Place::Text { .. } => None,
        })?;
    let page_height = pages
        .get(page.saturating_sub(1) as usize)
        .map_or(842.0, |p| p.height);
    let (x, y) = to_signapi(left, top, height, page_height);
    Some(PdfSignatureOptions {
        signature_pos_x: Some(x),
        signature_pos_y: Some(y),
        signature_page: Some(i64::from(page)),
        lines_options: Some(vec![LineOptions::text(signer.name.trim(), 9)]),
        ..Default::default()
    })
}

/// A box given from the page's top left (the editor's points) in
/// SignAPI's coordinates (see the module's note).
pub fn to_signapi(left: f64, top: f64, height: f64, page_height: f64) -> (i64, i64) {
    (
        left.max(0.0).round() as i64,
        (page_height - top - height).max(0.0).round() as i64,
    )
}

/// One signature request: the document as this signer signs it.
pub fn signature_request(
    request_id: i64,
    signer: &Signer,
    doc: &DocumentRow,
    content: &[u8],
    level: SignatureLevel,
) -> SignatureRequest {
    let view = doc.to_view();
    SignatureRequest {
        external_signature_request_id: request_ref(request_id, &signer.key, doc.id),
        signature_options: SignatureOptions::pades(level),
        pdf_signature_options: placement(&view.fields, &view.pages, signer),
        enable_archive: None,
        archiver_names: None,
        to_sign_content: base64::engine::general_purpose::STANDARD.encode(content),
        hash: None,
        keywords: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn signer() -> Signer {
        Signer {
            key: "s1".into(),
            name: "Anna de Vries".into(),
            email: "anna@example.com".into(),
            mobile: "+31612345678".into(),
            ..Default::default()
        }
    }

    #[test]
    fn references_lead_back_to_the_request() {
        assert_eq!(request_of(&external_id(42)), Some(42));
        assert_eq!(request_of(&order_ref(42, "s2")), Some(42));
        assert_eq!(request_of(&request_ref(42, "s2", 7)), Some(42));
        assert_eq!(request_of("other-42"), None);
    }

    #[test]
    fn a_signer_with_an_sms_check_gets_a_triggered_order_to_their_mobile() {
        let mut s = signer();
        let simple = order(7, &s, None);
        assert_eq!(simple.external_order_request_id, "portal-7-s1");
        assert_eq!(
            (
                simple.holder.firstname.as_str(),
                simple.holder.lastname.as_str()
            ),
            ("Anna", "de Vries")
        );
        assert_eq!(simple.holder.country, "NL");
        assert!(!simple.triggered());
        s.verifications = vec![Verification::PhoneNumber {
            number: String::new(),
        }];
        s.first_name = "Anna Maria".into();
        s.last_name = "de Vries".into();
        s.country = "be".into();
        let otp = order(7, &s, Some("portal"));
        assert!(otp.triggered());
        assert_eq!(otp.otp_contact.as_deref(), Some("+31612345678"));
        assert_eq!(otp.holder.firstname, "Anna Maria");
        assert_eq!(otp.holder.country, "BE");
        assert_eq!(otp.client_identifier.as_deref(), Some("portal"));
    }

    #[test]
    fn a_field_from_the_top_left_becomes_points_from_the_lower_left() {
        // An A4 page; a 140×70 box 100 pt from the left, 600 pt from the top.
        assert_eq!(to_signapi(100.0, 600.0, 70.0, 842.0), (100, 172));
        let fields = vec![PlacedField {
            id: "f1".into(),
            signer: "s1".into(),
            kind: FieldKind::Signature,
            name: "Signature".into(),
            value: String::new(),
            place: Place::Page {
                page: 2,
                left: 50.0,
                top: 100.0,
                width: 140.0,
                height: 70.0,
            },
        }];
        let pages = vec![
            PageInfo {
                width: 595.0,
                height: 842.0,
                rotate: 0,
            },
            PageInfo {
                width: 612.0,
                height: 792.0,
                rotate: 0,
            },
        ];
        let p = placement(&fields, &pages, &signer()).expect("placed");
        assert_eq!(p.signature_page, Some(2));
        assert_eq!(
            (p.signature_pos_x, p.signature_pos_y),
            (Some(50), Some(622))
        );
        let other = Signer {
            key: "s2".into(),
            ..signer()
        };
        assert!(placement(&fields, &pages, &other).is_none());
    }
}
