use leptos::prelude::*;
use leptos_meta::Title;

/// The list of signing requests.
#[component]
pub fn RequestsPage() -> impl IntoView {
    view! {
        <Title text="Requests"/>
        <div class="page-head">
            <h1>"Requests"</h1>
            <a class="button" href="/requests/new">"New request"</a>
        </div>
        <section class="empty-state" aria-labelledby="empty-title">
            <h2 id="empty-title">"No signing requests yet"</h2>
            <p>"Requests you prepare and send appear here, with the progress of every signer."</p>
            <a class="button" href="/requests/new">"Prepare your first request"</a>
        </section>
    }
}
