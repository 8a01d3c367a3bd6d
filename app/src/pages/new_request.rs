use leptos::prelude::*;
use leptos_meta::Title;

use crate::api::requests::CreateRequest;
use crate::components::feedback::ActionAlert;

/// Starts a new draft; everything else is filled in on the request page.
#[component]
pub fn NewRequestPage() -> impl IntoView {
    let create = ServerAction::<CreateRequest>::new();
    view! {
        <Title text="New request"/>
        <div class="page-head">
            <h1>"New request"</h1>
        </div>
        <section class="card narrow">
            <p>
                "A request starts as a draft. Everything you enter is saved as you go, "
                "so you can leave and come back to it."
            </p>
            <ol class="steps-preview">
                <li>"Upload the PDF documents"</li>
                <li>"Add the signers (and who gets a copy)"</li>
                <li>"Place signature and form fields on the pages"</li>
                <li>"Check and send"</li>
            </ol>
            <ActionAlert value=create.value()/>
            <ActionForm action=create>
                <button type="submit" class="button button-primary" disabled=move || create.pending().get()>
                    "Create draft"
                </button>
            </ActionForm>
        </section>
    }
}
