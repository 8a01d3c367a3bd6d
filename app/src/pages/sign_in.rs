use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use crate::api::auth::SignIn;
use crate::components::feedback::{field_error, general_error, kept_value};
use crate::components::field::Field;

/// The sign-in page.
#[component]
pub fn SignInPage() -> impl IntoView {
    let action = ServerAction::<SignIn>::new();
    let value = action.value();
    let next = move || use_query_map().with(|q| q.get("next")).unwrap_or_default();
    let (show_password, set_show_password) = signal(false);
    let general_error = general_error(value);
    let password_error = field_error(value, "password");
    // Arriving from a link that set the password: say so, and fill in the address.
    let query = use_query_map();
    let welcome = move || query.with(|q| q.get("welcome").is_some());
    let kept_email = kept_value(value, "email");
    let email = Signal::derive(move || {
        let kept = kept_email.get();
        if kept.is_empty() {
            query.with(|q| q.get("email")).unwrap_or_default()
        } else {
            kept
        }
    });
    view! {
        <Title text="Sign in"/>
        <main class="center-page">
            <div class="card narrow">
                <h1>"Sign in"</h1>
                <p class="muted">"Staff of your organisation sign in here to prepare and follow signing requests."</p>
                {move || general_error.get().map(|m| view! { <p class="alert alert-error" role="alert">{m}</p> })}
                {move || (welcome() && general_error.get().is_none()).then(|| view! {
                    <p class="alert alert-ok" role="status">"Your password is set. Sign in with it."</p>
                })}
                <ActionForm action=action attr:class="form" attr:novalidate=true>
                    <input type="hidden" name="next" value=next/>
                    <Field label="Email address" name="email" kind="email" autocomplete="username"
                        value=email error=field_error(value, "email")/>
                    <div class="field" class:has-error=move || password_error.get().is_some()>
                        <label for="password">"Password"</label>
                        <div class="with-action">
                            <input id="password" name="password" required=true autocomplete="current-password"
                                type=move || if show_password.get() { "text" } else { "password" }
                                aria-invalid=move || password_error.get().is_some().then_some("true")
                                aria-describedby=move || password_error.get().is_some().then_some("password-error")/>
                            <button type="button" class="button button-quiet" aria-controls="password"
                                aria-pressed=move || show_password.get().to_string()
                                on:click=move |_| set_show_password.update(|s| *s = !*s)>
                                {move || if show_password.get() { "Hide" } else { "Show" }}
                            </button>
                        </div>
                        {move || password_error.get().map(|e| view! { <p class="field-error" id="password-error">{e}</p> })}
                    </div>
                    <button type="submit" class="button button-primary" disabled=move || action.pending().get()>
                        {move || if action.pending().get() { "Signing in…" } else { "Sign in" }}
                    </button>
                </ActionForm>
                <p class="muted small">"Forgot your password? Ask an admin of the portal for a link to choose a new one."</p>
            </div>
        </main>
    }
}
