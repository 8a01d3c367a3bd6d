//! A sent request: signer progress, the timeline in words, the archived
//! files with their SHA-256, the postbacks received, the audit log, and the
//! actions (cancel; delete at Signhost once archived).

use leptos::prelude::*;

use super::Editing;
use crate::api::requests::{CancelRequest, CorrectRequest, PurgeRequest};
use crate::components::feedback::ActionAlert;
use crate::components::files::FileLink;
use crate::components::time::LocalTime;
use crate::model::request::{format_size, RequestStatus, RequestView};
use crate::model::tracking::{signer_badge, Tracking};

#[component]
pub fn TrackingPanel(view: RequestView) -> impl IntoView {
    let editing = expect_context::<Editing>();
    let t: Tracking = view.tracking.clone().unwrap_or_default();
    let id = view.id;
    let total = view.signers.len();
    let signed = t.signers.iter().filter(|s| s.status == "signed").count();
    let status = view.status;
    let summary = match status {
        RequestStatus::Waiting => format!("{signed} of {total} signed"),
        RequestStatus::Signed if t.archived => "Signed and archived".to_string(),
        RequestStatus::Signed => "Signed; archiving the documents…".to_string(),
        other => other.label().to_string(),
    };
    view! {
        <section class="card" aria-labelledby="tracking-title">
            <div class="card-head">
                <h2 id="tracking-title">"Progress"</h2>
                <span class=status.badge()>{summary}</span>
            </div>
            {t.quiet_warning.clone().map(|w| view! { <p class="alert alert-warn" role="status">{w}</p> })}
            {t.retention_warning.clone().map(|w| view! { <p class="alert alert-warn" role="status">{w}</p> })}
            <ul class="signer-progress">
                {view.signers.iter().enumerate().map(|(i, s)| {
                    let state = t.signers.get(i).cloned().unwrap_or_default();
                    let (class, label) = signer_badge(&state.status, status);
                    let who = editing.signer_label(&s.key);
                    view! {
                        <li>
                            <strong>{who}</strong>" "<span class="muted small">{s.email.clone()}</span>" "
                            <span class=class>{label}</span>
                            {state.reason.clone().map(|r| view! { <span class="small">" “"{r}"”"</span> })}
                        </li>
                    }
                }).collect_view()}
            </ul>
            <Files id files=t.files.clone() archived=t.archived/>
            <h3>"Timeline"</h3>
            {if t.timeline.is_empty() {
                view! { <p class="muted">"Nothing has happened yet."</p> }.into_any()
            } else {
                view! {
                    <ol class="timeline">
                        {t.timeline.iter().map(|e| {
                            let who = (!e.who.is_empty()).then(|| view! { <strong>{e.who.clone()}</strong>" " });
                            view! {
                                <li class=format!("tone-{}", if e.tone.is_empty() { "info" } else { &e.tone })>
                                    <span class="muted small"><LocalTime at=e.at.clone()/></span>" "{who}{e.what.clone()}
                                </li>
                            }
                        }).collect_view()}
                    </ol>
                }.into_any()
            }}
            <details class="more">
                <summary>{format!("Technical details: {} messages from {}, audit log ({})", t.postbacks.len(), view.service.label(), t.audit.len())}</summary>
                <h4>{format!("Messages from {}", view.service.label())}</h4>
                <ul class="plain-list small">
                    {t.postbacks.iter().map(|p| {
                        let code = p.hint.as_ref().map(|s| format!("{} status {s}", p.service)).unwrap_or_else(|| "no status".into());
                        view! {
                            <li>
                                <LocalTime at=p.received_at.to_rfc3339()/>" · "
                                <span title=code>{postback_words(&p.service, p.claimed, &p.state)}</span>
                                {p.reason.clone().map(|r| view! { <span class="muted">" ("{r}")"</span> })}
                            </li>
                        }
                    }).collect_view()}
                </ul>
                <h4>"Audit log"</h4>
                <ul class="plain-list small">
                    {t.audit.iter().map(|a| view! {
                        <li><LocalTime at=a.at.to_rfc3339()/>" · "{a.who.clone()}" · "{a.action.clone()}
                            {(!a.detail.is_empty()).then(|| format!(": {}", a.detail))}</li>
                    }).collect_view()}
                </ul>
            </details>
            {view.can_manage.then(|| view! { <Actions id status archived=t.archived/> })}
        </section>
    }
}

/// A postback in words: what Signhost said, and what the portal did with it.
fn postback_words(service: &str, claimed: Option<RequestStatus>, state: &str) -> String {
    let said = match claimed {
        Some(s) => s.label().to_lowercase(),
        None => "no status".into(),
    };
    let done = match state {
        "applied" => "applied",
        "duplicate" => "already known, nothing new",
        "received" => "waiting to be processed",
        "quarantined" => "not trusted (failed the checks), kept aside",
        "unknown" => "for no request of this portal",
        "ignored" => "nothing to act on",
        other => other,
    };
    format!("{service}: {said} · {done}")
}

#[component]
fn Files(
    id: i64,
    files: Vec<crate::model::tracking::ArchivedFile>,
    archived: bool,
) -> impl IntoView {
    if files.is_empty() {
        return ().into_any();
    }
    let heading = if files.iter().any(|f| f.kind == "receipt") {
        "Signed documents and receipt"
    } else {
        "Signed documents"
    };
    view! {
        <h3>{heading}</h3>
        <ul class="files">
            {files.into_iter().map(|f| {
                let kind = if f.kind == "receipt" { "Receipt" } else { "Signed" };
                view! {
                    <li>
                        <FileLink href=format!("/requests/{id}/archive/{}", f.id)>{f.name.clone()}</FileLink>
                        " "<span class="badge">{kind}</span>" "<span class="muted small">{format_size(f.size)}</span>
                        <details class="hash small"><summary>"SHA-256"</summary><code>{f.sha256.clone()}</code></details>
                    </li>
                }
            }).collect_view()}
        </ul>
        {archived.then(|| view! {
            <p><FileLink class="button" href=format!("/requests/{id}/evidence.zip")>"Download the evidence bundle (zip)"</FileLink></p>
        })}
    }
    .into_any()
}

#[component]
fn Actions(id: i64, status: RequestStatus, archived: bool) -> impl IntoView {
    let cancel = ServerAction::<CancelRequest>::new();
    let purge = ServerAction::<PurgeRequest>::new();
    let editing = expect_context::<Editing>();
    let service = editing.service.get_untracked();
    let (label, caps) = (service.label(), service.capabilities());
    Effect::new(move |_| {
        if matches!(cancel.value().get(), Some(Ok(())))
            || matches!(purge.value().get(), Some(Ok(())))
        {
            editing.reload.update(|n| *n += 1);
        }
    });
    let correct = ServerAction::<CorrectRequest>::new();
    let ended_unsigned = matches!(
        status,
        RequestStatus::Rejected
            | RequestStatus::Expired
            | RequestStatus::Cancelled
            | RequestStatus::Broken
    );
    view! {
        <ActionAlert value=cancel.value()/>
        <ActionAlert value=correct.value()/>
        <ActionAlert value=purge.value() success=format!("Deleted at {label}. The portal keeps the archive.")/>
        {ended_unsigned.then(|| view! {
            <div class="follow-up">
                <p>"Send it again with what needs to change: a copy opens as a new draft, with the same documents, signers and fields."</p>
                <super::DuplicateForm id label="Fix and send again" class="button"/>
            </div>
        })}
        {(status == RequestStatus::Waiting).then(|| view! {
            <details class="confirm-inline">
                <summary class="button button-quiet">"Correct a signer or the expiry…"</summary>
                <p>{label}" does not change a request once it is sent. The portal cancels this one (the signers are told, with your reason) and opens a copy for you to correct and send."</p>
                <ActionForm action=correct attr:class="form">
                    <input type="hidden" name="id" value=id/>
                    <div class="field">
                        <label for="correct-reason">"Reason the signers see"</label>
                        <input id="correct-reason" name="reason" maxlength="500" value="A corrected request follows."/>
                    </div>
                    <button type="submit" class="button">"Cancel and correct a copy"</button>
                </ActionForm>
            </details>
        })}
        {(status == RequestStatus::Waiting && caps.cancel).then(|| view! {
            <details class="confirm-inline">
                <summary class="button button-danger">"Cancel this request…"</summary>
                <ActionForm action=cancel attr:class="form">
                    <input type="hidden" name="id" value=id/>
                    <div class="field">
                        <label for="cancel-reason">"Reason (signers may see it)"</label>
                        <input id="cancel-reason" name="reason" required maxlength="500"/>
                    </div>
                    <label class="choice" for="cancel-notify">
                        <input type="checkbox" id="cancel-notify" name="notify" value="on"/>
                        "Email the signers that it was cancelled"
                    </label>
                    <button type="submit" class="button button-danger">"Yes, cancel the request"</button>
                </ActionForm>
            </details>
        })}
        {(status.is_final() && archived && caps.purge).then(|| view! {
            <details class="confirm-inline">
                <summary class="button button-quiet">{format!("Delete at {label}…")}</summary>
                <p>{format!("{label} deletes its copy. The portal keeps the signed documents, receipt and history.")}</p>
                <ActionForm action=purge>
                    <input type="hidden" name="id" value=id/>
                    <button type="submit" class="button button-danger">{format!("Yes, delete at {label}")}</button>
                </ActionForm>
            </details>
        })}
    }
}
