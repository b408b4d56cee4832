//! Browser tests of the wizard's components, run in headless Chromium by
//! `wasm-bindgen-test-runner` (`cargo xtask test` runs them).
#![cfg(target_arch = "wasm32")]
#![allow(clippy::unwrap_used, missing_docs)]

use std::cell::Cell;
use std::rc::Rc;

use leptos::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};
use web_sys::{HtmlButtonElement, HtmlElement, HtmlInputElement};
use wizard::steps::start::StartStep;

wasm_bindgen_test_configure!(run_in_browser);

fn fresh_container() -> HtmlElement {
    let document = document();
    let container: HtmlElement = document.create_element("div").unwrap().unchecked_into();
    document.body().unwrap().append_child(&container).unwrap();
    container
}

fn find<T: JsCast>(root: &HtmlElement, test_id: &str) -> T {
    root.query_selector(&format!("[data-testid='{test_id}']"))
        .unwrap()
        .unwrap_or_else(|| panic!("no element with data-testid={test_id}"))
        .unchecked_into()
}

#[wasm_bindgen_test]
async fn start_step_names_the_vendor_and_waits_for_the_administrator() {
    let container = fresh_container();
    let started = Rc::new(Cell::new(false));
    let on_start = {
        let started = started.clone();
        move || started.set(true)
    };
    let _handle = leptos::mount::mount_to(container.clone(), move || {
        view! { <StartStep vendor="Acme Learning".to_owned() on_start/> }
    });
    leptos::task::tick().await;

    let title: HtmlElement = find(&container, "start-title");
    assert!(title.text_content().unwrap().contains("Acme Learning"));
    let start: HtmlButtonElement = find(&container, "start");
    assert!(start.disabled(), "cannot start before confirming the role");

    let confirm: HtmlInputElement = find(&container, "confirm-admin");
    confirm.click();
    leptos::task::tick().await;
    assert!(!start.disabled(), "confirming the role enables Get started");

    start.click();
    leptos::task::tick().await;
    assert!(started.get(), "Get started goes on");
}
