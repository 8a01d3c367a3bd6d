//! The field builder: page thumbnails | the pages, drawn by pdf.js (see
//! `public/js/pdf-pages.js`), with the fields on top in PDF points as
//! displayed | a sticky rail with the signers (a colour each), the palette,
//! undo/redo and the selected field. Drag a field type onto a page (a ghost
//! shows where it lands) or click it, then the page; drag fields to move
//! them, the corner to resize; arrows move, Alt+arrows resize, Delete
//! removes, Ctrl+Z / Ctrl+Shift+Z undo and redo. `{{SignerN}}` tags found on
//! a page are drawn as "auto" boxes that can be turned into fields.

use leptos::prelude::*;
use serde::Deserialize;
use wasm_bindgen::JsCast;

use super::{Editing, SaveNote};
use crate::api::requests::save_fields;
use crate::model::history::History;
use crate::model::request::{next_key, FieldKind, PageInfo, Place, PlacedField};

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
    /// Whether the field has moved yet (a click alone changes nothing).
    moved: bool,
}

/// How big the pages are drawn.
#[derive(Clone, Copy, PartialEq, Debug)]
enum Zoom {
    FitWidth,
    FitPage,
    /// Percent of the page's size in points (100 = 1 pt is 4/3 px).
    Percent(u32),
}

const ZOOM_STEPS: [u32; 7] = [50, 75, 100, 125, 150, 200, 300];

/// The fields of every document, as undo and redo keep them.
type Snapshot = Vec<(i64, Vec<PlacedField>)>;

/// Where a ghost of the field being placed is drawn.
#[derive(Clone, PartialEq)]
struct Ghost {
    doc: i64,
    page: u32,
    kind: FieldKind,
    left: f64,
    top: f64,
}

/// A `{{SignerN}}` tag pdf.js found on a page, in points as displayed.
#[derive(Clone, PartialEq, Deserialize)]
struct AutoTag {
    url: String,
    page: u32,
    signer: u32,
    left: f64,
    top: f64,
    width: f64,
    height: f64,
}

/// The editor state shared by the rail, the pages and the fields.
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
    history: StoredValue<History<Snapshot>>,
    /// (can undo, can redo), for the buttons.
    undoable: RwSignal<(bool, bool)>,
    /// The page place a field had before it was anchored to a text.
    remembered: StoredValue<Vec<(String, Place)>>,
    doc: RwSignal<i64>,
    zoom: RwSignal<Zoom>,
    page_now: RwSignal<u32>,
    ghost: RwSignal<Option<Ghost>>,
    tags: RwSignal<Vec<AutoTag>>,
}

impl Placing {
    fn snapshot(&self) -> Snapshot {
        self.editing
            .documents
            .with_untracked(|docs| docs.iter().map(|d| (d.id, d.fields.clone())).collect())
    }

    /// Remembers the fields as they are, before a change (for undo).
    fn checkpoint(&self) {
        let before = self.snapshot();
        self.history.update_value(|h| h.record(before));
        self.refresh_undoable();
    }

    fn refresh_undoable(&self) {
        let state = self.history.with_value(|h| (h.can_undo(), h.can_redo()));
        self.undoable.set(state);
    }

    /// Changes a document's fields (an undoable step).
    fn update(&self, doc: i64, apply: impl FnOnce(&mut Vec<PlacedField>)) {
        self.checkpoint();
        self.update_quietly(doc, apply);
    }

    /// Changes a document's fields without a new undo step (while dragging).
    fn update_quietly(&self, doc: i64, apply: impl FnOnce(&mut Vec<PlacedField>)) {
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

    /// Goes one step back (or forward) and saves the documents that changed.
    fn travel(&self, back: bool) {
        let current = self.snapshot();
        let target = self.history.try_update_value(|h| {
            if back {
                h.undo(current.clone())
            } else {
                h.redo(current.clone())
            }
        });
        self.refresh_undoable();
        let Some(Some(target)) = target else {
            return;
        };
        let mut changed = Vec::new();
        self.editing.documents.update(|docs| {
            for d in docs.iter_mut() {
                if let Some((_, fields)) = target.iter().find(|(id, _)| *id == d.id) {
                    if *fields != d.fields {
                        d.fields = fields.clone();
                        changed.push(d.id);
                    }
                }
            }
        });
        if let Some((doc, id)) = self.selected.get_untracked() {
            let still = self.editing.documents.with_untracked(|docs| {
                docs.iter()
                    .any(|d| d.id == doc && d.fields.iter().any(|f| f.id == id))
            });
            if !still {
                self.selected.set(None);
            }
        }
        for doc in changed {
            self.persist(doc);
        }
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

    /// Adds a field of `kind` for `signer` at `rect` (left, top, width,
    /// height in points), kept on the page.
    fn add(
        &self,
        doc: i64,
        (page_no, page): (u32, PageInfo),
        kind: FieldKind,
        signer: String,
        rect: (f64, f64, f64, f64),
    ) {
        if signer.is_empty() {
            return;
        }
        let (w, h) = (rect.2.min(page.width), rect.3.min(page.height));
        let left = rect.0.clamp(0.0, page.width - w);
        let top = rect.1.clamp(0.0, page.height - h);
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
        self.ghost.set(None);
        self.persist(doc);
    }

    /// Adds a field of `kind` for the chosen signer, centred on `at` (points).
    fn place(&self, doc: i64, page_no: u32, page: PageInfo, kind: FieldKind, at: (f64, f64)) {
        let (w, h) = kind.default_size();
        let signer = self.signer.get_untracked();
        self.add(
            doc,
            (page_no, page),
            kind,
            signer,
            (at.0 - w / 2.0, at.1 - h / 2.0, w, h),
        );
    }

    /// Removes a field, with an Undo in the note that says so.
    fn remove(&self, doc: i64, id: &str) {
        let removed = self.editing.documents.with_untracked(|docs| {
            docs.iter().find(|d| d.id == doc).and_then(|d| {
                d.fields
                    .iter()
                    .position(|f| f.id == id)
                    .map(|i| (i, d.fields[i].clone()))
            })
        });
        let Some((index, field)) = removed else {
            return;
        };
        let id = id.to_string();
        self.update(doc, |fields| fields.retain(|f| f.id != id));
        self.selected.set(None);
        self.persist(doc);
        let placing = *self;
        let label = field.kind.label();
        self.editing.toasts.show(
            format!("{label} field removed"),
            Some(std::sync::Arc::new(move || {
                let field = field.clone();
                placing.update(doc, |fields| {
                    if !fields.iter().any(|f| f.id == field.id) {
                        fields.insert(index.min(fields.len()), field);
                    }
                });
                placing.persist(doc);
            })),
        );
    }

    /// The style that sizes a page at the current zoom.
    fn page_style(&self, page: PageInfo) -> String {
        let ratio = format!("aspect-ratio: {} / {};", page.width, page.height);
        let width = match self.zoom.get() {
            Zoom::FitWidth => "width: 100%;".to_string(),
            Zoom::FitPage => format!(
                "width: min(100%, calc(var(--canvas-height) * {:.4}));",
                page.width / page.height
            ),
            Zoom::Percent(p) => {
                format!("width: {:.0}px;", page.width * 4.0 / 3.0 * p as f64 / 100.0)
            }
        };
        format!("{ratio}{width}")
    }
}

fn page_dom_id(doc: i64, n: u32) -> String {
    format!("page-{doc}-{n}")
}

fn scroll_to(id: &str) {
    if let Some(el) = document().get_element_by_id(id) {
        let options = web_sys::ScrollIntoViewOptions::new();
        options.set_block(web_sys::ScrollLogicalPosition::Start);
        el.scroll_into_view_with_scroll_into_view_options(&options);
    }
}

/// Whether a key press belongs to a text box (which has its own undo).
fn typing(ev: &leptos::ev::KeyboardEvent) -> bool {
    ev.target()
        .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
        .is_some_and(|el| matches!(el.tag_name().as_str(), "INPUT" | "TEXTAREA" | "SELECT"))
}

#[component]
pub fn FieldsCard() -> impl IntoView {
    let editing = expect_context::<Editing>();
    let id = editing.id;
    let first = editing
        .signers
        .with_untracked(|s| s.first().map(|s| s.key.clone()).unwrap_or_default());
    let first_doc = editing
        .documents
        .with_untracked(|d| d.first().map(|d| d.id).unwrap_or(0));
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
        history: StoredValue::new(History::default()),
        undoable: RwSignal::new((false, false)),
        remembered: StoredValue::new(Vec::new()),
        doc: RwSignal::new(first_doc),
        zoom: RwSignal::new(Zoom::FitWidth),
        page_now: RwSignal::new(1),
        ghost: RwSignal::new(None),
        tags: RwSignal::new(Vec::new()),
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
    // The chosen signer and document must exist; fall back to the first one.
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
    Effect::new(move |_| {
        let ids: Vec<i64> = editing.documents.with(|d| d.iter().map(|d| d.id).collect());
        if !ids.contains(&placing.doc.get_untracked()) {
            placing.doc.set(ids.first().copied().unwrap_or(0));
            placing.page_now.set(1);
        }
    });
    let _keys = window_event_listener(leptos::ev::keydown, move |ev| {
        if ev.key() == "Escape" {
            placing.armed.set(None);
            placing.ghost.set(None);
            return;
        }
        if !editing.can_edit || typing(&ev) || !(ev.ctrl_key() || ev.meta_key()) {
            return;
        }
        match ev.key().to_lowercase().as_str() {
            "z" => {
                ev.prevent_default();
                placing.travel(!ev.shift_key());
            }
            "y" => {
                ev.prevent_default();
                placing.travel(false);
            }
            _ => {}
        }
    });
    // pdf.js reports the `{{SignerN}}` tags it finds while drawing a page.
    let _tags = window_event_listener_untyped("pdf-tags", move |ev| {
        let Some(detail) = ev
            .dyn_ref::<web_sys::CustomEvent>()
            .and_then(|e| e.detail().as_string())
        else {
            return;
        };
        if let Ok(found) = serde_json::from_str::<Vec<AutoTag>>(&detail) {
            placing.tags.update(|all| {
                for t in found {
                    if !all.contains(&t) {
                        all.push(t);
                    }
                }
            });
        }
    });
    // A problem's "Go there": show the field's document and select it.
    Effect::new(move |_| {
        if let Some((doc, id)) = editing.focus_field.get() {
            placing.doc.set(doc);
            placing.selected.set(Some((doc, id)));
        }
    });
    provide_context(placing);
    let has_docs = move || editing.documents.with(|d| !d.is_empty());
    view! {
        <section class="card builder-card" id="step-fields" aria-labelledby="fields-title">
            <div class="card-head">
                <h2 id="fields-title">"3. Fields"</h2>
                <SaveNote action=placing.save/>
            </div>
            <Show when=has_docs fallback=|| view! {
                <p class="empty-note">"Add documents first; their pages appear here, ready for fields."</p>
            }>
                <div class="builder">
                    <Thumbnails/>
                    <Canvas/>
                    <aside class="rail" aria-label="Signers, field types and the selected field">
                        {editing.can_edit.then(|| view! { <Rail/> })}
                        <FieldPanel/>
                        <TagList/>
                        <AnchoredList/>
                    </aside>
                </div>
            </Show>
        </section>
    }
}

/// The current document's pages and fields, one number per change of
/// pages (not of fields), so the pages are not redrawn as fields move.
fn current_doc(placing: Placing) -> Memo<Option<(i64, Vec<PageInfo>)>> {
    let editing = placing.editing;
    Memo::new(move |_| {
        let id = placing.doc.get();
        editing.documents.with(|d| {
            d.iter()
                .find(|d| d.id == id)
                .map(|d| (d.id, d.pages.clone()))
        })
    })
}

fn pdf_url(editing: Editing, doc: i64) -> String {
    format!("/requests/{}/documents/{doc}/pdf", editing.id)
}

#[component]
fn Thumbnails() -> impl IntoView {
    let placing = expect_context::<Placing>();
    let editing = placing.editing;
    let doc = current_doc(placing);
    view! {
        <nav class="thumbs" aria-label="Pages">
            {move || doc.get().map(|(id, pages)| {
                let url = pdf_url(editing, id);
                pages.iter().enumerate().map(|(i, p)| {
                    let n = i as u32 + 1;
                    let count = move || editing.documents.with(|d| d.iter().find(|d| d.id == id)
                        .map(|d| d.fields.iter().filter(|f| matches!(f.place, Place::Page { page, .. } if page == n)).count())
                        .unwrap_or(0));
                    view! {
                        <button type="button" class="thumb" class:current=move || placing.page_now.get() == n
                            aria-label=move || format!("Page {n}, {} fields", count())
                            on:click=move |_| { placing.page_now.set(n); scroll_to(&page_dom_id(id, n)); }>
                            <span class="thumb-page" style=format!("aspect-ratio: {} / {};", p.width, p.height)>
                                <canvas data-pdf=url.clone() data-page=n aria-hidden="true"></canvas>
                            </span>
                            <span class="thumb-label">{n}
                                {move || (count() > 0).then(|| view! { <span class="thumb-count">{count()}</span> })}
                            </span>
                        </button>
                    }
                }).collect_view()
            })}
        </nav>
    }
}

#[component]
fn Canvas() -> impl IntoView {
    let placing = expect_context::<Placing>();
    let editing = placing.editing;
    let doc = current_doc(placing);
    let total = move || doc.with(|d| d.as_ref().map(|(_, p)| p.len()).unwrap_or(0));
    let zoom = placing.zoom;
    let step = move |up: bool| {
        let now = match zoom.get_untracked() {
            Zoom::Percent(p) => p,
            _ => 100,
        };
        let next = if up {
            ZOOM_STEPS.iter().copied().find(|s| *s > now).unwrap_or(300)
        } else {
            ZOOM_STEPS
                .iter()
                .rev()
                .copied()
                .find(|s| *s < now)
                .unwrap_or(50)
        };
        zoom.set(Zoom::Percent(next));
    };
    // The page nearest the top of the view is "the current page".
    let follow = move |ev: leptos::ev::Event| {
        let Some(view) = ev
            .target()
            .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
        else {
            return;
        };
        let top = view.get_bounding_client_rect().top() + 80.0;
        let pages = view.query_selector_all(".pdf-page").ok();
        let mut current = 1;
        if let Some(pages) = pages {
            for i in 0..pages.length() {
                if let Some(p) = pages
                    .item(i)
                    .and_then(|n| n.dyn_into::<web_sys::Element>().ok())
                {
                    if p.get_bounding_client_rect().top() <= top {
                        current = i + 1;
                    }
                }
            }
        }
        if placing.page_now.get_untracked() != current {
            placing.page_now.set(current);
        }
    };
    let many = move || editing.documents.with(|d| d.len() > 1);
    view! {
        <div class="canvas-column">
            <div class="canvas-bar">
                <Show when=many>
                    <div class="doc-tabs" role="group" aria-label="Document">
                        {move || editing.documents.get().into_iter().map(|d| {
                            let id = d.id;
                            view! {
                                <button type="button" class="doc-tab" aria-pressed=move || (placing.doc.get() == id).to_string()
                                    on:click=move |_| { placing.doc.set(id); placing.page_now.set(1); }>
                                    {d.name.clone()}
                                </button>
                            }
                        }).collect_view()}
                    </div>
                </Show>
                <div class="zoom" role="group" aria-label="Zoom">
                    <button type="button" class="button button-quiet" aria-pressed=move || (zoom.get() == Zoom::FitWidth).to_string()
                        on:click=move |_| zoom.set(Zoom::FitWidth)>"Fit width"</button>
                    <button type="button" class="button button-quiet" aria-pressed=move || (zoom.get() == Zoom::FitPage).to_string()
                        on:click=move |_| zoom.set(Zoom::FitPage)>"Fit page"</button>
                    <button type="button" class="button button-quiet" aria-label="Zoom out" on:click=move |_| step(false)>"−"</button>
                    <span class="zoom-level" aria-live="polite">{move || match zoom.get() {
                        Zoom::Percent(p) => format!("{p}%"),
                        Zoom::FitWidth => "Width".into(),
                        Zoom::FitPage => "Page".into(),
                    }}</span>
                    <button type="button" class="button button-quiet" aria-label="Zoom in" on:click=move |_| step(true)>"+"</button>
                </div>
                <span class="page-indicator" aria-live="polite">{move || format!("Page {} of {}", placing.page_now.get(), total())}</span>
            </div>
            <div class="canvas" on:scroll=follow>
                {move || doc.get().map(|(id, pages)| {
                    let url = pdf_url(editing, id);
                    view! {
                        <div class="pages">
                            {pages.iter().enumerate().map(|(i, page)| {
                                let page = *page;
                                let n = i as u32 + 1;
                                view! { <Page doc=id n page url=url.clone()/> }
                            }).collect_view()}
                        </div>
                    }
                })}
            </div>
        </div>
    }
}

/// The signers (choose whose fields to place), the palette, undo and redo.
#[component]
fn Rail() -> impl IntoView {
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
fn TagList() -> impl IntoView {
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
        (!tags.is_empty()).then(|| view! {
            <div class="rail-part">
                <h3>"Tags in this document"</h3>
                <p class="hint">"Signhost puts a signature where the PDF says {{SignerN}}. They are drawn as dashed “auto” boxes."</p>
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
fn AnchoredList() -> impl IntoView {
    let placing = expect_context::<Placing>();
    let editing = placing.editing;
    let anchored = move || {
        let doc = placing.doc.get();
        editing.documents.with(|d| {
            d.iter()
                .find(|d| d.id == doc)
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

fn page_rect(el: &web_sys::Element) -> web_sys::DomRect {
    el.get_bounding_client_rect()
}

/// Where the pointer is on a page, in points.
fn point_on(ev: &leptos::ev::PointerEvent, page: PageInfo) -> Option<(f64, f64)> {
    let el = ev
        .current_target()
        .and_then(|t| t.dyn_into::<web_sys::Element>().ok())?;
    let rect = page_rect(&el);
    let scale = rect.width() / page.width;
    if scale <= 0.0 {
        return None;
    }
    Some((
        (ev.client_x() as f64 - rect.left()) / scale,
        (ev.client_y() as f64 - rect.top()) / scale,
    ))
}

fn rect_style(left: f64, top: f64, width: f64, height: f64, page: PageInfo) -> String {
    format!(
        "left:{}%;top:{}%;width:{}%;height:{}%;",
        percent(left, page.width),
        percent(top, page.height),
        percent(width, page.width),
        percent(height, page.height)
    )
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
        if let Some(at) = point_on(&ev, page) {
            placing.place(doc, n, page, kind, at);
        }
    };
    // While a field type is being placed, a ghost follows the pointer.
    let hover = move |ev: leptos::ev::PointerEvent| {
        let Some(kind) = placing.armed.get_untracked() else {
            return;
        };
        if let Some((x, y)) = point_on(&ev, page) {
            let (w, h) = kind.default_size();
            placing.ghost.set(Some(Ghost {
                doc,
                page: n,
                kind,
                left: (x - w / 2.0).clamp(0.0, (page.width - w).max(0.0)),
                top: (y - h / 2.0).clamp(0.0, (page.height - h).max(0.0)),
            }));
        }
    };
    let leave = move |_| {
        if placing
            .ghost
            .with_untracked(|g| g.as_ref().is_some_and(|g| g.doc == doc && g.page == n))
        {
            placing.ghost.set(None);
        }
    };
    let ghost = move || {
        placing.ghost.get().filter(|g| g.doc == doc && g.page == n).map(|g| {
            let (w, h) = g.kind.default_size();
            let who = editing.signer_label(&placing.signer.get_untracked());
            view! {
                <div class="field-ghost" aria-hidden="true" style=rect_style(g.left, g.top, w, h, page)>
                    <span class="field-text">{format!("{} · {who}", g.kind.label())}</span>
                </div>
            }
        })
    };
    let tag_url = url.clone();
    let tags = move || {
        placing.tags.with(|all| {
            all.iter()
                .filter(|t| t.url == tag_url && t.page == n)
                .cloned()
                .collect::<Vec<_>>()
        })
    };
    let label = format!("Page {n}");
    let aria = label.clone();
    view! {
        <div class="pdf-page" id=page_dom_id(doc, n) class:placing=move || placing.armed.get().is_some()
            style=move || placing.page_style(page)
            data-page=n aria-label=aria role="group"
            on:pointerup=drop_here on:pointermove=hover on:pointerleave=leave>
            <canvas data-pdf=url data-page=n data-find-tags="true" aria-hidden="true"></canvas>
            {move || tags().into_iter().map(|t| view! { <AutoTagBox doc n page tag=t/> }).collect_view()}
            <For each=ids key=|id| id.clone() let:field>
                <FieldBox doc field page/>
            </For>
            {ghost}
            <span class="page-number" aria-hidden="true">{label}</span>
        </div>
    }
}

/// A `{{SignerN}}` tag drawn where pdf.js found it; it can become a field.
#[component]
fn AutoTagBox(doc: i64, n: u32, page: PageInfo, tag: AutoTag) -> impl IntoView {
    let placing = expect_context::<Placing>();
    let editing = placing.editing;
    let signer = move || {
        editing.signers.with(|l| {
            l.get((tag.signer as usize).wrapping_sub(1))
                .map(|s| s.key.clone())
        })
    };
    let (w, h) = FieldKind::Signature.default_size();
    // Signhost puts the signature with its top-left corner at the tag.
    let style = rect_style(
        tag.left,
        tag.top,
        w.min(page.width),
        h.min(page.height),
        page,
    );
    let who = move || {
        signer()
            .map(|k| editing.signer_label(&k))
            .unwrap_or_else(|| format!("no signer {}", tag.signer))
    };
    let make = move |_| {
        if let Some(key) = signer() {
            placing.add(
                doc,
                (n, page),
                FieldKind::Signature,
                key,
                (tag.left, tag.top, w, h),
            );
        }
    };
    view! {
        <div class="auto-tag" style=style>
            <span class="field-text">{move || format!("auto · Signature · {}", who())}</span>
            {editing.can_edit.then(|| view! {
                <button type="button" class="auto-tag-make" on:click=make on:pointerup=|ev| ev.stop_propagation()
                    disabled=move || signer().is_none()
                    aria-label=move || format!("Make the tag on page {n} a field for {}", who())>"Make a field"</button>
            })}
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
            }) => rect_style(*left, *top, *width, *height, page),
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
    let fit = move |f: &mut PlacedField, (l, t, w, h): (f64, f64, f64, f64)| {
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
                    moved: false,
                }));
            }
        }
    };
    let moving = {
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
            // One undo step per drag, taken when it starts to move.
            if !d.moved {
                placing.checkpoint();
                placing.drag.update_value(|d| {
                    if let Some(d) = d {
                        d.moved = true;
                    }
                });
            }
            let (l, t, w, h) = d.orig;
            let rect = match d.mode {
                Mode::Move => (l + dx, t + dy, w, h),
                Mode::Resize => (l, t, w + dx, h + dy),
            };
            let id = field.clone();
            placing.update_quietly(doc, |fields| {
                if let Some(f) = fields.iter_mut().find(|f| f.id == id) {
                    fit(f, rect);
                }
            });
        }
    };
    let up = move |ev: leptos::ev::PointerEvent| {
        ev.stop_propagation();
        if let Some(d) = placing.drag.get_value() {
            placing.drag.set_value(None);
            if d.moved {
                placing.persist(doc);
            }
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
                    placing.remove(doc, &field);
                    return;
                }
                _ => return,
            };
            ev.prevent_default();
            if let Some((l, t, w, h)) = rect_of() {
                let rect = if ev.alt_key() {
                    (l, t, w + dx, h + dy)
                } else {
                    (l + dx, t + dy, w, h)
                };
                placing.update_field(doc, &field, |f| fit(f, rect));
                placing.persist(doc);
            }
        }
    };
    view! {
        <div class=colour class:selected=selected style=style tabindex="0" role="button" id=format!("field-{doc}-{field}")
            aria-label=move || format!("{} field; arrows move it, Alt+arrows resize, Delete removes", text())
            on:pointerdown=down on:pointermove=moving on:pointerup=up on:keydown=key>
            <span class="field-text">{text}</span>
            <span class="resize-handle" aria-hidden="true"></span>
        </div>
    }
}

/// Details of the selected field: who fills it in, its type and value, and
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
                            {FieldKind::ALL.into_iter().map(|k| view! {
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
                            <label for="field-name">"Name at Signhost (letters, digits, _)"</label>
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
