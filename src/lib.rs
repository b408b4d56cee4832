//! The sis-onboard wizard: a Leptos app that a vendor's page mounts through the
//! `<sis-onboard>` element (see `js/sis-onboard.js`), one instance per element.

pub mod api;
pub mod app;
pub mod components;
pub mod ctx;
pub mod host;
pub mod i18n;
pub mod messages;
pub mod options;
pub mod sis;
pub mod state;
pub mod steps;
pub mod urls;

use std::any::Any;

use leptos::prelude::*;
use wasm_bindgen::prelude::*;

use crate::app::App;
use crate::i18n::Lang;
use crate::options::MountOptions;

/// A mounted wizard; `destroy()` removes it and frees everything it held.
#[wasm_bindgen]
pub struct WizardHandle {
    mounted: Option<Box<dyn Any>>,
}

#[wasm_bindgen]
impl WizardHandle {
    /// Unmounts the wizard. Calling it twice is harmless.
    pub fn destroy(&mut self) {
        self.mounted = None;
    }
}

/// Mounts a wizard into `container`, configured by the attributes of `host`
/// (`session`: the session token; `api`: the proxy's base URL), speaking `lang` (`en`,
/// `es`, `fr`) with `strings`, the text of that language's strings file. The loader chooses the
/// language (the host's own `lang`, else the browser's) and fetches its file alongside the
/// wasm. `session`, when given, is the loader's own `GET /v1/session` for these very
/// attributes, started alongside the wasm: a promise of its `Response`, or of `null` when
/// the network failed (then the wizard says offline or unreachable, without asking again);
/// without it the wizard fetches the session. Nothing is mounted, and nothing returned, when `strings` is not this
/// build's file (one line per string).
#[wasm_bindgen]
pub fn mount(
    host: web_sys::HtmlElement,
    container: web_sys::HtmlElement,
    lang: &str,
    strings: String,
    session: Option<js_sys::Promise>,
) -> Option<WizardHandle> {
    // Every build: a panic in a vendor's page prints its message in the console instead of
    // a bare "unreachable" trap.
    console_error_panic_hook::set_once();
    let options =
        MountOptions::from_attributes(host.get_attribute("session"), host.get_attribute("api"));
    let lang = Lang::from_tag(lang).unwrap_or(Lang::En);
    if !lang.install(strings) {
        return None;
    }
    let host = Some(host);
    let handle = leptos::mount::mount_to(container, move || {
        view! { <App options lang host prefetched=session/> }
    });
    Some(WizardHandle {
        mounted: Some(Box::new(handle)),
    })
}
