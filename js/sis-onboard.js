// sis-onboard loader: defines the <sis-onboard> element. Safe to load more than once.
//
//   <script type="module" src="https://your-cdn/sis-onboard/sis-onboard.js"></script>
//   <sis-onboard session="sos_…" api="https://onboarding.your-app.example"></sis-onboard>
//
// Each element gets its own shadow root, so the wizard's styles and the page's styles
// cannot reach each other. The wasm module is loaded once and shared by every element.
import init, { mount } from "./sis-onboard-wizard.js";

const stylesheet = new URL("./sis-onboard.css", import.meta.url).href;
let ready;

function loadWizard() {
  ready ??= init();
  return ready;
}

class SisOnboardElement extends HTMLElement {
  connectedCallback() {
    if (this._handle || this._loading) return;
    const root = this.shadowRoot ?? this.attachShadow({ mode: "open" });
    const link = document.createElement("link");
    link.rel = "stylesheet";
    link.href = stylesheet;
    const container = document.createElement("div");
    container.className = "sis-root";
    root.replaceChildren(link, container);
    this._loading = loadWizard()
      .then(() => {
        if (this.isConnected && !this._handle) this._handle = mount(this, container);
      })
      .catch((error) => {
        container.setAttribute("role", "alert");
        container.textContent =
          "The onboarding wizard could not be loaded. Check your internet connection and reload the page.";
        this.dispatchEvent(
          new CustomEvent("sis-onboard:error", {
            bubbles: true,
            composed: true,
            detail: { code: "load_failed", message: String(error) },
          }),
        );
      })
      .finally(() => {
        this._loading = null;
      });
  }

  disconnectedCallback() {
    this._handle?.destroy();
    this._handle = null;
  }
}

if (!customElements.get("sis-onboard")) {
  customElements.define("sis-onboard", SisOnboardElement);
}
