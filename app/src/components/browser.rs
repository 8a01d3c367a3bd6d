//! Small bridges to browser APIs used by the request editor: uploads with
//! progress (fetch cannot report upload progress, XMLHttpRequest can) and
//! the clipboard. They are only ever called from event handlers, which run
//! in the browser.

use leptos::prelude::*;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;
use web_sys::{File, ProgressEvent, XmlHttpRequest};

use crate::model::request::DocumentView;

/// Sends `file` as the raw body of a POST to `url`, reporting `(sent, total)`
/// bytes as it goes, then the stored document or the server's message.
pub fn upload_file(
    url: &str,
    file: &File,
    on_progress: impl Fn(f64, f64) + 'static,
    on_done: impl FnOnce(Result<DocumentView, String>) + 'static,
) {
    let Ok(xhr) = XmlHttpRequest::new() else {
        on_done(Err("This browser cannot upload files.".into()));
        return;
    };
    let name = String::from(js_sys::encode_uri_component(&file.name()));
    let opened = xhr.open("POST", url).and_then(|_| {
        xhr.set_request_header("x-file-name", &name)?;
        xhr.set_request_header("content-type", "application/pdf")?;
        xhr.set_request_header("accept", "application/json")
    });
    if opened.is_err() {
        on_done(Err("The upload could not be started.".into()));
        return;
    }
    let progress = Closure::<dyn FnMut(ProgressEvent)>::new(move |e: ProgressEvent| {
        on_progress(e.loaded(), e.total());
    });
    if let Ok(upload) = xhr.upload() {
        upload.set_onprogress(Some(progress.as_ref().unchecked_ref()));
    }
    progress.forget();

    let done = std::rc::Rc::new(std::cell::RefCell::new(Some(on_done)));
    let finish = {
        let xhr = xhr.clone();
        let done = done.clone();
        Closure::<dyn FnMut()>::new(move || {
            let Some(on_done) = done.borrow_mut().take() else {
                return;
            };
            let status = xhr.status().unwrap_or(0);
            let text = xhr.response_text().ok().flatten().unwrap_or_default();
            on_done(read_answer(status, &text));
        })
    };
    xhr.set_onload(Some(finish.as_ref().unchecked_ref()));
    finish.forget();
    let failed = Closure::<dyn FnMut()>::new(move || {
        if let Some(on_done) = done.borrow_mut().take() {
            on_done(Err(
                "The connection was lost during the upload. Check your connection and try again."
                    .into(),
            ));
        }
    });
    xhr.set_onerror(Some(failed.as_ref().unchecked_ref()));
    failed.forget();
    if xhr.send_with_opt_blob(Some(file)).is_err() {
        // onerror reports it.
    }
}

/// The document from a 201, else the server's message.
pub fn read_answer(status: u16, text: &str) -> Result<DocumentView, String> {
    if status == 201 {
        return serde_json::from_str(text)
            .map_err(|_| "The portal's answer could not be read. Reload the page.".to_string());
    }
    #[derive(serde::Deserialize)]
    struct Message {
        message: String,
    }
    match serde_json::from_str::<Message>(text) {
        Ok(m) => Err(m.message),
        Err(_) if status == 0 => Err("The portal could not be reached.".into()),
        Err(_) => Err(format!("The upload failed (status {status}).")),
    }
}

/// Copies `text` to the clipboard; `done` learns whether the browser allowed it.
pub fn copy_text(text: &str, done: impl FnOnce(bool) + 'static) {
    let Some(window) = web_sys::window() else {
        done(false);
        return;
    };
    let promise = window.navigator().clipboard().write_text(text);
    wasm_bindgen_futures::spawn_local(async move {
        done(wasm_bindgen_futures::JsFuture::from(promise).await.is_ok());
    });
}

/// The address of this site (for full links shown to staff). Empty while
/// the page is rendered on the server, which has no window to ask.
pub fn origin() -> String {
    #[cfg(target_arch = "wasm32")]
    {
        web_sys::window()
            .and_then(|w| w.location().origin().ok())
            .unwrap_or_default()
    }
    #[cfg(not(target_arch = "wasm32"))]
    String::new()
}

/// The address of this site once the browser has taken over (empty
/// before), for values that are rendered on the server first.
pub fn origin_signal() -> Signal<String> {
    let base = RwSignal::new(String::new());
    Effect::new(move |_| base.set(origin()));
    base.into()
}

/// "Copy link": copies what `text` gives, and says whether it worked.
#[component]
pub fn CopyButton(text: Signal<String>) -> impl IntoView {
    let copied = RwSignal::new(None::<bool>);
    view! {
        <button type="button" class="button"
            on:click=move |_| copy_text(&text.get_untracked(), move |ok| copied.set(Some(ok)))>
            {move || match copied.get() {
                Some(true) => "Copied",
                Some(false) => "Select the link and copy it",
                None => "Copy link",
            }}
        </button>
    }
}
