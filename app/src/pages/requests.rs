//! The requests list: status tabs with counts, search and filters (a plain
//! GET form, so it works without JavaScript; applied as you type in the
//! browser), signer progress and who is still to sign, keyset pages.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use crate::api::requests::{list_requests, DuplicateRequest};
use crate::components::feedback::ErrorPanel;
use crate::components::time::{LocalTime, Style};
use crate::model::dashboard::{Filter, Page, Sort, COUNT_CAP};
use crate::model::request::{RequestStatus, RequestSummary};

#[component]
pub fn RequestsPage() -> impl IntoView {
    let query = use_query_map();
    let filter = move || query.with(|q| Filter::from_lookup(|k| q.get(k).unwrap_or_default()));
    let page = Resource::new(filter, list_requests);
    view! {
        <Title text="Requests"/>
        <div class="page-head">
            <h1>"Requests"</h1>
            <a class="button button-primary" href="/requests/new">"New request"</a>
        </div>
        // Drawn once: the list below follows the filters as they are typed,
        // and the search box keeps its focus.
        <Filters filter=filter() status=Memo::new(move |_| query.with(|q| q.get("status").unwrap_or_default()))/>
        <Transition fallback=|| view! { <p class="muted">"Loading requests…"</p> }>
            <ErrorBoundary fallback=|errors| view! { <ErrorPanel errors/> }>
                {move || page.get().map(|r| r.map(|p| view! { <Dashboard page=p filter=filter()/> }.into_any()))}
            </ErrorBoundary>
        </Transition>
    }
}

/// The status tabs: all, then each status that has requests, with counts.
#[component]
fn StatusTabs(counts: Vec<(RequestStatus, i64)>, capped: bool, filter: Filter) -> impl IntoView {
    let all: i64 = counts.iter().map(|(_, n)| n).sum();
    let current = filter.status.clone();
    // Past the cap only "All" has a number: the first matches found say
    // nothing about how the rest are spread over the statuses.
    let tab = move |status: &str, label: String, n: i64, title: &'static str| {
        let n = match (capped, status.is_empty()) {
            (false, _) => n.to_string(),
            (true, true) => format!("{COUNT_CAP}+"),
            (true, false) => String::new(),
        };
        let mut f = filter.clone();
        f.status = status.to_string();
        f.after.clear();
        let here = filter.status == status;
        view! {
            <a href=href(&f) class:active=here aria-current=here.then_some("page") title=title>
                {label}" "{(!n.is_empty()).then(|| view! { <span class="tab-count">{n}</span> })}
            </a>
        }
    };
    view! {
        <nav class="status-tabs" aria-label="Status">
            {tab("", "All".into(), all, "Every request")}
            {counts.iter().filter(|(s, n)| *n > 0 || current == s.as_str()).map(|(s, n)| {
                tab(s.as_str(), s.label().to_string(), *n, s.description())
            }).collect_view()}
        </nav>
    }
}

#[component]
fn Dashboard(page: Page, filter: Filter) -> impl IntoView {
    let total: i64 = page.counts.iter().map(|(_, n)| n).sum();
    if total == 0 && !filter.narrows() {
        return view! {
            <section class="empty-state" aria-labelledby="empty-title">
                <h2 id="empty-title">"No signing requests yet"</h2>
                <p>"Requests you prepare and send appear here, with the progress of every signer."</p>
                <a class="button button-primary" href="/requests/new">"Prepare your first request"</a>
            </section>
        }
        .into_any();
    }
    let next = page.next.clone().map(|after| {
        let mut f = filter.clone();
        f.after = after;
        href(&f)
    });
    let matching: i64 = page
        .counts
        .iter()
        .filter(|(s, _)| filter.status.is_empty() || filter.status == s.as_str())
        .map(|(_, n)| n)
        .sum();
    let shown = page.rows.len();
    view! {
        {(page.quiet > 0).then(|| view! {
            <p class="alert alert-warn" role="status">
                {format!("{} request(s) waiting for signers have had no news from their signing service for more than {} hours. \
                    The portal keeps checking them; if this lasts, check the postback address at the service.", page.quiet, page.quiet_hours)}
                " "<a href="/?status=waiting">"Show waiting requests"</a>
            </p>
        })}
        <StatusTabs counts=page.counts.clone() capped=page.counts_capped filter=filter.clone()/>
        <p class="result-count muted small" role="status">
            {match (matching, shown) {
                _ if page.counts_capped => format!(
                    "More than {COUNT_CAP} requests match · showing {shown} on this page. Add words to the search to narrow it."
                ),
                (0, _) => "0 requests".to_string(),
                (1, _) => "1 request".to_string(),
                (n, s) if (s as i64) < n => format!("{n} requests · showing {s} on this page"),
                (n, _) => format!("{n} requests"),
            }}
        </p>
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
        .map(|(k, v)| format!("{k}={}", crate::model::url::escape(v)))
        .collect();
    if query.is_empty() {
        "/".into()
    } else {
        format!("/?{}", query.join("&"))
    }
}

/// The filters as the form holds them now.
#[cfg(feature = "hydrate")]
fn read_form(form: &web_sys::HtmlFormElement) -> Filter {
    let data = web_sys::FormData::new_with_form(form).ok();
    let get = |k: &str| {
        data.as_ref()
            .and_then(|d| d.get(k).as_string())
            .unwrap_or_default()
    };
    Filter::from_lookup(get)
}

/// Search and filters: a plain GET form (works without JavaScript, with its
/// Show button); in the browser the list follows as you type or choose.
// `apply` holds the router's navigate function in the browser (not Copy)
// and nothing on the server (Copy): it is cloned for either.
#[allow(clippy::clone_on_copy)]
#[component]
fn Filters(filter: Filter, status: Memo<String>) -> impl IntoView {
    let form = NodeRef::<leptos::html::Form>::new();
    let typed = StoredValue::new(0u32);
    #[cfg(feature = "hydrate")]
    let navigate = leptos_router::hooks::use_navigate();
    let apply = move |now: bool| {
        #[cfg(feature = "hydrate")]
        {
            let navigate = navigate.clone();
            let n = typed.get_value() + 1;
            typed.set_value(n);
            let go = move || {
                if typed.get_value() != n {
                    return;
                }
                if let Some(form) = form.get_untracked() {
                    let target = href(&read_form(&form));
                    navigate(
                        &target,
                        leptos_router::NavigateOptions {
                            replace: true,
                            scroll: false,
                            ..Default::default()
                        },
                    );
                }
            };
            if now {
                go();
            } else {
                set_timeout(go, std::time::Duration::from_millis(300));
            }
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = (now, typed, form);
    };
    view! {
        <form class="card filters" method="get" action="/" role="search" aria-label="Find requests"
            node_ref=form
            on:input={let apply = apply.clone(); move |_| apply(false)}
            on:change={let apply = apply.clone(); move |_| apply(true)}
            on:submit=move |ev| { ev.prevent_default(); apply(true); }>
            <div class="field grow">
                <label for="q">"Search"</label>
                <input id="q" name="q" type="search" value=filter.q.clone() placeholder="Title, reference, signer name or email"/>
            </div>
            // The status is chosen with the tabs; the form carries it along.
            <input type="hidden" name="status" value=filter.status.clone()
                prop:value=move || status.get()/>
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
                <noscript><button type="submit" class="button">"Show"</button></noscript>
                <a class="button button-quiet" href="/" rel="external">"Clear"</a>
            </div>
        </form>
    }
}

#[component]
fn RequestTable(rows: Vec<RequestSummary>) -> impl IntoView {
    // Each row can be copied into a new draft of one's own.
    let duplicate = ServerAction::<DuplicateRequest>::new();
    if rows.is_empty() {
        return view! {
            <p class="empty-note">"No requests match. Try fewer filters, or "<a href="/">"show every request"</a>"."</p>
        }
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
                        <th scope="col"><span class="visually-hidden">"Actions"</span></th>
                    </tr>
                </thead>
                <tbody>
                    {rows.into_iter().map(|r| {
                        let title = if r.title.is_empty() { "Untitled request".to_string() } else { r.title.clone() };
                        let title_label = title.clone();
                        let sent = r.status == RequestStatus::Waiting || r.status.is_final();
                        let progress = if sent { format!("{} of {}", r.signed, r.signers) } else { "–".into() };
                        let action = match r.status {
                            RequestStatus::Draft | RequestStatus::Failed => "Continue",
                            RequestStatus::Waiting | RequestStatus::Starting => "Follow",
                            _ => "Open",
                        };
                        view! {
                            <tr>
                                <td>
                                    <a href=format!("/requests/{}", r.id)>{title}</a>
                                    {(!r.reference.is_empty()).then(|| view! { <span class="muted small">" · "{r.reference.clone()}</span> })}
                                </td>
                                <td>
                                    <span class=r.status.badge() title=r.status.description()>{r.status.label()}</span>
                                    {r.archived.then(|| view! { " "<span class="badge badge-ok">"Archived"</span> })}
                                </td>
                                <td data-label="Signed">
                                    {progress}
                                    {(!r.waiting_for.is_empty()).then(|| view! {
                                        <span class="waiting-for small">"Waiting for: "{r.waiting_for.join(", ")}</span>
                                    })}
                                </td>
                                <td data-label="Owner">{r.owner_name.clone()}</td>
                                <td data-label="Created" class="nowrap"><LocalTime at=r.created_at.to_rfc3339() style=Style::Relative/></td>
                                <td data-label="Last change" class="nowrap"><LocalTime at=r.updated_at.to_rfc3339() style=Style::Relative/></td>
                                <td class="row-actions-cell">
                                    <a class="button button-quiet" href=format!("/requests/{}", r.id)
                                        aria-label=format!("{action} {}", title_label)>{action}</a>
                                    <ActionForm action=duplicate>
                                        <input type="hidden" name="id" value=r.id/>
                                        <button type="submit" class="button button-quiet"
                                            aria-label=format!("Duplicate {}", title_label)>"Duplicate"</button>
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
