use leptos::prelude::*;
use leptos_meta::Title;

use crate::api::staff::{
    hotsign_standing, list_staff, AddStaff, InviteStaff, ResetStaffPassword, SetStaffDisabled,
    SetStaffRole, StaffPasswordLink,
};
use crate::components::browser::{origin, CopyButton};
use crate::components::feedback::{field_error, kept_value, ActionAlert, ErrorPanel};
use crate::components::field::Field;
use crate::model::{HotsignConnection, StaffMember};

/// Admin page: add staff (with a link to choose their password, or a first
/// password), change roles, disable them, reset passwords.
#[component]
pub fn StaffPage() -> impl IntoView {
    let add = ServerAction::<AddStaff>::new();
    let invite = ServerAction::<InviteStaff>::new();
    let toggle = ServerAction::<SetStaffDisabled>::new();
    let reset = ServerAction::<ResetStaffPassword>::new();
    let role = ServerAction::<SetStaffRole>::new();
    let link = ServerAction::<StaffPasswordLink>::new();
    let actions = RowActions {
        toggle,
        reset,
        role,
        link,
    };
    let staff = Resource::new(
        move || {
            (
                add.version().get(),
                invite.version().get(),
                toggle.version().get(),
                reset.version().get(),
                role.version().get(),
            )
        },
        |_| list_staff(),
    );
    // "Set a first password now" or (the default) "send a link".
    let with_password = RwSignal::new(false);
    let value = add.value();
    let invited = invite.value();
    // A form that worked is emptied, so the next person starts afresh
    // (and a password does not linger on the screen).
    let add_form = NodeRef::<leptos::html::Form>::new();
    let invite_form = NodeRef::<leptos::html::Form>::new();
    Effect::new(move |_| {
        if matches!(value.get(), Some(Ok(_))) {
            if let Some(f) = add_form.get() {
                f.reset();
            }
        }
        if matches!(invited.get(), Some(Ok(_))) {
            if let Some(f) = invite_form.get() {
                f.reset();
            }
        }
    });
    view! {
        <Title text="Staff"/>
        <div class="page-head">
            <h1>"Staff"</h1>
        </div>
        <div class="two-columns">
            <section class="card" aria-labelledby="staff-list-title">
                <h2 id="staff-list-title">"Accounts"</h2>
                <ActionAlert value=toggle.value() success="The account was updated."/>
                <ActionAlert value=role.value() success="The role was changed."/>
                <ActionAlert value=reset.value() success="The password was changed. Their other sessions have ended."/>
                <ActionAlert value=link.value()/>
                {move || link.value().get().and_then(|r| r.ok()).map(|path| view! {
                    <CopyLink path what="Give them this link to choose a new password (valid once, for 7 days):".to_string()/>
                })}
                <Transition fallback=|| view! { <p class="muted">"Loading staff…"</p> }>
                    <ErrorBoundary fallback=|errors| view! { <ErrorPanel errors/> }>
                        {move || staff.get().map(|r| r.map(|list| view! { <StaffTable list actions/> }))}
                    </ErrorBoundary>
                </Transition>
            </section>
            <section class="card" aria-labelledby="add-staff-title">
                <h2 id="add-staff-title">"Add a staff member"</h2>
                <fieldset class="field choose-way">
                    <legend>"Their first password"</legend>
                    <label class="choice" for="way-link">
                        <input type="radio" id="way-link" name="way" checked=true
                            on:change=move |_| with_password.set(false)/>
                        "They choose it with a link (recommended)"
                    </label>
                    <label class="choice" for="way-password">
                        <input type="radio" id="way-password" name="way"
                            on:change=move |_| with_password.set(true)/>
                        "I set it now and tell them in person"
                    </label>
                </fieldset>
                <div class:hidden=move || with_password.get()>
                    <ActionAlert value=invited/>
                    {move || invited.get().and_then(|r| r.ok()).map(|i| view! {
                        <CopyLink path=i.link what=format!("{} was added. Give them this link to choose their password (valid once, for 7 days):", i.member.display_name)/>
                    })}
                    <ActionForm action=invite node_ref=invite_form attr:class="form" attr:novalidate=true attr:aria-label="Add with a link">
                        <Field label="Email address" name="email" kind="email" autocomplete="off" id_prefix="invite-"
                            error=field_error(invited, "email")/>
                        <Field label="Name" name="display_name" autocomplete="off" id_prefix="invite-"
                            error=field_error(invited, "display_name")/>
                        <RoleSelect id="invite-role" selected=Signal::derive(|| "staff".to_string())/>
                        <button type="submit" class="button button-primary" disabled=move || invite.pending().get()>
                            "Add and make a link"
                        </button>
                    </ActionForm>
                </div>
                <div class:hidden=move || !with_password.get()>
                    <ActionAlert value=add.value() success="The staff member was added. Give them their first password in person."/>
                    <ActionForm action=add node_ref=add_form attr:class="form" attr:novalidate=true attr:aria-label="Add with a first password">
                        <Field label="Email address" name="email" kind="email" autocomplete="off"
                            value=kept_value(value, "email") error=field_error(value, "email")/>
                        <Field label="Name" name="display_name" autocomplete="off"
                            value=kept_value(value, "display_name") error=field_error(value, "display_name")/>
                        <RoleSelect id="role" selected=kept_value(value, "role")/>
                        {move || field_error(value, "role").get().map(|e| view! { <p class="field-error">{e}</p> })}
                        <Field label="First password" name="password" kind="password" autocomplete="new-password"
                            hint=PASSWORD_HINT error=field_error(value, "password")/>
                        <button type="submit" class="button button-primary" disabled=move || add.pending().get()>
                            "Add staff member"
                        </button>
                    </ActionForm>
                </div>
            </section>
        </div>
        <HotsignCard/>
    }
}

/// The Hotsign connection: connect, its state, reconnect, disconnect.
/// Connecting leaves the portal for Hotsign's page, so these are plain
/// links and forms, not client-side routes.
#[component]
fn HotsignCard() -> impl IntoView {
    let connection = Resource::new(|| (), |_| hotsign_standing());
    view! {
        <Transition fallback=|| ()>
            {move || connection.get().and_then(|r| r.ok()).map(|c| match c {
                HotsignConnection::Unavailable => ().into_any(),
                c => view! {
                    <section class="card" aria-labelledby="hotsign-title">
                        <h2 id="hotsign-title">"Hotsign " <span class="badge">"experimental"</span></h2>
                        {match c {
                            HotsignConnection::Connected { account, refresh_until } => view! {
                                <p>
                                    <span class="badge badge-ok">"Connected"</span>" "
                                    {format!("Connected as {account}; refresh valid until {refresh_until} (renewed each time the portal uses it).")}
                                </p>
                                <form method="post" action="/hotsign/disconnect">
                                    <button type="submit" class="button">"Disconnect Hotsign"</button>
                                </form>
                            }.into_any(),
                            HotsignConnection::Lapsed { account, since } => view! {
                                <p class="alert alert-error" role="alert">
                                    {format!("The connection to {account} lapsed on {since}: an admin must reconnect. Hotsign requests wait, nothing is lost.")}
                                </p>
                                <a class="button button-primary" href="/hotsign/connect" rel="external">"Reconnect Hotsign"</a>
                            }.into_any(),
                            _ => view! {
                                <p class="muted">"Not connected. Connect the organisation's Hotsign account to send requests with Hotsign."</p>
                                <a class="button button-primary" href="/hotsign/connect" rel="external">"Connect Hotsign"</a>
                            }.into_any(),
                        }}
                    </section>
                }.into_any(),
            })}
        </Transition>
    }
}

#[component]
fn RoleSelect(id: &'static str, selected: Signal<String>) -> impl IntoView {
    view! {
        <div class="field">
            <label for=id>"Role"</label>
            <select id=id name="role">
                <option value="staff" selected=move || selected.get() != "admin">"Staff: prepares and follows requests"</option>
                <option value="admin" selected=move || selected.get() == "admin">"Admin: also manages staff"</option>
            </select>
        </div>
    }
}

/// A link to pass on, with a Copy button.
#[component]
fn CopyLink(path: String, what: String) -> impl IntoView {
    let full = Signal::derive(move || format!("{}{}", origin(), path));
    view! {
        <div class="alert alert-ok link-note" role="status">
            <p>{what}</p>
            <div class="with-action">
                <input readonly aria-label="The link" prop:value=full/>
                <CopyButton text=full/>
            </div>
        </div>
    }
}

/// What each account row can do.
#[derive(Clone, Copy)]
struct RowActions {
    toggle: ServerAction<SetStaffDisabled>,
    reset: ServerAction<ResetStaffPassword>,
    role: ServerAction<SetStaffRole>,
    link: ServerAction<StaffPasswordLink>,
}

/// Kept in step with `MIN_PASSWORD_LEN` by the unit test below.
pub const PASSWORD_HINT: &str = "At least 12 characters. A few unrelated words work well.";

#[component]
fn StaffTable(list: Vec<StaffMember>, actions: RowActions) -> impl IntoView {
    if list.is_empty() {
        return view! { <p class="muted">"No staff accounts yet."</p> }.into_any();
    }
    view! {
        <ul class="staff-list">
            {list.into_iter().map(|m| view! { <StaffRow member=m actions/> }).collect_view()}
        </ul>
    }
    .into_any()
}

#[component]
fn StaffRow(member: StaffMember, actions: RowActions) -> impl IntoView {
    let RowActions {
        toggle,
        reset,
        role,
        link,
    } = actions;
    let id = member.id;
    let prefix = format!("staff-{id}-");
    let status = if member.disabled {
        "Disabled"
    } else {
        "Active"
    };
    let status_class = if member.disabled {
        "badge badge-muted"
    } else {
        "badge badge-ok"
    };
    let toggle_label = if member.disabled { "Enable" } else { "Disable" };
    let new_disabled = (!member.disabled).to_string();
    let other_role = match member.role {
        crate::model::Role::Admin => ("staff", "Make staff"),
        crate::model::Role::Staff => ("admin", "Make admin"),
    };
    let name = &member.display_name;
    let toggle_aria = format!("{toggle_label} {name}");
    let role_aria = format!("{} {name}", other_role.1);
    let link_aria = format!("Make a password link for {name}");
    view! {
        <li class="staff-row">
            <div class="staff-who">
                <strong>{member.display_name.clone()}{member.is_you.then_some(" (you)")}</strong>
                <span class="muted">{member.email.clone()}</span>
            </div>
            <div class="staff-tags">
                <span class="badge">{member.role.label()}</span>
                <span class=status_class>{status}</span>
            </div>
            // Your own account is changed by another admin, so nobody locks themselves out.
            {(!member.is_you).then(|| view! {
                <div class="staff-actions">
                    <ActionForm action=toggle>
                        <input type="hidden" name="id" value=id/>
                        <input type="hidden" name="disabled" value=new_disabled/>
                        <button type="submit" class="button button-quiet"
                            aria-label=toggle_aria>{toggle_label}</button>
                    </ActionForm>
                    <ActionForm action=role>
                        <input type="hidden" name="id" value=id/>
                        <input type="hidden" name="role" value=other_role.0/>
                        <button type="submit" class="button button-quiet"
                            aria-label=role_aria>{other_role.1}</button>
                    </ActionForm>
                    <ActionForm action=link>
                        <input type="hidden" name="id" value=id/>
                        <button type="submit" class="button button-quiet"
                            aria-label=link_aria>"Password link"</button>
                    </ActionForm>
                    <details class="reset">
                        <summary>"Set a password"</summary>
                        <ActionForm action=reset attr:class="form inline-form">
                            <input type="hidden" name="id" value=id/>
                            <Field label="New password" name="password" kind="password" autocomplete="new-password"
                                id_prefix=prefix/>
                            <button type="submit" class="button">"Set password"</button>
                        </ActionForm>
                    </details>
                </div>
            })}
        </li>
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn password_hint_names_the_minimum() {
        assert!(super::PASSWORD_HINT.contains(&crate::model::MIN_PASSWORD_LEN.to_string()));
    }
}
