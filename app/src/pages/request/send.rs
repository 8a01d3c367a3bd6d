//! Before sending: the preflight and the start button. After: the progress
//! of sending and, in the direct flow, the signer links.

use leptos::prelude::*;

use super::Editing;
use crate::api::requests::StartRequest;
use crate::components::browser::{origin, origin_signal, CopyButton};
use crate::components::feedback::ActionAlert;
use crate::model::preflight::has_errors;
use crate::model::request::{Flow, RequestStatus, RequestView};

#[component]
pub fn SendCard(status: RequestStatus) -> impl IntoView {
    let editing = expect_context::<Editing>();
    let start = ServerAction::<StartRequest>::new();
    // Once recorded, show the progress.
    Effect::new(move |_| {
        if matches!(start.value().get(), Some(Ok(()))) {
            editing.reload.update(|n| *n += 1);
        }
    });
    let problems = editing.problems;
    let errors = move || problems.with(|p| has_errors(p));
    let warnings = move || problems.with(|p| p.iter().any(|p| !p.error));
    let flow = move || editing.settings.with(|s| s.flow);
    let service = move || editing.service.get().label();
    view! {
        <section class="card" id="step-send" aria-labelledby="send-title">
            <div class="card-head">
                <h2 id="send-title">"5. Send"</h2>
            </div>
            {move || {
                let list = problems.get();
                if list.is_empty() {
                    view! { <p class="alert alert-ok" role="status">"Everything is ready to send."</p> }.into_any()
                } else {
                    view! {
                        <ul class="problems">
                            {list.into_iter().map(|p| {
                                let target = p.target.clone();
                                view! {
                                    <li class=if p.error { "problem problem-error" } else { "problem problem-warning" }>
                                        <span class="visually-hidden">{if p.error { "Error: " } else { "Warning: " }}</span>
                                        {p.message}" "
                                        <button type="button" class="link-button" on:click=move |_| super::steps::go_to(editing, &target)>
                                            "Go there"
                                        </button>
                                    </li>
                                }
                            }).collect_view()}
                        </ul>
                    }.into_any()
                }
            }}
            <p class="muted">
                {move || match flow() {
                    Flow::Invite => format!("{} will email each signer an invitation.", service()),
                    Flow::Direct => "You will get a signing link for each signer to hand out.".to_string(),
                }}
            </p>
            <ActionAlert value=start.value()/>
            <ActionForm action=start attr:class="send-form" attr:id="send-form">
                <input type="hidden" name="id" value=editing.id/>
                <Show when=move || warnings() && !errors()>
                    <label class="choice" for="accept_warnings">
                        <input type="checkbox" id="accept_warnings" name="accept_warnings" value="on"/>
                        "I have read the warnings; send anyway"
                    </label>
                </Show>
                <button type="submit" class="button button-primary"
                    disabled=move || errors() || start.pending().get() || !editing.can_edit>
                    {if status == RequestStatus::Failed { "Send again" } else { "Send for signing" }}
                </button>
            </ActionForm>
        </section>
    }
}

/// A `mailto:` that writes the signer a message with their link (the
/// caller appends the link, escaped).
fn mailto(signers: &[crate::model::request::Signer], key: &str, title: &str) -> Option<String> {
    let s = signers.iter().find(|s| s.key == key)?;
    if s.email.is_empty() {
        return None;
    }
    let subject = if title.trim().is_empty() {
        "Please sign".to_string()
    } else {
        format!("Please sign: {title}")
    };
    let body = "Please review and sign the document here: ";
    const ADDRESS: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
        .remove(b'@')
        .remove(b'.')
        .remove(b'-')
        .remove(b'_');
    Some(format!(
        "mailto:{}?subject={}&body={}",
        percent_encoding::utf8_percent_encode(&s.email, ADDRESS),
        crate::model::url::escape(&subject),
        crate::model::url::escape(body)
    ))
}

/// The progress of sending, the failure message, or the signer links.
#[component]
pub fn Progress(view: RequestView) -> impl IntoView {
    let editing = expect_context::<Editing>();
    let service = view.service.label();
    let steps = view.service.send_steps();
    match view.status {
        RequestStatus::Draft => ().into_any(),
        RequestStatus::Failed => view! {
            <section class="alert alert-error" role="alert">
                <h2>{format!("{service} did not accept this request")}</h2>
                <p title=view.failure.clone().unwrap_or_default()>{
                    let names: Vec<String> = view.signers.iter().map(|s| {
                        if s.name.trim().is_empty() { s.email.clone() } else { s.name.clone() }
                    }).collect();
                    crate::model::tracking::name_signers(&view.failure.clone().unwrap_or_default(), &names)
                }</p>
                <p>"Change what is needed below and send it again."</p>
            </section>
        }
        .into_any(),
        RequestStatus::Starting => {
            let progress = view.progress.clone();
            let current = progress
                .as_ref()
                .map(|p| p.step.clone())
                .unwrap_or_else(|| steps[0].0.into());
            let index = steps.iter().position(|(s, _)| *s == current).unwrap_or(0);
            view! {
                <section class="card progress-card" aria-labelledby="progress-title">
                    <h2 id="progress-title">{format!("Sending to {service}…")}</h2>
                    <ol class="step-list">
                        {steps.iter().enumerate().map(|(i, (_, label))| {
                            let class = if i < index { "step step-done" } else if i == index { "step step-current" } else { "step" };
                            let state = if i < index { " (done)" } else if i == index { " (in progress)" } else { "" };
                            view! { <li class=class>{*label}<span class="muted small">{state}</span></li> }
                        }).collect_view()}
                    </ol>
                    {progress.and_then(|p| p.last_error.map(|e| view! {
                        <p class="alert alert-warn" role="status">
                            {format!("{service} did not answer (attempt {}); the portal keeps trying automatically. ", p.attempts)}
                            <span class="muted small">{e}</span>
                        </p>
                    }))}
                </section>
            }
            .into_any()
        }
        status if status.is_final() => view! { <super::tracking::TrackingPanel view/> }.into_any(),
        _ => {
            let direct = view.settings.flow == Flow::Direct;
            let links = view.links.clone();
            view! {
                <section class="card" aria-labelledby="waiting-title">
                    <h2 id="waiting-title">"Waiting for signers"</h2>
                    {if direct {
                        view! {
                            <p>"Give each signer their own link. The link always leads to their current signing page."</p>
                            <ul class="links">
                                {links.into_iter().map(|l| {
                                    let who = editing.signer_label(&l.signer_key);
                                    let path = l.path.clone();
                                    let input_id = format!("link-{}", l.signer_key);
                                    let full = Signal::derive(move || format!("{}{}", origin(), path));
                                    view! {
                                        <li class="link-row">
                                            <label for=input_id.clone()>{format!("Signing link for {who}")}</label>
                                            <input id=input_id readonly value=l.path.clone() prop:value=full/>
                                            <CopyButton text=full/>
                                            <a class="button button-quiet" href=l.path.clone() target="_blank" rel="noopener">"Sign now on this device"</a>
                                            {mailto(&view.signers, &l.signer_key, &view.settings.title).map(|m| {
                                                let path = l.path.clone();
                                                let base = origin_signal();
                                                view! {
                                                    <a class="button button-quiet" rel="external"
                                                        href=move || format!("{m}{}", crate::model::url::escape(&format!("{}{}", base.get(), path)))>"Email the link"</a>
                                                }
                                            })}
                                        </li>
                                    }
                                }).collect_view()}
                            </ul>
                        }.into_any()
                    } else {
                        let remind = match view.settings.remind_days {
                            0 => format!("{service} sends no reminders for this request."),
                            1 => format!("{service} reminds the signers who have not signed every day."),
                            n => format!("{service} reminds the signers who have not signed every {n} days."),
                        };
                        view! {
                            <p>{format!("{service} has emailed the signers. You will see their progress here.")}</p>
                            <p class="muted small">{remind}{format!(" {service} cannot send a reminder on request.")}</p>
                        }.into_any()
                    }}
                </section>
                <super::tracking::TrackingPanel view=view.clone()/>
            }
            .into_any()
        }
    }
}
