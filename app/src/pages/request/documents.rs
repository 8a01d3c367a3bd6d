//! Documents: upload by drag-and-drop or file picker with a progress bar
//! per file, or, for a service that takes markup instead of PDFs, a
//! document written in the portal (`written`); rename, reorder, remove.

use leptos::prelude::*;
use wasm_bindgen::JsCast;

use super::{Editing, SaveNote};
use crate::api::requests::change_document;
use crate::components::browser::upload_file;
use crate::components::files::{FileLink, OpenFileLink};
use crate::model::request::format_size;
use crate::model::service::DocKind;

#[derive(Debug, Clone, PartialEq)]
enum UploadState {
    Sending,
    Checking,
    Done,
    Failed(String),
}

#[derive(Debug, Clone, PartialEq)]
struct Upload {
    n: u32,
    name: String,
    sent: f64,
    total: f64,
    state: UploadState,
}

#[component]
pub fn DocumentsCard(max_upload_bytes: u64) -> impl IntoView {
    let editing = expect_context::<Editing>();
    let id = editing.id;
    let documents = editing.documents;
    let uploads = RwSignal::new(Vec::<Upload>::new());
    let counter = StoredValue::new(0u32);
    let dragging = RwSignal::new(false);

    let set_upload = move |n: u32, apply: Box<dyn FnOnce(&mut Upload)>| {
        uploads.update(|l| {
            if let Some(u) = l.iter_mut().find(|u| u.n == n) {
                apply(u);
            }
        });
    };
    let send = move |file: web_sys::File| {
        let n = counter.get_value() + 1;
        counter.set_value(n);
        let total = file.size();
        uploads.update(|l| {
            l.push(Upload {
                n,
                name: file.name(),
                sent: 0.0,
                total,
                state: UploadState::Sending,
            })
        });
        if total > max_upload_bytes as f64 {
            let message = format!(
                "This file is {}; a document may be at most {}.",
                format_size(total as i64),
                format_size(max_upload_bytes as i64)
            );
            set_upload(n, Box::new(move |u| u.state = UploadState::Failed(message)));
            return;
        }
        upload_file(
            &format!("/api/requests/{id}/documents"),
            &file,
            move |sent, total| {
                set_upload(
                    n,
                    Box::new(move |u| {
                        u.sent = sent;
                        u.total = total.max(u.total);
                        if sent >= total {
                            u.state = UploadState::Checking;
                        }
                    }),
                )
            },
            move |answer| match answer {
                Ok(doc) => {
                    documents.update(|d| d.push(doc));
                    set_upload(
                        n,
                        Box::new(|u| {
                            u.sent = u.total;
                            u.state = UploadState::Done
                        }),
                    );
                }
                Err(message) => {
                    set_upload(n, Box::new(move |u| u.state = UploadState::Failed(message)))
                }
            },
        );
    };
    let send_all = move |files: Option<web_sys::FileList>| {
        if let Some(files) = files {
            for i in 0..files.length() {
                if let Some(file) = files.get(i) {
                    send(file);
                }
            }
        }
    };
    let on_pick = move |ev: leptos::ev::Event| {
        if let Some(input) = ev
            .target()
            .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
        {
            send_all(input.files());
            input.set_value("");
        }
    };
    let on_drop = move |ev: leptos::ev::DragEvent| {
        ev.prevent_default();
        dragging.set(false);
        if editing.can_edit {
            send_all(ev.data_transfer().and_then(|d| d.files()));
        }
    };
    let limit = format_size(max_upload_bytes as i64);
    let missing = move || {
        editing
            .problems
            .with(|p| p.iter().any(|p| p.target == "documents"))
    };
    // A service that takes no PDFs gets a written document instead.
    let takes_pdf = move || {
        editing
            .service
            .get()
            .capabilities()
            .document_kinds
            .contains(&DocKind::Pdf)
    };
    view! {
        <section class="card" id="step-documents" aria-labelledby="documents-title">
            <div class="card-head">
                <h2 id="documents-title">"1. Documents"</h2>
            </div>
            <Show when=move || !takes_pdf()>
                <super::written::WrittenCard/>
            </Show>
            <Show when=takes_pdf>
            <div class="dropzone" class:dragging=move || dragging.get()
                on:dragover=move |ev: leptos::ev::DragEvent| { ev.prevent_default(); dragging.set(true); }
                on:dragleave=move |_| dragging.set(false)
                on:drop=on_drop>
                <p><strong>"Drag PDF files here"</strong>" or "</p>
                <label class="button" for="document-files">"Choose files…"</label>
                <input id="document-files" class="file-input" type="file" multiple accept="application/pdf,.pdf" on:change=on_pick/>
                <p class="muted small">"PDF only, at most "{limit.clone()}" each. Files are checked before they are added."</p>
            </div>
            </Show>
            <ul class="uploads" aria-live="polite">
                {move || uploads.get().into_iter().filter(|u| u.state != UploadState::Done).map(|u| {
                    let percent = if u.total > 0.0 { (u.sent / u.total * 100.0).round() } else { 0.0 };
                    let (status, failed) = match &u.state {
                        UploadState::Sending => (format!("Uploading… {percent}%"), false),
                        UploadState::Checking => ("Checking the PDF…".to_string(), false),
                        UploadState::Done => ("Added".to_string(), false),
                        UploadState::Failed(m) => (m.clone(), true),
                    };
                    let n = u.n;
                    view! {
                        <li class="upload" class:upload-failed=failed>
                            <span class="upload-name">{u.name.clone()}</span>
                            {(!failed).then(|| view! {
                                <progress max="100" value=percent aria-label=format!("Upload of {}", u.name)></progress>
                            })}
                            <span class="upload-status" role=if failed { "alert" } else { "status" }>{status}</span>
                            {failed.then(|| view! {
                                <button type="button" class="button button-quiet"
                                    on:click=move |_| uploads.update(|l| l.retain(|x| x.n != n))>"Dismiss"</button>
                            })}
                        </li>
                    }
                }).collect_view()}
            </ul>
            <DocumentList/>
            <Show when=move || documents.with(Vec::is_empty)>
                <p class="empty-note" class:attention=missing>
                    {move || if takes_pdf() { "No documents yet. Add the PDFs to be signed." } else { "No document saved yet. Write it above and save it." }}
                </p>
            </Show>
        </section>
    }
}

#[component]
fn DocumentList() -> impl IntoView {
    let editing = expect_context::<Editing>();
    let id = editing.id;
    let documents = editing.documents;
    let change = Action::new(move |(doc, action, name): &(i64, String, Option<String>)| {
        let (doc, action, name) = (*doc, action.clone(), name.clone());
        async move { change_document(id, doc, action, name).await }
    });
    // Apply locally at once, and on the server.
    let apply = move |doc: i64, action: &'static str, name: Option<String>| {
        documents.update(|list| match action {
            "remove" => list.retain(|d| d.id != doc),
            "rename" => {
                if let (Some(d), Some(n)) = (list.iter_mut().find(|d| d.id == doc), name.clone()) {
                    d.name = n.trim().to_string();
                }
            }
            _ => {
                if let Some(i) = list.iter().position(|d| d.id == doc) {
                    let j = if action == "up" {
                        i.checked_sub(1)
                    } else {
                        Some(i + 1)
                    };
                    if let Some(j) = j.filter(|j| *j < list.len()) {
                        list.swap(i, j);
                        let (a, b) = (list[i].position, list[j].position);
                        list[i].position = b;
                        list[j].position = a;
                    }
                }
            }
        });
        change.dispatch((doc, action.to_string(), name));
    };
    view! {
        <Show when=move || documents.with(|d| !d.is_empty())>
            <div class="card-head"><h3>"Added documents"</h3><SaveNote action=change/></div>
        </Show>
        <ol class="documents">
            <For each=move || documents.get() key=|d| d.id let:doc>
                {
                    let doc_id = doc.id;
                    let input_id = format!("document-{doc_id}-name");
                    let pages = doc.pages.len();
                    let rotated = doc.pages.iter().filter(|p| p.rotate != 0).count();
                    let kind = match &doc.markup {
                        Some(m) => format!("{} · {} field{}", if m.format == "html" { "HTML" } else { "Markdown" }, m.fields, if m.fields == 1 { "" } else { "s" }),
                        None => format!("{pages} page{}", if pages == 1 { "" } else { "s" }),
                    };
                    let name = doc.name.clone();
                    view! {
                        <li class="document">
                            <div class="field">
                                <label for=input_id.clone() class="visually-hidden">"Name of the document"</label>
                                <input id=input_id value=doc.name.clone()
                                    on:change=move |ev| apply(doc_id, "rename", Some(event_target_value(&ev)))/>
                            </div>
                            <span class="muted small">
                                {kind}
                                {(rotated > 0).then(|| format!(", {rotated} rotated"))}
                                " · "{format_size(doc.size)}
                                " · "<OpenFileLink href=format!("/requests/{id}/documents/{doc_id}/pdf")>"Open"</OpenFileLink>
                                " · "<FileLink href=format!("/requests/{id}/documents/{doc_id}/pdf")>"Download"</FileLink>
                            </span>
                            <div class="row-actions">
                                <button type="button" class="button button-quiet" aria-label=format!("Move {name} up")
                                    on:click=move |_| apply(doc_id, "up", None)>"↑"</button>
                                <button type="button" class="button button-quiet" aria-label=format!("Move {name} down")
                                    on:click=move |_| apply(doc_id, "down", None)>"↓"</button>
                                <details class="confirm">
                                    <summary class="button button-quiet" aria-label=format!("Remove {name}")>"Remove"</summary>
                                    <div class="confirm-body" role="group" aria-label=format!("Remove {name}?")>
                                        <p>{format!("Remove “{name}” ({size}){fields}? This cannot be undone.",
                                            size = format_size(doc.size),
                                            fields = match doc.fields.len() { 0 => String::new(), 1 => " and its field".into(), n => format!(" and its {n} fields") })}</p>
                                        <button type="button" class="button button-danger"
                                            on:click=move |_| apply(doc_id, "remove", None)>"Yes, remove it"</button>
                                    </div>
                                </details>
                            </div>
                        </li>
                    }
                }
            </For>
        </ol>
    }
}
