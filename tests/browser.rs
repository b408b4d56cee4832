//! Browser tests of the wizard's steps, run in headless Chromium by
//! `wasm-bindgen-test-runner` (`cargo xtask test` runs them). The proxy is not involved:
//! the flow gets a session configuration directly, or `mount` gets the answer the loader
//! prefetched; the end-to-end tests cover the proxy.
#![cfg(target_arch = "wasm32")]
#![allow(clippy::unwrap_used, missing_docs)]

use leptos::prelude::*;
use sis_onboard_protocol::{
    Count, DistrictSummary, RegionOption, RepairReason, RepairTarget, SessionConfig, Strategy,
    ValidationErrorCode, ValidationReport,
};
use wasm_bindgen::JsCast;
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};
use web_sys::{HtmlButtonElement, HtmlElement, HtmlInputElement};
use wizard::app::Flow;
use wizard::ctx::Ctx;
use wizard::i18n::Lang;
use wizard::options::MountOptions;

wasm_bindgen_test_configure!(run_in_browser);

fn session(id: &str, sources: usize) -> SessionConfig {
    let catalog = sis_onboard_protocol::SOURCE_CATALOG;
    SessionConfig {
        session_id: id.into(),
        display_name: "Acme Learning".into(),
        support_contact: Some("help@acme.test".into()),
        expires_at: i64::MAX,
        regions: vec![
            RegionOption {
                id: "us".into(),
                label: "United States".into(),
                labels: Default::default(),
            },
            RegionOption {
                id: "eu".into(),
                label: "European Union".into(),
                labels: Default::default(),
            },
        ],
        sources: catalog[..sources].iter().map(|s| s.option()).collect(),
        strategies: Strategy::ALL.to_vec(),
        extract_name_prefix: "AcmeLearning".into(),
        repair: None,
    }
}

/// Installs `lang`'s strings as the loader does, from the file the build would write: the
/// table's texts, one per line.
fn install(lang: Lang) {
    let (_, source) = wizard::i18n::SOURCES[lang as usize];
    assert!(lang.install(wizard::i18n::strings_file(source)));
}

/// Yields to the browser's event loop until `done` holds (a network answer, say); fails
/// after 500 turns rather than waiting a fixed time.
async fn until(what: &str, done: impl Fn() -> bool) {
    for _ in 0..500 {
        if done() {
            return;
        }
        let turn = js_sys::Promise::new(&mut |resolve, _| {
            web_sys::window()
                .unwrap()
                .set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, 1)
                .unwrap();
        });
        wasm_bindgen_futures::JsFuture::from(turn).await.unwrap();
    }
    panic!("never happened: {what}");
}

struct Mounted {
    root: HtmlElement,
    ctx: Ctx,
    _handle: Box<dyn std::any::Any>,
}

impl Mounted {
    fn new(session: SessionConfig, lang: Lang) -> Self {
        Self::with_api(session, lang, None, None)
    }

    fn with_api(
        session: SessionConfig,
        lang: Lang,
        api: Option<&str>,
        host: Option<HtmlElement>,
    ) -> Self {
        install(lang);
        let document = document();
        let root: HtmlElement = document.create_element("div").unwrap().unchecked_into();
        document.body().unwrap().append_child(&root).unwrap();
        let options =
            MountOptions::from_attributes(Some("sos_test".into()), api.map(str::to_owned)).unwrap();
        let ctx = Ctx::new(session, options, lang, host);
        let handle = leptos::mount::mount_to(root.clone(), move || view! { <Flow ctx/> });
        Self {
            root,
            ctx,
            _handle: Box::new(handle),
        }
    }

    fn get<T: JsCast>(&self, test_id: &str) -> T {
        self.find(test_id)
            .unwrap_or_else(|| panic!("no element with data-testid={test_id}"))
    }

    fn find<T: JsCast>(&self, test_id: &str) -> Option<T> {
        self.root
            .query_selector(&format!("[data-testid='{test_id}']"))
            .unwrap()
            .map(JsCast::unchecked_into)
    }

    fn text(&self, test_id: &str) -> String {
        self.get::<HtmlElement>(test_id)
            .text_content()
            .unwrap_or_default()
    }

    async fn click(&self, test_id: &str) {
        self.get::<HtmlElement>(test_id).click();
        leptos::task::tick().await;
    }

    async fn type_into(&self, test_id: &str, text: &str) {
        let input: HtmlInputElement = self.get(test_id);
        input.set_value(text);
        input
            .dispatch_event(&web_sys::Event::new("input").unwrap())
            .unwrap();
        leptos::task::tick().await;
    }

    /// Every choice made on the OneRoster path, and the credentials step on screen.
    async fn at_credentials(&self) {
        self.ctx.draft.update(|d| {
            d.is_admin = true;
            d.source = Some("infinite_campus".into());
            d.region = Some("us".into());
            d.strategy = Some(Strategy::OneRosterApi);
            d.step = wizard::state::Step::Credentials;
        });
        leptos::task::tick().await;
    }

    fn continue_enabled(&self) -> bool {
        !self.get::<HtmlButtonElement>("continue").disabled()
    }
}

#[wasm_bindgen_test]
async fn start_names_the_vendor_and_waits_for_the_administrator() {
    let w = Mounted::new(session("start", 3), Lang::En);
    leptos::task::tick().await;
    assert!(w.text("step-title").contains("Acme Learning"));
    assert!(!w.continue_enabled(), "not before confirming the role");
    w.click("confirm-admin").await;
    assert!(w.continue_enabled());
    w.click("continue").await;
    assert!(w.find::<HtmlElement>("step-source").is_some());
    assert_eq!(
        w.get::<HtmlElement>("stepper-source")
            .get_attribute("aria-current")
            .as_deref(),
        Some("step")
    );
}

#[wasm_bindgen_test]
async fn sources_not_implemented_are_marked_and_a_long_list_is_searchable() {
    let w = Mounted::new(session("sources", 10), Lang::En);
    w.ctx.draft.update(|d| d.step = wizard::state::Step::Source);
    leptos::task::tick().await;
    let skyward: HtmlInputElement = w.get("choice-skyward");
    assert!(
        skyward.disabled(),
        "a source that is not implemented cannot be chosen"
    );
    // The whole catalog offers any OneRoster 1.2 provider: the others point to it.
    assert!(
        w.root
            .text_content()
            .unwrap()
            .contains("If it offers a OneRoster 1.2 API, choose Other OneRoster 1.2 provider")
    );
    w.type_into("source-search", "campus").await;
    assert!(w.find::<HtmlElement>("choice-skyward").is_none());
    w.click("choice-infinite_campus").await;
    assert!(w.continue_enabled());
    w.type_into("source-search", "zzz").await;
    assert!(w.text("no-match").contains("zzz"));

    let short = Mounted::new(session("short", 3), Lang::En);
    short
        .ctx
        .draft
        .update(|d| d.step = wizard::state::Step::Source);
    leptos::task::tick().await;
    assert!(
        short.find::<HtmlElement>("source-search").is_none(),
        "no search for 3 sources"
    );
    // Without it, a source that cannot be connected is only marked.
    let text = short.root.text_content().unwrap();
    assert!(text.contains("Not available yet") && !text.contains("choose Other"));
}

/// The text of the whole wizard.
fn all_text(w: &Mounted) -> String {
    w.root.text_content().unwrap_or_default()
}

#[wasm_bindgen_test]
async fn another_oneroster_provider_walks_its_own_path_in_its_own_words() {
    let w = Mounted::new(session("generic", 10), Lang::En);
    leptos::task::tick().await;
    // Before a source is chosen, with more than Infinite Campus offered: no Infinite Campus.
    assert!(
        !all_text(&w).contains("Infinite Campus"),
        "{}",
        all_text(&w)
    );
    w.click("confirm-admin").await;
    w.click("continue").await;
    // Infinite Campus says what it needs; any OneRoster 1.2 provider, in this language.
    assert!(
        w.text("step-source")
            .contains("You generate the connection in Infinite Campus")
    );
    w.type_into("source-search", "oneroster").await;
    w.click("choice-oneroster_generic").await;
    assert!(
        w.text("step-source")
            .contains("Other OneRoster 1.2 provider")
    );
    assert_eq!(w.text("stepper-generate-connection"), "Get credentials");
    w.click("continue").await;
    w.click("choice-us").await;
    w.click("continue").await;
    // Strategy: the OneRoster API only, already chosen, and said why.
    assert!(w.find::<HtmlElement>("step-strategy").is_some());
    assert!(
        w.find::<HtmlElement>("choice-custom_data_extract")
            .is_none()
    );
    assert!(w.get::<HtmlInputElement>("choice-oneroster_api").checked());
    assert!(w.text("strategy-only").contains("OneRoster 1.2 API"));
    assert!(w.continue_enabled());
    w.click("continue").await;
    // The guide: what to ask the provider for, no Infinite Campus menus.
    let guide = w.text("step-generate-connection");
    for needed in [
        "/ims/oneroster/rostering/v1p2",
        "Token URL",
        "Client ID and Client Secret for Acme Learning",
        "roster-core.readonly",
        "roster.readonly",
    ] {
        assert!(guide.contains(needed), "{needed}: {guide}");
    }
    for campus in ["Infinite Campus", "Instruction", "Digital Learning"] {
        assert!(!guide.contains(campus), "{campus}: {guide}");
    }
    w.click("continue").await;
    // Credentials: OneRoster's names, any token URL, and its own words for mistakes.
    let labelled = |id: &str| {
        w.root
            .query_selector(&format!("label[for='sis-{id}']"))
            .unwrap()
            .unwrap()
            .text_content()
            .unwrap_or_default()
    };
    assert_eq!(labelled("base-url"), "Base URL");
    assert_eq!(labelled("token-url"), "Token URL");
    w.type_into("base-url", "https://sis.example.org/oauth/token")
        .await;
    w.type_into(
        "token-url",
        "https://sis.example.org/ims/oneroster/rostering/v1p2",
    )
    .await;
    w.type_into("client-id", "abc").await;
    w.type_into("client-secret", "s3cret-value").await;
    w.click("validate").await;
    assert_eq!(
        w.text("base-url-note"),
        "This is a token address. Paste it into Token URL, and the Base URL here."
    );
    assert_eq!(
        w.text("token-url-note"),
        "This is the Base URL. Paste it into Base URL, and the token endpoint here."
    );
    // Swapped back, both pass the local checks: no /oauth2/token, no appName asked for.
    w.type_into(
        "base-url",
        "https://sis.example.org/ims/oneroster/rostering/v1p2/",
    )
    .await;
    w.type_into("token-url", "https://sis.example.org/oauth/token")
        .await;
    assert!(w.find::<HtmlElement>("token-offer").is_none());
    w.click("validate").await;
    assert_eq!(w.text("token-url-note"), "");
    assert!(w.text("base-url-note").contains("trailing slash"));
    assert!(
        !all_text(&w).contains("Infinite Campus"),
        "{}",
        all_text(&w)
    );
}

#[wasm_bindgen_test]
async fn back_keeps_every_choice_and_the_extract_path_routes_to_its_step() {
    let w = Mounted::new(session("back", 3), Lang::En);
    w.ctx.draft.update(|d| {
        d.is_admin = true;
        d.source = Some("infinite_campus".into());
        d.step = wizard::state::Step::Region;
    });
    leptos::task::tick().await;
    w.click("choice-eu").await;
    w.click("continue").await;
    w.click("choice-custom_data_extract").await;
    w.click("continue").await;
    assert!(w.find::<HtmlElement>("step-data-extract").is_some());
    assert!(w.find::<HtmlElement>("stepper-data-extract").is_some());
    assert!(
        !w.continue_enabled(),
        "the extract step is not built: no going past it"
    );
    w.click("back").await;
    w.click("back").await;
    let eu: HtmlInputElement = w.get("choice-eu");
    assert!(eu.checked(), "the region is still chosen after going back");
    w.click("continue").await;
    w.click("choice-oneroster_api").await;
    w.click("continue").await;
    assert!(w.find::<HtmlElement>("step-generate-connection").is_some());
    assert!(w.find::<HtmlElement>("stepper-data-extract").is_none());
}

#[wasm_bindgen_test]
async fn credentials_are_checked_before_sending_and_the_secret_is_never_stored() {
    let w = Mounted::new(session("credentials", 3), Lang::En);
    w.at_credentials().await;
    let labelled = w
        .root
        .query_selector("label[for='sis-base-url']")
        .unwrap()
        .unwrap();
    assert_eq!(
        labelled.text_content().as_deref(),
        Some("OneRoster API URL")
    );
    let secret: HtmlInputElement = w.get("client-secret");
    assert_eq!(secret.type_(), "password");
    assert_eq!(secret.get_attribute("autocomplete").as_deref(), Some("off"));
    w.click("toggle-secret").await;
    assert_eq!(secret.type_(), "text");
    w.click("toggle-secret").await;
    assert_eq!(secret.type_(), "password");

    // The token URL is offered from an app-scoped base URL, never filled in unasked.
    let host = "https://springfield.infinitecampus.org";
    w.type_into(
        "base-url",
        &format!("{host}/campus/api/oneroster/v1p2/springfield/ims/oneroster/rostering/v1p2"),
    )
    .await;
    assert!(w.text("token-offer").contains("appName=springfield"));
    assert_eq!(w.get::<HtmlInputElement>("token-url").value(), "");
    w.click("use-token").await;
    assert_eq!(
        w.get::<HtmlInputElement>("token-url").value(),
        format!("{host}/campus/oauth2/token?appName=springfield")
    );

    // http and 1.1 are caught locally, next to their fields.
    w.type_into(
        "base-url",
        "http://springfield.infinitecampus.org/campus/api/ims/oneroster/v1p1",
    )
    .await;
    w.type_into("client-id", "abc").await;
    w.type_into("client-secret", "s3cret-value").await;
    w.click("validate").await;
    assert!(w.text("base-url-note").contains("https://"));
    let base: HtmlInputElement = w.get("base-url");
    assert_eq!(base.get_attribute("aria-invalid").as_deref(), Some("true"));
    assert!(
        base.get_attribute("aria-describedby")
            .unwrap()
            .contains("sis-base-url-note")
    );
    assert!(
        !w.continue_enabled(),
        "Continue Setup waits for a validation"
    );
    // Editing the field clears what was said about it.
    w.type_into("base-url", &format!("{host}/campus/api/ims/oneroster/v1p1"))
        .await;
    assert_eq!(w.text("base-url-note"), "");
    w.click("validate").await;
    assert!(w.text("base-url-note").contains("OneRoster 1.1"));

    // Everything typed but the secret is in sessionStorage.
    let stored = web_sys::window()
        .unwrap()
        .session_storage()
        .unwrap()
        .unwrap()
        .get_item("sis-onboard:credentials")
        .unwrap()
        .unwrap();
    assert!(
        stored.contains("v1p1") && stored.contains("abc"),
        "{stored}"
    );
    assert!(
        !stored.contains("s3cret-value"),
        "the secret is never stored"
    );
}

#[wasm_bindgen_test]
async fn regions_read_in_the_wizards_language_or_their_default_label() {
    let mut translated = session("region-labels", 3);
    translated.regions[0]
        .labels
        .insert("es".into(), "Estados Unidos".into());
    let w = Mounted::new(translated, Lang::Es);
    w.ctx.draft.update(|d| {
        d.is_admin = true;
        d.source = Some("infinite_campus".into());
        d.step = wizard::state::Step::Region;
    });
    leptos::task::tick().await;
    let step = w.text("step-region");
    assert!(step.contains("Estados Unidos"), "{step}");
    assert!(!step.contains("United States"), "{step}");
    assert!(
        step.contains("European Union"),
        "no Spanish label: the default one"
    );
}

#[wasm_bindgen_test]
async fn spanish_is_spoken_throughout() {
    let w = Mounted::new(session("es", 3), Lang::Es);
    leptos::task::tick().await;
    assert!(w.text("step-title").starts_with("Conecte su sistema"));
    assert_eq!(w.text("stepper-region"), "Región");
    assert_eq!(w.text("continue"), "Comenzar");
    assert_eq!(w.text("exit"), "Salir");
}

#[wasm_bindgen_test]
async fn french_is_spoken_throughout() {
    let w = Mounted::new(session("fr", 3), Lang::Fr);
    leptos::task::tick().await;
    assert!(w.text("step-title").starts_with("Connectez votre système"));
    assert_eq!(w.text("stepper-region"), "Région");
    assert_eq!(w.text("continue"), "Commencer");
    assert_eq!(w.text("exit"), "Quitter");
}

#[wasm_bindgen_test]
async fn exit_clears_the_secret_and_says_goodbye() {
    let w = Mounted::new(session("exit", 3), Lang::En);
    w.ctx.secret.set("typed".into());
    leptos::task::tick().await;
    w.click("exit").await;
    assert!(w.find::<HtmlElement>("exited").is_some());
    assert_eq!(w.ctx.secret.get_untracked(), "");
}

#[wasm_bindgen_test]
async fn an_unreachable_proxy_gets_its_own_message_and_keeps_the_input() {
    // Nothing listens on port 9 of this machine: the request fails as a stopped proxy does.
    let w = Mounted::with_api(
        session("unreachable", 3),
        Lang::En,
        Some("http://127.0.0.1:9"),
        None,
    );
    w.at_credentials().await;
    let base = "https://springfield.infinitecampus.org/campus";
    w.type_into(
        "base-url",
        &format!("{base}/api/ims/oneroster/rostering/v1p2"),
    )
    .await;
    w.type_into(
        "token-url",
        &format!("{base}/oauth2/token?appName=springfield"),
    )
    .await;
    w.type_into("client-id", "abc").await;
    w.type_into("client-secret", "s3cret-value").await;
    w.click("validate").await;
    until("the failure is shown", || {
        w.find::<HtmlElement>("failure").is_some()
    })
    .await;
    assert!(
        w.text("failure")
            .contains("could not reach the onboarding service")
    );
    assert!(w.text("announcer").contains("could not reach"));
    assert_eq!(
        w.get::<HtmlInputElement>("client-secret").value(),
        "s3cret-value"
    );
    assert!(!w.continue_enabled());
}

#[wasm_bindgen_test]
async fn done_sums_up_the_connection_and_whom_to_ask() {
    let w = Mounted::new(session("done", 3), Lang::En);
    w.ctx.draft.update(|d| {
        d.region = Some("eu".into());
        d.completed = Some(wizard::state::Completed {
            connection_id: "conn_x".into(),
            district: "Springfield Unified School District".into(),
        });
        d.step = wizard::state::Step::Done;
    });
    leptos::task::tick().await;
    assert_eq!(
        w.text("done-summary"),
        "Springfield Unified School District is now connected to Acme Learning."
    );
    assert!(w.root.text_content().unwrap().contains("European Union"));
    assert!(w.root.text_content().unwrap().contains("within 24 hours"));
    assert!(w.text("done-support").contains("help@acme.test"));
    assert!(
        w.find::<HtmlElement>("exit").is_none(),
        "nothing to exit from once done"
    );
}

#[wasm_bindgen_test]
async fn generate_lists_the_infinite_campus_menu_path() {
    let w = Mounted::new(session("generate", 3), Lang::En);
    w.ctx
        .draft
        .update(|d| d.step = wizard::state::Step::GenerateConnection);
    leptos::task::tick().await;
    let text = w.root.text_content().unwrap();
    for step in [
        "Instruction",
        "Digital Learning Application Configuration",
        "Other OneRoster Provisioning Credentials",
        "Generate New OneRoster Connection",
        "OneRoster 1.2",
    ] {
        assert!(text.contains(step), "{step}");
    }
    assert!(w.continue_enabled());
}

/// A host element as the loader hands it to `mount`, with its attributes, in the page.
fn host_element(attributes: &[(&str, &str)]) -> (HtmlElement, HtmlElement) {
    let document = document();
    let host: HtmlElement = document.create_element("div").unwrap().unchecked_into();
    for (name, value) in attributes {
        host.set_attribute(name, value).unwrap();
    }
    let container: HtmlElement = document.create_element("div").unwrap().unchecked_into();
    host.append_child(&container).unwrap();
    document.body().unwrap().append_child(&host).unwrap();
    (host, container)
}

/// The `code` of every `sis-onboard:error` the host element hears from now on.
fn error_codes(host: &HtmlElement) -> std::rc::Rc<std::cell::RefCell<Vec<String>>> {
    use wasm_bindgen::closure::Closure;
    let heard = std::rc::Rc::new(std::cell::RefCell::new(Vec::new()));
    let record = heard.clone();
    let listener =
        Closure::<dyn FnMut(web_sys::CustomEvent)>::new(move |event: web_sys::CustomEvent| {
            let code = js_sys::Reflect::get(&event.detail(), &"code".into()).unwrap();
            record
                .borrow_mut()
                .push(code.as_string().unwrap_or_default());
        });
    host.add_event_listener_with_callback("sis-onboard:error", listener.as_ref().unchecked_ref())
        .unwrap();
    listener.forget();
    heard
}

/// What the loader hands over: a promise of the proxy's answer (`status`, `body`).
fn prefetched(status: u16, body: &str) -> js_sys::Promise {
    let init = web_sys::ResponseInit::new();
    init.set_status(status);
    let response = web_sys::Response::new_with_opt_str_and_init(Some(body), &init).unwrap();
    js_sys::Promise::resolve(&wasm_bindgen::JsValue::from(response))
}

fn strings(lang: Lang) -> String {
    wizard::i18n::strings_file(wizard::i18n::SOURCES[lang as usize].1)
}

#[wasm_bindgen_test]
async fn mount_uses_the_session_the_loader_prefetched_without_asking_again() {
    // Nothing listens on port 9: had the wizard asked the proxy itself, it would say so.
    let (host, container) = host_element(&[("session", "sos_test"), ("api", "http://127.0.0.1:9")]);
    let errors = error_codes(&host);
    let answer = serde_json::to_string(&session("prefetched", 3)).unwrap();
    let _handle = wizard::mount(
        host,
        container.clone(),
        "en",
        strings(Lang::En),
        Some(prefetched(200, &answer)),
    );
    let title = || {
        container
            .query_selector("[data-testid='step-start'] [data-testid='step-title']")
            .unwrap()
            .and_then(|t| t.text_content())
    };
    until("the first step is on screen", || title().is_some()).await;
    assert!(title().unwrap().contains("Acme Learning"));
    assert!(errors.borrow().is_empty(), "{:?}", errors.borrow());
}

/// Mounts a wizard for `session` on an unreachable proxy with `prefetch` (the loader's
/// answer, or none), waits for the notice that replaces it, and returns the notice's text
/// and the error codes the host heard.
async fn notice_after_mount(
    session: &str,
    prefetch: Option<js_sys::Promise>,
) -> (String, Vec<String>) {
    let (host, container) = host_element(&[("session", session), ("api", "http://127.0.0.1:9")]);
    let errors = error_codes(&host);
    let _handle = wizard::mount(host, container.clone(), "en", strings(Lang::En), prefetch);
    let notice = || {
        container
            .query_selector("[data-testid='notice']")
            .unwrap()
            .and_then(|n| n.text_content())
    };
    until("the notice is shown", || notice().is_some()).await;
    let codes = errors.borrow().clone();
    (notice().unwrap_or_default(), codes)
}

#[wasm_bindgen_test]
async fn a_prefetched_refusal_reads_and_is_told_as_when_the_wizard_asks() {
    let expired = r#"{"code":"session_expired","message":"The session has expired.","field":null}"#;
    let (notice, errors) = notice_after_mount("sos_old", Some(prefetched(401, expired))).await;
    assert!(notice.contains("has expired"), "{notice:?}");
    assert_eq!(errors, ["session_expired"]);
}

#[wasm_bindgen_test]
async fn a_prefetch_the_network_dropped_is_told_without_asking_again() {
    // The loader's request to a proxy that is not there failed (`null`): the wizard says so
    // as it would have after its own request, and sends none.
    let requests = FetchSpy::counting("Bearer sos_dropped");
    let dropped = js_sys::Promise::resolve(&wasm_bindgen::JsValue::NULL);
    let (notice, errors) = notice_after_mount("sos_dropped", Some(dropped)).await;
    assert!(notice.contains("could not reach"), "{notice:?}");
    assert_eq!(errors, ["unreachable"]);
    assert_eq!(requests.count(), 0, "the wizard asked again");
}

#[wasm_bindgen_test]
async fn a_prefetched_refusal_without_an_error_body_is_read_from_its_status() {
    // A gateway's own page in front of the proxy: its status still says what happened.
    let busy = prefetched(429, "<html>Too Many Requests</html>");
    let (notice, errors) = notice_after_mount("sos_busy", Some(busy)).await;
    assert!(notice.contains("Too many attempts"), "{notice:?}");
    assert_eq!(errors, ["rate_limited"]);
}

#[wasm_bindgen_test]
async fn without_a_prefetch_the_wizard_asks_and_classifies_as_before() {
    let requests = FetchSpy::counting("Bearer sos_asked");
    let (notice, errors) = notice_after_mount("sos_asked", None).await;
    assert!(notice.contains("could not reach"), "{notice:?}");
    assert_eq!(errors, ["unreachable"]);
    // Also shows the spy sees the wizard's requests.
    assert_eq!(requests.count(), 1);
}

/// Counts the page's `fetch` calls that carry one `Authorization` value while it lives,
/// by wrapping the global `fetch` (which gloo-net calls) and restoring it when dropped.
struct FetchSpy {
    count: std::rc::Rc<std::cell::Cell<usize>>,
    original: js_sys::Function,
    _wrapper: wasm_bindgen::closure::Closure<
        dyn FnMut(wasm_bindgen::JsValue, wasm_bindgen::JsValue) -> wasm_bindgen::JsValue,
    >,
}

impl FetchSpy {
    fn counting(authorization: &str) -> Self {
        use wasm_bindgen::JsValue;
        use wasm_bindgen::closure::Closure;
        let global = js_sys::global();
        let original: js_sys::Function = js_sys::Reflect::get(&global, &"fetch".into())
            .unwrap()
            .unchecked_into();
        let count = std::rc::Rc::new(std::cell::Cell::new(0));
        let (seen, authorization, fetch) =
            (count.clone(), authorization.to_owned(), original.clone());
        let wrapper = Closure::<dyn FnMut(JsValue, JsValue) -> JsValue>::new(
            move |input: JsValue, init: JsValue| {
                let carries = input
                    .dyn_ref::<web_sys::Request>()
                    .and_then(|r| r.headers().get("authorization").ok().flatten());
                if carries.as_deref() == Some(authorization.as_str()) {
                    seen.set(seen.get() + 1);
                }
                fetch.call2(&js_sys::global(), &input, &init).unwrap()
            },
        );
        js_sys::Reflect::set(&global, &"fetch".into(), wrapper.as_ref()).unwrap();
        Self {
            count,
            original,
            _wrapper: wrapper,
        }
    }

    fn count(&self) -> usize {
        self.count.get()
    }
}

impl Drop for FetchSpy {
    fn drop(&mut self) {
        let _ = js_sys::Reflect::set(&js_sys::global(), &"fetch".into(), &self.original);
    }
}

/// A repair session for `id`: exactly the connection's region, source and strategy, its
/// stored values, and why it fails when `failing` is given.
fn repair_session(id: &str, failing: Option<ValidationErrorCode>) -> SessionConfig {
    let mut repair = session(id, 1);
    repair.regions.truncate(1);
    repair.strategies = vec![Strategy::OneRosterApi];
    repair.repair = Some(RepairTarget {
        connection_id: "conn_repaired".into(),
        district_name: "Springfield Unified School District".into(),
        base_url: STORED_BASE.into(),
        token_url: STORED_TOKEN.into(),
        client_id: "stored-client-id".into(),
        failing: failing.map(|code| RepairReason {
            code,
            message: "The proxy's own words.".into(),
            // 2026-11-30, mid-day in every time zone.
            checked_at: 1_796_040_000,
        }),
    });
    repair
}

const STORED_BASE: &str =
    "https://springfield.infinitecampus.org/campus/api/ims/oneroster/rostering/v1p2";
const STORED_TOKEN: &str =
    "https://springfield.infinitecampus.org/campus/oauth2/token?appName=springfield";

fn value(w: &Mounted, test_id: &str) -> String {
    w.get::<HtmlInputElement>(test_id).value()
}

fn stored_draft(session_id: &str) -> String {
    web_sys::window()
        .unwrap()
        .session_storage()
        .unwrap()
        .unwrap()
        .get_item(&wizard::state::storage_key(session_id))
        .unwrap()
        .unwrap_or_default()
}

#[wasm_bindgen_test]
async fn a_repair_opens_at_credentials_with_the_stored_values_and_the_secret_empty() {
    let w = Mounted::new(repair_session("repair-open", None), Lang::En);
    leptos::task::tick().await;
    assert!(w.find::<HtmlElement>("step-credentials").is_some());
    assert_eq!(value(&w, "base-url"), STORED_BASE);
    assert_eq!(value(&w, "token-url"), STORED_TOKEN);
    assert_eq!(value(&w, "client-id"), "stored-client-id");
    assert_eq!(value(&w, "client-secret"), "");
    let notice: HtmlElement = w.get("repair-notice");
    assert_eq!(notice.get_attribute("role").as_deref(), Some("status"));
    assert_eq!(
        w.text("repair-title"),
        "Repair the connection to Springfield Unified School District"
    );
    assert!(
        w.find::<HtmlElement>("repair-reason").is_none(),
        "no reason when the proxy knows none"
    );
    // An ordinary session has no notice.
    let plain = Mounted::new(session("repair-none", 3), Lang::En);
    plain.at_credentials().await;
    assert!(plain.find::<HtmlElement>("repair-notice").is_none());
}

#[wasm_bindgen_test]
async fn a_failing_repair_says_why_in_the_wizard_words_and_when() {
    for (lang, code, new_keys) in [
        (Lang::En, ValidationErrorCode::InvalidClient, true),
        (Lang::Es, ValidationErrorCode::InactiveConnection, false),
        (Lang::Fr, ValidationErrorCode::InvalidClient, true),
    ] {
        let id = format!("repair-why-{}", lang.tag());
        let w = Mounted::new(repair_session(&id, Some(code)), lang);
        leptos::task::tick().await;
        let reason = w.text("repair-reason");
        let expected = lang.format(
            wizard::messages::validation_error(code),
            &[("vendor", "Acme Learning")],
        );
        assert!(reason.contains(&expected), "{lang:?}: {reason}");
        assert!(reason.contains("2026"), "when it was checked: {reason}");
        assert!(!reason.contains("proxy's own words"), "{reason}");
        assert_eq!(
            w.find::<HtmlElement>("repair-new-keys").is_some(),
            new_keys,
            "{code:?}"
        );
    }
    let w = Mounted::new(
        repair_session("repair-why-keys", Some(ValidationErrorCode::InvalidClient)),
        Lang::En,
    );
    leptos::task::tick().await;
    assert!(
        w.text("repair-new-keys")
            .contains("Generate new OneRoster keys")
    );
}

#[wasm_bindgen_test]
async fn back_from_a_repair_shows_each_preset_choice_and_forward_keeps_every_value() {
    let w = Mounted::new(repair_session("repair-back", None), Lang::En);
    leptos::task::tick().await;
    w.type_into("client-id", "new-client-id").await;
    w.type_into("client-secret", "s3cret-value").await;
    w.click("back").await;
    assert!(w.find::<HtmlElement>("step-generate-connection").is_some());
    for (step, choice) in [
        ("strategy", "choice-oneroster_api"),
        ("region", "choice-us"),
        ("source", "choice-infinite_campus"),
    ] {
        w.click("back").await;
        assert!(w.find::<HtmlElement>(&format!("step-{step}")).is_some());
        assert!(w.get::<HtmlInputElement>(choice).checked(), "{step}");
        let offered = w.root.inner_html().matches(r#"type="radio""#).count();
        assert_eq!(offered, 1, "{step}: the connection's one value");
        assert!(w.continue_enabled(), "{step}");
    }
    w.click("back").await;
    assert!(w.get::<HtmlInputElement>("confirm-admin").checked());
    for _ in 0..5 {
        w.click("continue").await;
    }
    // The fields' values are set by effects once the step is on screen.
    leptos::task::tick().await;
    assert!(w.find::<HtmlElement>("step-credentials").is_some());
    assert_eq!(value(&w, "client-id"), "new-client-id");
    assert_eq!(value(&w, "base-url"), STORED_BASE);
    assert_eq!(value(&w, "client-secret"), "s3cret-value");
    let stored = stored_draft("repair-back");
    assert!(stored.contains("new-client-id"), "{stored}");
    assert!(
        !stored.contains("s3cret-value"),
        "the secret is never stored"
    );
}

/// Stands in for the proxy while it lives: `fetch` answers every validation with a
/// passed report and every completion with `conn_repaired`, and keeps what was completed.
struct FakeProxy {
    completed: std::rc::Rc<std::cell::RefCell<Vec<String>>>,
    original: js_sys::Function,
    _wrapper: wasm_bindgen::closure::Closure<
        dyn FnMut(wasm_bindgen::JsValue, wasm_bindgen::JsValue) -> wasm_bindgen::JsValue,
    >,
}

impl FakeProxy {
    fn passing() -> Self {
        use wasm_bindgen::JsValue;
        use wasm_bindgen::closure::Closure;
        let count = |value| Count { value, exact: true };
        let report = serde_json::to_string(&ValidationReport {
            passed: true,
            checks: vec![],
            district: Some(DistrictSummary {
                name: "Springfield Unified School District".into(),
                schools: count(3),
                students: count(3200),
                teachers: count(210),
                classes: count(640),
                academic_session: None,
            }),
            warnings: vec![],
            error: None,
        })
        .unwrap();
        let global = js_sys::global();
        let original: js_sys::Function = js_sys::Reflect::get(&global, &"fetch".into())
            .unwrap()
            .unchecked_into();
        let completed = std::rc::Rc::new(std::cell::RefCell::new(Vec::new()));
        let keep = completed.clone();
        let wrapper = Closure::<dyn FnMut(JsValue, JsValue) -> JsValue>::new(
            move |input: JsValue, _init: JsValue| {
                let request: web_sys::Request = input.unchecked_into();
                if request.url().ends_with(sis_onboard_protocol::COMPLETE_PATH) {
                    let body = request.text().unwrap();
                    let keep = keep.clone();
                    leptos::task::spawn_local(async move {
                        let body = wasm_bindgen_futures::JsFuture::from(body).await.unwrap();
                        keep.borrow_mut().push(body.as_string().unwrap_or_default());
                    });
                    prefetched(200, r#"{"connection_id":"conn_repaired"}"#).into()
                } else {
                    prefetched(200, &report).into()
                }
            },
        );
        js_sys::Reflect::set(&global, &"fetch".into(), wrapper.as_ref()).unwrap();
        Self {
            completed,
            original,
            _wrapper: wrapper,
        }
    }
}

impl Drop for FakeProxy {
    fn drop(&mut self) {
        let _ = js_sys::Reflect::set(&js_sys::global(), &"fetch".into(), &self.original);
    }
}

/// The `detail` of every `sis-onboard:success` the host element hears from now on.
fn successes(host: &HtmlElement) -> std::rc::Rc<std::cell::RefCell<Vec<wasm_bindgen::JsValue>>> {
    use wasm_bindgen::closure::Closure;
    let heard = std::rc::Rc::new(std::cell::RefCell::new(Vec::new()));
    let record = heard.clone();
    let listener =
        Closure::<dyn FnMut(web_sys::CustomEvent)>::new(move |event: web_sys::CustomEvent| {
            record.borrow_mut().push(event.detail());
        });
    host.add_event_listener_with_callback("sis-onboard:success", listener.as_ref().unchecked_ref())
        .unwrap();
    listener.forget();
    heard
}

#[wasm_bindgen_test]
async fn success_tells_the_page_whether_it_created_or_repaired_and_done_says_which() {
    let secret = "s3cret-value";
    for (mode, session, summary) in [
        (
            "create",
            session("success-create", 3),
            "Springfield Unified School District is now connected to Acme Learning.",
        ),
        (
            "repair",
            repair_session("success-repair", Some(ValidationErrorCode::InvalidClient)),
            "Springfield Unified School District's connection to Acme Learning is repaired.",
        ),
    ] {
        let proxy = FakeProxy::passing();
        let (host, _) = host_element(&[]);
        let heard = successes(&host);
        let id = session.session_id.clone();
        let w = Mounted::with_api(session, Lang::En, None, Some(host));
        leptos::task::tick().await;
        if mode == "create" {
            w.at_credentials().await;
            w.type_into("base-url", STORED_BASE).await;
            w.type_into("token-url", STORED_TOKEN).await;
            w.type_into("client-id", "stored-client-id").await;
        }
        w.type_into("client-secret", secret).await;
        w.click("validate").await;
        until("the report", || w.find::<HtmlElement>("report").is_some()).await;
        w.click("continue").await;
        until("the success event", || !heard.borrow().is_empty()).await;
        let detail = heard.borrow()[0].clone();
        let field = |name: &str| {
            js_sys::Reflect::get(&detail, &name.into())
                .unwrap()
                .as_string()
        };
        assert_eq!(field("mode").as_deref(), Some(mode));
        assert_eq!(field("connectionId").as_deref(), Some("conn_repaired"));
        assert_eq!(field("strategy").as_deref(), Some("oneroster_api"));
        let keys = js_sys::Object::keys(detail.unchecked_ref::<js_sys::Object>());
        assert_eq!(
            keys.length(),
            5,
            "{mode}: connectionId, source, strategy, region, mode"
        );
        until("the done step", || {
            w.find::<HtmlElement>("step-done").is_some()
        })
        .await;
        assert_eq!(w.text("done-summary"), summary);
        // The completion carried the values on screen, and nothing kept the secret.
        until("the completion's body", || {
            !proxy.completed.borrow().is_empty()
        })
        .await;
        let body = proxy.completed.borrow()[0].clone();
        assert!(body.contains(r#""client_id":"stored-client-id""#), "{body}");
        assert!(body.contains(r#""data_sets":null"#), "{body}");
        assert_eq!(w.ctx.secret.get_untracked(), "", "{mode}");
        assert!(!stored_draft(&id).contains(secret), "{mode}");
        assert!(
            !js_sys::JSON::stringify(&detail)
                .unwrap()
                .as_string()
                .unwrap()
                .contains(secret)
        );
    }
}
