//! The local history of reports in `localStorage`, and file downloads. Both
//! can fail (storage full, blocked, private mode): every call returns a
//! `Result` whose error the page shows instead of crashing.

use crate::session::Entry;
use wasm_bindgen::JsCast;

const KEY: &str = "tvp-history-v1";

fn storage() -> Result<web_sys::Storage, String> {
    web_sys::window()
        .ok_or("no window")?
        .local_storage()
        .map_err(|_| "storage is blocked here".to_string())?
        .ok_or_else(|| "this browser offers no local storage".to_string())
}

pub fn load() -> Result<Vec<Entry>, String> {
    let raw = storage()?
        .get_item(KEY)
        .map_err(|_| "storage could not be read".to_string())?;
    match raw {
        None => Ok(Vec::new()),
        // A damaged or foreign value is dropped rather than trusted.
        Some(text) => Ok(serde_json::from_str(&text).unwrap_or_default()),
    }
}

pub fn save(entries: &[Entry]) -> Result<(), String> {
    let text = serde_json::to_string(entries).map_err(|e| e.to_string())?;
    storage()?
        .set_item(KEY, &text)
        .map_err(|_| "storage is full or blocked, so this run was not kept".to_string())
}

/// Offers `text` as a file download.
pub fn download(name: &str, mime: &str, text: &str) -> Result<(), String> {
    let parts = js_sys::Array::of1(&text.into());
    let options = web_sys::BlobPropertyBag::new();
    options.set_type(mime);
    let blob = web_sys::Blob::new_with_str_sequence_and_options(&parts, &options)
        .map_err(|_| "could not make the file".to_string())?;
    let url = web_sys::Url::create_object_url_with_blob(&blob)
        .map_err(|_| "could not make the file".to_string())?;
    let doc = web_sys::window()
        .and_then(|w| w.document())
        .ok_or("no document")?;
    let a: web_sys::HtmlAnchorElement = doc
        .create_element("a")
        .map_err(|_| "no link element")?
        .unchecked_into();
    a.set_href(&url);
    a.set_download(name);
    a.click();
    let _ = web_sys::Url::revoke_object_url(&url);
    Ok(())
}

/// Copies `text` to the clipboard; resolves to whether it worked.
pub async fn copy(text: &str) -> Result<(), String> {
    let clipboard = web_sys::window()
        .ok_or("no window")?
        .navigator()
        .clipboard();
    wasm_bindgen_futures::JsFuture::from(clipboard.write_text(text))
        .await
        .map(|_| ())
        .map_err(|_| "the browser refused the clipboard: select the link and copy it".to_string())
}
