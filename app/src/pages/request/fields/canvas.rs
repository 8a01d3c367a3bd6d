//! The pages: thumbnails, the zoomable canvas, each page with its fields,
//! the ghost of a field being placed and the tags found by pdf.js.

use super::*;

#[component]
pub(super) fn Thumbnails() -> impl IntoView {
    let placing = expect_context::<Placing>();
    let editing = placing.editing;
    let doc = placing.current;
    view! {
        <nav class="thumbs" aria-label="Pages">
            {move || doc.get().map(|(id, pages)| {
                let url = pdf_url(editing, id);
                pages.iter().enumerate().map(|(i, p)| {
                    let n = i as u32 + 1;
                    let count = move || placing.fields_where(id, |f| f.place.is_on_page(n)).len();
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
pub(super) fn Canvas() -> impl IntoView {
    let placing = expect_context::<Placing>();
    let editing = placing.editing;
    let doc = placing.current;
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
pub(super) fn Page(doc: i64, n: u32, page: PageInfo, url: String) -> impl IntoView {
    let placing = expect_context::<Placing>();
    let editing = placing.editing;
    let ids = move || {
        placing
            .fields_where(doc, |f| f.place.is_on_page(n))
            .into_iter()
            .map(|f| f.id)
            .collect::<Vec<_>>()
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
pub(super) fn AutoTagBox(doc: i64, n: u32, page: PageInfo, tag: AutoTag) -> impl IntoView {
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
pub(super) fn FieldBox(doc: i64, field: String, page: PageInfo) -> impl IntoView {
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
