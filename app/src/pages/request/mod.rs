//! The request page: the draft editor while preparing, then the progress
//! of sending and the signer links.

mod documents;
mod fields;
mod people;
mod send;
mod service;
mod settings;
mod steps;
mod tracking;
mod written;

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

use crate::api::requests::{get_request, DeleteRequest, DuplicateRequest};
use crate::components::feedback::{ActionAlert, ErrorPanel};
use crate::components::toast::{ToastArea, Toasts};
use crate::model::fit;
use crate::model::preflight::{Draft, Problem};
use crate::model::request::{DocumentView, Receiver, RequestStatus, RequestView, Settings, Signer};
use crate::model::service::ProviderKind;

/// What the editor's parts share: the draft as it is being edited.
#[derive(Clone, Copy)]
pub struct Editing {
    pub id: i64,
    pub can_edit: bool,
    pub settings: RwSignal<Settings>,
    pub signers: RwSignal<Vec<Signer>>,
    pub receivers: RwSignal<Vec<Receiver>>,
    pub documents: RwSignal<Vec<DocumentView>>,
    /// Reloads the whole request from the server.
    pub reload: RwSignal<u32>,
    /// The preflight of the draft as it is now (recomputed as staff type).
    pub problems: Memo<Vec<Problem>>,
    /// Notes such as "Signer removed · Undo".
    pub toasts: Toasts,
    /// A field to show and select in the builder (from a problem's link).
    pub focus_field: RwSignal<Option<(i64, String)>>,
    /// The signing service; what it can do shapes the editor.
    pub service: RwSignal<ProviderKind>,
}

impl Editing {
    /// The message for `target` when its value is not empty (missing values
    /// are listed under "Send" instead of shouting at every empty box),
    /// and whether it is an error (red) rather than a warning (amber).
    pub fn note(&self, target: String, filled: bool) -> Option<(String, bool)> {
        if !filled {
            return None;
        }
        self.problems.with(|p| {
            p.iter()
                .find(|p| p.target == target)
                .map(|p| (p.message.clone(), p.error))
        })
    }

    /// The message for `target` as a paragraph in the colour of its kind.
    pub fn note_view(&self, target: String, filled: bool) -> Option<AnyView> {
        self.note(target, filled).map(|(m, error)| {
            let class = if error {
                "field-error"
            } else {
                "field-warning"
            };
            view! { <p class=class>{m}</p> }.into_any()
        })
    }

    /// A display name for the signer with `key`: "1. Ann de Vries".
    pub fn signer_label(&self, key: &str) -> String {
        self.signers.with(|list| {
            list.iter()
                .enumerate()
                .find(|(_, s)| s.key == key)
                .map(|(i, s)| {
                    let name = if s.name.trim().is_empty() {
                        s.email.clone()
                    } else {
                        s.name.clone()
                    };
                    format!(
                        "{}. {}",
                        i + 1,
                        if name.is_empty() {
                            "Signer".into()
                        } else {
                            name
                        }
                    )
                })
                .unwrap_or_else(|| "Removed signer".into())
        })
    }
}

/// Saves the whole of `source` with `action`, one save at a time: a change
/// made while a save is under way is saved right after it, so answers can
/// never arrive out of order and undo a newer change.
pub struct Saver<T: Send + Sync + 'static> {
    pub action: Action<T, Result<(), crate::error::AppError>>,
    source: RwSignal<T>,
    dirty: StoredValue<bool>,
}

impl<T: Send + Sync + 'static> Clone for Saver<T> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<T: Send + Sync + 'static> Copy for Saver<T> {}

impl<T: Clone + Send + Sync + 'static> Saver<T> {
    pub fn new(action: Action<T, Result<(), crate::error::AppError>>, source: RwSignal<T>) -> Self {
        let dirty = StoredValue::new(false);
        let pending = action.pending();
        Effect::new(move |_| {
            if !pending.get() && dirty.get_value() {
                dirty.set_value(false);
                action.dispatch(source.get_untracked());
            }
        });
        Saver {
            action,
            source,
            dirty,
        }
    }

    /// Saves the current state now, or as soon as the save under way is done.
    pub fn request(&self) {
        if self.action.pending().get_untracked() {
            self.dirty.set_value(true);
        } else {
            self.action.dispatch(self.source.get_untracked());
        }
    }
}

/// "Saving…", "All changes saved" or what went wrong, for one part of the editor.
#[component]
pub fn SaveNote<T>(action: Action<T, Result<(), crate::error::AppError>>) -> impl IntoView
where
    T: Send + Sync + 'static,
{
    let pending = action.pending();
    let value = action.value();
    move || {
        if pending.get() {
            return view! { <span class="save-note" role="status">"Saving…"</span> }.into_any();
        }
        match value.get() {
            Some(Err(e)) => view! { <span class="save-note save-failed" role="alert">"Not saved: "{e.to_string()}</span> }.into_any(),
            Some(Ok(())) => view! { <span class="save-note save-ok" role="status">"All changes saved"</span> }.into_any(),
            None => view! { <span class="save-note"></span> }.into_any(),
        }
    }
}

#[component]
pub fn RequestPage() -> impl IntoView {
    let params = use_params_map();
    let id = move || {
        params
            .read()
            .get("id")
            .and_then(|v| v.parse::<i64>().ok())
            .unwrap_or(0)
    };
    let reload = RwSignal::new(0u32);
    let request = Resource::new(move || (id(), reload.get()), |(id, _)| get_request(id));
    view! {
        <Transition fallback=|| view! { <p class="muted">"Loading the request…"</p> }>
            <ErrorBoundary fallback=|errors| view! { <ErrorPanel errors/> }>
                {move || request.get().map(|r| r.map(|view| view! { <Editor view reload/> }.into_any()))}
            </ErrorBoundary>
        </Transition>
    }
}

#[component]
fn Editor(view: RequestView, reload: RwSignal<u32>) -> impl IntoView {
    let settings = RwSignal::new(view.settings.clone());
    let signers = RwSignal::new(view.signers.clone());
    let receivers = RwSignal::new(view.receivers.clone());
    let documents = RwSignal::new(view.documents.clone());
    let service = RwSignal::new(view.service);
    let problems = Memo::new(move |_| {
        let today = chrono::Utc::now().date_naive().to_string();
        settings.with(|settings| {
            signers.with(|signers| {
                receivers.with(|receivers| {
                    documents.with(|documents| {
                        let draft = Draft {
                            settings,
                            signers,
                            receivers,
                            documents,
                            today: &today,
                        };
                        fit::preflight(&draft, service.get())
                    })
                })
            })
        })
    });
    let editing = Editing {
        id: view.id,
        can_edit: view.can_edit,
        settings,
        signers,
        receivers,
        documents,
        reload,
        problems,
        toasts: Toasts::provide(),
        focus_field: RwSignal::new(None),
        service,
    };
    provide_context(editing);
    // While the request is being sent, follow the worker's progress.
    if view.status == RequestStatus::Starting {
        Effect::new(move |_| {
            set_timeout(
                move || reload.update(|n| *n += 1),
                std::time::Duration::from_millis(1000),
            );
        });
    }
    // While news can still come (signers, the archive), show it as it comes.
    let archived = view.tracking.as_ref().is_some_and(|t| t.archived);
    if view.status == RequestStatus::Waiting || (view.status == RequestStatus::Signed && !archived)
    {
        follow_changes(view.id, view.updated_at, reload);
    }
    let title = move || {
        let t = editing.settings.with(|s| s.title.clone());
        if t.trim().is_empty() {
            "Untitled request".to_string()
        } else {
            t
        }
    };
    let status = view.status;
    let sent = !status.is_editable();
    view! {
        <Title text=title/>
        <ToastArea toasts=editing.toasts/>
        <div class="page-head">
            <div>
                <p class="muted small"><a href="/">"Requests"</a>" / Request "{view.id}</p>
                <h1>{title}</h1>
                <p class="muted small">
                    <span class=status.badge()>{status.label()}</span>
                    " Owner: "{view.owner_name.clone()}
                </p>
                <service::ServicePicker offered=view.services.clone() can_edit=view.can_edit && !sent/>
            </div>
            <RequestActions id=view.id can_delete=view.can_edit/>
        </div>
        <send::Progress view=view.clone()/>
        {if sent {
            // Once sent, what was sent stays available but out of the way.
            view! {
                <details class="card as-sent">
                    <summary>"Details, signers, documents and fields as sent"</summary>
                    <Parts can_edit=false max_upload_bytes=view.max_upload_bytes/>
                </details>
            }
            .into_any()
        } else {
            view! {
                <steps::Stepper/>
                <Parts can_edit=view.can_edit max_upload_bytes=view.max_upload_bytes/>
                <send::SendCard status/>
                {view.can_edit.then(|| view! { <steps::SendBar/> })}
            }
            .into_any()
        }}
    }
}

/// Asks every few seconds whether the request changed since `seen`, and
/// reloads it when it did (only the small answer travels while nothing happens).
fn follow_changes(id: i64, seen: chrono::DateTime<chrono::Utc>, reload: RwSignal<u32>) {
    #[cfg(feature = "hydrate")]
    {
        use crate::api::requests::request_changed_at;
        let asking = StoredValue::new(false);
        let handle = set_interval_with_handle(
            move || {
                if asking.get_value() {
                    return;
                }
                asking.set_value(true);
                leptos::task::spawn_local(async move {
                    let changed = matches!(request_changed_at(id).await, Ok(at) if at != seen);
                    asking.set_value(false);
                    if changed {
                        reload.update(|n| *n += 1);
                    }
                });
            },
            std::time::Duration::from_secs(3),
        )
        .ok();
        on_cleanup(move || {
            if let Some(h) = handle {
                h.clear();
            }
        });
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = (id, seen, reload);
}

/// The editable parts of a request (read-only once sent or for other staff),
/// in the order of the steps.
#[component]
fn Parts(can_edit: bool, max_upload_bytes: u64) -> impl IntoView {
    view! {
        <fieldset class="editor" disabled=!can_edit>
            <legend class="visually-hidden">"Documents and people"</legend>
            <documents::DocumentsCard max_upload_bytes/>
            <people::SignersCard/>
            <people::ReceiversCard/>
        </fieldset>
        <fields::FieldsCard/>
        <fieldset class="editor" disabled=!can_edit>
            <legend class="visually-hidden">"Request details"</legend>
            <settings::SettingsCard/>
        </fieldset>
    }
}

#[component]
fn RequestActions(id: i64, can_delete: bool) -> impl IntoView {
    let delete = ServerAction::<DeleteRequest>::new();
    view! {
        <div class="head-actions">
            <ActionAlert value=delete.value()/>
            <DuplicateForm id label="Duplicate" class="button button-quiet"/>
            {can_delete.then(|| view! {
                <details class="confirm">
                    <summary class="button button-quiet button-quiet-danger">"Delete draft"</summary>
                    <div class="confirm-body">
                        <p>"Delete this draft and its documents? This cannot be undone."</p>
                        <ActionForm action=delete>
                            <input type="hidden" name="id" value=id/>
                            <button type="submit" class="button button-danger">"Yes, delete it"</button>
                        </ActionForm>
                    </div>
                </details>
            })}
        </div>
    }
}

/// Copies the request into a new draft of one's own and opens it.
#[component]
pub fn DuplicateForm(id: i64, label: &'static str, class: &'static str) -> impl IntoView {
    let duplicate = ServerAction::<DuplicateRequest>::new();
    view! {
        <ActionAlert value=duplicate.value()/>
        <ActionForm action=duplicate>
            <input type="hidden" name="id" value=id/>
            <button type="submit" class=class>{label}</button>
        </ActionForm>
    }
}
