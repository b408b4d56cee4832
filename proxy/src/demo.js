// The demo vendor page's own script: the theme and language switches, the integration code
// kept in step with them, and the event log. A vendor writes its own; this one only shows
// what the embedding API offers (see docs/embedding.md).
//
// It runs before sis-onboard.js (both are deferred module scripts, run in document order),
// so its listeners are in place before the wizard can dispatch anything.

const EVENT_PREFIX = "sis-onboard:";
const EVENT_NAMES = ["ready", "step", "validation", "success", "exit", "error"];
// The attributes shown in the integration code, in the order a vendor would write them.
const SHOWN_ATTRIBUTES = ["session", "api", "lang", "theme"];
// The languages the wizard speaks, as the language switch offers them.
const SPOKEN = ["en", "es", "fr"];

const wizard = document.getElementById("onboarding");
const themeSwitch = document.querySelector('[data-testid="theme-switch"]');
const langSwitch = document.querySelector('[data-testid="lang-switch"]');
const code = document.querySelector('[data-testid="integration-code"]');
const log = document.querySelector('[data-testid="event-log"]');
const logScroller = document.querySelector('[data-testid="event-log-region"]');
const logEmpty = document.querySelector(".acme-log-empty");

/** The session token as the integration code shows it: enough to recognise, not to use. */
function shortened(token) {
  return token.length > 8 ? `${token.slice(0, 8)}…` : token;
}

/** The language of a BCP 47 tag (`fr-CA` is `fr`) when the wizard speaks it, else null. */
function spoken(tag) {
  const primary = String(tag).trim().split(/[-_]/)[0].toLowerCase();
  return SPOKEN.includes(primary) ? primary : null;
}

/** The language the wizard picks without a `lang` attribute: the browser's first it speaks. */
function browserLanguage() {
  for (const tag of navigator.languages ?? [navigator.language]) {
    const lang = spoken(tag);
    if (lang) return lang;
  }
  return "en";
}

/** Rewrites the element's line of the integration code from its current attributes. */
function showIntegrationCode() {
  const scriptLine = code.textContent.split("\n")[0];
  const attributes = SHOWN_ATTRIBUTES.filter((name) => wizard.hasAttribute(name)).map((name) => {
    const value = wizard.getAttribute(name);
    return `${name}="${name === "session" ? shortened(value) : value}"`;
  });
  // textContent, so the markup is shown as text and never parsed.
  code.textContent = `${scriptLine}\n<sis-onboard ${attributes.join(" ")}></sis-onboard>`;
}

/** Themes the wizard (its `theme` attribute) and the page around it alike. */
function applyTheme(theme) {
  wizard.setAttribute("theme", theme);
  document.documentElement.dataset.theme = theme;
  showIntegrationCode();
}

function applyLanguage(lang) {
  wizard.setAttribute("lang", lang);
  showIntegrationCode();
}

/** Appends one line to the event log: time, event name, detail as JSON; newest last. */
function logEvent(event) {
  const now = new Date();
  const item = document.createElement("li");
  item.className = "acme-log-entry";
  item.dataset.event = event.type.slice(EVENT_PREFIX.length);

  const time = document.createElement("time");
  time.className = "acme-log-time";
  time.dateTime = now.toISOString();
  time.textContent = now.toTimeString().slice(0, 8);

  const name = document.createElement("span");
  name.className = "acme-log-name";
  name.textContent = event.type;

  const detail = document.createElement("code");
  detail.className = "acme-log-detail";
  detail.textContent = JSON.stringify(event.detail);

  item.append(time, " ", name, " ", detail);
  log.append(item);
  if (logEmpty) logEmpty.hidden = true;
  // The newest entry in view (the keyboard or a mouse can scroll back).
  logScroller.scrollTop = logScroller.scrollHeight;
}

if (wizard && themeSwitch && langSwitch && code && log && logScroller) {
  // The events bubble out of the shadow root (composed), so the document hears every one.
  for (const name of EVENT_NAMES) {
    document.addEventListener(EVENT_PREFIX + name, logEvent);
  }

  // Show what the wizard will do unless told otherwise; touch no attribute until asked.
  themeSwitch.value = wizard.getAttribute("theme") ?? "auto";
  langSwitch.value = wizard.hasAttribute("lang")
    ? spoken(wizard.getAttribute("lang")) ?? "en"
    : browserLanguage();

  themeSwitch.addEventListener("change", () => applyTheme(themeSwitch.value));
  langSwitch.addEventListener("change", () => applyLanguage(langSwitch.value));
}
