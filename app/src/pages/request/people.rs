//! Signers and receivers. Every change is saved at once; the preflight
//! says what is still missing.

use leptos::prelude::*;

use super::{Editing, SaveNote, Saver};
use crate::api::requests::{save_receivers, save_signers};
use crate::model::preflight::insert_verification;
use crate::model::request::{
    next_key, Flow, Receiver, Signer, Verification, LANGUAGES, VERIFICATION_TYPES,
};

/// Moves the item with `key` one place up or down.
fn shift<T>(list: &mut [T], key: &str, key_of: impl Fn(&T) -> &str, up: bool) {
    if let Some(i) = list.iter().position(|x| key_of(x) == key) {
        let j = if up { i.checked_sub(1) } else { Some(i + 1) };
        if let Some(j) = j.filter(|j| *j < list.len()) {
            list.swap(i, j);
        }
    }
}

#[component]
pub fn SignersCard() -> impl IntoView {
    let editing = expect_context::<Editing>();
    let id = editing.id;
    let signers = editing.signers;
    let save = Saver::new(
        Action::new(move |list: &Vec<Signer>| {
            let list = list.clone();
            async move { save_signers(id, list).await }
        }),
        signers,
    );
    let edit = move |key: String, apply: Box<dyn FnOnce(&mut Signer)>| {
        signers.update(|list| {
            if let Some(s) = list.iter_mut().find(|s| s.key == key) {
                apply(s);
            }
        });
        save.request();
    };
    let add = move |_| {
        // The service's first way to confirm (Signhost and Signicat: a
        // handwritten signature; CertEurope: consent).
        let first = editing
            .service
            .get_untracked()
            .capabilities()
            .checks
            .first()
            .and_then(|t| Verification::new(t));
        signers.update(|list| {
            let key = next_key("s", list.iter().map(|s| s.key.as_str()));
            list.push(Signer {
                key,
                verifications: first.into_iter().collect(),
                ..Signer::default()
            });
        });
        save.request();
    };
    let people_problem = move || {
        editing
            .problems
            .with(|p| p.iter().any(|p| p.target == "signers"))
    };
    view! {
        <section class="card" id="step-signers" aria-labelledby="signers-title">
            <div class="card-head">
                <h2 id="signers-title">"2. Signers"</h2>
                <SaveNote action=save.action/>
            </div>
            <Show when=move || signers.with(Vec::is_empty)>
                <p class="empty-note" class:attention=people_problem>"No signers yet. Add the people who need to sign."</p>
            </Show>
            <ol class="people">
                <For each=move || signers.get() key=|s| s.key.clone() let:signer>
                    <SignerCard signer edit save/>
                </For>
            </ol>
            <button type="button" class="button" on:click=add>"+ Add signer"</button>
        </section>
    }
}

type Edit = Box<dyn FnOnce(&mut Signer)>;

#[component]
fn SignerCard(
    signer: Signer,
    edit: impl Fn(String, Edit) + Copy + Send + Sync + 'static,
    save: Saver<Vec<Signer>>,
) -> impl IntoView {
    let editing = expect_context::<Editing>();
    let signers = editing.signers;
    let key = signer.key.clone();
    let number = {
        let key = key.clone();
        Memo::new(move |_| {
            signers.with(|l| {
                l.iter()
                    .position(|s| s.key == key)
                    .map(|i| i + 1)
                    .unwrap_or(0)
            })
        })
    };
    let text = {
        let key = key.clone();
        move |apply: fn(&mut Signer, String)| {
            let key = key.clone();
            move |ev: leptos::ev::Event| {
                let v = event_target_value(&ev);
                edit(key.clone(), Box::new(move |s| apply(s, v)));
            }
        }
    };
    // A message shows at its field as soon as the value is typed (not only
    // after a reload): `filled` is asked of the signer as it is now.
    let msg = {
        let key = key.clone();
        move |field: &'static str, filled: fn(&Signer) -> bool| {
            let target = format!("signer.{key}.{field}");
            let key = key.clone();
            move || {
                let filled = signers.with(|l| l.iter().find(|s| s.key == key).is_some_and(filled));
                editing.note_view(target.clone(), filled)
            }
        }
    };
    let moved = {
        let key = key.clone();
        move |up: bool| {
            let key = key.clone();
            move |_| {
                signers.update(|l| shift(l, &key, |s| s.key.as_str(), up));
                save.request();
            }
        }
    };
    // Removed at once, with a way back (the card, its checks and its
    // fields' owner all come back as they were).
    let remove = {
        let key = key.clone();
        move |_| {
            let Some((index, removed)) = signers.with_untracked(|l| {
                l.iter()
                    .position(|s| s.key == key)
                    .map(|i| (i, l[i].clone()))
            }) else {
                return;
            };
            signers.update(|l| l.retain(|s| s.key != key));
            save.request();
            let name = if removed.name.trim().is_empty() {
                format!("Signer {}", index + 1)
            } else {
                removed.name.clone()
            };
            editing.toasts.show(
                format!("{name} removed"),
                Some(std::sync::Arc::new(move || {
                    signers.update(|l| {
                        if !l.iter().any(|s| s.key == removed.key) {
                            l.insert(index.min(l.len()), removed.clone());
                        }
                    });
                    save.request();
                })),
            );
        }
    };
    let invite = move || editing.settings.with(|s| s.flow == Flow::Invite);
    let holder = move || editing.service.get().capabilities().holder;
    let p = format!("signer-{key}-");
    let f = move |name: &str| format!("{p}{name}");
    let s = signer;
    view! {
        <li class="person">
            <div class="person-head">
                <h3>"Signer "{number}</h3>
                <div class="row-actions">
                    <button type="button" class="button button-quiet" on:click=moved(true)
                        aria-label=move || format!("Move signer {} up", number.get())>"↑"</button>
                    <button type="button" class="button button-quiet" on:click=moved(false)
                        aria-label=move || format!("Move signer {} down", number.get())>"↓"</button>
                    <button type="button" class="button button-quiet" on:click=remove
                        aria-label=move || format!("Remove signer {}", number.get())>"Remove"</button>
                </div>
            </div>
            <div class="grid-form">
                // A service that issues a certificate in the signer's name
                // asks for the names apart, and the country.
                <div class="field" class:hidden=holder>
                    <label for=f("name")>"Name"</label>
                    <input id=f("name") value=s.name.clone() autocomplete="off" on:change=text(|s, v| s.name = v)/>
                </div>
                <div class="field" class:hidden=move || !holder()>
                    <label for=f("first_name")>"First name"</label>
                    <input id=f("first_name") value=s.first_name.clone() autocomplete="off"
                        on:change=text(|s, v| { s.first_name = v.trim().to_string(); s.name = full_name(s); })/>
                </div>
                <div class="field" class:hidden=move || !holder()>
                    <label for=f("last_name")>"Last name"</label>
                    <input id=f("last_name") value=s.last_name.clone() autocomplete="off"
                        on:change=text(|s, v| { s.last_name = v.trim().to_string(); s.name = full_name(s); })/>
                    {msg("last_name", |s| !s.last_name.is_empty())}
                </div>
                <div class="field">
                    <label for=f("email")>"Email address"</label>
                    <input id=f("email") type="email" value=s.email.clone() autocomplete="off" on:change=text(|s, v| s.email = v.trim().to_string())/>
                    {msg("email", |s| !s.email.is_empty())}
                </div>
                <div class="field">
                    <label for=f("mobile")>"Mobile (optional, +31…)"</label>
                    <input id=f("mobile") type="tel" value=s.mobile.clone() on:change=text(|s, v| s.mobile = v.trim().to_string())/>
                    {msg("mobile", |_| true)}
                </div>
                <div class="field" class:hidden=move || !holder()>
                    <label for=f("country")>"Country (two letters)"</label>
                    <input id=f("country") value=s.country.clone() maxlength="2" placeholder="NL" autocomplete="country"
                        on:change=text(|s, v| s.country = v.trim().to_uppercase())/>
                    {msg("country", |_| true)}
                </div>
                <div class="field">
                    <label for=f("language")>"Language"</label>
                    <select id=f("language") on:change=text(|s, v| s.language = v)>
                        <option value="" selected=s.language.is_empty()>"Same as the request"</option>
                        {LANGUAGES.iter().map(|(code, name)| view! {
                            <option value=*code selected=s.language == *code>{*name}</option>
                        }).collect_view()}
                    </select>
                </div>
                // Only the invite flow sends an invitation to write a message in.
                <div class="field wide" class:hidden=move || !invite()>
                    <label for=f("message")>
                        "Message in the invitation"
                        <span class="muted small">{move || if invite() { " (required for the invite flow)" } else { " (optional in the direct flow)" }}</span>
                    </label>
                    <textarea id=f("message") rows="3" on:change=text(|s, v| s.message = v)>{s.message.clone()}</textarea>
                    {msg("message", |s| !s.message.is_empty())}
                </div>
                <details class="wide more">
                    <summary>"More options: last day to sign, return page, reference"</summary>
                    <div class="grid-form">
                        <div class="field">
                            <label for=f("expires")>"Last day to sign (optional)"</label>
                            <input id=f("expires") type="date" value=s.expires.clone() on:change=text(|s, v| s.expires = v)/>
                            {msg("expires", |_| true)}
                        </div>
                        <div class="field">
                            <label for=f("return_url")>"Page after signing (optional)"</label>
                            <input id=f("return_url") type="url" value=s.return_url.clone() placeholder="The portal's thank-you page"
                                on:change=text(|s, v| s.return_url = v.trim().to_string())/>
                            {msg("return_url", |_| true)}
                        </div>
                        <div class="field">
                            <label for=f("reference")>"Reference (optional)"</label>
                            <input id=f("reference") value=s.reference.clone() on:change=text(|s, v| s.reference = v)/>
                        </div>
                    </div>
                </details>
                <Verifications key=key.clone() initial=s.verifications.clone() edit/>
                {msg("fields", |_| true)}
            </div>
        </li>
    }
}

/// The name shown for a signer entered as first and last name.
fn full_name(s: &Signer) -> String {
    format!("{} {}", s.first_name.trim(), s.last_name.trim())
        .trim()
        .to_string()
}

/// The checks a signer passes, kept in an order Signhost accepts.
#[component]
fn Verifications(
    key: String,
    initial: Vec<Verification>,
    edit: impl Fn(String, Edit) + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let editing = expect_context::<Editing>();
    let list = RwSignal::new(initial);
    // An SMS check without its own number uses the signer's mobile: say so.
    let mobile = {
        let key = key.clone();
        Signal::derive(move || {
            editing.signers.with(|l| {
                l.iter()
                    .find(|s| s.key == key)
                    .map(|s| s.mobile.clone())
                    .unwrap_or_default()
            })
        })
    };
    let commit = {
        let key = key.clone();
        move || {
            let v = list.get_untracked();
            edit(key.clone(), Box::new(move |s| s.verifications = v));
        }
    };
    let chosen = RwSignal::new("Consent".to_string());
    let add = {
        let commit = commit.clone();
        move |_| {
            // What the list shows, also when the service changed since the choice.
            let caps = editing.service.get_untracked().capabilities();
            let wanted = chosen.get_untracked();
            let kind = if caps.checks_with(&wanted) {
                wanted
            } else {
                caps.checks.first().copied().unwrap_or_default().to_string()
            };
            if let Some(v) = Verification::new(&kind) {
                list.update(|l| insert_verification(l, v));
                commit();
            }
        }
    };
    let problems = {
        let target = format!("signer.{key}.verifications");
        move || {
            editing.problems.with(|p| {
                p.iter()
                    .filter(|p| p.target == target)
                    .map(|p| view! { <li>{p.message.clone()}</li> })
                    .collect_view()
            })
        }
    };
    let select_id = format!("signer-{key}-add-check");
    view! {
        // A service that checks nothing before signing (Hotsign) offers nothing to add.
        <fieldset class="wide checks" class:hidden=move || editing.service.get().capabilities().checks.is_empty() && list.with(Vec::is_empty)>
            <legend>{move || editing.service.get().capabilities().checks_title}</legend>
            <ol class="check-list">
                {move || list.get().into_iter().enumerate().map(|(i, v)| {
                    let commit = commit.clone();
                    let commit2 = commit.clone();
                    let commit3 = commit.clone();
                    let caps = editing.service.get_untracked().capabilities();
                    let label = caps.check_label(v.type_name()).unwrap_or(v.label());
                    view! {
                        <li>
                            <span>{label}</span>
                            <span class="check-detail"><VerificationDetail index=i verification=v.clone() list commit=commit.clone() mobile/></span>
                            <button type="button" class="button button-quiet" aria-label=format!("Move {label} earlier")
                                on:click=move |_| { list.update(|l| if i > 0 { l.swap(i, i - 1) }); commit2(); }>"↑"</button>
                            <button type="button" class="button button-quiet" aria-label=format!("Remove {label}")
                                on:click=move |_| { list.update(|l| { l.remove(i); }); commit3(); }>"Remove"</button>
                        </li>
                    }
                }).collect_view()}
            </ol>
            <ul class="field-error">{problems}</ul>
            <div class="inline-form">
                <label for=select_id.clone()>"Add a check"</label>
                <select id=select_id on:change=move |ev| chosen.set(event_target_value(&ev))>
                    {move || {
                        let caps = editing.service.get().capabilities();
                        VERIFICATION_TYPES.iter().filter(|t| caps.checks_with(t)).map(|t| {
                            let v = Verification::new(t).expect("a known type");
                            let label = caps.check_label(t).unwrap_or(v.label());
                            view! { <option value=*t selected=*t == chosen.get_untracked()>{label}</option> }
                        }).collect_view()
                    }}
                </select>
                <button type="button" class="button" on:click=add>"Add"</button>
            </div>
        </fieldset>
    }
}

/// The input a verification needs (phone number, IBAN, BSN, fixed name).
#[component]
fn VerificationDetail(
    index: usize,
    verification: Verification,
    list: RwSignal<Vec<Verification>>,
    commit: impl Fn() + Clone + Send + Sync + 'static,
    mobile: Signal<String>,
) -> impl IntoView {
    let set = move |apply: fn(&mut Verification, String)| {
        let commit = commit.clone();
        move |ev: leptos::ev::Event| {
            let v = event_target_value(&ev);
            list.update(|l| {
                if let Some(item) = l.get_mut(index) {
                    apply(item, v);
                }
            });
            commit();
        }
    };
    match verification {
        Verification::PhoneNumber { number } => view! {
            <input aria-label="Phone number for the SMS code (empty: the mobile number)" type="tel" value=number
                placeholder=move || {
                    let m = mobile.get();
                    if m.trim().is_empty() { "Mobile number".to_string() } else { format!("{m} (the signer's mobile)") }
                } on:change=set(|v, s| if let Verification::PhoneNumber { number } = v { *number = s.trim().to_string() })/>
        }.into_any(),
        Verification::IDeal { iban } => view! {
            <input aria-label="IBAN the payment must come from" value=iban placeholder="IBAN"
                on:change=set(|v, s| if let Verification::IDeal { iban } = v { *iban = s })/>
        }.into_any(),
        Verification::DigiD { bsn } => view! {
            <input aria-label="BSN to check" value=bsn placeholder="BSN" inputmode="numeric"
                on:change=set(|v, s| if let Verification::DigiD { bsn } = v { *bsn = s.trim().to_string() })/>
        }.into_any(),
        Verification::Scribble { name, .. } => view! {
            <input aria-label="Fixed name under the scribble (optional)" value=name placeholder="Fixed name (optional)"
                on:change=set(|v, s| if let Verification::Scribble { name, name_fixed, .. } = v { *name_fixed = !s.trim().is_empty(); *name = s })/>
        }.into_any(),
        _ => ().into_any(),
    }
}

#[component]
pub fn ReceiversCard() -> impl IntoView {
    let editing = expect_context::<Editing>();
    let id = editing.id;
    let receivers = editing.receivers;
    let save = Saver::new(
        Action::new(move |list: &Vec<Receiver>| {
            let list = list.clone();
            async move { save_receivers(id, list).await }
        }),
        receivers,
    );
    let add = move |_| {
        receivers.update(|list| {
            let key = next_key("r", list.iter().map(|r| r.key.as_str()));
            list.push(Receiver {
                key,
                ..Receiver::default()
            });
        });
        save.request();
    };
    view! {
        <section class="card" aria-labelledby="receivers-title">
            <div class="card-head">
                <h2 id="receivers-title">"Copies of the signed documents"</h2>
                <SaveNote action=save.action/>
            </div>
            <p class="muted">"Receivers get the signed documents by email once everyone has signed. Signers get them anyway."</p>
            <ul class="people">
                <For each=move || receivers.get() key=|r| r.key.clone() let:receiver>
                    <ReceiverRow receiver save/>
                </For>
            </ul>
            <button type="button" class="button" on:click=add>"+ Add receiver"</button>
        </section>
    }
}

#[component]
fn ReceiverRow(receiver: Receiver, save: Saver<Vec<Receiver>>) -> impl IntoView {
    let editing = expect_context::<Editing>();
    let receivers = editing.receivers;
    let key = receiver.key.clone();
    let text = {
        let key = key.clone();
        move |apply: fn(&mut Receiver, String)| {
            let key = key.clone();
            move |ev: leptos::ev::Event| {
                let v = event_target_value(&ev);
                receivers.update(|l| {
                    if let Some(r) = l.iter_mut().find(|r| r.key == key) {
                        apply(r, v);
                    }
                });
                save.request();
            }
        }
    };
    let msg = {
        let key = key.clone();
        move |field: &'static str, filled: fn(&Receiver) -> bool| {
            let target = format!("receiver.{key}.{field}");
            let key = key.clone();
            move || {
                let filled =
                    receivers.with(|l| l.iter().find(|r| r.key == key).is_some_and(filled));
                editing.note_view(target.clone(), filled)
            }
        }
    };
    let remove = {
        let key = key.clone();
        move |_| {
            receivers.update(|l| l.retain(|r| r.key != key));
            save.request();
        }
    };
    let p = format!("receiver-{key}-");
    let f = move |name: &str| format!("{p}{name}");
    let r = receiver;
    view! {
        <li class="person">
            <div class="grid-form">
                <div class="field">
                    <label for=f("name")>"Name"</label>
                    <input id=f("name") value=r.name.clone() on:change=text(|r, v| r.name = v)/>
                </div>
                <div class="field">
                    <label for=f("email")>"Email address"</label>
                    <input id=f("email") type="email" value=r.email.clone() on:change=text(|r, v| r.email = v.trim().to_string())/>
                    {msg("email", |r| !r.email.is_empty())}
                </div>
                <div class="field wide">
                    <label for=f("message")>"Message with the copy"</label>
                    <textarea id=f("message") rows="2" on:change=text(|r, v| r.message = v)>{r.message.clone()}</textarea>
                </div>
                <div class="field">
                    <label for=f("language")>"Language"</label>
                    <select id=f("language") on:change=text(|r, v| r.language = v)>
                        <option value="" selected=r.language.is_empty()>"Same as the request"</option>
                        {LANGUAGES.iter().map(|(code, name)| view! {
                            <option value=*code selected=r.language == *code>{*name}</option>
                        }).collect_view()}
                    </select>
                </div>
                <div class="field">
                    <button type="button" class="button button-quiet" on:click=remove>"Remove receiver"</button>
                </div>
            </div>
        </li>
    }
}
