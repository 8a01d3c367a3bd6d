//! The browser half: hydrates the server-rendered page.

// The pages' view types nest deeply; release builds need the room.
#![recursion_limit = "256"]

#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_body(app::App);
}
