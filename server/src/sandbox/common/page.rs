//! The shell of every simulator's signing page: the portal's styles, the
//! pdf.js page renderer, and a plain warning that nothing signed there counts.

use axum::response::Html;

use crate::panic::escape;

/// A whole page for `service`'s simulator, titled `title`, around `body`.
pub fn shell(service: &str, title: &str, body: &str) -> Html<String> {
    Html(format!(
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{} · {} sandbox</title><link rel=\"stylesheet\" href=\"/pkg/portal.css\">\
         <script type=\"module\" src=\"/js/pdf-pages.js\"></script></head>\
         <body><main class=\"content\"><p class=\"badge badge-warn\">{} sandbox: nothing signed here is legally binding</p>{body}</main></body></html>",
        escape(title),
        escape(service),
        escape(service)
    ))
}
