use leptos::prelude::*;
use leptos_meta::Title;

use crate::api::postbacks::{list_postbacks, ReplayPostback};
use crate::components::feedback::{ActionAlert, ErrorPanel};
use crate::model::tracking::{Inbox, InboxEntry};
use leptos_router::hooks::use_query_map;

/// Admin page: every postback Signhost sent, what became of it, and replay.
#[component]
pub fn PostbacksPage() -> impl IntoView {
    let replay = ServerAction::<ReplayPostback>::new();
    let query = use_query_map();
    let view = move || query.with(|q| q.get("view"));
    let list = Resource::new(
        move || (replay.version().get(), view()),
        |(_, view)| list_postbacks(view),
    );
    view! {
        <Title text="Postbacks"/>
        <div class="page-head">
            <h1>"Postbacks"</h1>
        </div>
        <p class="muted">
            "Every message a signing service sent to this portal, newest first. Quarantined ones were never applied: "
            "a wrong checksum or signature, an unknown request, a body that cannot be read, or one too large. "
            "Replaying processes a stored message again (the portal always asks the service for the truth first)."
        </p>
        <ActionAlert value=replay.value() success="Queued again; it is processed in a moment."/>
        <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
            <ErrorBoundary fallback=|errors| view! { <ErrorPanel errors/> }>
                {move || list.get().map(|r| r.map(|inbox| {
                    let rows = inbox.entries.clone();
                    view! { <Parts inbox/><InboxTable rows replay/> }
                }))}
            </ErrorBoundary>
        </Transition>
    }
}

/// Links to each part of the inbox, with its size.
#[component]
fn Parts(inbox: Inbox) -> impl IntoView {
    let link = |view: &'static str, label: String, current: &str| {
        let here = view == current;
        view! {
            <a href=format!("/postbacks?view={view}") class:active=here aria-current=here.then_some("page")>{label}</a>
        }
    };
    let current = inbox.view.clone();
    view! {
        <nav class="filters inbox-parts" aria-label="Which postbacks">
            {link("authentic", format!("Authentic ({})", inbox.authentic), &current)}
            {link("quarantined", format!("Quarantined ({})", inbox.quarantined), &current)}
            {link("all", format!("All ({})", inbox.authentic + inbox.quarantined), &current)}
        </nav>
    }
}

#[component]
fn InboxTable(rows: Vec<InboxEntry>, replay: ServerAction<ReplayPostback>) -> impl IntoView {
    if rows.is_empty() {
        return view! { <p class="empty-note">"No postbacks here."</p> }.into_any();
    }
    view! {
        <div class="table-wrap card">
            <table class="requests">
                <thead>
                    <tr>
                        <th scope="col">"Received"</th>
                        <th scope="col">"Service"</th>
                        <th scope="col">"Its id"</th>
                        <th scope="col">"Its status"</th>
                        <th scope="col">"Outcome"</th>
                        <th scope="col">"Request"</th>
                        <th scope="col"><span class="visually-hidden">"Actions"</span></th>
                    </tr>
                </thead>
                <tbody>
                    {rows.into_iter().map(|p| {
                        let class = match p.state.as_str() {
                            "applied" => "badge badge-ok",
                            "quarantined" => "badge badge-error",
                            "duplicate" | "ignored" => "badge badge-muted",
                            _ => "badge badge-info",
                        };
                        view! {
                            <tr>
                                <td>{p.received_at.format("%Y-%m-%d %H:%M:%S UTC").to_string()}</td>
                                <td>{p.service.clone()}</td>
                                <td class="small"><code>{p.external_id.clone().unwrap_or_else(|| "–".into())}</code></td>
                                <td>{p.hint.clone().unwrap_or_else(|| "–".into())}</td>
                                <td>
                                    <span class=class>{p.state.clone()}</span>
                                    {p.reason.clone().map(|r| view! { <div class="small muted">{r}</div> })}
                                    <details class="small">
                                        <summary>{format!("Body ({} bytes) and headers", p.size)}</summary>
                                        <pre class="raw">{p.headers.clone()}"\n\n"{p.body.clone()}</pre>
                                    </details>
                                </td>
                                <td>{p.request_id.map(|id| view! { <a href=format!("/requests/{id}")>{format!("#{id}")}</a> })}</td>
                                <td>
                                    <ActionForm action=replay>
                                        <input type="hidden" name="id" value=p.id/>
                                        <button type="submit" class="button button-quiet" aria-label=format!("Replay postback {}", p.id)>"Replay"</button>
                                    </ActionForm>
                                </td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
    .into_any()
}
