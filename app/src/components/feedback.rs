use leptos::prelude::*;

use crate::error::AppError;

/// The message for `field` in a failed action's result.
pub fn field_error<T, S>(value: S, field: &'static str) -> Signal<Option<String>>
where
    T: 'static,
    S: With<Value = Option<Result<T, AppError>>> + Copy + Send + Sync + 'static,
{
    Signal::derive(move || {
        value.with(|v| match v {
            Some(Err(e)) => e.fields().and_then(|f| f.get(field)).map(str::to_string),
            _ => None,
        })
    })
}

/// A failed action's message that belongs to no field (those are shown at
/// their fields).
pub fn general_error<T, S>(value: S) -> Signal<Option<String>>
where
    T: 'static,
    S: With<Value = Option<Result<T, AppError>>> + Copy + Send + Sync + 'static,
{
    Signal::derive(move || {
        value.with(|v| match v {
            Some(Err(e)) if e.fields().is_none() => Some(e.to_string()),
            _ => None,
        })
    })
}

/// What the user had typed into `field`, kept by a failed action.
pub fn kept_value<T, S>(value: S, field: &'static str) -> Signal<String>
where
    T: 'static,
    S: With<Value = Option<Result<T, AppError>>> + Copy + Send + Sync + 'static,
{
    Signal::derive(move || {
        value.with(|v| match v {
            Some(Err(e)) => e
                .fields()
                .and_then(|f| f.value(field))
                .unwrap_or_default()
                .to_string(),
            _ => String::new(),
        })
    })
}

/// A banner for a failed action (field errors are shown at their fields,
/// so this only says to look there).
#[component]
pub fn ActionAlert<T, S>(value: S, #[prop(optional, into)] success: Option<String>) -> impl IntoView
where
    T: 'static,
    S: With<Value = Option<Result<T, AppError>>> + Copy + Send + Sync + 'static,
{
    let message = move || {
        value.with(|v| match v {
            Some(Err(e)) => Some((true, e.to_string())),
            Some(Ok(_)) => success.clone().map(|s| (false, s)),
            None => None,
        })
    };
    move || {
        message().map(|(failed, text)| {
            if failed {
                view! { <p class="alert alert-error" role="alert">{text}</p> }.into_any()
            } else {
                view! { <p class="alert alert-ok" role="status">{text}</p> }.into_any()
            }
        })
    }
}

/// Shown when loading data failed; never shows internal details.
#[component]
pub fn ErrorPanel(errors: ArcRwSignal<Errors>) -> impl IntoView {
    let messages = move || {
        errors
            .get()
            .into_iter()
            .map(|(_, e)| e.to_string())
            .collect::<Vec<_>>()
    };
    let needs_sign_in = {
        let messages = messages.clone();
        move || {
            messages()
                .iter()
                .any(|m| m == &AppError::Unauthorized.to_string())
        }
    };
    view! {
        <div class="alert alert-error" role="alert">
            <ul>{move || messages().into_iter().map(|m| view! { <li>{m}</li> }).collect_view()}</ul>
            <Show when=needs_sign_in>
                <a href="/sign-in">"Sign in again"</a>
            </Show>
        </div>
    }
}
