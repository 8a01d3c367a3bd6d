//! `/welcome/<token>`: a staff member chooses their password with the
//! one-time link an admin gave them (no sign-in needed).

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

use crate::api::staff::{link_owner, AcceptLink};
use crate::components::feedback::{field_error, general_error};
use crate::components::field::Field;
use crate::pages::staff::PASSWORD_HINT;

#[component]
pub fn WelcomePage() -> impl IntoView {
    let params = use_params_map();
    let token = move || params.with(|p| p.get("token").unwrap_or_default());
    let owner = Resource::new(token, link_owner);
    let accept = ServerAction::<AcceptLink>::new();
    let value = accept.value();
    let general_error = general_error(value);
    view! {
        <Title text="Choose your password"/>
        <main class="center-page">
            <div class="card narrow">
                <Suspense fallback=|| view! { <p class="muted">"Checking the link…"</p> }>
                    {move || owner.get().map(|found| match found {
                        Ok(Some(name)) => view! {
                            <h1>"Choose your password"</h1>
                            <p>{format!("Welcome, {name}. Choose the password you will sign in with.")}</p>
                            {move || general_error.get().map(|m| view! { <p class="alert alert-error" role="alert">{m}</p> })}
                            <ActionForm action=accept attr:class="form" attr:novalidate=true>
                                <input type="hidden" name="token" value=token()/>
                                <Field label="New password" name="password" kind="password" autocomplete="new-password"
                                    hint=PASSWORD_HINT error=field_error(value, "password")/>
                                <Field label="The same password again" name="repeat" kind="password" autocomplete="new-password"
                                    error=field_error(value, "repeat")/>
                                <button type="submit" class="button button-primary" disabled=move || accept.pending().get()>
                                    "Set my password"
                                </button>
                            </ActionForm>
                        }.into_any(),
                        _ => view! {
                            <h1>"This link is not valid"</h1>
                            <p>"It was used already, replaced by a newer link, or is older than a week. Ask an admin of the portal for a new one."</p>
                            <p><a href="/sign-in">"Go to sign-in"</a></p>
                        }.into_any(),
                    })}
                </Suspense>
            </div>
        </main>
    }
}
