//! Placing fields: each document's pages are drawn by pdf.js (see
//! `public/js/pdf-pages.js`) and the fields sit on top, positioned in PDF
//! points as displayed. Drag a field type from the palette onto a page (or
//! click the type, then the page), drag fields to move them, drag the corner
//! to resize; with the keyboard, arrows move and Alt+arrows resize.

use leptos::prelude::*;
use wasm_bindgen::JsCast;

use super::{Editing, SaveNote};
use crate::api::requests::save_fields;
use crate::model::request::{next_key, DocumentView, FieldKind, PageInfo, Place, PlacedField};

#[derive(Clone, Copy, PartialEq)]
enum Mode {
    Move,
    Resize,
}

#[derive(Clone)]
struct Drag {
    doc: i64,
    field: String,
    mode: Mode,
    start: (f64, f64),
    px_per_pt: f64,
    orig: (f64, f64, f64, f64),
    page: PageInfo,
}

/// The editor state shared by the toolbar, the pages and the fields.
#[derive(Clone, Copy)]
struct Placing {
    editing: Editing,
    signer: RwSignal<String>,
    armed: RwSignal<Option<FieldKind>>,
    selected: RwSignal<Option<(i64, String)>>,
    drag: StoredValue<Option<Drag>>,
    save: Action<(i64, Vec<PlacedField>), Result<(), crate::error::AppError>>,
    /// Documents changed while a save was under way (saved one at a time, in order).
    dirty: StoredValue<Vec<i64>>,
}

impl Placing {
    fn update(&self, doc: i64, apply: impl FnOnce(&mut Vec<PlacedField>)) {
        self.editing.documents.update(|docs| {
            if let Some(d) = docs.iter_mut().find(|d| d.id == doc) {
                apply(&mut d.fields);
            }
        });
    }

    fn update_field(&self, doc: i64, field: &str, apply: impl FnOnce(&mut PlacedField)) {
        self.update(doc, |fields| {
            if let Some(f) = fields.iter_mut().find(|f| f.id == field) {
                apply(f);
            }
        });
    }

    /// Saves a document's fields now, or right after the save under way.
    fn persist(&self, doc: i64) {
        if self.save.pending().get_untracked() {
            self.dirty.update_value(|d| {
                if !d.contains(&doc) {
                    d.push(doc)
                }
            });
            return;
        }
        let fields = self
            .editing
            .documents
            .with_untracked(|docs| docs.iter().find(|d| d.id == doc).map(|d| d.fields.clone()));
        if let Some(fields) = fields {
            self.save.dispatch((doc, fields));
        }
    }

    /// Adds a field of `kind` for the chosen signer, centred on `at` (points).
    fn place(&self, doc: i64, page_no: u32, page: PageInfo, kind: FieldKind, at: (f64, f64)) {
        let signer = self.signer.get_untracked();
        if signer.is_empty() {
            return;
        }
        let (w, h) = kind.default_size();
        let (w, h) = (w.min(page.width), h.min(page.height));
        let left = (at.0 - w / 2.0).clamp(0.0, page.width - w);
        let top = (at.1 - h / 2.0).clamp(0.0, page.height - h);
        let mut new_id = String::new();
        self.update(doc, |fields| {
            let id = next_key("f", fields.iter().map(|f| f.id.as_str()));
            let prefix = format!("{}_", kind.as_str());
            let name = next_key(&prefix, fields.iter().map(|f| f.name.as_str()));
            new_id = id.clone();
            fields.push(PlacedField {
                id,
                signer,
                kind,
                name,
                value: String::new(),
                place: Place::Page {
                    page: page_no,
                    left,
                    top,
                    width: w,
                    height: h,
                },
            });
        });
        self.selected.set(Some((doc, new_id)));
        self.armed.set(None);
        self.persist(doc);
    }
}

#[component]
pub fn FieldsCard() -> impl IntoView {
    let editing = expect_context::<Editing>();
    let id = editing.id;
    let first = editing
        .signers
        .with_untracked(|s| s.first().map(|s| s.key.clone()).unwrap_or_default());
    let placing = Placing {
        editing,
        signer: RwSignal::new(first),
        armed: RwSignal::new(None),
        selected: RwSignal::new(None),
        drag: StoredValue::new(None),
        save: Action::new(move |(doc, fields): &(i64, Vec<PlacedField>)| {
            let (doc, fields) = (*doc, fields.clone());
            async move { save_fields(id, doc, fields).await }
        }),
        dirty: StoredValue::new(Vec::new()),
    };
    let pending = placing.save.pending();
    Effect::new(move |_| {
        if !pending.get() {
            let next = placing
                .dirty
                .try_update_value(|d| (!d.is_empty()).then(|| d.remove(0)))
                .flatten();
            if let Some(doc) = next {
                placing.persist(doc);
            }
        }
    });
    // The chosen signer must exist; fall back to the first one.
    Effect::new(move |_| {
        let keys: Vec<String> = editing
            .signers
            .with(|l| l.iter().map(|s| s.key.clone()).collect());
        if !keys.contains(&placing.signer.get_untracked()) {
            placing
                .signer
                .set(keys.first().cloned().unwrap_or_default());
        }
    });
    let _esc = window_event_listener(leptos::ev::keydown, move |ev| {
        if ev.key() == "Escape" {
            placing.armed.set(None);
        }
    });
    provide_context(placing);
    view! {
        <section class="card" aria-labelledby="fields-title">
            <div class="card-head">
                <h2 id="fields-title">"4. Fields on the pages"</h2>
                <SaveNote action=placing.save/>
            </div>
            {editing.can_edit.then(|| view! { <Toolbar/> })}
            <FieldPanel/>
            <Show when=move || editing.documents.with(Vec::is_empty)>
                <p class="empty-note">"Add documents first; their pages appear here."</p>
            </Show>
            <For each=move || editing.documents.get() key=|d| (d.id, d.pages.len()) let:doc>
                <DocumentPages doc/>
            </For>
        </section>
    }
}

#[component]
fn Toolbar() -> impl IntoView {
    let placing = expect_context::<Placing>();
    let editing = placing.editing;
    let no_signers = move || editing.signers.with(Vec::is_empty);
    let place_default = move |kind: FieldKind| {
        let target = editing
            .documents
            .with_untracked(|d| d.first().and_then(|d| d.pages.first().map(|p| (d.id, *p))));
        if let Some((doc, page)) = target {
            let (w, h) = kind.default_size();
            placing.place(doc, 1, page, kind, (36.0 + w / 2.0, 36.0 + h / 2.0));
        }
    };
    view! {
        <div class="toolbar" role="toolbar" aria-label="Add fields">
            <div class="field inline">
                <label for="place-signer">"Fields for"</label>
                <select id="place-signer" on:change=move |ev| placing.signer.set(event_target_value(&ev))
                    prop:value=move || placing.signer.get()>
                    {move || editing.signers.get().into_iter().map(|s| {
                        let label = editing.signer_label(&s.key);
                        view! { <option value=s.key.clone()>{label}</option> }
                    }).collect_view()}
                </select>
            </div>
            <div class="palette">
                {FieldKind::ALL.into_iter().map(|kind| view! {
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
                    None => "Drag a field type onto a page, or click it and then the page.".to_string(),
                }}
            </p>
        </div>
    }
}

#[component]
fn DocumentPages(doc: DocumentView) -> impl IntoView {
    let placing = expect_context::<Placing>();
    let editing = placing.editing;
    let doc_id = doc.id;
    let url = format!("/requests/{}/documents/{doc_id}/pdf", editing.id);
    let tags = doc.tags.clone();
    let anchored = move || {
        editing.documents.with(|d| {
            d.iter()
                .find(|d| d.id == doc_id)
                .map(|d| {
                    d.fields
                        .iter()
                        .filter(|f| matches!(f.place, Place::Text { .. }))
                        .cloned()
                        .collect::<Vec<_>>()
                })
                .unwrap_or_default()
        })
    };
    let name = move || {
        editing.documents.with(|d| {
            d.iter()
                .find(|d| d.id == doc_id)
                .map(|d| d.name.clone())
                .unwrap_or_default()
        })
    };
    view! {
        <div class="doc-pages">
            <h3>{name}</h3>
            {(!tags.is_empty()).then(|| view! {
                <ul class="tags">
                    {tags.iter().map(|t| {
                        let n = t.signer as usize;
                        let who = move || editing.signers.with(|l| l.get(n.wrapping_sub(1)).map(|s| s.key.clone()))
                            .map(|k| format!("signature of {}", editing.signer_label(&k)))
                            .unwrap_or_else(|| "no such signer".to_string());
                        let missing = move || editing.signers.with(|l| n == 0 || n > l.len());
                        view! {
                            <li class:tag-missing=missing>
                                <code>{format!("{{{{Signer{n}}}}}")}</code>" on page "{t.page}" → "{who}
                            </li>
                        }
                    }).collect_view()}
                </ul>
            })}
            <ul class="anchored">
                {move || anchored().into_iter().map(|f| {
                    let id = f.id.clone();
                    let search = match &f.place { Place::Text { search, .. } => search.clone(), _ => String::new() };
                    let who = editing.signer_label(&f.signer);
                    view! {
                        <li>
                            <button type="button" class="button button-quiet"
                                on:click=move |_| placing.selected.set(Some((doc_id, id.clone())))>
                                {format!("{} for {who}, next to “{search}”", f.kind.label())}
                            </button>
                        </li>
                    }
                }).collect_view()}
            </ul>
            <div class="pages">
                {doc.pages.iter().enumerate().map(|(i, page)| {
                    let page = *page;
                    let n = i as u32 + 1;
                    view! { <Page doc=doc_id n page url=url.clone()/> }
                }).collect_view()}
            </div>
        </div>
    }
}

fn page_rect(el: &web_sys::Element) -> web_sys::DomRect {
    el.get_bounding_client_rect()
}

#[component]
fn Page(doc: i64, n: u32, page: PageInfo, url: String) -> impl IntoView {
    let placing = expect_context::<Placing>();
    let editing = placing.editing;
    let ids = move || {
        editing.documents.with(|d| {
            d.iter()
                .find(|d| d.id == doc)
                .map(|d| {
                    d.fields
                        .iter()
                        .filter(|f| matches!(f.place, Place::Page { page, .. } if page == n))
                        .map(|f| f.id.clone())
                        .collect::<Vec<_>>()
                })
                .unwrap_or_default()
        })
    };
    let drop_here = move |ev: leptos::ev::PointerEvent| {
        let Some(kind) = placing.armed.get_untracked() else {
            return;
        };
        let Some(el) = ev
            .current_target()
            .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
        else {
            return;
        };
        let rect = page_rect(&el);
        let scale = rect.width() / page.width;
        let at = (
            (ev.client_x() as f64 - rect.left()) / scale,
            (ev.client_y() as f64 - rect.top()) / scale,
        );
        placing.place(doc, n, page, kind, at);
    };
    let label = format!("Page {n}");
    let aria = label.clone();
    view! {
        <div class="pdf-page" class:placing=move || placing.armed.get().is_some()
            style=format!("aspect-ratio: {} / {};", page.width, page.height)
            data-page=n aria-label=aria role="group"
            on:pointerup=drop_here>
            <canvas data-pdf=url data-page=n aria-hidden="true"></canvas>
            <For each=ids key=|id| id.clone() let:field>
                <FieldBox doc field page/>
            </For>
            <span class="page-number" aria-hidden="true">{label}</span>
        </div>
    }
}

fn percent(v: f64, of: f64) -> f64 {
    (v / of * 10000.0).round() / 100.0
}

#[component]
fn FieldBox(doc: i64, field: String, page: PageInfo) -> impl IntoView {
    let placing = expect_context::<Placing>();
    let editing = placing.editing;
    let data = {
        let field = field.clone();
        Memo::new(move |_| {
            editing.documents.with(|d| {
                d.iter()
                    .find(|d| d.id == doc)
                    .and_then(|d| d.fields.iter().find(|f| f.id == field).cloned())
            })
        })
    };
    let style = move || {
        data.with(|f| match f.as_ref().map(|f| &f.place) {
            Some(Place::Page {
                left,
                top,
                width,
                height,
                ..
            }) => format!(
                "left:{}%;top:{}%;width:{}%;height:{}%;",
                percent(*left, page.width),
                percent(*top, page.height),
                percent(*width, page.width),
                percent(*height, page.height)
            ),
            _ => "display:none".to_string(),
        })
    };
    let colour = move || {
        data.with(|f| {
            let key = f.as_ref().map(|f| f.signer.clone()).unwrap_or_default();
            let n = editing
                .signers
                .with(|l| l.iter().position(|s| s.key == key).unwrap_or(9));
            format!("field-box signer-colour-{}", n % 6)
        })
    };
    let text = move || {
        data.with(|f| {
            f.as_ref()
                .map(|f| format!("{} · {}", f.kind.label(), editing.signer_label(&f.signer)))
                .unwrap_or_default()
        })
    };
    let selected = {
        let field = field.clone();
        move || placing.selected.get() == Some((doc, field.clone()))
    };
    let rect_of = move || match data.get_untracked().map(|f| f.place) {
        Some(Place::Page {
            left,
            top,
            width,
            height,
            ..
        }) => Some((left, top, width, height)),
        _ => None,
    };
    let set_rect = {
        let field = field.clone();
        move |(l, t, w, h): (f64, f64, f64, f64)| {
            placing.update_field(doc, &field, |f| {
                if let Place::Page {
                    left,
                    top,
                    width,
                    height,
                    ..
                } = &mut f.place
                {
                    *width = w.clamp(8.0, page.width);
                    *height = h.clamp(8.0, page.height);
                    *left = l.clamp(0.0, page.width - *width);
                    *top = t.clamp(0.0, page.height - *height);
                }
            });
        }
    };
    let down = {
        let field = field.clone();
        move |ev: leptos::ev::PointerEvent| {
            placing.selected.set(Some((doc, field.clone())));
            if !editing.can_edit {
                return;
            }
            ev.prevent_default();
            ev.stop_propagation();
            let Some(el) = ev
                .current_target()
                .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
            else {
                return;
            };
            let Some(page_el) = el.parent_element() else {
                return;
            };
            let resize = ev
                .target()
                .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
                .is_some_and(|t| t.class_list().contains("resize-handle"));
            let _ = el.set_pointer_capture(ev.pointer_id());
            if let Some(orig) = rect_of() {
                placing.drag.set_value(Some(Drag {
                    doc,
                    field: field.clone(),
                    mode: if resize { Mode::Resize } else { Mode::Move },
                    start: (ev.client_x() as f64, ev.client_y() as f64),
                    px_per_pt: page_rect(&page_el).width() / page.width,
                    orig,
                    page,
                }));
            }
        }
    };
    let moving = {
        let set_rect = set_rect.clone();
        let field = field.clone();
        move |ev: leptos::ev::PointerEvent| {
            let Some(d) = placing.drag.get_value() else {
                return;
            };
            if d.doc != doc || d.field != field || d.px_per_pt <= 0.0 {
                return;
            }
            let dx = (ev.client_x() as f64 - d.start.0) / d.px_per_pt;
            let dy = (ev.client_y() as f64 - d.start.1) / d.px_per_pt;
            let (l, t, w, h) = d.orig;
            let _ = d.page;
            set_rect(match d.mode {
                Mode::Move => (l + dx, t + dy, w, h),
                Mode::Resize => (l, t, w + dx, h + dy),
            });
        }
    };
    let up = move |ev: leptos::ev::PointerEvent| {
        ev.stop_propagation();
        if placing.drag.get_value().is_some() {
            placing.drag.set_value(None);
            placing.persist(doc);
        }
    };
    let key = {
        let field = field.clone();
        move |ev: leptos::ev::KeyboardEvent| {
            if !editing.can_edit {
                return;
            }
            let step = if ev.shift_key() { 10.0 } else { 1.0 };
            let (dx, dy) = match ev.key().as_str() {
                "ArrowLeft" => (-step, 0.0),
                "ArrowRight" => (step, 0.0),
                "ArrowUp" => (0.0, -step),
                "ArrowDown" => (0.0, step),
                "Delete" | "Backspace" => {
                    ev.prevent_default();
                    let id = field.clone();
                    placing.update(doc, |fields| fields.retain(|f| f.id != id));
                    placing.selected.set(None);
                    placing.persist(doc);
                    return;
                }
                _ => return,
            };
            ev.prevent_default();
            if let Some((l, t, w, h)) = rect_of() {
                set_rect(if ev.alt_key() {
                    (l, t, w + dx, h + dy)
                } else {
                    (l + dx, t + dy, w, h)
                });
                placing.persist(doc);
            }
        }
    };
    view! {
        <div class=colour class:selected=selected style=style tabindex="0" role="button"
            aria-label=move || format!("{} field; arrows move it, Alt+arrows resize, Delete removes", text())
            on:pointerdown=down on:pointermove=moving on:pointerup=up on:keydown=key>
            <span class="field-text">{text}</span>
            <span class="resize-handle" aria-hidden="true"></span>
        </div>
    }
}

/// Details of the selected field: who fills it in, its name and value, and
/// whether it sits on the page or next to a text.
#[component]
fn FieldPanel() -> impl IntoView {
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
        current().map(|(doc, f, pages)| {
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
                move |_| {
                    placing.update(doc, |fields| fields.retain(|x| x.id != id));
                    placing.selected.set(None);
                    placing.persist(doc);
                }
            };
            let problem = editing.problems.with(|p| {
                crate::model::preflight::message_for(p, &format!("field.{doc}.{id}"))
            });
            let on_text = matches!(f.place, Place::Text { .. });
            let first_page = pages.first().copied();
            let switch = {
                let id = id.clone();
                move |ev: leptos::ev::Event| {
                    let to_text = event_target_value(&ev) == "text";
                    placing.update_field(doc, &id, |f| {
                        let (width, height) = f.place.size();
                        f.place = if to_text {
                            Place::Text { search: String::new(), occurrence: 1, left: 0.0, top: 0.0, width, height }
                        } else {
                            let (pw, ph) = first_page.map(|p| (p.width, p.height)).unwrap_or((595.0, 842.0));
                            Place::Page { page: 1, left: 36.0f64.min(pw - width), top: 36.0f64.min(ph - height), width, height }
                        };
                    });
                    placing.persist(doc);
                }
            };
            let (search, occurrence, dx, dy) = match &f.place {
                Place::Text { search, occurrence, left, top, .. } => (search.clone(), *occurrence, *left, *top),
                _ => (String::new(), 1, 0.0, 0.0),
            };
            view! {
                <div class="field-panel" aria-labelledby="field-panel-title">
                    <h3 id="field-panel-title">"Selected field"</h3>
                    {problem.map(|m| view! { <p class="field-error" role="alert">{m}</p> })}
                    <fieldset class="grid-form" disabled=!editing.can_edit>
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
                                {FieldKind::ALL.into_iter().map(|k| view! {
                                    <option value=k.as_str() selected=k == f.kind>{k.label()}</option>
                                }).collect_view()}
                            </select>
                        </div>
                        <div class="field">
                            <label for="field-name">"Name (letters, digits, _)"</label>
                            <input id="field-name" value=f.name.clone() on:change=change(|f, v| f.name = v.trim().to_string())/>
                        </div>
                        <div class="field">
                            <label for="field-value">"Value (optional)"</label>
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
                                <label for="field-occurrence">"Which occurrence"</label>
                                <input id="field-occurrence" type="number" min="1" value=occurrence
                                    on:change=change(|f, v| if let Place::Text { occurrence, .. } = &mut f.place { *occurrence = v.parse().unwrap_or(1).max(1) })/>
                            </div>
                            <div class="field">
                                <label for="field-dx">"Points right of the text"</label>
                                <input id="field-dx" type="number" value=dx
                                    on:change=change(|f, v| if let Place::Text { left, .. } = &mut f.place { *left = v.parse().unwrap_or(0.0) })/>
                            </div>
                            <div class="field">
                                <label for="field-dy">"Points below the text"</label>
                                <input id="field-dy" type="number" value=dy
                                    on:change=change(|f, v| if let Place::Text { top, .. } = &mut f.place { *top = v.parse().unwrap_or(0.0) })/>
                            </div>
                        })}
                        <div class="field">
                            <button type="button" class="button button-quiet" on:click=remove>"Remove field"</button>
                        </div>
                    </fieldset>
                </div>
            }
        })
    }
}
