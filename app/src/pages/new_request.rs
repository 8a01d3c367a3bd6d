use leptos::prelude::*;
use leptos_meta::Title;

/// Preparing a new signing request.
#[component]
pub fn NewRequestPage() -> impl IntoView {
    view! {
        <Title text="New request"/>
        <div class="page-head">
            <h1>"New request"</h1>
        </div>
        <section class="empty-state">
            <h2>"Preparing requests is not available yet"</h2>
            <p>
                "This version of the portal manages staff accounts. Uploading documents, "
                "adding signers and sending requests come in the next version."
            </p>
            <a class="button button-quiet" href="/">"Back to requests"</a>
        </section>
    }
}
