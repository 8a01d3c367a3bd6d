//! A short-lived note at the bottom of the screen ("Signer removed · Undo").
//! One at a time: a newer note replaces the older one.

use leptos::prelude::*;

#[derive(Clone)]
struct Note {
    n: u32,
    text: String,
    undo: Option<Callback<()>>,
}

/// The page's notes (provided once, used by any part of the page).
#[derive(Clone, Copy)]
pub struct Toasts {
    current: RwSignal<Option<Note>>,
    count: StoredValue<u32>,
}

/// How long a note stays.
const SHOWN_FOR: std::time::Duration = std::time::Duration::from_secs(10);

impl Toasts {
    pub fn provide() -> Toasts {
        let t = Toasts {
            current: RwSignal::new(None),
            count: StoredValue::new(0),
        };
        provide_context(t);
        t
    }

    /// Shows `text`, with an Undo button that runs `undo` when given.
    pub fn show(&self, text: impl Into<String>, undo: Option<Callback<()>>) {
        let n = self.count.get_value() + 1;
        self.count.set_value(n);
        self.current.set(Some(Note {
            n,
            text: text.into(),
            undo,
        }));
        let current = self.current;
        set_timeout(
            move || {
                if current.with_untracked(|c| c.as_ref().is_some_and(|c| c.n == n)) {
                    current.set(None);
                }
            },
            SHOWN_FOR,
        );
    }
}

/// Where the notes appear (once per page).
#[component]
pub fn ToastArea(toasts: Toasts) -> impl IntoView {
    let current = toasts.current;
    view! {
        <div class="toast-area" role="status" aria-live="polite">
            {move || current.get().map(|note| {
                let undo = note.undo;
                view! {
                    <div class="toast">
                        <span>{note.text}</span>
                        {undo.map(|u| view! {
                            <button type="button" class="button button-quiet"
                                on:click=move |_| { current.set(None); u.run(()); }>"Undo"</button>
                        })}
                        <button type="button" class="toast-close" aria-label="Dismiss"
                            on:click=move |_| current.set(None)>"×"</button>
                    </div>
                }
            })}
        </div>
    }
}
