//! The requests list: counts per status, search and filters (a plain GET
//! form, so it works without JavaScript), signer progress, keyset pages.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use crate::api::requests::list_requests;
use crate::components::feedback::ErrorPanel;
use crate::model::dashboard::{Filter, Page, Sort};
use crate::model::request::{RequestStatus, RequestSummary};

#[component]
pub fn RequestsPage() -> impl IntoView {
    let query = use_query_map();
    let filter = move || {
        query.with(|q| {
            let get = |k: &str| q.get(k).unwrap_or_default();
            Filter {
                q: get("q"),
                status: get("status"),
                flow: get("flow"),
                mine: get("mine") == "on",
                from: get("from"),
                to: get("to"),
                sort: Sort::parse(&get("sort")),
                after: get("after"),
            }
        })
    };
    let page = Resource::new(filter, list_requests);
    view! {
        <Title text="Requests"/>
        <div class="page-head">
            <h1>"Requests"</h1>
            <a class="button button-primary" href="/requests/new">"New request"</a>
        </div>
        <Transition fallback=|| view! { <p class="muted">"Loading requests…"</p> }>
            <ErrorBoundary fallback=|errors| view! { <ErrorPanel errors/> }>
                {move || page.get().map(|r| r.map(|p| view! { <Dashboard page=p filter=filter()/> }.into_any()))}
            </ErrorBoundary>
        </Transition>
    }
}

#[component]
fn Dashboard(page: Page, filter: Filter) -> impl IntoView {
    let total: i64 = page.counts.iter().map(|(_, n)| n).sum();
    if total == 0 {
        return view! {
            <section class="empty-state" aria-labelledby="empty-title">
                <h2 id="empty-title">"No signing requests yet"</h2>
                <p>"Requests you prepare and send appear here, with the progress of every signer."</p>
                <a class="button button-primary" href="/requests/new">"Prepare your first request"</a>
            </section>
        }
        .into_any();
    }
    let max = page
        .counts
        .iter()
        .map(|(_, n)| *n)
        .max()
        .unwrap_or(1)
        .max(1);
    let next = page.next.clone().map(|after| {
        let mut f = filter.clone();
        f.after = after;
        href(&f)
    });
    view! {
        {(page.quiet > 0).then(|| view! {
            <p class="alert alert-warn" role="status">
                {format!("{} request(s) waiting for signers have had no news from Signhost for more than {} hours. \
                    The portal keeps checking them; if this lasts, check the postback address at Signhost.", page.quiet, page.quiet_hours)}
                " "<a href="/?status=waiting">"Show waiting requests"</a>
            </p>
        })}
        <section class="card status-chart" aria-labelledby="chart-title">
            <h2 id="chart-title">"Requests by status"</h2>
            <ul class="bars">
                {page.counts.iter().filter(|(_, n)| *n > 0).map(|(status, n)| {
                    let width = (*n as f64 / max as f64 * 100.0).max(2.0);
                    view! {
                        <li>
                            <a href=format!("/?status={}", status.as_str())>{status.label()}</a>
                            <span class="bar-track"><span class=format!("bar {}", status.badge().trim_start_matches("badge").trim().replace("badge-", "bar-")) style=format!("width:{width:.1}%")></span></span>
                            <span class="bar-count">{*n}</span>
                        </li>
                    }
                }).collect_view()}
            </ul>
        </section>
        <Filters filter=filter.clone()/>
        <RequestTable rows=page.rows.clone()/>
        <nav class="pager" aria-label="Pages">
            {(!filter.after.is_empty()).then(|| {
                let mut first = filter.clone();
                first.after.clear();
                view! { <a class="button button-quiet" href=href(&first)>"First page"</a> }
            })}
            {next.map(|h| view! { <a class="button button-quiet" href=h>"Next page"</a> })}
        </nav>
    }
    .into_any()
}

/// The address of the list with these filters.
fn href(f: &Filter) -> String {
    let mut parts: Vec<(String, String)> = Vec::new();
    let mut add = |k: &str, v: &str| {
        if !v.is_empty() {
            parts.push((k.into(), v.into()));
        }
    };
    add("q", &f.q);
    add("status", &f.status);
    add("flow", &f.flow);
    add("mine", if f.mine { "on" } else { "" });
    add("from", &f.from);
    add("to", &f.to);
    add(
        "sort",
        if f.sort == Sort::Updated {
            ""
        } else {
            f.sort.as_str()
        },
    );
    add("after", &f.after);
    let query: Vec<String> = parts
        .iter()
        .map(|(k, v)| format!("{k}={}", js_safe_encode(v)))
        .collect();
    if query.is_empty() {
        "/".into()
    } else {
        format!("/?{}", query.join("&"))
    }
}

fn js_safe_encode(v: &str) -> String {
    v.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[component]
fn Filters(filter: Filter) -> impl IntoView {
    view! {
        <form class="card filters" method="get" action="/" role="search" aria-label="Find requests">
            <div class="field grow">
                <label for="q">"Search"</label>
                <input id="q" name="q" type="search" value=filter.q.clone() placeholder="Title, reference, signer name or email"/>
            </div>
            <div class="field">
                <label for="status">"Status"</label>
                <select id="status" name="status">
                    <option value="" selected=filter.status.is_empty()>"Any"</option>
                    {RequestStatus::ALL.into_iter().map(|s| view! {
                        <option value=s.as_str() selected=filter.status == s.as_str()>{s.label()}</option>
                    }).collect_view()}
                </select>
            </div>
            <div class="field">
                <label for="flow">"Flow"</label>
                <select id="flow" name="flow">
                    <option value="" selected=filter.flow.is_empty()>"Any"</option>
                    <option value="invite" selected=filter.flow == "invite">"Invite"</option>
                    <option value="direct" selected=filter.flow == "direct">"Direct"</option>
                </select>
            </div>
            <div class="field">
                <label for="from">"Created from"</label>
                <input id="from" name="from" type="date" value=filter.from.clone()/>
            </div>
            <div class="field">
                <label for="to">"to"</label>
                <input id="to" name="to" type="date" value=filter.to.clone()/>
            </div>
            <div class="field">
                <label for="sort">"Sort"</label>
                <select id="sort" name="sort">
                    <option value="updated" selected=filter.sort == Sort::Updated>"Last changed"</option>
                    <option value="created" selected=filter.sort == Sort::Created>"Newest"</option>
                    <option value="title" selected=filter.sort == Sort::Title>"Title A–Z"</option>
                </select>
            </div>
            <label class="choice" for="mine">
                <input type="checkbox" id="mine" name="mine" value="on" checked=filter.mine/>
                "Only mine"
            </label>
            <div class="filter-actions">
                <button type="submit" class="button">"Show"</button>
                <a class="button button-quiet" href="/">"Clear"</a>
            </div>
        </form>
    }
}

#[component]
fn RequestTable(rows: Vec<RequestSummary>) -> impl IntoView {
    if rows.is_empty() {
        return view! { <p class="empty-note">"No requests match. Try fewer filters."</p> }
            .into_any();
    }
    view! {
        <div class="table-wrap card">
            <table class="requests stack-on-phone">
                <thead>
                    <tr>
                        <th scope="col">"Title"</th>
                        <th scope="col">"Status"</th>
                        <th scope="col">"Signed"</th>
                        <th scope="col">"Owner"</th>
                        <th scope="col">"Created"</th>
                        <th scope="col">"Last change"</th>
                    </tr>
                </thead>
                <tbody>
                    {rows.into_iter().map(|r| {
                        let title = if r.title.is_empty() { "Untitled request".to_string() } else { r.title.clone() };
                        let sent = r.status == RequestStatus::Waiting || r.status.is_final();
                        let progress = if sent { format!("{} of {}", r.signed, r.signers) } else { "–".into() };
                        view! {
                            <tr>
                                <td>
                                    <a href=format!("/requests/{}", r.id)>{title}</a>
                                    {(!r.reference.is_empty()).then(|| view! { <span class="muted small">" · "{r.reference.clone()}</span> })}
                                </td>
                                <td>
                                    <span class=r.status.badge()>{r.status.label()}</span>
                                    {r.archived.then(|| view! { " "<span class="badge badge-ok">"Archived"</span> })}
                                </td>
                                <td data-label="Signed">{progress}</td>
                                <td data-label="Owner">{r.owner_name.clone()}</td>
                                <td data-label="Created"><time datetime=r.created_at.to_rfc3339()>{r.created_at.format("%Y-%m-%d").to_string()}</time></td>
                                <td data-label="Last change"><time datetime=r.updated_at.to_rfc3339()>{r.updated_at.format("%Y-%m-%d %H:%M UTC").to_string()}</time></td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
    .into_any()
}
