//! Request-wide settings. A plain form (it also works without JavaScript);
//! in the browser every change is saved at once.

use leptos::prelude::*;
use leptos::server_fn::ServerFn;

use super::{Editing, SaveNote, Saver};
use crate::api::requests::{save_settings, SaveSettings};
use crate::components::feedback::field_error;
use crate::model::request::{Flow, Settings, LANGUAGES};
use crate::model::service::Delivery;

#[component]
pub fn SettingsCard() -> impl IntoView {
    let editing = expect_context::<Editing>();
    let id = editing.id;
    // The numbers go to the server as typed, so that what the server
    // refuses is reported ("Not saved", at the field) instead of an older
    // value being saved quietly in its place.
    let initial = editing.settings.get_untracked();
    let days_typed = RwSignal::new(initial.days_to_expire.to_string());
    let remind_typed = RwSignal::new(initial.remind_days.to_string());
    let save = Action::new(move |s: &Settings| {
        let s = s.clone();
        let days = days_typed.get_untracked();
        let remind = remind_typed.get_untracked();
        async move {
            save_settings(
                id,
                s.title,
                s.reference,
                s.flow.as_str().into(),
                s.language,
                days,
                Some(remind),
                s.sequential.then(|| "on".into()),
                s.notify_sender.then(|| "on".into()),
            )
            .await
        }
    });
    let settings = editing.settings;
    let saver = Saver::new(save, settings);
    let change = move |apply: fn(&mut Settings, String)| {
        move |ev: leptos::ev::Event| {
            let value = event_target_value(&ev);
            settings.update(|s| apply(s, value));
            saver.request();
        }
    };
    let toggle = move |apply: fn(&mut Settings, bool)| {
        move |ev: leptos::ev::Event| {
            let on = event_target_checked(&ev);
            settings.update(|s| apply(s, on));
            saver.request();
        }
    };
    let s = settings.get_untracked();
    let invite = move || settings.with(|s| s.flow == Flow::Invite);
    let msg = move |target: &'static str| move || editing.note_view(target.to_string(), true);
    let value = save.value();
    let refused = move |field: &'static str| {
        let message = field_error(value, field);
        move || {
            message
                .get()
                .map(|m| view! { <p class="field-error" id=format!("{field}-error")>{m}</p> })
        }
    };
    view! {
        <section class="card" id="step-details" aria-labelledby="settings-title">
            <div class="card-head">
                <h2 id="settings-title">"4. Details"</h2>
                <SaveNote action=save/>
            </div>
            <form class="form grid-form" method="post" action=SaveSettings::url()
                on:submit=|ev| ev.prevent_default()>
                <input type="hidden" name="id" value=id/>
                <div class="field">
                    <label for="title">"Title"</label>
                    <input id="title" name="title" value=s.title.clone() maxlength="200"
                        placeholder="e.g. Lease agreement Keizersgracht 12" on:change=change(|s, v| s.title = v)/>
                </div>
                <div class="field">
                    <label for="reference">"Your reference"</label>
                    <input id="reference" name="reference" value=s.reference.clone() maxlength="200"
                        on:change=change(|s, v| s.reference = v)/>
                </div>
                <fieldset class="field wide">
                    <legend>"How signers receive it"</legend>
                    {[Flow::Invite, Flow::Direct].into_iter().map(|flow| {
                        let checked = s.flow == flow;
                        let delivery = match flow {
                            Flow::Invite => Delivery::Invite,
                            Flow::Direct => Delivery::Link,
                        };
                        let offered = move || editing.service.get().capabilities().delivers(delivery);
                        let input_id = format!("flow-{}", flow.as_str());
                        let label_for = input_id.clone();
                        view! {
                            <label class="choice" for=label_for>
                                <input type="radio" id=input_id name="flow" value=flow.as_str() checked=checked
                                    disabled=move || !offered() && !checked
                                    on:change=change(|s, v| s.flow = Flow::parse(&v))/>
                                {move || flow.label_for(editing.service.get().label())}
                                {move || (!offered()).then(|| view! {
                                    <span class="muted small">{format!(" (not offered by {})", editing.service.get().label())}</span>
                                })}
                            </label>
                        }
                    }).collect_view()}
                </fieldset>
                <div class="field">
                    <label for="language">"Language of emails and receipt"</label>
                    <select id="language" name="language" on:change=change(|s, v| s.language = v)>
                        {move || {
                            let caps = editing.service.get().capabilities();
                            let chosen = settings.with_untracked(|s| s.language.clone());
                            LANGUAGES.iter()
                                .filter(|(code, _)| caps.speaks(code) || *code == chosen)
                                .map(|(code, name)| view! {
                                    <option value=*code selected=chosen == *code>{*name}</option>
                                }).collect_view()
                        }}
                    </select>
                    {msg("settings.language")}
                </div>
                <div class="field">
                    <label for="days_to_expire">"Days until it expires"</label>
                    <input id="days_to_expire" name="days_to_expire" type="number" min="1" max="90"
                        value=s.days_to_expire aria-describedby="days_to_expire-error"
                        on:change=move |ev| {
                            let v = event_target_value(&ev);
                            days_typed.set(v.clone());
                            settings.update(|s| s.days_to_expire = v.trim().parse().unwrap_or(s.days_to_expire));
                            saver.request();
                        }/>
                    {refused("days_to_expire")}
                    {msg("settings.days_to_expire")}
                </div>
                <div class="field" class:hidden=move || !invite()>
                    <label for="remind_days">"Remind every (days, 0 = never)"</label>
                    <input id="remind_days" name="remind_days" type="number" min="0" max="89"
                        value=s.remind_days aria-describedby="remind_days-error"
                        on:change=move |ev| {
                            let v = event_target_value(&ev);
                            remind_typed.set(v.clone());
                            settings.update(|s| s.remind_days = v.trim().parse().unwrap_or(s.remind_days));
                            saver.request();
                        }/>
                    {refused("remind_days")}
                    {msg("settings.remind_days")}
                </div>
                <div class="field wide">
                    <label class="choice" for="sequential">
                        <input type="checkbox" id="sequential" name="sequential" checked=s.sequential
                            on:change=toggle(|s, on| s.sequential = on)/>
                        "Signers sign one after another, in the order listed (otherwise all at once)"
                    </label>
                    <label class="choice" for="notify_sender">
                        <input type="checkbox" id="notify_sender" name="notify_sender" checked=s.notify_sender
                            on:change=toggle(|s, on| s.notify_sender = on)/>
                        "Email me (the sender) about progress"
                    </label>
                </div>
                <noscript>
                    <button type="submit" class="button">"Save details"</button>
                </noscript>
            </form>
        </section>
    }
}
