use leptos::prelude::*;
use leptos_meta::Title;

use crate::api::requests::list_requests;
use crate::components::feedback::ErrorPanel;
use crate::model::request::RequestSummary;

/// The list of signing requests.
#[component]
pub fn RequestsPage() -> impl IntoView {
    let list = Resource::new(|| (), |_| list_requests());
    view! {
        <Title text="Requests"/>
        <div class="page-head">
            <h1>"Requests"</h1>
            <a class="button button-primary" href="/requests/new">"New request"</a>
        </div>
        <Transition fallback=|| view! { <p class="muted">"Loading requests…"</p> }>
            <ErrorBoundary fallback=|errors| view! { <ErrorPanel errors/> }>
                {move || list.get().map(|r| r.map(|rows| view! { <RequestTable rows/> }))}
            </ErrorBoundary>
        </Transition>
    }
}

#[component]
fn RequestTable(rows: Vec<RequestSummary>) -> impl IntoView {
    if rows.is_empty() {
        return view! {
            <section class="empty-state" aria-labelledby="empty-title">
                <h2 id="empty-title">"No signing requests yet"</h2>
                <p>"Requests you prepare and send appear here, with the progress of every signer."</p>
                <a class="button button-primary" href="/requests/new">"Prepare your first request"</a>
            </section>
        }
        .into_any();
    }
    view! {
        <div class="table-wrap card">
            <table class="requests">
                <thead>
                    <tr>
                        <th scope="col">"Title"</th>
                        <th scope="col">"Status"</th>
                        <th scope="col">"Signers"</th>
                        <th scope="col">"Owner"</th>
                        <th scope="col">"Last change"</th>
                    </tr>
                </thead>
                <tbody>
                    {rows.into_iter().map(|r| {
                        let title = if r.title.is_empty() { "Untitled request".to_string() } else { r.title.clone() };
                        view! {
                            <tr>
                                <td>
                                    <a href=format!("/requests/{}", r.id)>{title}</a>
                                    {(!r.reference.is_empty()).then(|| view! { <span class="muted small">" · "{r.reference.clone()}</span> })}
                                </td>
                                <td><span class=r.status.badge()>{r.status.label()}</span></td>
                                <td>{r.signers}</td>
                                <td>{r.owner_name.clone()}</td>
                                <td><time datetime=r.updated_at.to_rfc3339()>{r.updated_at.format("%Y-%m-%d %H:%M UTC").to_string()}</time></td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
    .into_any()
}
