//! Times as people read them: in the viewer's own time zone (the server
//! cannot know it, so the page is sent in UTC and the browser rewrites the
//! text once it has taken over), with the UTC time in a tooltip.

use leptos::prelude::*;

/// How a time is written.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Style {
    /// "2 Dec 2026, 10:14".
    Absolute,
    /// "5 min ago", "yesterday 14:02", "3 Nov".
    Relative,
}

/// `<time>` for an RFC 3339 instant.
#[component]
pub fn LocalTime(
    /// RFC 3339, as stored.
    at: String,
    #[prop(default = Style::Absolute)] style: Style,
) -> impl IntoView {
    let utc = utc_text(&at);
    let text = RwSignal::new(utc.clone());
    #[cfg(feature = "hydrate")]
    {
        let at = at.clone();
        Effect::new(move |_| {
            if let Some(local) = local_text(&at, style) {
                text.set(local);
            }
        });
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = style;
    view! { <time datetime=at.clone() title=utc>{move || text.get()}</time> }
}

/// "2026-12-02 10:14 UTC", or the input when it is not a time.
pub fn utc_text(rfc3339: &str) -> String {
    use chrono::{Datelike, Timelike};
    // Written out by hand: a list renders this for every row, and chrono's
    // `format` parses its pattern each time.
    chrono::DateTime::parse_from_rfc3339(rfc3339)
        .map(|t| {
            let t = t.with_timezone(&chrono::Utc);
            format!(
                "{:04}-{:02}-{:02} {:02}:{:02} UTC",
                t.year(),
                t.month(),
                t.day(),
                t.hour(),
                t.minute()
            )
        })
        .unwrap_or_else(|_| rfc3339.to_string())
}

/// How long ago `then` was, relative to `now` (both in the same zone), in words.
/// Pure, so it is tested without a browser.
pub fn relative_words(then: chrono::NaiveDateTime, now: chrono::NaiveDateTime) -> String {
    let seconds = (now - then).num_seconds();
    if (0..60).contains(&seconds) {
        return "just now".into();
    }
    if (60..3600).contains(&seconds) {
        return format!("{} min ago", seconds / 60);
    }
    let days = (now.date() - then.date()).num_days();
    let clock = then.format("%H:%M");
    match days {
        0 => format!("today {clock}"),
        1 => format!("yesterday {clock}"),
        _ if then.date().format("%Y").to_string() == now.date().format("%Y").to_string() => {
            then.format("%-d %b").to_string()
        }
        _ => then.format("%-d %b %Y").to_string(),
    }
}

#[cfg(feature = "hydrate")]
fn local_text(rfc3339: &str, style: Style) -> Option<String> {
    let utc = chrono::DateTime::parse_from_rfc3339(rfc3339).ok()?;
    // The browser's offset for that instant (minutes, positive west of UTC).
    let date = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(
        utc.timestamp_millis() as f64
    ));
    let offset = -(date.get_timezone_offset() as i64);
    let local = (utc.naive_utc() + chrono::Duration::minutes(offset)).to_owned();
    Some(match style {
        Style::Absolute => local.format("%-d %b %Y, %H:%M").to_string(),
        Style::Relative => {
            let now = js_sys::Date::new_0();
            let now_offset = -(now.get_timezone_offset() as i64);
            let now = chrono::DateTime::from_timestamp_millis(now.get_time() as i64)?.naive_utc()
                + chrono::Duration::minutes(now_offset);
            relative_words(local, now)
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> chrono::NaiveDateTime {
        chrono::NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M:%S").unwrap()
    }

    #[test]
    fn recent_times_read_as_minutes_then_days_then_dates() {
        let now = at("2026-12-02 10:00:00");
        assert_eq!(relative_words(at("2026-12-02 09:59:30"), now), "just now");
        assert_eq!(relative_words(at("2026-12-02 09:55:00"), now), "5 min ago");
        assert_eq!(
            relative_words(at("2026-12-02 07:05:00"), now),
            "today 07:05"
        );
        assert_eq!(
            relative_words(at("2026-12-01 23:10:00"), now),
            "yesterday 23:10"
        );
        assert_eq!(relative_words(at("2026-11-03 12:00:00"), now), "3 Nov");
        assert_eq!(relative_words(at("2025-11-03 12:00:00"), now), "3 Nov 2025");
    }

    #[test]
    fn utc_text_names_the_zone_and_keeps_what_is_not_a_time() {
        assert_eq!(
            utc_text("2026-12-02T10:14:09+01:00"),
            "2026-12-02 09:14 UTC"
        );
        assert_eq!(utc_text("soon"), "soon");
    }
}
