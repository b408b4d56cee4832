//! Data extract (the Custom Data Extract path only): the data sets to share, then the
//! Infinite Campus steps as a checklist the administrator ticks, with each value and query
//! to copy. The catalog and its SQL come from the proxy (`GET /v1/extracts`), which stores
//! the same plan when the connection is completed.

use leptos::prelude::*;
use sis_onboard_protocol::{DataSetOffer, ExtractCatalog};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

use crate::api::{self, ApiFailure};
use crate::components::frame::{Frame, Nav};
use crate::ctx::{Ctx, ctx};
use crate::i18n::Key;
use crate::state::{Step, extract_tick};

/// The data extract step.
#[component]
pub fn DataExtractStep() -> impl IntoView {
    let ctx = ctx();
    let catalog = RwSignal::new(None::<Result<ExtractCatalog, ApiFailure>>);
    let options = ctx.options.get_value();
    leptos::task::spawn_local(async move {
        let result = api::extracts(&options, ctx.lang.tag()).await;
        if let Ok(loaded) = &result {
            let order: Vec<String> = loaded.data_sets.iter().map(|d| d.id.clone()).collect();
            let defaults = loaded.data_sets.iter().filter(|d| d.default);
            let defaults = defaults.map(|d| d.id.clone()).collect();
            ctx.draft
                .update(|draft| draft.fit_data_sets(&order, defaults));
        }
        if let Err(failure) = &result {
            ctx.report(*failure);
        }
        catalog.set(Some(result));
    });
    view! {
        <Frame step=Step::DataExtract title=ctx.t(Key::ExtractTitle).to_owned()>
            <p>{ctx.t(Key::ExtractIntro)}</p>
            {move || match catalog.get() {
                None => view! {
                    <p class="sis-loading" role="status" data-testid="extracts-loading">
                        {ctx.t(Key::Loading)}
                    </p>
                }
                .into_any(),
                Some(Err(failure)) => view! {
                    <p class="sis-error" role="alert" data-testid="extracts-failure">
                        {ctx.tv(Key::ExtractFailed)}" "{ctx.tv(failure.message())}
                    </p>
                }
                .into_any(),
                Some(Ok(loaded)) => checklist(ctx, loaded).into_any(),
            }}
            <Nav/>
        </Frame>
    }
}

/// The data-set picker and the checklist for a loaded catalog.
fn checklist(ctx: Ctx, catalog: ExtractCatalog) -> impl IntoView {
    let order: Vec<String> = catalog.data_sets.iter().map(|d| d.id.clone()).collect();
    // Only a change of the chosen data sets redraws the extracts, not each tick.
    let chosen = Memo::new(move |_| ctx.draft.with(|d| d.chosen_data_sets().to_vec()));
    let picker = catalog
        .data_sets
        .iter()
        .map(|set| {
            let id = set.id.clone();
            let order = order.clone();
            let help_id = format!("sis-data-set-{id}-help");
            let yields = ctx.lang.format(Key::ExtractYields, &[("yields", &set.yields)]);
            let checked = {
                let id = id.clone();
                move || chosen.with(|c| c.contains(&id))
            };
            view! {
                <label class="sis-choice">
                    <input
                        type="checkbox"
                        data-testid=format!("data-set-{id}")
                        aria-describedby=help_id.clone()
                        prop:checked=checked
                        on:change=move |ev| {
                            let on = event_target_checked(&ev);
                            ctx.draft.update(|d| d.choose_data_set(&id, on, &order));
                        }
                    />
                    <span class="sis-choice-label">{set.name.clone()}</span>
                    <span class="sis-hint" id=help_id>{format!("{} {yields}", set.description)}</span>
                </label>
            }
        })
        .collect_view();
    let required = catalog.required_value.clone();
    let sets = catalog.data_sets;
    let extracts = move || {
        chosen
            .get()
            .iter()
            .filter_map(|id| sets.iter().find(|s| &s.id == id))
            .map(|set| extract_item(ctx, set, &required))
            .collect_view()
    };
    let schedule = ctx
        .lang
        .format(Key::ExtractSchedule, &[("prefix", &catalog.name_prefix)]);
    view! {
        <fieldset class="sis-choices">
            <legend class="sis-label">{ctx.t(Key::ExtractDataSets)}</legend>
            {picker}
        </fieldset>
        {move || chosen.with(Vec::is_empty).then(|| view! {
            <p class="sis-error" role="status" data-testid="no-data-set">
                {ctx.t(Key::ExtractNoneChosen)}
            </p>
        })}
        <h3 class="sis-label">{ctx.t(Key::ExtractChecklist)}</h3>
        <ol class="sis-checklist" data-testid="checklist">
            <li>{tick(ctx, "open".to_owned(), ctx.t(Key::ExtractOpen).to_owned())}</li>
            {extracts}
            <li>{tick(ctx, "schedule".to_owned(), schedule)}</li>
        </ol>
    }
}

/// One extract to create: its required-field value and name to copy, its query, and its
/// tick.
fn extract_item(ctx: Ctx, set: &DataSetOffer, required: &str) -> impl IntoView + use<> {
    let id = &set.id;
    let query_id = format!("sis-query-{id}");
    let created = ctx
        .lang
        .format(Key::ExtractCreated, &[("name", &set.extract_name)]);
    view! {
        <li class="sis-extract" data-testid=format!("extract-{id}")>
            <p><strong>{set.extract_name.clone()}</strong>" — "{set.name.clone()}</p>
            <p>{ctx.t(Key::ExtractNew)}</p>
            <p>{ctx.t(Key::ExtractRequired)}</p>
            {copyable(ctx, format!("required-{id}"), required.to_owned())}
            <p>{ctx.t(Key::ExtractName)}</p>
            {copyable(ctx, format!("name-{id}"), set.extract_name.clone())}
            <p>{ctx.t(Key::ExtractPaste)}</p>
            <pre class="sis-query" id=query_id.clone() tabindex="0" data-testid=format!("query-{id}")>
                {set.query.clone()}
            </pre>
            {copy_button(ctx, Key::CopyQuery, format!("copy-query-{id}"), set.query.clone(), query_id)}
            <p>{ctx.t(Key::ExtractTest)}</p>
            {tick(ctx, extract_tick(id), created)}
        </li>
    }
}

/// A checklist item's checkbox, read from and written to the draft.
fn tick(ctx: Ctx, item: String, label: String) -> impl IntoView {
    let testid = format!("tick-{item}");
    let checked = {
        let item = item.clone();
        move || ctx.draft.with(|d| d.ticked(&item))
    };
    view! {
        <label class="sis-check">
            <input
                type="checkbox"
                data-testid=testid
                prop:checked=checked
                on:change=move |ev| {
                    let on = event_target_checked(&ev);
                    ctx.draft.update(|d| d.tick(&item, on));
                }
            />
            {label}
        </label>
    }
}

/// A short value shown as code, with its Copy button.
fn copyable(ctx: Ctx, name: String, value: String) -> impl IntoView {
    let target = format!("sis-value-{name}");
    view! {
        <p class="sis-copyable">
            <code id=target.clone() data-testid=format!("value-{name}")>{value.clone()}</code>" "
            {copy_button(ctx, Key::Copy, format!("copy-{name}"), value, target)}
        </p>
    }
}

/// Copies `text` with the Clipboard API and says "Copied"; when the browser refuses, selects
/// the element with id `target` (in the same list item) instead and says how to copy it by
/// hand.
fn copy_button(
    ctx: Ctx,
    label: Key,
    testid: String,
    text: String,
    target: String,
) -> impl IntoView {
    // None: not clicked; Some(true): copied; Some(false): the fallback selection.
    let state = RwSignal::new(None::<bool>);
    let copy = move |ev: web_sys::MouseEvent| {
        let text = text.clone();
        // The value sits next to its button, in the same list item (inside the shadow root,
        // where `document.getElementById` cannot see it).
        let value = event_target::<web_sys::Element>(&ev)
            .closest("li")
            .ok()
            .flatten()
            .and_then(|item| item.query_selector(&format!("#{target}")).ok().flatten());
        leptos::task::spawn_local(async move {
            let copied = write_clipboard(&text).await;
            if !copied && let Some(value) = value {
                select_contents(&value);
            }
            state.set(Some(copied));
            ctx.announcement.set(
                ctx.t(if copied {
                    Key::Copied
                } else {
                    Key::CopyFallback
                })
                .to_owned(),
            );
        });
    };
    view! {
        <button type="button" class="sis-button" data-testid=testid.clone() on:click=copy>
            {move || ctx.t(if state.get() == Some(true) { Key::Copied } else { label })}
        </button>
        {move || (state.get() == Some(false)).then(|| view! {
            <span class="sis-hint" role="status" data-testid=format!("{testid}-fallback")>
                {ctx.t(Key::CopyFallback)}
            </span>
        })}
    }
}

/// Writes `text` to the clipboard; false when the API is missing (an insecure page) or the
/// browser refuses.
async fn write_clipboard(text: &str) -> bool {
    let Some(navigator) = web_sys::window().map(|w| w.navigator()) else {
        return false;
    };
    let clipboard = js_sys::Reflect::get(&navigator, &JsValue::from_str("clipboard"))
        .ok()
        .filter(|c| !c.is_undefined() && !c.is_null());
    let Some(clipboard) = clipboard else {
        return false;
    };
    let promise = clipboard
        .unchecked_into::<web_sys::Clipboard>()
        .write_text(text);
    JsFuture::from(promise).await.is_ok()
}

/// Selects the text of `element`, for the administrator to copy by hand.
fn select_contents(element: &web_sys::Element) {
    if let Some(Ok(Some(selection))) = web_sys::window().map(|w| w.get_selection()) {
        let _ = selection.select_all_children(element);
    }
}
