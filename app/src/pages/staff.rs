use leptos::prelude::*;
use leptos_meta::Title;

use crate::api::staff::{list_staff, AddStaff, ResetStaffPassword, SetStaffDisabled};
use crate::components::feedback::{field_error, kept_value, ActionAlert, ErrorPanel};
use crate::components::field::Field;
use crate::model::StaffMember;

/// Admin page: add staff, disable them, reset passwords.
#[component]
pub fn StaffPage() -> impl IntoView {
    let add = ServerAction::<AddStaff>::new();
    let toggle = ServerAction::<SetStaffDisabled>::new();
    let reset = ServerAction::<ResetStaffPassword>::new();
    let staff = Resource::new(
        move || {
            (
                add.version().get(),
                toggle.version().get(),
                reset.version().get(),
            )
        },
        |_| list_staff(),
    );
    let value = add.value();
    view! {
        <Title text="Staff"/>
        <div class="page-head">
            <h1>"Staff"</h1>
        </div>
        <div class="two-columns">
            <section class="card" aria-labelledby="staff-list-title">
                <h2 id="staff-list-title">"Accounts"</h2>
                <ActionAlert value=toggle.value() success="The account was updated."/>
                <ActionAlert value=reset.value() success="The password was changed. Their other sessions have ended."/>
                <Transition fallback=|| view! { <p class="muted">"Loading staff…"</p> }>
                    <ErrorBoundary fallback=|errors| view! { <ErrorPanel errors/> }>
                        {move || staff.get().map(|r| r.map(|list| view! { <StaffTable list toggle reset/> }))}
                    </ErrorBoundary>
                </Transition>
            </section>
            <section class="card" aria-labelledby="add-staff-title">
                <h2 id="add-staff-title">"Add a staff member"</h2>
                <ActionAlert value=add.value() success="The staff member was added. Give them their first password in person."/>
                <ActionForm action=add attr:class="form" attr:novalidate=true>
                    <Field label="Email address" name="email" kind="email" autocomplete="off"
                        value=kept_value(value, "email") error=field_error(value, "email")/>
                    <Field label="Name" name="display_name" autocomplete="off"
                        value=kept_value(value, "display_name") error=field_error(value, "display_name")/>
                    <div class="field" class:has-error=move || field_error(value, "role").get().is_some()>
                        <label for="role">"Role"</label>
                        <select id="role" name="role">
                            <option value="staff" selected=move || kept_value(value, "role").get() != "admin">"Staff: prepares and follows requests"</option>
                            <option value="admin" selected=move || kept_value(value, "role").get() == "admin">"Admin: also manages staff"</option>
                        </select>
                        {move || field_error(value, "role").get().map(|e| view! { <p class="field-error">{e}</p> })}
                    </div>
                    <Field label="First password" name="password" kind="password" autocomplete="new-password"
                        hint=PASSWORD_HINT error=field_error(value, "password")/>
                    <button type="submit" class="button button-primary" disabled=move || add.pending().get()>
                        "Add staff member"
                    </button>
                </ActionForm>
            </section>
        </div>
    }
}

/// Kept in step with `MIN_PASSWORD_LEN` by the unit test below.
const PASSWORD_HINT: &str = "At least 12 characters. A few unrelated words work well.";

#[component]
fn StaffTable(
    list: Vec<StaffMember>,
    toggle: ServerAction<SetStaffDisabled>,
    reset: ServerAction<ResetStaffPassword>,
) -> impl IntoView {
    if list.is_empty() {
        return view! { <p class="muted">"No staff accounts yet."</p> }.into_any();
    }
    view! {
        <ul class="staff-list">
            {list.into_iter().map(|m| view! { <StaffRow member=m toggle reset/> }).collect_view()}
        </ul>
    }
    .into_any()
}

#[component]
fn StaffRow(
    member: StaffMember,
    toggle: ServerAction<SetStaffDisabled>,
    reset: ServerAction<ResetStaffPassword>,
) -> impl IntoView {
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
    view! {
        <li class="staff-row">
            <div class="staff-who">
                <strong>{member.display_name.clone()}</strong>
                <span class="muted">{member.email.clone()}</span>
            </div>
            <div class="staff-tags">
                <span class="badge">{member.role.label()}</span>
                <span class=status_class>{status}</span>
            </div>
            <div class="staff-actions">
                <ActionForm action=toggle>
                    <input type="hidden" name="id" value=id/>
                    <input type="hidden" name="disabled" value=new_disabled/>
                    <button type="submit" class="button button-quiet"
                        aria-label=format!("{toggle_label} {}", member.display_name)>{toggle_label}</button>
                </ActionForm>
                <details class="reset">
                    <summary>"Reset password"</summary>
                    <ActionForm action=reset attr:class="form inline-form">
                        <input type="hidden" name="id" value=id/>
                        <Field label="New password" name="password" kind="password" autocomplete="new-password"
                            id_prefix=prefix/>
                        <button type="submit" class="button">"Set password"</button>
                    </ActionForm>
                </details>
            </div>
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
