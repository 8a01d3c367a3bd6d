//! Which signing service a request is sent with. A draft may move to any
//! service configured on this portal; what the service can do then shapes
//! the editor and the checks before sending.

use leptos::prelude::*;
use leptos::server_fn::ServerFn;

use super::Editing;
use crate::api::requests::{set_service, SetService};
use crate::components::feedback::{field_error, general_error};
use crate::model::service::{Contract, Offered, ProviderKind};

#[component]
pub fn ServicePicker(offered: Vec<Offered>, can_edit: bool) -> impl IntoView {
    let editing = expect_context::<Editing>();
    let id = editing.id;
    let service = editing.service;
    let choose = Action::new(move |kind: &ProviderKind| {
        let kind = *kind;
        async move { set_service(id, kind.as_str().into()).await }
    });
    let general = general_error(choose.value());
    let refused = field_error(choose.value(), "service");
    let error = move || general.get().or_else(|| refused.get());
    let experimental = move || service.get().capabilities().contract == Contract::Inferred;
    let badge = move || {
        experimental().then(|| {
            view! {
                <span class="badge badge-warn" title="Its API is partly inferred; do not use it for real documents yet.">
                    "experimental"
                </span>
            }
        })
    };
    if !can_edit || offered.len() < 2 {
        return view! {
            <p class="muted small service-line">
                "Signing service: "<strong>{move || service.get().label()}</strong>" "{badge}
            </p>
        }
        .into_any();
    }
    view! {
        <form class="inline-form service-line" method="post" action=SetService::url()
            on:submit=|ev| ev.prevent_default()>
            <input type="hidden" name="id" value=id/>
            <label for="service">"Signing service"</label>
            <select id="service" name="service" aria-describedby="service-error"
                on:change=move |ev| {
                    if let Some(kind) = ProviderKind::parse(&event_target_value(&ev)) {
                        service.set(kind);
                        choose.dispatch(kind);
                    }
                }>
                {offered.into_iter().map(|o| {
                    let selected = o.kind == service.get_untracked();
                    let label = if o.experimental { format!("{} (experimental)", o.label) } else { o.label };
                    view! { <option value=o.kind.as_str() selected=selected>{label}</option> }
                }).collect_view()}
            </select>
            {badge}
            <noscript><button type="submit" class="button">"Choose"</button></noscript>
            <p class="field-error" id="service-error" role="alert">{error}</p>
        </form>
    }
    .into_any()
}
