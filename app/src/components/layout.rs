use leptos::prelude::*;
use leptos_router::components::{Outlet, A};

use crate::api::auth::{get_current_user, SignOut, SignOutEverywhere};

/// The frame around every staff page: top bar, navigation, content.
#[component]
pub fn AppLayout() -> impl IntoView {
    let user = Resource::new(|| (), |_| get_current_user());
    let sign_out = ServerAction::<SignOut>::new();
    let everywhere = ServerAction::<SignOutEverywhere>::new();
    view! {
        <a class="skip-link" href="#main">"Skip to content"</a>
        <header class="topbar">
            <a class="brand" href="/">
                <span class="brand-mark" aria-hidden="true">"✎"</span>
                "Signing portal"
            </a>
            <nav aria-label="Main">
                <A href="/" exact=true>"Requests"</A>
                <A href="/requests/new">"New request"</A>
                <Transition fallback=|| ()>
                    {move || {
                        user.get()
                            .and_then(Result::ok)
                            .flatten()
                            .filter(|u| u.is_admin())
                            .map(|_| view! { <A href="/staff">"Staff"</A><A href="/postbacks">"Postbacks"</A> })
                    }}
                </Transition>
            </nav>
            <div class="account">
                <Transition fallback=|| ()>
                    {move || {
                        user.get()
                            .and_then(Result::ok)
                            .flatten()
                            .map(|u| view! { <span class="who" title=u.email.clone()>{u.display_name}</span> })
                    }}
                </Transition>
                <ActionForm action=sign_out attr:class="sign-out">
                    <button type="submit" class="button button-quiet">"Sign out"</button>
                </ActionForm>
                <ActionForm action=everywhere attr:class="sign-out">
                    <button type="submit" class="button-link" title="Ends your sessions on every device and browser">
                        "Sign out everywhere"
                    </button>
                </ActionForm>
            </div>
        </header>
        <main id="main" class="content">
            <Outlet/>
        </main>
    }
}
