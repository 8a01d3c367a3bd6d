use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_navigate;
use wasm_bindgen::JsCast;

use crate::api::requests::{new_draft, CreateRequest};
use crate::components::browser::upload_file;
use crate::components::feedback::ActionAlert;

/// One file on its way into the new draft.
#[derive(Clone, PartialEq)]
struct Sending {
    name: String,
    percent: f64,
    /// `None` while sending; then the server's answer.
    result: Option<Result<(), String>>,
}

/// A new request starts with its documents: dropping the first PDFs here
/// creates the draft, uploads them into it and opens it. Without
/// JavaScript (or without a document yet) the button creates an empty draft.
#[component]
pub fn NewRequestPage() -> impl IntoView {
    let create = ServerAction::<CreateRequest>::new();
    let draft = RwSignal::new(None::<i64>);
    let sending = RwSignal::new(Vec::<Sending>::new());
    let failed = RwSignal::new(None::<String>);
    let dragging = RwSignal::new(false);
    let navigate = use_navigate();
    let open_when_done = move || {
        let all = sending.get_untracked();
        let done = all.iter().all(|s| s.result.is_some());
        let ok = all.iter().all(|s| matches!(s.result, Some(Ok(()))));
        if let (true, true, Some(id)) = (done, ok, draft.get_untracked()) {
            navigate(&format!("/requests/{id}"), Default::default());
        }
    };
    let start = move |files: Vec<web_sys::File>| {
        if files.is_empty() || draft.get_untracked().is_some() {
            return;
        }
        sending.set(
            files
                .iter()
                .map(|f| Sending {
                    name: f.name(),
                    percent: 0.0,
                    result: None,
                })
                .collect(),
        );
        let open_when_done = open_when_done.clone();
        leptos::task::spawn_local(async move {
            let id = match new_draft().await {
                Ok(id) => id,
                Err(e) => {
                    sending.set(Vec::new());
                    failed.set(Some(e.to_string()));
                    return;
                }
            };
            draft.set(Some(id));
            for (i, file) in files.into_iter().enumerate() {
                let open_when_done = open_when_done.clone();
                upload_file(
                    &format!("/api/requests/{id}/documents"),
                    &file,
                    move |sent, total| {
                        sending.update(|l| {
                            if let Some(s) = l.get_mut(i) {
                                s.percent = if total > 0.0 {
                                    sent / total * 100.0
                                } else {
                                    0.0
                                };
                            }
                        })
                    },
                    move |answer| {
                        sending.update(|l| {
                            if let Some(s) = l.get_mut(i) {
                                s.result = Some(answer.map(|_| ()));
                            }
                        });
                        open_when_done();
                    },
                );
            }
        });
    };
    let files_of = |list: Option<web_sys::FileList>| -> Vec<web_sys::File> {
        let mut out = Vec::new();
        if let Some(list) = list {
            for i in 0..list.length() {
                if let Some(f) = list.get(i) {
                    out.push(f);
                }
            }
        }
        out
    };
    let start_pick = start.clone();
    let on_pick = move |ev: leptos::ev::Event| {
        if let Some(input) = ev
            .target()
            .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
        {
            start_pick(files_of(input.files()));
        }
    };
    let on_drop = move |ev: leptos::ev::DragEvent| {
        ev.prevent_default();
        dragging.set(false);
        start(files_of(ev.data_transfer().and_then(|d| d.files())));
    };
    view! {
        <Title text="New request"/>
        <div class="page-head">
            <h1>"New request"</h1>
        </div>
        <section class="card new-request" aria-labelledby="new-title">
            <h2 id="new-title">"Start with the documents to be signed"</h2>
            <div class="dropzone dropzone-large" class:dragging=move || dragging.get()
                on:dragover=move |ev: leptos::ev::DragEvent| { ev.prevent_default(); dragging.set(true); }
                on:dragleave=move |_| dragging.set(false)
                on:drop=on_drop>
                <p><strong>"Drop PDF files here"</strong>" or "</p>
                <label class="button" for="new-files">"Choose PDF files…"</label>
                <input id="new-files" class="file-input" type="file" accept="application/pdf,.pdf" multiple
                    on:change=on_pick disabled=move || draft.get().is_some()/>
                <p class="muted small">"A draft is made at once; everything you add is saved as you go."</p>
            </div>
            {move || failed.get().map(|m| view! { <p class="alert alert-error" role="alert">{m}</p> })}
            <ul class="uploads">
                {move || sending.get().into_iter().map(|s| {
                    let (status, bad) = match &s.result {
                        None if s.percent >= 100.0 => ("Checking the PDF…".to_string(), false),
                        None => (format!("Uploading… {:.0}%", s.percent), false),
                        Some(Ok(())) => ("Added".to_string(), false),
                        Some(Err(m)) => (m.clone(), true),
                    };
                    view! {
                        <li class="upload" class:upload-failed=bad>
                            <span class="upload-name">{s.name.clone()}</span>
                            {(!bad).then(|| view! {
                                <progress max="100" value=s.percent aria-label=format!("Upload of {}", s.name)></progress>
                            })}
                            <span class="upload-status" role=if bad { "alert" } else { "status" }>{status}</span>
                        </li>
                    }
                }).collect_view()}
            </ul>
            {move || {
                let some_failed = sending.with(|l| l.iter().any(|s| matches!(s.result, Some(Err(_)))));
                let all_done = sending.with(|l| l.iter().all(|s| s.result.is_some()));
                (some_failed && all_done).then(|| draft.get().map(|id| view! {
                    <p>"The other files are in the draft. "
                        <a class="button" href=format!("/requests/{id}")>"Open the draft"</a></p>
                })).flatten()
            }}
            <ol class="steps-preview">
                <li>"Documents: the PDFs to be signed"</li>
                <li>"Signers, and who gets a copy"</li>
                <li>"Fields: where each signer signs"</li>
                <li>"Details: title, language, expiry"</li>
                <li>"Send"</li>
            </ol>
            <ActionAlert value=create.value()/>
            <ActionForm action=create>
                <button type="submit" class="button button-quiet" disabled=move || create.pending().get()>
                    "Start without a document"
                </button>
            </ActionForm>
        </section>
    }
}
