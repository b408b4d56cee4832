// The demo vendor page's own script: the theme and language switches, the integration code
// kept in step with them, the event log, and the webhooks the demo's backend received. A
// vendor writes its own; this one only shows what the embedding API offers (see
// docs/embedding.md) and what its backend hears (the proxy's signed webhooks).
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
const hookStatus = document.querySelector('[data-testid="webhook-status"]');
const hookRegion = document.querySelector('[data-testid="webhook-log-region"]');
const hookRows = document.querySelector('[data-testid="webhook-log"] tbody');

// The demo's backend: the deliveries its receiver verified, newest first (proxy/src/demo/webhooks.rs).
const WEBHOOKS_URL = "/demo/webhooks/received";
// How often the panel asks while nothing is expected (health checks, revocations …).
const WEBHOOKS_IDLE_MS = 5_000;
// How often, and for how long, it asks after a success until that connection's event is in.
const WEBHOOKS_EXPECTING_MS = 250;
const WEBHOOKS_EXPECT_FOR_MS = 30_000;

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

/** The deliveries the demo's receiver kept, or null when it cannot be asked right now. */
async function receivedWebhooks() {
  try {
    const response = await fetch(WEBHOOKS_URL, { cache: "no-store" });
    return response.ok ? await response.json() : null;
  } catch {
    return null;
  }
}

/** One table row: the event and when, the district and connection id, the verified signature. */
function webhookRow(delivery) {
  const data = delivery.data ?? {};
  const row = document.createElement("tr");
  row.dataset.type = delivery.type;
  row.dataset.id = delivery.id;

  const event = document.createElement("td");
  const type = document.createElement("span");
  type.className = "acme-hooks-type";
  // `connection.created` may wrap after its dot in a narrow panel, nowhere else.
  delivery.type.split(".").forEach((part, i) => {
    if (i) type.append(".", document.createElement("wbr"));
    type.append(part);
  });
  const at = new Date(delivery.received_at * 1000);
  const time = document.createElement("time");
  time.className = "acme-log-time";
  time.dateTime = at.toISOString();
  time.textContent = at.toTimeString().slice(0, 8);
  event.append(type, time);

  // The district by name, and below it the connection's id (what the backend stores).
  const connection = document.createElement("td");
  const district = document.createElement("span");
  district.className = "acme-hooks-district";
  district.textContent = data.district_name ?? "—";
  connection.append(district);
  if (data.connection_id) {
    const id = document.createElement("code");
    id.textContent = data.connection_id;
    connection.append(id);
  }

  const signature = document.createElement("td");
  const verified = document.createElement("span");
  verified.className = "acme-hooks-verified";
  const tick = document.createElement("span");
  tick.setAttribute("aria-hidden", "true");
  tick.textContent = "✓ ";
  verified.append(tick, delivery.verified ? "verified" : "not verified");
  signature.append(verified);

  row.append(event, connection, signature);
  return row;
}

/** What the status line says: set only when it changes, so a screen reader hears news once. */
function setHookStatus(text) {
  if (hookStatus.textContent !== text) hookStatus.textContent = text;
}

/** Shows `list` (what the receiver answered); the rows are rebuilt only when they changed. */
function showWebhooks(list) {
  const deliveries = list.deliveries ?? [];
  const ids = deliveries.map((d) => d.id).join(" ");
  if (hookRows.dataset.ids !== ids) {
    hookRows.dataset.ids = ids;
    hookRows.replaceChildren(...deliveries.map(webhookRow));
    hookRegion.hidden = deliveries.length === 0;
  }
  if (!list.receiving) {
    setHookStatus("This proxy sends its webhooks to the endpoints of its --webhooks setting, not to this page.");
  } else if (deliveries.length) {
    const count = deliveries.length === 1 ? "1 webhook" : `${deliveries.length} webhooks`;
    setHookStatus(`${count} received, newest first. Each signature was verified before it was listed.`);
  }
}

/** Asks the receiver once and shows what it has; answers the list (null if unreachable). */
async function refreshWebhooks() {
  const list = await receivedWebhooks();
  if (list) showWebhooks(list);
  return list;
}

/** After a success, asks often until the event about `connectionId` is in (or time is up). */
async function expectWebhook(connectionId) {
  const deadline = Date.now() + WEBHOOKS_EXPECT_FOR_MS;
  while (Date.now() < deadline) {
    const list = await refreshWebhooks();
    if (list?.deliveries?.some((d) => d.data?.connection_id === connectionId)) return;
    await new Promise((resolve) => setTimeout(resolve, WEBHOOKS_EXPECTING_MS));
  }
}

if (hookStatus && hookRegion && hookRows) {
  refreshWebhooks();
  setInterval(() => {
    if (document.visibilityState === "visible") refreshWebhooks();
  }, WEBHOOKS_IDLE_MS);
  document.addEventListener(`${EVENT_PREFIX}success`, (event) => {
    if (event.detail?.connectionId) expectWebhook(event.detail.connectionId);
  });
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
