//! The seed's field markup, read and checked before anything is sent:
//! HTML `<input class="field" data-label data-required data-signer
//! data-type data-options data-value>` and markdown
//! `{Signer/Label[*]/Type/Prefill}` (`Selection[a,b]` for a selection).
//! Each problem names the line it is on.
//!
//! Stated by the seed: the six types, `data-required` default `true`,
//! `data-signer` default `1`, options comma-separated, prefills only when
//! sending, "Signature fields cannot be prefilled", at most 5 signers, the
//! accepted prefills (text any string, email a valid address, phone a
//! valid number, selection one of the options). Inferred here: the date
//! prefill's format (the seed's one example is `1-1-2021`: month or day
//! first, four-digit year), what counts as a valid phone number (7 to 15
//! digits with `+ - ( ) .` and spaces), and that a selection prefill is
//! matched without regard to case and spaces (the seed's own example
//! prefills `Option2` for the option `Option 2`).

use crate::MAX_SIGNERS;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldType {
    Text,
    Date,
    Signature,
    Email,
    Phone,
    Selection,
}

impl FieldType {
    pub const ALL: [FieldType; 6] = [
        FieldType::Text,
        FieldType::Date,
        FieldType::Signature,
        FieldType::Email,
        FieldType::Phone,
        FieldType::Selection,
    ];

    /// The HTML `data-type` value.
    pub fn as_str(self) -> &'static str {
        match self {
            FieldType::Text => "text",
            FieldType::Date => "date",
            FieldType::Signature => "signature",
            FieldType::Email => "email",
            FieldType::Phone => "phone",
            FieldType::Selection => "selection",
        }
    }

    /// Either spelling (`text` in HTML, `Text` in markdown).
    pub fn parse(s: &str) -> Option<FieldType> {
        let s = s.trim().to_ascii_lowercase();
        FieldType::ALL.into_iter().find(|t| t.as_str() == s)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Field {
    /// 1-based line of the document it is on.
    pub line: usize,
    pub signer: u32,
    pub label: String,
    pub required: bool,
    pub kind: FieldType,
    pub options: Vec<String>,
    pub prefill: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub line: usize,
    pub message: String,
}

fn line_of(text: &str, at: usize) -> usize {
    text[..at].matches('\n').count() + 1
}

fn is_email(s: &str) -> bool {
    let Some((local, domain)) = s.split_once('@') else {
        return false;
    };
    !local.is_empty()
        && !domain.contains('@')
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !s.chars().any(char::is_whitespace)
}

fn is_phone(s: &str) -> bool {
    let digits = s.chars().filter(char::is_ascii_digit).count();
    s.chars()
        .all(|c| c.is_ascii_digit() || " +-().".contains(c))
        && (7..=15).contains(&digits)
}

fn is_date(s: &str) -> bool {
    let parts: Vec<&str> = s.split(['-', '/']).collect();
    let [a, b, year] = parts.as_slice() else {
        return false;
    };
    let n = |p: &str| p.parse::<u32>().ok().filter(|_| (1..=2).contains(&p.len()));
    match (n(a), n(b)) {
        (Some(a), Some(b)) => {
            year.len() == 4
                && year.chars().all(|c| c.is_ascii_digit())
                && (1..=31).contains(&a)
                && (1..=31).contains(&b)
                && (a <= 12 || b <= 12)
        }
        _ => false,
    }
}

fn squeeze(s: &str) -> String {
    s.chars()
        .filter(|c| !c.is_whitespace())
        .collect::<String>()
        .to_lowercase()
}

/// What is wrong with a field read from the markup.
fn check(f: &Field) -> Vec<String> {
    let mut out = Vec::new();
    if f.signer == 0 || f.signer > MAX_SIGNERS {
        out.push(format!(
            "the signer must be a number from 1 to {MAX_SIGNERS} (Hotsign takes at most {MAX_SIGNERS} signers), not {}",
            f.signer
        ));
    }
    if f.label.trim().is_empty() {
        out.push("the field needs a label".into());
    }
    if f.kind == FieldType::Selection && f.options.iter().all(|o| o.trim().is_empty()) {
        out.push("a selection needs its options, separated by commas".into());
    }
    if let Some(value) = f.prefill.as_deref().filter(|v| !v.is_empty()) {
        let bad = match f.kind {
            FieldType::Signature => Some("signature fields cannot be prefilled".to_string()),
            FieldType::Text => None,
            FieldType::Email if !is_email(value) => {
                Some(format!("“{value}” is not a valid email address"))
            }
            FieldType::Phone if !is_phone(value) => {
                Some(format!("“{value}” is not a valid phone number"))
            }
            FieldType::Date if !is_date(value) => {
                Some(format!("“{value}” is not a date like 1-1-2021"))
            }
            FieldType::Selection if !f.options.iter().any(|o| squeeze(o) == squeeze(value)) => {
                Some(format!(
                    "“{value}” is not one of the options ({})",
                    f.options.join(", ")
                ))
            }
            _ => None,
        };
        out.extend(bad);
    }
    out
}

fn report(fields: &[Field], mut problems: Vec<Problem>) -> (Vec<Field>, Vec<Problem>) {
    for f in fields {
        problems.extend(check(f).into_iter().map(|m| Problem {
            line: f.line,
            message: format!("“{}”: {m}", f.label.trim()),
        }));
    }
    problems.sort_by_key(|p| p.line);
    (fields.to_vec(), problems)
}

/// The attributes of one tag, read by the HTML parser.
fn attributes(tag: &str) -> Vec<(String, String)> {
    let found = std::cell::RefCell::new(Vec::new());
    let mut rewriter = lol_html::HtmlRewriter::new(
        lol_html::Settings {
            element_content_handlers: vec![lol_html::element!("input", |el| {
                found.borrow_mut().extend(
                    el.attributes()
                        .iter()
                        .map(|a| (a.name().to_ascii_lowercase(), a.value())),
                );
                Ok(())
            })],
            ..lol_html::Settings::new()
        },
        |_: &[u8]| {},
    );
    let _ = rewriter.write(tag.as_bytes());
    let _ = rewriter.end();
    found.into_inner()
}

/// The fields of an HTML document (`<input class="field" …>`).
pub fn parse_html(html: &str) -> (Vec<Field>, Vec<Problem>) {
    let lower = html.to_ascii_lowercase();
    let mut fields = Vec::new();
    let mut problems = Vec::new();
    let mut from = 0;
    while let Some(start) = lower[from..].find("<input").map(|i| i + from) {
        let end = lower[start..]
            .find('>')
            .map_or(html.len(), |i| start + i + 1);
        from = end;
        let line = line_of(html, start);
        let attrs = attributes(&html[start..end]);
        let get = |name: &str| {
            attrs
                .iter()
                .find(|(n, _)| n == name)
                .map(|(_, v)| v.clone())
        };
        if !crate::markup::is_field_class(get("class").as_deref()) {
            problems.push(Problem {
                line,
                message: "an <input> without class=\"field\" is removed by Hotsign".into(),
            });
            continue;
        }
        let label = get("data-label").unwrap_or_default();
        let kind = match get("data-type") {
            None => None,
            Some(t) => match FieldType::parse(&t) {
                Some(k) => Some(k),
                None => {
                    problems.push(Problem {
                        line,
                        message: format!(
                            "“{label}”: data-type “{t}” is not one of text, date, signature, email, phone, selection"
                        ),
                    });
                    continue;
                }
            },
        };
        let Some(kind) = kind else {
            problems.push(Problem {
                line,
                message: format!("“{label}”: the field needs a data-type"),
            });
            continue;
        };
        let required = match get("data-required").as_deref().map(str::trim) {
            None | Some("true") => true,
            Some("false") => false,
            Some(other) => {
                problems.push(Problem {
                    line,
                    message: format!(
                        "“{label}”: data-required must be true or false, not “{other}”"
                    ),
                });
                true
            }
        };
        let signer = match get("data-signer") {
            None => 1,
            Some(s) => s.trim().parse().unwrap_or(0),
        };
        fields.push(Field {
            line,
            signer,
            label,
            required,
            kind,
            options: get("data-options")
                .map(|o| o.split(',').map(|s| s.trim().to_string()).collect())
                .unwrap_or_default(),
            prefill: get("data-value"),
        });
    }
    report(&fields, problems)
}

/// The fields of a markdown document (`{1/Label*/Type/Prefill}`).
pub fn parse_markdown(markdown: &str) -> (Vec<Field>, Vec<Problem>) {
    let mut fields = Vec::new();
    let mut problems = Vec::new();
    let mut from = 0;
    while let Some(start) = markdown[from..].find('{').map(|i| i + from) {
        let Some(len) = markdown[start..].find('}') else {
            break;
        };
        let inner = &markdown[start + 1..start + len];
        from = start + len + 1;
        if !inner.contains('/') {
            continue;
        }
        let line = line_of(markdown, start);
        let parts: Vec<&str> = inner.splitn(4, '/').collect();
        if parts.len() < 3 {
            problems.push(Problem {
                line,
                message: format!(
                    "{{{inner}}}: a field is {{signer/label/type}} with an optional /prefill"
                ),
            });
            continue;
        }
        let raw_label = parts[1].trim();
        let (label, required) = match raw_label.strip_suffix('*') {
            Some(l) => (l.trim().to_string(), true),
            None => (raw_label.to_string(), false),
        };
        let type_part = parts[2].trim();
        let (type_name, options) = match type_part.split_once('[') {
            Some((name, rest)) => match rest.strip_suffix(']') {
                Some(opts) => (
                    name,
                    opts.split(',').map(|s| s.trim().to_string()).collect(),
                ),
                None => {
                    problems.push(Problem {
                        line,
                        message: format!("“{label}”: the options need a closing ]"),
                    });
                    continue;
                }
            },
            None => (type_part, Vec::new()),
        };
        let Some(kind) = FieldType::parse(type_name) else {
            problems.push(Problem {
                line,
                message: format!(
                    "“{label}”: “{type_name}” is not one of Text, Date, Signature, Email, Phone, Selection"
                ),
            });
            continue;
        };
        fields.push(Field {
            line,
            signer: parts[0].trim().parse().unwrap_or(0),
            label,
            required,
            kind,
            options,
            prefill: parts.get(3).map(|p| p.trim().to_string()),
        });
    }
    report(&fields, problems)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn messages(p: &[Problem]) -> Vec<String> {
        p.iter()
            .map(|p| format!("{}: {}", p.line, p.message))
            .collect()
    }

    #[test]
    fn the_seeds_markdown_examples_read_as_fields_of_every_type() {
        let doc = "{1/Employee Name*/Text/John Smith}\n{1/Effective Date*/Date/1-1-2021}\n\
                   {1/Employee Signature*/Signature}\n{1/Employee Email*/Email/name@domain.com}\n\
                   {1/Employee Phone*/Phone/(123) 123-1234}\n{1/Gender*/Selection[Option 1,Option 2]/Option2}";
        let (fields, problems) = parse_markdown(doc);
        assert!(problems.is_empty(), "{:?}", messages(&problems));
        let kinds: Vec<FieldType> = fields.iter().map(|f| f.kind).collect();
        assert_eq!(kinds, FieldType::ALL);
        assert_eq!(fields[0].label, "Employee Name");
        assert!(fields.iter().all(|f| f.required && f.signer == 1));
        assert_eq!(fields[5].options, ["Option 1", "Option 2"]);
        assert_eq!(fields[5].line, 6);
        assert_eq!(fields[2].prefill, None);
    }

    #[test]
    fn markdown_mistakes_point_at_their_line() {
        let doc = "Intro\n{6/Name/Text}\n{1/Sig*/Signature/Anna}\n{1/Mail/Email/not-an-address}\n\
                   {2/Phone/Phone/call me}\n{1/When/Date/31-31-2021}\n{1/Pick/Selection[a,b]/c}\n\
                   {1/Pick/Selection[]}\n{1/Odd/Colour}\n{1/Half}\n{1/Open/Selection[a,b}";
        let (fields, problems) = parse_markdown(doc);
        assert_eq!(
            messages(&problems),
            [
                "2: “Name”: the signer must be a number from 1 to 5 (Hotsign takes at most 5 signers), not 6",
                "3: “Sig”: signature fields cannot be prefilled",
                "4: “Mail”: “not-an-address” is not a valid email address",
                "5: “Phone”: “call me” is not a valid phone number",
                "6: “When”: “31-31-2021” is not a date like 1-1-2021",
                "7: “Pick”: “c” is not one of the options (a, b)",
                "8: “Pick”: a selection needs its options, separated by commas",
                "9: “Odd”: “Colour” is not one of Text, Date, Signature, Email, Phone, Selection",
                "10: {1/Half}: a field is {signer/label/type} with an optional /prefill",
                "11: “Open”: the options need a closing ]",
            ]
        );
        assert_eq!(fields.len(), 7);
        // Not required without the star; braces without a slash are text.
        assert!(!fields[0].required);
        assert!(parse_markdown("{note} and {}").0.is_empty());
    }

    #[test]
    fn html_fields_take_the_seeds_defaults_and_every_type() {
        let doc = "<p>Name <input class=\"field\" data-label=\"Name\" data-type=\"text\" data-value=\"Ann\"></p>\n\
                   <input class=\"field\" data-label=\"Start\" data-type=\"date\" data-required=\"false\" data-signer=\"2\">\n\
                   <input class=\"field\" data-label=\"Sign\" data-type=\"signature\">\n\
                   <input class=\"field\" data-label=\"Mail\" data-type=\"email\" data-value=\"a@b.nl\">\n\
                   <input class=\"field\" data-label=\"Tel\" data-type=\"phone\" data-value=\"+31 6 1234 5678\">\n\
                   <INPUT CLASS=\"field\" DATA-LABEL=\"Size\" DATA-TYPE=\"selection\" DATA-OPTIONS=\"S, M, L\" DATA-VALUE=\"M\">";
        let (fields, problems) = parse_html(doc);
        assert!(problems.is_empty(), "{:?}", messages(&problems));
        let kinds: Vec<FieldType> = fields.iter().map(|f| f.kind).collect();
        assert_eq!(kinds, FieldType::ALL);
        assert!(fields[0].required && fields[0].signer == 1);
        assert!(!fields[1].required && fields[1].signer == 2);
        assert_eq!(fields[5].options, ["S", "M", "L"]);
        assert_eq!(fields[5].line, 6);
    }

    #[test]
    fn html_mistakes_point_at_their_line() {
        let doc = "<input data-label=\"Lost\" data-type=\"text\">\n\
                   <input class=\"field\" data-label=\"A\" data-type=\"colour\">\n\
                   <input class=\"field\" data-label=\"B\">\n\
                   <input class=\"field\" data-label=\"C\" data-type=\"text\" data-required=\"yes\">\n\
                   <input class=\"field\" data-label=\"D\" data-type=\"signature\" data-value=\"x\" data-signer=\"0\">\n\
                   <input class=\"field\" data-type=\"selection\" data-label=\"E\">";
        let (_, problems) = parse_html(doc);
        assert_eq!(
            messages(&problems),
            [
                "1: an <input> without class=\"field\" is removed by Hotsign",
                "2: “A”: data-type “colour” is not one of text, date, signature, email, phone, selection",
                "3: “B”: the field needs a data-type",
                "4: “C”: data-required must be true or false, not “yes”",
                "5: “D”: the signer must be a number from 1 to 5 (Hotsign takes at most 5 signers), not 0",
                "5: “D”: signature fields cannot be prefilled",
                "6: “E”: a selection needs its options, separated by commas",
            ]
        );
    }

    #[test]
    fn prefill_formats_per_type() {
        assert!(is_email("name@domain.com") && !is_email("a@b") && !is_email("a b@c.nl"));
        assert!(is_phone("(123) 123-1234") && is_phone("+31612345678") && !is_phone("12"));
        assert!(is_date("1-1-2021") && is_date("12/31/2026") && is_date("31-12-2026"));
        assert!(!is_date("2021-01-01") && !is_date("13-13-2021") && !is_date("1-1-21"));
    }
}
