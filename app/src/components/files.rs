//! Links to files. The client-side router takes every plain `<a>` on the
//! site as a page of the app; a file is not one, so these links say so
//! (`rel="external"`, `download`) and the browser fetches them itself.

use leptos::prelude::*;

/// A link that downloads `href` (an archived document, a receipt, a zip).
#[component]
pub fn FileLink(
    href: String,
    #[prop(optional, into)] class: Option<String>,
    children: Children,
) -> impl IntoView {
    view! { <a href=href class=class rel="external" download="">{children()}</a> }
}

/// A link that opens `href` (a PDF) in a new tab rather than downloading it.
#[component]
pub fn OpenFileLink(href: String, children: Children) -> impl IntoView {
    view! { <a href=href rel="external noopener" target="_blank">{children()}</a> }
}
