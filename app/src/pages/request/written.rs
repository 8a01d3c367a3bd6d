//! A document written in the portal, for a service that takes HTML or
//! markdown with field markup instead of PDFs (Hotsign): the text, a live
//! preview of what the service will keep (sanitised on the server, each
//! field drawn as an input), its problems by line, and an explicit save
//! that refuses a document the service would not take and keeps the one
//! saved before.

use leptos::prelude::*;

use super::Editing;
use crate::api::requests::{check_written, save_written, written_text};
use crate::model::request::DocumentView;
use crate::model::written::{WrittenText, FORMATS};

const EXAMPLE: &str = "#Lease agreement#\n\nThe tenant rents the flat at **Main Street 1** from the landlord.\n\nTenant: {1/Tenant name*/Text}\nStart date: {1/Start date*/Date/1-1-2027}\n\n{1/Tenant signature*/Signature}\n{2/Landlord signature*/Signature}\n";

/// The written document of the draft (the first, when there are several).
fn written_of(docs: &[DocumentView]) -> Option<i64> {
    docs.iter().find(|d| d.markup.is_some()).map(|d| d.id)
}

#[component]
pub fn WrittenCard() -> impl IntoView {
    let editing = expect_context::<Editing>();
    let id = editing.id;
    let documents = editing.documents;
    // The editor works in the browser only (live preview, explicit save), so
    // it is loaded there: the server renders the loading note, as the
    // browser does at first, and nothing has to match.
    let which = Memo::new(move |_| documents.with(|d| written_of(d)));
    let saved = LocalResource::new(move || {
        let doc = which.get();
        async move {
            match doc {
                Some(d) => written_text(id, d).await.map(|t| Some((d, t))),
                None => Ok(None),
            }
        }
    });
    move || {
        match saved.get() {
        None => view! { <p class="muted" role="status">"Loading the document…"</p> }.into_any(),
        Some(Ok(found)) => view! { <WrittenEditor found/> }.into_any(),
        Some(Err(e)) => view! { <p class="field-error" role="alert">{format!("The document could not be loaded: {e}")}</p> }.into_any(),
    }
    }
}

#[component]
fn WrittenEditor(found: Option<(i64, WrittenText)>) -> impl IntoView {
    let editing = expect_context::<Editing>();
    let id = editing.id;
    let documents = editing.documents;
    let (doc_id, initial) = match found {
        Some((d, t)) => (Some(d), t),
        None => (
            None,
            WrittenText {
                name: "Document.md".into(),
                format: "markdown".into(),
                text: String::new(),
            },
        ),
    };
    let doc_id = RwSignal::new(doc_id);
    let name = RwSignal::new(initial.name.clone());
    let format = RwSignal::new(initial.format.clone());
    let text = RwSignal::new(initial.text.clone());
    // The text as last checked: follows the typing after a short pause.
    let checked_text = RwSignal::new(initial.text.clone());
    let saved_text = RwSignal::new(doc_id.get_untracked().map(|_| initial.text.clone()));
    let typed = move |value: String| {
        text.set(value);
        #[cfg(feature = "hydrate")]
        set_timeout(
            move || checked_text.set(text.get_untracked()),
            std::time::Duration::from_millis(350),
        );
        #[cfg(not(feature = "hydrate"))]
        checked_text.set(text.get_untracked());
    };
    // Checked in the browser only (the server renders "Checking…"), so the
    // preview never has to match between the two.
    let check = LocalResource::new(move || {
        let (f, t) = (format.get(), checked_text.get());
        async move { check_written(f, t).await }
    });
    let save = Action::new(move |_: &()| {
        let (doc, n, f, t) = (
            doc_id.get_untracked(),
            name.get_untracked(),
            format.get_untracked(),
            text.get_untracked(),
        );
        async move { save_written(id, doc, n, f, t).await }
    });
    Effect::new(move |_| {
        if let Some(Ok(view)) = save.value().get() {
            doc_id.set(Some(view.id));
            name.set(view.name.clone());
            saved_text.set(Some(text.get_untracked()));
            documents.update(|list| match list.iter_mut().find(|d| d.id == view.id) {
                Some(d) => *d = view.clone(),
                None => list.push(view.clone()),
            });
        }
    });
    let unsaved = move || saved_text.with(|s| s.as_deref() != Some(text.get().as_str()));
    let status = move || {
        if save.pending().get() {
            return view! { <span class="save-note" role="status">"Saving…"</span> }.into_any();
        }
        match save.value().get() {
            Some(Err(e)) => {
                // A refusal says what is wrong, not just that something is.
                let said = e
                    .fields()
                    .map(|f| f.errors.iter().map(|(_, m)| m.clone()).collect::<Vec<_>>().join(" "))
                    .filter(|m| !m.is_empty())
                    .unwrap_or_else(|| e.to_string());
                view! { <span class="save-note save-failed" role="alert">{said}</span> }.into_any()
            }
            _ if unsaved() && doc_id.get().is_some() => view! { <span class="save-note save-warn" role="status">"Changes not saved yet"</span> }.into_any(),
            _ if unsaved() => view! { <span class="save-note" role="status">"Not saved yet"</span> }.into_any(),
            _ => view! { <span class="save-note save-ok" role="status">"Saved"</span> }.into_any(),
        }
    };
    view! {
        <div class="written" aria-labelledby="written-title">
            <div class="card-head">
                <h3 id="written-title">"Write the document"</h3>
                {status}
            </div>
            <p class="muted small">
                "This service takes HTML or markdown instead of PDFs. Mark each field as "
                <code>"{signer/Label*/Type/Prefill}"</code>
                " (types: Text, Date, Signature, Email, Phone, Selection[a,b]; * = required; no prefill for signatures)."
            </p>
            <div class="form-row">
                <div class="field grow">
                    <label for="written-name">"Name"</label>
                    <input id="written-name" prop:value=move || name.get()
                        on:input=move |ev| name.set(event_target_value(&ev))/>
                </div>
                <div class="field">
                    <label for="written-format">"Format"</label>
                    <select id="written-format" on:change=move |ev| format.set(event_target_value(&ev))>
                        {FORMATS.iter().map(|(value, label)| {
                            let selected = *value == initial.format;
                            view! { <option value=*value selected=selected>{*label}</option> }
                        }).collect_view()}
                    </select>
                </div>
            </div>
            <div class="written-panes">
                <div class="field">
                    <label for="written-text">"Text"</label>
                    <textarea id="written-text" class="written-text" rows="16" spellcheck="true"
                        aria-describedby="written-problems"
                        prop:value=move || text.get()
                        on:input=move |ev| typed(event_target_value(&ev))>{initial.text.clone()}</textarea>
                    <Show when=move || text.with(String::is_empty)>
                        <button type="button" class="button button-quiet"
                            on:click=move |_| typed(EXAMPLE.to_string())>"Start from an example"</button>
                    </Show>
                </div>
                <div class="field">
                    <span class="label" id="written-preview-label">"Preview"</span>
                    {move || match check.get() {
                        None => view! { <p class="muted" role="status">"Checking…"</p> }.into_any(),
                        Some(r) => match r {
                            Ok(c) => {
                                let problems = c.problems.clone();
                                let ok = problems.is_empty();
                                let summary = match (c.fields, c.signers.len()) {
                                    (0, _) => "No fields yet.".to_string(),
                                    (f, s) => format!("{f} field{} for {s} signer{}: {}.",
                                        if f == 1 { "" } else { "s" },
                                        if s == 1 { "" } else { "s" },
                                        c.signers.iter().map(|n| format!("signer {n}")).collect::<Vec<_>>().join(", ")),
                                };
                                view! {
                                    <div class="written-preview" aria-labelledby="written-preview-label" inner_html=c.preview.clone()></div>
                                    <p class="muted small">{summary}</p>
                                    <ul id="written-problems" class="written-problems" aria-live="polite">
                                        {problems.into_iter().map(|p| view! {
                                            <li class="field-error">{format!("Line {}: {}", p.line, p.message)}</li>
                                        }).collect_view()}
                                    </ul>
                                    {ok.then(|| view! { <p class="field-ok small">"The service will take this document."</p> })}
                                }.into_any()
                            }
                            Err(e) => view! { <p class="field-error" role="alert">{e.to_string()}</p> }.into_any(),
                        },
                    }}
                </div>
            </div>
            <div class="actions">
                <button type="button" class="button button-primary"
                    disabled=move || save.pending().get() || !editing.can_edit
                    on:click=move |_| { save.dispatch(()); }>"Save document"</button>
            </div>
        </div>
    }
}
