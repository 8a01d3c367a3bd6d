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

mod canvas;
mod rail;

use canvas::{Canvas, Thumbnails};
use rail::{AnchoredList, FieldPanel, Rail, TagList};

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
    /// The shown document's id and pages (not its fields: the pages are not
    /// redrawn as fields move).
    current: Memo<Option<(i64, Vec<PageInfo>)>>,
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

    /// The fields of `doc` that `keep` keeps (tracked: views follow changes).
    fn fields_where(&self, doc: i64, keep: impl Fn(&PlacedField) -> bool) -> Vec<PlacedField> {
        self.editing.documents.with(|d| {
            d.iter()
                .find(|d| d.id == doc)
                .map(|d| d.fields.iter().filter(|f| keep(f)).cloned().collect())
                .unwrap_or_default()
        })
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
    let doc = RwSignal::new(first_doc);
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
        doc,
        current: Memo::new(move |_| {
            let id = doc.get();
            editing.documents.with(|d| {
                d.iter()
                    .find(|d| d.id == id)
                    .map(|d| (d.id, d.pages.clone()))
            })
        }),
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
    let places = move || editing.service.get().capabilities().places_fields();
    let why_not = move || editing.service.get().capabilities().no_fields_because;
    view! {
        <section class="card builder-card" id="step-fields" aria-labelledby="fields-title">
            <div class="card-head">
                <h2 id="fields-title">"3. Fields"</h2>
                <SaveNote action=placing.save/>
            </div>
            <Show when=places fallback=move || view! {
                <p class="empty-note">{why_not}" No fields to place for this service."</p>
            }>
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
            </Show>
        </section>
    }
}

fn pdf_url(editing: Editing, doc: i64) -> String {
    format!("/requests/{}/documents/{doc}/pdf", editing.id)
}
