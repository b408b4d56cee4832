// sis-onboard loader: defines the <sis-onboard> element and the SisOnboard JS API.
// Safe to load more than once (the first definition wins).
//
//   <script type="module" src="https://your-cdn/sis-onboard/sis-onboard.js"></script>
//   <sis-onboard session="sos_…" api="https://onboarding.your-app.example"></sis-onboard>
//
// or, from script:  const handle = SisOnboard.mount(target, { session, onSuccess });
//
// Each element gets its own shadow root, so the wizard's styles and the page's styles
// cannot reach each other. The wasm module is loaded once and shared by every element.
// Everything the first step needs starts downloading at once, side by side: the glue, the
// wasm, the strings of the element's language and the element's session.
// The build (`cargo xtask build`) rewrites the asset names below to their content-hashed
// names, which may be cached forever; this file itself is revalidated.
const wasm = new URL("./sis-onboard-wizard_bg.wasm", import.meta.url);
const stylesheet = new URL("./sis-onboard.css", import.meta.url).href;
/** Each language's strings, one per line: a page fetches only the one it shows. */
const STRINGS = {
  en: new URL("./sis-onboard-en.txt", import.meta.url),
  es: new URL("./sis-onboard-es.txt", import.meta.url),
  fr: new URL("./sis-onboard-fr.txt", import.meta.url),
};
const VERSION = "0.1.0";
/** Attributes whose change re-renders the wizard (`theme` is CSS only). */
const CONFIG = ["session", "api", "lang"];
/** The callbacks a vendor may set, as element properties or `mount` options. */
const CALLBACKS = ["onReady", "onStepChange", "onValidation", "onSuccess", "onExit", "onError"];

/** Loads shared by every wizard on the page: the wasm, and each language's strings. */
const loads = new Map();
function shared(name, load) {
  // A failed load (a network blip) is tried again by the next wizard, not remembered.
  if (!loads.has(name)) {
    loads.set(name, load().catch((error) => {
      loads.delete(name);
      throw error;
    }));
  }
  return loads.get(name);
}

/**
 * The wizard's `mount`, once the glue and the wasm are in. Both requests start together:
 * the wasm is fetched here and its response handed to the glue's `init`, rather than the
 * glue asking for it only after it arrived itself.
 */
const loadWizard = () =>
  shared("wasm", async () => {
    const [glue, response] = await Promise.all([import("./sis-onboard-wizard.js"), fetch(wasm)]);
    // Else a missing wasm (a 404 page) reaches the page as an opaque CompileError.
    if (!response.ok) throw new Error(`${response.status} ${response.url}`);
    await glue.default({ module_or_path: response });
    return glue.mount;
  });

const loadStrings = (lang) =>
  shared(lang, async () => {
    const response = await fetch(STRINGS[lang]);
    if (!response.ok) throw new Error(`${response.status} ${response.url}`);
    return response.text();
  });

/** The path of the session endpoint (`SESSION_PATH` in `protocol/`). */
const SESSION_PATH = "/v1/session";

/**
 * The wizard's own `GET /v1/session` for an element's `session` and `api` attributes,
 * started by the loader so that it runs alongside the wasm download instead of after it:
 * the same URL (as `src/options.rs` derives it) and the same `Authorization` header. Its
 * `response` is a promise of the `Response`, or of `null` when the network failed (the
 * wizard then says offline or unreachable without asking again); undefined when the wizard would
 * refuse the attributes, so it says why without any request.
 */
function prefetchSession(session, api) {
  const token = (session ?? "").trim();
  const base = (api ?? "").trim();
  const isUrl = base.startsWith("https://") || base.startsWith("http://");
  const usable = token !== "" && (base === "" || base.startsWith("/") || isUrl) && !/\s/.test(base);
  const url = `${base.replace(/\/+$/, "")}${SESSION_PATH}`;
  const response = usable
    ? fetch(url, { headers: { Authorization: `Bearer ${token}` } }).catch(() => null)
    : undefined;
  return { session, api, response };
}

/**
 * The language to speak: the element's own `lang`, else the browser's first language the
 * wizard speaks, else English, each by its primary subtag (`fr`, `fr-CA`, `fr-FR` and `fr_CA`
 * are French). (Not the page's: a vendor page in English may well be read by a Spanish- or
 * French-speaking administrator.)
 */
function language(element) {
  for (const tag of [element.getAttribute("lang") ?? "", ...(navigator.languages ?? [])]) {
    const primary = tag.trim().split(/[-_]/)[0].toLowerCase();
    if (Object.hasOwn(STRINGS, primary)) return primary;
  }
  return "en";
}

/** Tells the page, as the wizard itself does: a bubbling, composed event and the callback. */
function emit(element, name, callback, detail) {
  element.dispatchEvent(new CustomEvent(`sis-onboard:${name}`, { bubbles: true, composed: true, detail }));
  if (typeof element[callback] !== "function") return;
  try {
    element[callback](detail);
  } catch (error) {
    // The vendor's callback failing must not stop the wizard from cleaning up.
    reportError(error);
  }
}

class SisOnboardElement extends HTMLElement {
  static observedAttributes = CONFIG;

  constructor() {
    super();
    // Follows the wizard's own events: where the administrator is, and whether they finished.
    this.addEventListener("sis-onboard:ready", (e) => (this._step = e.detail.step));
    this.addEventListener("sis-onboard:step", (e) => (this._step = e.detail.step));
    for (const name of ["sis-onboard:success", "sis-onboard:exit"]) {
      this.addEventListener(name, () => (this._finished = true));
    }
  }

  connectedCallback() {
    this._start();
  }

  disconnectedCallback() {
    // Removed directly, the element is already out of the document: `onExit` and listeners
    // on the element itself hear it (`destroy()` tells the page while still attached).
    this._left();
    this._stop();
    this.shadowRoot?.replaceChildren();
    // An answer asked for now would be stale when the element comes back, maybe much later.
    this._prefetch = null;
  }

  /** Left before finishing: the page hears where, as it would from Exit. Once only. */
  _left() {
    if (this._step && this._step !== "done" && !this._finished) {
      this._finished = true;
      emit(this, "exit", "onExit", { step: this._step, reason: "removed" });
    }
  }

  attributeChangedCallback(name, previous, value) {
    if (previous === value || !this._handle) return;
    // A new session, proxy or language: render again (progress is kept in sessionStorage).
    this._stop();
    this._start();
  }

  _start() {
    // A start while loading replaces the previous one: only the newest container mounts.
    if (this._handle || !this.isConnected) return;
    const root = this.shadowRoot ?? this.attachShadow({ mode: "open" });
    const link = document.createElement("link");
    link.rel = "stylesheet";
    link.href = stylesheet;
    const container = document.createElement("div");
    container.className = "sis-root";
    root.replaceChildren(link, container);
    // Render once the stylesheet is in: no flash of unstyled content, no transitions from
    // the browser's default look. A stylesheet that fails still lets the wizard work.
    const styled = new Promise((resolve) => {
      link.addEventListener("load", resolve, { once: true });
      link.addEventListener("error", resolve, { once: true });
    });
    const lang = language(this);
    // One session request per configuration: a start again while loading (a late `lang`)
    // keeps the request already on its way; a removed element forgets it.
    const [session, api] = [this.getAttribute("session"), this.getAttribute("api")];
    const previous = this._prefetch;
    const prefetch =
      previous?.session === session && previous?.api === api ? previous : prefetchSession(session, api);
    this._prefetch = prefetch;
    Promise.all([loadWizard(), loadStrings(lang), styled])
      .then(([mount, text]) => {
        if (!this.isConnected || this._handle || !container.isConnected) return;
        // The language changed while loading (a framework setting `lang` late): start again.
        if (language(this) !== lang) return this._start();
        // The answer is for the attributes it was asked with, and its body can be read once.
        const current = this.getAttribute("session") === session && this.getAttribute("api") === api;
        this._prefetch = null;
        this._handle = mount(this, container, lang, text, current ? prefetch.response : undefined);
        if (!this._handle) throw new Error(`the ${lang} strings do not belong to this wizard`);
      })
      .catch((error) => {
        container.setAttribute("role", "alert");
        container.textContent =
          "The onboarding wizard could not be loaded. Check your internet connection and reload the page.";
        emit(this, "error", "onError", { code: "load_failed", message: String(error) });
      });
  }

  _stop() {
    this._handle?.destroy();
    this._handle = null;
    this._step = null;
    this._finished = false;
  }
}

/** The JS API: the same wizard as the element, configured by an options object. */
const api = Object.freeze({
  version: VERSION,
  mount(target, options = {}) {
    if (!(target instanceof Element)) {
      throw new TypeError("SisOnboard.mount(target, options): target must be an element");
    }
    const element = document.createElement("sis-onboard");
    for (const name of [...CONFIG, "theme"]) {
      if (options[name] != null) element.setAttribute(name, String(options[name]));
    }
    for (const name of CALLBACKS) {
      if (typeof options[name] === "function") element[name] = options[name];
    }
    target.append(element);
    return Object.freeze({
      element,
      destroy() {
        // Told while still in the page, so document-level listeners hear the exit too.
        element._left?.();
        element.remove();
      },
    });
  },
});

if (!customElements.get("sis-onboard")) {
  customElements.define("sis-onboard", SisOnboardElement);
}
globalThis.SisOnboard ??= api;

/** The page's one API object, whichever copy of this script defined it. */
export const SisOnboard = globalThis.SisOnboard;
