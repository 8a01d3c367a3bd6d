//! A short-lived note at the bottom of the screen ("Signer removed · Undo").
//! One at a time: a newer note replaces the older one.

use leptos::prelude::*;

use std::sync::Arc;

/// What Undo does.
pub type UndoFn = Arc<dyn Fn() + Send + Sync>;

#[derive(Clone, PartialEq)]
struct Note {
    n: u32,
    text: String,
    undoable: bool,
}

/// The page's notes (provided once, used by any part of the page). The
/// undo is kept here, not by the part that showed the note: that part is
/// often the very thing that was just removed.
#[derive(Clone, Copy)]
pub struct Toasts {
    current: RwSignal<Option<Note>>,
    undo: StoredValue<Option<UndoFn>>,
    count: StoredValue<u32>,
}

/// How long a note stays.
const SHOWN_FOR: std::time::Duration = std::time::Duration::from_secs(10);

impl Toasts {
    pub fn provide() -> Toasts {
        let t = Toasts {
            current: RwSignal::new(None),
            undo: StoredValue::new(None),
            count: StoredValue::new(0),
        };
        provide_context(t);
        t
    }

    /// Shows `text`, with an Undo button that runs `undo` when given.
    pub fn show(&self, text: impl Into<String>, undo: Option<UndoFn>) {
        let n = self.count.get_value() + 1;
        self.count.set_value(n);
        self.current.set(Some(Note {
            n,
            text: text.into(),
            undoable: undo.is_some(),
        }));
        self.undo.set_value(undo);
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
    let undo = toasts.undo;
    view! {
        <div class="toast-area" role="status" aria-live="polite">
            {move || current.get().map(|note| {
                view! {
                    <div class="toast">
                        <span>{note.text}</span>
                        {note.undoable.then(|| view! {
                            <button type="button" class="button button-quiet"
                                on:click=move |_| {
                                    current.set(None);
                                    if let Some(u) = undo.get_value() {
                                        undo.set_value(None);
                                        u();
                                    }
                                }>"Undo"</button>
                        })}
                        <button type="button" class="toast-close" aria-label="Dismiss"
                            on:click=move |_| current.set(None)>"×"</button>
                    </div>
                }
            })}
        </div>
    }
}
