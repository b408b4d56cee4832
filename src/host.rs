//! What the wizard asks of the page around it: `sessionStorage`, and the
//! events (and callbacks) that tell the vendor's page what happened.

use wasm_bindgen::{JsCast, JsValue};
use web_sys::HtmlElement;

/// True when the browser says it has no network.
pub fn offline() -> bool {
    web_sys::window().is_some_and(|w| !w.navigator().on_line())
}

fn session_storage() -> Option<web_sys::Storage> {
    web_sys::window()?.session_storage().ok().flatten()
}

/// Reads a `sessionStorage` entry (None when storage is unavailable, e.g. blocked).
pub fn load(key: &str) -> Option<String> {
    session_storage()?.get_item(key).ok().flatten()
}

/// Writes a `sessionStorage` entry; a full or blocked storage only loses the reload comfort.
pub fn save(key: &str, value: &str) {
    if let Some(storage) = session_storage() {
        let _ = storage.set_item(key, value);
    }
}

/// What the wizard tells the page around it (see docs/embedding.md for each detail).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HostEvent {
    /// The session loaded and the first step is on screen.
    Ready,
    /// The administrator moved to another step.
    Step,
    /// A "Validate Configuration" finished.
    Validation,
    /// The connection is stored.
    Success,
    /// The administrator left (Exit), or the wizard was removed before finishing.
    Exit,
    /// The wizard cannot go on (configuration, session, network).
    Error,
}

impl HostEvent {
    /// The event's name after `sis-onboard:`, and the host's callback property.
    pub fn names(self) -> (&'static str, &'static str) {
        match self {
            HostEvent::Ready => ("ready", "onReady"),
            HostEvent::Step => ("step", "onStepChange"),
            HostEvent::Validation => ("validation", "onValidation"),
            HostEvent::Success => ("success", "onSuccess"),
            HostEvent::Exit => ("exit", "onExit"),
            HostEvent::Error => ("error", "onError"),
        }
    }
}

/// Tells the page that the wizard cannot go on: `sis-onboard:error` with a stable `code`
/// and an English `message` for the vendor's logs.
pub fn notify_error(host: &HtmlElement, code: &str, message: &str) {
    notify(
        host,
        HostEvent::Error,
        &[("code", Some(code)), ("message", Some(message))],
    );
}

/// Tells the page: a bubbling, composed `sis-onboard:<name>` event on the host element with
/// `detail` (None values are `null`), then the host's callback property, if it is a function.
pub fn notify(host: &HtmlElement, event: HostEvent, detail: &[(&str, Option<&str>)]) {
    let (name, callback) = event.names();
    let object = js_sys::Object::new();
    for (key, value) in detail {
        let value = value.map_or(JsValue::NULL, JsValue::from_str);
        let _ = js_sys::Reflect::set(&object, &JsValue::from_str(key), &value);
    }
    let init = web_sys::CustomEventInit::new();
    init.set_bubbles(true);
    init.set_composed(true);
    init.set_detail(&object);
    if let Ok(event) =
        web_sys::CustomEvent::new_with_event_init_dict(&format!("sis-onboard:{name}"), &init)
    {
        let _ = host.dispatch_event(&event);
    }
    if let Ok(function) = js_sys::Reflect::get(host, &JsValue::from_str(callback))
        .and_then(|f| f.dyn_into::<js_sys::Function>())
    {
        let _ = function.call1(host, &object);
    }
}
