//! The editor's steps (Documents → Signers → Fields → Details → Send), each
//! with its number of open problems, a sticky bar with "N problems · Send",
//! and the way from a problem to the place where it is fixed.

use leptos::prelude::*;

use super::Editing;
use crate::model::preflight::{has_errors, Problem};

/// The steps: (anchor, title).
pub const STEPS: [(&str, &str); 5] = [
    ("step-documents", "Documents"),
    ("step-signers", "Signers"),
    ("step-fields", "Fields"),
    ("step-details", "Details"),
    ("step-send", "Send"),
];

/// The step a problem belongs to (index into `STEPS`).
pub fn step_of(target: &str) -> usize {
    let head = target.split('.').next().unwrap_or("");
    match head {
        "documents" => 0,
        "signers" | "signer" | "receiver" => 1,
        "field" | "tag" => 2,
        "settings" => 3,
        _ => 4,
    }
}

/// The element a problem points at: its input, or the step it belongs to.
pub fn element_of(target: &str) -> String {
    let parts: Vec<&str> = target.split('.').collect();
    match parts.as_slice() {
        ["settings", field] => (*field).to_string(),
        ["signer", key, field] => format!("signer-{key}-{field}"),
        ["receiver", key, field] => format!("receiver-{key}-{field}"),
        ["field", doc, id] => format!("field-{doc}-{id}"),
        _ => STEPS[step_of(target)].0.to_string(),
    }
}

/// Brings `target`'s element into view and gives it the focus.
pub fn go_to(editing: Editing, target: &str) {
    let parts: Vec<&str> = target.split('.').collect();
    if let ["field", doc, id] = parts.as_slice() {
        if let Ok(doc) = doc.parse::<i64>() {
            // The field builder shows that document and selects the field.
            editing.focus_field.set(Some((doc, id.to_string())));
        }
    }
    let id = element_of(target);
    let fallback = STEPS[step_of(target)].0.to_string();
    #[cfg(not(feature = "hydrate"))]
    let _ = (id, fallback);
    #[cfg(feature = "hydrate")]
    {
        use wasm_bindgen::JsCast;
        // After the builder has drawn the field's document.
        request_animation_frame(move || {
            let el = document()
                .get_element_by_id(&id)
                .or_else(|| document().get_element_by_id(&fallback));
            if let Some(el) = el {
                let options = web_sys::ScrollIntoViewOptions::new();
                options.set_block(web_sys::ScrollLogicalPosition::Center);
                el.scroll_into_view_with_scroll_into_view_options(&options);
                if let Ok(el) = el.dyn_into::<web_sys::HtmlElement>() {
                    let _ = el.focus();
                }
            }
        });
    }
}

fn counts(problems: &[Problem]) -> [usize; 5] {
    let mut n = [0; 5];
    for p in problems.iter().filter(|p| p.error) {
        n[step_of(&p.target)] += 1;
    }
    n
}

#[component]
pub fn Stepper() -> impl IntoView {
    let editing = expect_context::<Editing>();
    let problems = editing.problems;
    view! {
        <nav class="stepper" aria-label="Steps">
            <ol>
                {STEPS.iter().enumerate().map(|(i, (anchor, title))| {
                    let open = move || problems.with(|p| counts(p)[i]);
                    view! {
                        <li class:step-open={move || open() > 0} class:step-ok={move || open() == 0}>
                            <a href=format!("#{anchor}") rel="external">
                                <span class="step-number" aria-hidden="true">{move || if open() == 0 && i < 4 { "✓".to_string() } else { (i + 1).to_string() }}</span>
                                <span class="step-title">{*title}</span>
                                {move || (open() > 0).then(|| view! {
                                    <span class="step-count">{format!("{} to fix", open())}</span>
                                })}
                            </a>
                        </li>
                    }
                }).collect_view()}
            </ol>
        </nav>
    }
}

/// Always in view while preparing: what is left, and Send.
#[component]
pub fn SendBar() -> impl IntoView {
    let editing = expect_context::<Editing>();
    let problems = editing.problems;
    let errors = move || problems.with(|p| p.iter().filter(|p| p.error).count());
    let warnings = move || problems.with(|p| p.iter().filter(|p| !p.error).count());
    let first = move || {
        problems.with(|p| {
            p.iter()
                .find(|p| p.error)
                .or_else(|| p.first())
                .map(|p| p.target.clone())
        })
    };
    view! {
        <div class="send-bar" role="region" aria-label="Sending">
            <span class="send-bar-state" role="status">
                {move || match (errors(), warnings()) {
                    (0, 0) => "Ready to send".to_string(),
                    (0, w) => format!("{w} warning{} to read", if w == 1 { "" } else { "s" }),
                    (e, _) => format!("{e} problem{} to fix", if e == 1 { "" } else { "s" }),
                }}
            </span>
            <Show when=move || first().is_some()>
                <button type="button" class="button button-quiet"
                    aria-label={move || if errors() > 0 { "Show the first problem" } else { "Read the warnings" }}
                    on:click=move |_| if let Some(t) = first() { go_to(editing, &t) }>
                    {move || if errors() > 0 {
                        view! { <span class="long">"Show the first problem"</span><span class="short">"Show"</span> }.into_any()
                    } else {
                        view! { <span class="long">"Read the warnings"</span><span class="short">"Read"</span> }.into_any()
                    }}
                </button>
            </Show>
            // Ready (no errors, no warnings to accept): send from here; else go
            // to the Send step, where warnings are accepted.
            {move || if problems.with(|p| p.is_empty()) {
                view! {
                    <button type="submit" class="button" form="send-form">"Send for signing"</button>
                }.into_any()
            } else {
                view! {
                    <a class="button" class:button-disabled=move || problems.with(|p| has_errors(p))
                        href="#step-send" rel="external">"Send…"</a>
                }.into_any()
            }}
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn problems_lead_to_their_step_and_input() {
        assert_eq!(step_of("documents"), 0);
        assert_eq!(step_of("signer.s2.email"), 1);
        assert_eq!(step_of("receiver.r1.name"), 1);
        assert_eq!(step_of("field.4.f2"), 2);
        assert_eq!(step_of("tag.4"), 2);
        assert_eq!(step_of("settings.days_to_expire"), 3);
        assert_eq!(element_of("signer.s2.email"), "signer-s2-email");
        assert_eq!(element_of("settings.days_to_expire"), "days_to_expire");
        assert_eq!(element_of("field.4.f2"), "field-4-f2");
        assert_eq!(element_of("signers"), "step-signers");
        assert_eq!(element_of("tag.4"), "step-fields");
    }
}
