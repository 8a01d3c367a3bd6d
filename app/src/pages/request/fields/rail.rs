//! The rail beside the pages: whose fields to place, the palette, undo and
//! redo, the tags and text-anchored fields, and the selected field.

use super::*;

/// The signers (choose whose fields to place), the palette, undo and redo.
#[component]
pub(super) fn Rail() -> impl IntoView {
    let placing = expect_context::<Placing>();
    let editing = placing.editing;
    let no_signers = move || editing.signers.with(Vec::is_empty);
    let place_default = move |kind: FieldKind| {
        let doc = placing.doc.get_untracked();
        let n = placing.page_now.get_untracked().max(1);
        let target = editing.documents.with_untracked(|d| {
            d.iter()
                .find(|d| d.id == doc)
                .and_then(|d| d.pages.get(n as usize - 1).map(|p| (d.id, *p)))
        });
        if let Some((doc, page)) = target {
            let (w, h) = kind.default_size();
            placing.place(doc, n, page, kind, (36.0 + w / 2.0, 36.0 + h / 2.0));
        }
    };
    let (can_undo, can_redo) = (
        move || placing.undoable.get().0,
        move || placing.undoable.get().1,
    );
    view! {
        <div class="rail-part rail-first">
            <h3 id="recipients-title">"Fields for"</h3>
            <Show when=no_signers>
                <p class="hint">"Add a signer first (step 2)."</p>
            </Show>
            <div class="recipients" role="radiogroup" aria-labelledby="recipients-title">
                {move || editing.signers.get().into_iter().enumerate().map(|(i, s)| {
                    let key = s.key.clone();
                    let chosen = {
                        let key = key.clone();
                        move || placing.signer.get() == key
                    };
                    let checked = chosen.clone();
                    let label = editing.signer_label(&s.key);
                    let input_id = format!("place-signer-{}", s.key);
                    let label_for = input_id.clone();
                    let value = key.clone();
                    view! {
                        <label class=format!("recipient signer-colour-{}", i % 6) class:chosen=chosen for=label_for>
                            <input type="radio" name="place-signer" id=input_id value=value
                                prop:checked=checked on:change=move |_| placing.signer.set(key.clone())/>
                            <span class="swatch" aria-hidden="true"></span>
                            {label}
                        </label>
                    }
                }).collect_view()}
            </div>
        </div>
        <div class="rail-part rail-first">
            <h3>"Add a field"</h3>
            <div class="palette" role="toolbar" aria-label="Field types">
                {move || editing.service.get().capabilities().field_kinds().into_iter().map(|kind| view! {
                    <button type="button" class="palette-item" disabled=no_signers
                        class:armed=move || placing.armed.get() == Some(kind)
                        on:pointerdown=move |_| placing.armed.set(Some(kind))
                        on:click=move |ev: leptos::ev::MouseEvent| {
                            if ev.detail() == 0 { place_default(kind) } else { placing.armed.set(Some(kind)) }
                        }>
                        {kind.label()}
                    </button>
                }).collect_view()}
            </div>
            <p class="hint" role="status">
                {move || match placing.armed.get() {
                    Some(kind) => format!("Click on a page to place the {} field (Esc cancels).", kind.label().to_lowercase()),
                    None if no_signers() => "Add a signer first.".to_string(),
                    None => "Drag a type onto a page, or click it and then the page. Enter places it on the current page.".to_string(),
                }}
            </p>
            <div class="undo-bar">
                <button type="button" class="button button-quiet" disabled=move || !can_undo()
                    aria-keyshortcuts="Control+Z" on:click=move |_| placing.travel(true)>"↶ Undo"</button>
                <button type="button" class="button button-quiet" disabled=move || !can_redo()
                    aria-keyshortcuts="Control+Shift+Z" on:click=move |_| placing.travel(false)>"↷ Redo"</button>
            </div>
        </div>
    }
}

/// The tags pdf.js found in the current document, and who they stand for.
#[component]
pub(super) fn TagList() -> impl IntoView {
    let placing = expect_context::<Placing>();
    let editing = placing.editing;
    let tags = move || {
        let id = placing.doc.get();
        editing
            .documents
            .with(|d| d.iter().find(|d| d.id == id).map(|d| d.tags.clone()))
            .unwrap_or_default()
    };
    move || {
        let tags = tags();
        let service = editing.service.get();
        (!tags.is_empty() && service.capabilities().signer_tags).then(|| view! {
            <div class="rail-part">
                <h3>"Tags in this document"</h3>
                <p class="hint">{service.label()}" puts a signature where the PDF says {{SignerN}}. They are drawn as dashed “auto” boxes."</p>
                <ul class="tags">
                    {tags.iter().map(|t| {
                        let n = t.signer as usize;
                        let who = move || editing.signers.with(|l| l.get(n.wrapping_sub(1)).map(|s| s.key.clone()))
                            .map(|k| format!("signature of {}", editing.signer_label(&k)))
                            .unwrap_or_else(|| "no such signer: add one or remove the tag".to_string());
                        let missing = move || editing.signers.with(|l| n == 0 || n > l.len());
                        view! {
                            <li class:tag-missing=missing>
                                <code>{format!("{{{{Signer{n}}}}}")}</code>" page "{t.page}": "{who}
                            </li>
                        }
                    }).collect_view()}
                </ul>
            </div>
        })
    }
}

/// Fields anchored to a text have no place on a page; they are listed here.
#[component]
pub(super) fn AnchoredList() -> impl IntoView {
    let placing = expect_context::<Placing>();
    let editing = placing.editing;
    let anchored =
        move || placing.fields_where(placing.doc.get(), |f| matches!(f.place, Place::Text { .. }));
    move || {
        let list = anchored();
        let doc = placing.doc.get_untracked();
        (!list.is_empty()).then(|| view! {
            <div class="rail-part">
                <h3>"Placed next to a text"</h3>
                <ul class="anchored">
                    {list.into_iter().map(|f| {
                        let id = f.id.clone();
                        let search = match &f.place { Place::Text { search, .. } => search.clone(), _ => String::new() };
                        let who = editing.signer_label(&f.signer);
                        view! {
                            <li>
                                <button type="button" class="button button-quiet"
                                    on:click=move |_| placing.selected.set(Some((doc, id.clone())))>
                                    {format!("{} for {who}, next to “{search}”", f.kind.label())}
                                </button>
                            </li>
                        }
                    }).collect_view()}
                </ul>
            </div>
        })
    }
}

/// Details of the selected field: who fills it in, its type and value, and
/// whether it sits on the page or next to a text.
#[component]
pub(super) fn FieldPanel() -> impl IntoView {
    let placing = expect_context::<Placing>();
    let editing = placing.editing;
    let current = move || {
        let (doc, id) = placing.selected.get()?;
        editing.documents.with(|d| {
            d.iter().find(|d| d.id == doc).and_then(|d| {
                d.fields
                    .iter()
                    .find(|f| f.id == id)
                    .cloned()
                    .map(|f| (doc, f, d.pages.clone()))
            })
        })
    };
    move || {
        let Some((doc, f, pages)) = current() else {
            return view! {
                <div class="rail-part field-panel-empty">
                    <h3>"Selected field"</h3>
                    <p class="hint">"Select a field on a page to change who fills it in, its type or its place."</p>
                </div>
            }
            .into_any();
        };
        let id = f.id.clone();
        let change = {
            let id = id.clone();
            move |apply: fn(&mut PlacedField, String)| {
                let id = id.clone();
                move |ev: leptos::ev::Event| {
                    let v = event_target_value(&ev);
                    placing.update_field(doc, &id, |f| apply(f, v));
                    placing.persist(doc);
                }
            }
        };
        let remove = {
            let id = id.clone();
            move |_| placing.remove(doc, &id)
        };
        let problem = editing
            .problems
            .with(|p| crate::model::preflight::message_for(p, &format!("field.{doc}.{id}")));
        let on_text = matches!(f.place, Place::Text { .. });
        let first_page = pages.first().copied();
        // Switching to "next to a text" and back puts the field where it was.
        let switch = {
            let id = id.clone();
            move |ev: leptos::ev::Event| {
                let to_text = event_target_value(&ev) == "text";
                let kept = placing
                    .remembered
                    .with_value(|r| r.iter().find(|(k, _)| *k == id).map(|(_, p)| p.clone()));
                let mut earlier = None;
                placing.update_field(doc, &id, |f| {
                    let (width, height) = f.place.size();
                    if to_text {
                        earlier = Some(f.place.clone());
                        f.place = Place::Text {
                            search: String::new(),
                            occurrence: 1,
                            left: 0.0,
                            top: 0.0,
                            width,
                            height,
                        };
                    } else {
                        f.place = kept.unwrap_or_else(|| {
                            let (pw, ph) = first_page
                                .map(|p| (p.width, p.height))
                                .unwrap_or((595.0, 842.0));
                            Place::Page {
                                page: 1,
                                left: 36.0f64.min(pw - width),
                                top: 36.0f64.min(ph - height),
                                width,
                                height,
                            }
                        });
                    }
                });
                if let Some(place) = earlier {
                    let key = id.clone();
                    placing.remembered.update_value(|r| {
                        r.retain(|(k, _)| *k != key);
                        r.push((key, place));
                    });
                }
                placing.persist(doc);
            }
        };
        let (search, occurrence, dx, dy) = match &f.place {
            Place::Text {
                search,
                occurrence,
                left,
                top,
                ..
            } => (search.clone(), *occurrence, *left, *top),
            _ => (String::new(), 1, 0.0, 0.0),
        };
        let where_ = match &f.place {
            Place::Page { page, .. } => format!("On page {page}"),
            Place::Text { .. } => "Next to a text".to_string(),
        };
        view! {
            <div class="rail-part field-panel" aria-labelledby="field-panel-title">
                <h3 id="field-panel-title">{format!("Selected: {} · {where_}", f.kind.label())}</h3>
                {problem.map(|m| view! { <p class="field-error" role="alert">{m}</p> })}
                <fieldset class="panel-form" disabled=!editing.can_edit>
                    <div class="field">
                        <label for="field-signer">"Filled in by"</label>
                        <select id="field-signer" on:change=change(|f, v| f.signer = v)>
                            {editing.signers.get().into_iter().map(|s| view! {
                                <option value=s.key.clone() selected=s.key == f.signer>{editing.signer_label(&s.key)}</option>
                            }).collect_view()}
                        </select>
                    </div>
                    <div class="field">
                        <label for="field-kind">"Type"</label>
                        <select id="field-kind" on:change=change(|f, v| if let Some(k) = FieldKind::parse(&v) { f.kind = k })>
                            {{
                                // The field's own type stays listed, also where the service no longer takes it.
                                let mut kinds = editing.service.get_untracked().capabilities().field_kinds();
                                if !kinds.contains(&f.kind) {
                                    kinds.push(f.kind);
                                }
                                kinds
                            }.into_iter().map(|k| view! {
                                <option value=k.as_str() selected=k == f.kind>{k.label()}</option>
                            }).collect_view()}
                        </select>
                    </div>
                    <div class="field">
                        <label for="field-value">"Filled in beforehand (optional)"</label>
                        <input id="field-value" value=f.value.clone() on:change=change(|f, v| f.value = v)/>
                    </div>
                    <div class="field">
                        <label for="field-place">"Position"</label>
                        <select id="field-place" on:change=switch>
                            <option value="page" selected=!on_text>"Where it is on the page"</option>
                            <option value="text" selected=on_text>"Next to a text in the PDF"</option>
                        </select>
                    </div>
                    {on_text.then(|| view! {
                        <div class="field">
                            <label for="field-search">"Text to look for, e.g. {{Signer1}}"</label>
                            <input id="field-search" value=search
                                on:change=change(|f, v| if let Place::Text { search, .. } = &mut f.place { *search = v })/>
                        </div>
                        <div class="field">
                            <label for="field-occurrence">"Which occurrence of it (1 = the first)"</label>
                            <input id="field-occurrence" type="number" min="1" value=occurrence
                                on:change=change(|f, v| if let Place::Text { occurrence, .. } = &mut f.place { *occurrence = v.parse().unwrap_or(1).max(1) })/>
                        </div>
                        <div class="field">
                            <label for="field-dx">"Move right of the text by (points; 72 = 1 inch)"</label>
                            <input id="field-dx" type="number" value=dx
                                on:change=change(|f, v| if let Place::Text { left, .. } = &mut f.place { *left = v.parse().unwrap_or(0.0) })/>
                        </div>
                        <div class="field">
                            <label for="field-dy">"Move below the text by (points)"</label>
                            <input id="field-dy" type="number" value=dy
                                on:change=change(|f, v| if let Place::Text { top, .. } = &mut f.place { *top = v.parse().unwrap_or(0.0) })/>
                        </div>
                    })}
                    <details class="more small">
                        <summary>"Technical name"</summary>
                        <div class="field">
                            <label for="field-name">{format!("Name at {} (letters, digits, _)", editing.service.get_untracked().label())}</label>
                            <input id="field-name" value=f.name.clone() on:change=change(|f, v| f.name = v.trim().to_string())/>
                        </div>
                    </details>
                    <div class="field">
                        <button type="button" class="button button-quiet" on:click=remove>"Remove field"</button>
                    </div>
                </fieldset>
            </div>
        }
        .into_any()
    }
}
