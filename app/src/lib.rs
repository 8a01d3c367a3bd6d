//! The signing portal's pages, server functions and server-side rooms.

// The request page's views nest deeply; release builds need the room.
#![recursion_limit = "512"]

pub mod api;
pub mod components;
pub mod error;
pub mod model;
pub mod pages;
#[cfg(feature = "ssr")]
pub mod ssr;

use leptos::prelude::*;
use leptos_meta::{provide_meta_context, HashedStylesheet, MetaTags, Title};
use leptos_router::components::{ParentRoute, Route, Router, Routes};
use leptos_router::{path, SsrMode};

use crate::components::layout::AppLayout;
use crate::pages::{
    new_request::NewRequestPage, not_found::NotFound, postbacks::PostbacksPage,
    request::RequestPage, requests::RequestsPage, sign_in::SignInPage, staff::StaffPage,
    welcome::WelcomePage,
};

/// The HTML document around every page.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    // The server's Content-Security-Policy allows scripts with this
    // request's nonce; the hydration scripts carry it.
    #[cfg(feature = "ssr")]
    ssr::web::provide_csp_nonce();
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8"/>
                <meta name="viewport" content="width=device-width, initial-scale=1"/>
                <meta name="color-scheme" content="light"/>
                <AutoReload options=options.clone()/>
                <HashedStylesheet options=options.clone() id="leptos"/>
                <HydrationScripts options/>
                <MetaTags/>
                <script type="module" src="/js/pdf-pages.js"></script>
            </head>
            <body>
                <App/>
            </body>
        </html>
    }
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    // Marks the page once the browser has taken over (tests wait for it).
    Effect::new(|_| {
        #[cfg(feature = "hydrate")]
        if let Some(body) = document().body() {
            let _ = body.set_attribute("data-hydrated", "true");
        }
    });
    // Pages stream in order, so that data appears in the HTML itself and
    // every page works before (or without) JavaScript.
    view! {
        <Title formatter=|page: String| if page.is_empty() { "Signing portal".to_string() } else { format!("{page} · Signing portal") }/>
        <Router>
            <Routes fallback=NotFound>
                <Route path=path!("/sign-in") view=SignInPage ssr=SsrMode::InOrder/>
                <Route path=path!("/welcome/:token") view=WelcomePage ssr=SsrMode::InOrder/>
                <ParentRoute path=path!("") view=AppLayout ssr=SsrMode::InOrder>
                    <Route path=path!("") view=RequestsPage ssr=SsrMode::InOrder/>
                    <Route path=path!("/requests/new") view=NewRequestPage ssr=SsrMode::InOrder/>
                    // Rendered whole before it is sent, so a request that does not
                    // exist is answered 404 (its data is still in the HTML).
                    <Route path=path!("/requests/:id") view=RequestPage ssr=SsrMode::Async/>
                    <Route path=path!("/staff") view=StaffPage ssr=SsrMode::InOrder/>
                    <Route path=path!("/postbacks") view=PostbacksPage ssr=SsrMode::InOrder/>
                </ParentRoute>
            </Routes>
        </Router>
    }
}
