// Embedding, in headless Chromium: the wizard on pretend vendor pages served from the
// proxy's origin under the strictest policy a vendor may use, with sessions opened through
// the real proxy's vendor API. Every page fails its test on a console error, an uncaught
// exception or a CSP violation.
import assert from "node:assert/strict";
import { createHash, randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { API_KEY, fillCredentials, proxyAndBrowser, watchedPage } from "./harness.mjs";

const env = proxyAndBrowser();
const CSP = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; connect-src 'self'";
const LOADER = "/sis-onboard/sis-onboard.js";
const EVENTS = ["ready", "step", "validation", "success", "exit", "error"];

/** A session for a new customer, opened as the vendor's backend would. */
async function newSession() {
  const response = await fetch(`${env.proxy.url}/v1/sessions`, {
    method: "POST",
    headers: { Authorization: `Bearer ${API_KEY}`, "Content-Type": "application/json" },
    body: JSON.stringify({
      tenant_id: `d-${randomBytes(4).toString("hex")}`,
      display_name: "Acme Learning",
      allowed_origins: [env.proxy.url],
    }),
  });
  assert.equal(response.status, 201);
  return (await response.json()).session_token;
}

/**
 * Opens a vendor page with `body`, the loader (`scripts` of them) and the stylesheet `css`,
 * served under the CSP; records every wizard event that reaches the document.
 */
async function vendorPage(body, { css = "", scripts = [LOADER], contextOptions = {} } = {}) {
  const context = await env.browser.newContext(contextOptions);
  const { page, expect } = await watchedPage(context);
  const tags = scripts
    .map((script) => (typeof script === "string" ? { src: script } : script))
    .map(({ src, integrity }) =>
      integrity
        ? `<script type="module" src="${src}" integrity="${integrity}" crossorigin="anonymous"></script>`
        : `<script type="module" src="${src}"></script>`)
    .join("");
  const html = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Vendor</title>
    <link rel="stylesheet" href="/embed-test.css">${tags}</head>
    <body>${body}</body></html>`;
  await page.route(`${env.proxy.url}/embed-test`, (route) =>
    route.fulfill({ status: 200, contentType: "text/html; charset=utf-8", headers: { "Content-Security-Policy": CSP }, body: html }));
  await page.route(`${env.proxy.url}/embed-test.css`, (route) =>
    route.fulfill({ status: 200, contentType: "text/css", body: css }));
  await page.addInitScript((names) => {
    window.__events = [];
    for (const name of names) {
      document.addEventListener(`sis-onboard:${name}`, (event) =>
        window.__events.push({ name, target: event.target.id, detail: event.detail }));
    }
  }, EVENTS);
  await page.goto(`${env.proxy.url}/embed-test`);
  return { context, page, expect };
}

const events = (page, name) =>
  page.evaluate((name) => window.__events.filter((e) => e.name === name), name);

/** A locator for the test id inside the wizard of element `#host`. */
const within = (page, host) => (testId) => page.locator(`#${host} [data-testid="${testId}"]`);

/** The steps of the OneRoster path, each with what the administrator chooses on it. */
const PATH = [
  ["start", "confirm-admin"],
  ["source", "choice-infinite_campus"],
  ["region", "choice-us"],
  ["strategy", "choice-oneroster_api"],
  ["generate-connection", null],
];

/**
 * Walks the wizard of `#host` along the OneRoster path from step `from` until step `upTo`
 * is on screen (through Done, with the sandbox's credentials, by default).
 */
async function complete(page, host, { from = "start", upTo = "done" } = {}) {
  const $ = within(page, host);
  await $(`step-${from}`).waitFor({ timeout: 15_000 });
  for (const [step, choice] of PATH.slice(PATH.findIndex(([s]) => s === from))) {
    if (step === upTo) return;
    if (choice) await $(choice).check();
    await $("continue").click();
    await $(`step-${PATH[PATH.findIndex(([s]) => s === step) + 1]?.[0] ?? "credentials"}`).waitFor();
  }
  if (upTo === "credentials") return;
  await fillCredentials($, env.proxy.url);
  await $("validate").click();
  await $("district-name").waitFor();
  await $("continue").click();
  await $("step-done").waitFor();
}

test("two wizards on one page complete independently, each telling only its own element", async () => {
  const [a, b] = [await newSession(), await newSession()];
  const { context, page } = await vendorPage(
    `<sis-onboard id="a" session="${a}" api="/"></sis-onboard><sis-onboard id="b" session="${b}"></sis-onboard>`,
  );
  await complete(page, "a", { upTo: "region" });
  await complete(page, "b");
  // B is done; A is still where its administrator left it, and goes on from there.
  assert.equal(await within(page, "a")("step-region").count(), 1);
  await complete(page, "a", { from: "region" });

  const successes = await events(page, "success");
  assert.deepEqual(successes.map((e) => e.target), ["b", "a"]);
  assert.notEqual(successes[0].detail.connectionId, successes[1].detail.connectionId);
  const ready = await events(page, "ready");
  assert.deepEqual(ready.map((e) => e.target).sort(), ["a", "b"]);
  await context.close();
});

test("the script loaded twice defines one element and one API, and success fires once", async () => {
  const session = await newSession();
  const { context, page } = await vendorPage(`<sis-onboard id="w" session="${session}"></sis-onboard>`, {
    scripts: [LOADER, `${LOADER}?loaded=twice`, LOADER],
  });
  await complete(page, "w");
  assert.equal((await events(page, "success")).length, 1);
  assert.equal((await events(page, "ready")).length, 1);
  const same = await page.evaluate(
    async ([once, twice]) => (await import(once)).SisOnboard === (await import(twice)).SisOnboard,
    [LOADER, `${LOADER}?loaded=twice`],
  );
  assert.equal(same, true, "every copy of the script exports the page's one API");
  await context.close();
});

test("the JS API mounts, destroy() cleans up and tells where, bad configuration is explained", async () => {
  const session = await newSession();
  const { context, page, expect } = await vendorPage(`<div id="slot"></div><div id="other"></div>`);
  await page.evaluate((session) => {
    window.__calls = [];
    const record = (name) => (detail) => window.__calls.push({ name, detail });
    window.__handle = window.SisOnboard.mount(document.getElementById("slot"), {
      session,
      api: "/",
      lang: "en",
      onReady: record("ready"),
      onStepChange: record("step"),
      onExit: record("exit"),
    });
    window.__handle.element.id = "mounted";
  }, session);
  const $ = within(page, "mounted");
  await $("confirm-admin").check();
  await $("continue").click();
  await $("step-source").waitFor();

  await page.evaluate(() => window.__handle.destroy());
  const after = await page.evaluate(() => ({
    children: document.getElementById("slot").childElementCount,
    shadow: window.__handle.element.shadowRoot.childElementCount,
    calls: window.__calls,
  }));
  assert.equal(after.children, 0, "the element is gone");
  assert.equal(after.shadow, 0, "and everything it rendered");
  assert.deepEqual(after.calls, [
    { name: "ready", detail: { sessionId: after.calls[0].detail.sessionId, step: "start" } },
    { name: "step", detail: { step: "source", previous: "start" } },
    { name: "exit", detail: { step: "source", reason: "removed" } },
  ]);
  const exits = await events(page, "exit");
  assert.deepEqual(exits.map((e) => [e.target, e.detail.reason]), [["mounted", "removed"]], "the page hears it too");
  await page.evaluate(() => window.__handle.destroy()); // twice is harmless

  // Mounted again with the same session, the administrator resumes where they were.
  await page.evaluate((session) => {
    window.SisOnboard.mount(document.getElementById("slot"), { session }).element.id = "again";
  }, session);
  await within(page, "again")("step-source").waitFor({ timeout: 15_000 });

  // No session, or one the proxy does not know: a message inside, and an error event.
  await page.evaluate(() => {
    window.SisOnboard.mount(document.getElementById("other"), {}).element.id = "nosession";
    window.SisOnboard.mount(document.getElementById("other"), { session: "sos_unknown" }).element.id = "unknown";
  });
  await within(page, "nosession")("notice").waitFor();
  await within(page, "unknown")("notice").waitFor();
  // A proxy that cannot be reached (the network drops the request): its own message.
  await page.route(`${env.proxy.url}/v1/session`, (route) => route.abort("connectionrefused"));
  await page.evaluate((session) => {
    window.SisOnboard.mount(document.getElementById("other"), { session }).element.id = "unreachable";
  }, session);
  await within(page, "unreachable")("notice").waitFor();
  assert.match(await within(page, "unreachable")("notice").innerText(), /could not reach|reach/i);
  await page.unroute(`${env.proxy.url}/v1/session`);
  assert.match(await within(page, "nosession")("notice").innerText(), /did not start an onboarding session/);
  const errors = await events(page, "error");
  assert.deepEqual(errors.map((e) => [e.target, e.detail.code]).sort(), [
    ["nosession", "missing_session"],
    ["unknown", "invalid_session"],
    ["unreachable", "unreachable"],
  ]);
  const thrown = await page.evaluate(() => {
    try {
      window.SisOnboard.mount("not an element", {});
      return null;
    } catch (error) {
      return error.constructor.name;
    }
  });
  assert.equal(thrown, "TypeError");
  // The browser logs the proxy's 401 for the unknown session and the dropped request, once:
  // the wizard tells the loader's failed prefetch without asking again. Nothing else may go
  // wrong.
  expect(
    /console: Failed to load resource: the server responded with a status of 401/,
    { pattern: /console: .*ERR_CONNECTION_REFUSED/, count: 1 },
  );
  await context.close();
});

/** The computed styles that matter for layout and legibility. */
const STYLE = ["display", "color", "fontFamily", "lineHeight", "backgroundColor", "fontSize", "fontWeight", "padding", "borderRadius", "width", "height"];

async function stylesOf(page, selector) {
  return page.locator(selector).evaluate((el, keys) => {
    const style = getComputedStyle(el);
    return Object.fromEntries(keys.map((k) => [k, style[k]]));
  }, STYLE);
}

test("hostile host CSS does not break the wizard, and the wizard's CSS does not touch the host", async () => {
  const host = `<p class="sis-hint sis-error" id="host-p">The vendor's own text</p>
    <button class="sis-button sis-primary" id="host-b">The vendor's button</button>`;
  const wizard = (session) => `<sis-onboard id="w" session="${session}"></sis-onboard>`;
  const hostile = `* { all: unset !important; }
    p, button, input, h2, section, div, li, label { display: inline !important; font-size: 40px !important;
      color: red !important; background: yellow !important; padding: 30px !important; }
    sis-onboard { display: inline !important; font: 8px serif !important; color: red !important; }`;

  // The host's elements look the same with and without the wizard on the page.
  const bare = await vendorPage(host, { scripts: [] });
  const hostAlone = [await stylesOf(bare.page, "#host-p"), await stylesOf(bare.page, "#host-b")];
  await bare.context.close();
  const calm = await vendorPage(host + wizard(await newSession()));
  await within(calm.page, "w")("step-start").waitFor({ timeout: 15_000 });
  assert.deepEqual([await stylesOf(calm.page, "#host-p"), await stylesOf(calm.page, "#host-b")], hostAlone);
  const wizardCalm = {
    title: await stylesOf(calm.page, '#w [data-testid="step-title"]'),
    button: await stylesOf(calm.page, '#w [data-testid="continue"]'),
    box: await calm.page.locator('#w [data-testid="continue"]').boundingBox(),
  };
  await calm.context.close();

  // Under the hostile sheet the wizard lays out and reads exactly as on a calm page.
  const rough = await vendorPage(host + wizard(await newSession()), { css: hostile });
  await within(rough.page, "w")("step-start").waitFor({ timeout: 15_000 });
  const wizardRough = {
    title: await stylesOf(rough.page, '#w [data-testid="step-title"]'),
    button: await stylesOf(rough.page, '#w [data-testid="continue"]'),
    box: await rough.page.locator('#w [data-testid="continue"]').boundingBox(),
  };
  assert.deepEqual(wizardRough.title, wizardCalm.title);
  assert.deepEqual(wizardRough.button, wizardCalm.button);
  assert.equal(wizardRough.box.width, wizardCalm.box.width);
  assert.equal(wizardRough.box.height, wizardCalm.box.height);
  await rough.context.close();
});

test("theming: custom properties, light, dark and the browser's preferences", async () => {
  const brand = `sis-onboard#branded { --sis-color-accent: rgb(1, 2, 3); --sis-radius: 3px; --sis-font-size: 20px; }
    #parent { --sis-radius: 5px; }`;
  const [s1, s2, s3] = [await newSession(), await newSession(), await newSession()];
  const { context, page } = await vendorPage(
    `<sis-onboard id="branded" session="${s1}"></sis-onboard>
     <sis-onboard id="dark" session="${s2}" theme="dark"></sis-onboard>
     <div id="parent"><sis-onboard id="plain" session="${s3}"></sis-onboard></div>`,
    { css: brand },
  );
  for (const id of ["branded", "dark", "plain"]) await within(page, id)("step-start").waitFor({ timeout: 15_000 });
  const surface = (id) => stylesOf(page, `#${id} [data-testid="wizard"]`).then((s) => s.backgroundColor);
  const button = (id) => stylesOf(page, `#${id} [data-testid="continue"]`);
  const branded = await button("branded");
  assert.equal(branded.backgroundColor, "rgb(1, 2, 3)");
  assert.equal(branded.borderRadius, "3px");
  assert.equal((await stylesOf(page, '#branded [data-testid="wizard"]')).fontSize, "20px");
  assert.equal(await surface("dark"), "rgb(13, 17, 23)");
  assert.equal(await surface("plain"), "rgb(255, 255, 255)", "light when the browser prefers light");
  assert.equal((await button("plain")).borderRadius, "5px", "set on an ancestor, it still applies");

  // The theme attribute applies at once, without starting the wizard again.
  await page.locator("#plain").evaluate((el) => el.setAttribute("theme", "dark"));
  assert.equal(await surface("plain"), "rgb(13, 17, 23)");
  assert.equal((await events(page, "ready")).filter((e) => e.target === "plain").length, 1);
  await context.close();

  // A browser that prefers dark and reduced motion gets both, unless the page says light.
  const dark = await vendorPage(
    `<sis-onboard id="auto" session="${await newSession()}"></sis-onboard>
     <sis-onboard id="light" session="${await newSession()}" theme="light"></sis-onboard>`,
    { contextOptions: { colorScheme: "dark", reducedMotion: "reduce" } },
  );
  for (const id of ["auto", "light"]) await within(dark.page, id)("step-start").waitFor({ timeout: 15_000 });
  const darkSurface = (id) => stylesOf(dark.page, `#${id} [data-testid="wizard"]`).then((s) => s.backgroundColor);
  assert.equal(await darkSurface("auto"), "rgb(13, 17, 23)");
  assert.equal(await darkSurface("light"), "rgb(255, 255, 255)");
  const motion = await dark.page.locator('#auto [data-testid="continue"]').evaluate((el) => getComputedStyle(el).transitionDuration);
  assert.equal(motion, "0s", "no transitions for reduced motion");
  await dark.context.close();
});

test("a new language attribute re-renders in that language and keeps the progress", async () => {
  const { context, page } = await vendorPage(`<sis-onboard id="w" session="${await newSession()}" lang="en"></sis-onboard>`);
  await complete(page, "w", { upTo: "region" });
  await page.locator("#w").evaluate((el) => el.setAttribute("lang", "es"));
  await within(page, "w")("step-region").waitFor();
  await page.locator('#w [data-testid="step-title"]:has-text("Dónde se debe guardar")').waitFor();
  const exits = await events(page, "exit");
  assert.deepEqual(exits, [], "a re-render is not an exit");
  await context.close();
});

test("the loader speaks French for fr, fr-CA, fr-FR and fr_CA, and for a browser in Canadian French", async () => {
  const tags = ["fr", "fr-CA", "fr-FR", "fr_CA"];
  const hosts = [];
  for (const [i, tag] of tags.entries()) {
    hosts.push(`<sis-onboard id="w${i}" session="${await newSession()}" lang="${tag}"></sis-onboard>`);
  }
  // A language the wizard does not speak: the browser's languages decide (English here).
  hosts.push(`<sis-onboard id="other" session="${await newSession()}" lang="de-CH"></sis-onboard>`);
  const fetched = [];
  const { context, page } = await vendorPage("", { contextOptions: { locale: "en-US" } });
  page.on("request", (request) => /\/sis-onboard-\w+-[0-9a-f]{16}\.txt$/.test(request.url()) && fetched.push(request.url()));
  await page.evaluate((html) => document.body.insertAdjacentHTML("beforeend", html), hosts.join(""));
  for (const [i, tag] of tags.entries()) {
    const $ = within(page, `w${i}`);
    await $("step-start").waitFor({ timeout: 15_000 });
    assert.equal(await $("wizard").getAttribute("lang"), "fr", tag);
    assert.match(await $("step-title").innerText(), /^Connectez votre système d'information sur les élèves/, tag);
    assert.equal(await $("exit").innerText(), "Quitter", tag);
  }
  await within(page, "other")("step-start").waitFor({ timeout: 15_000 });
  assert.equal(await within(page, "other")("wizard").getAttribute("lang"), "en");
  // Four French wizards share one download of the French strings.
  assert.deepEqual(fetched.map((url) => url.match(/sis-onboard-(\w+)-/)[1]).sort(), ["en", "fr"]);
  await context.close();

  // Without a `lang` attribute, the browser's language: Canadian French is French.
  const quebec = await vendorPage(`<sis-onboard id="b" session="${await newSession()}"></sis-onboard>`, {
    contextOptions: { locale: "fr-CA" },
  });
  const $ = within(quebec.page, "b");
  await $("step-start").waitFor({ timeout: 15_000 });
  assert.equal(await $("wizard").getAttribute("lang"), "fr");
  assert.match(await $("step-title").innerText(), /^Connectez votre système/);
  await quebec.context.close();
});

test("a language set while the wizard loads is the language it shows", async () => {
  const { context, page } = await vendorPage("");
  // The English strings wait until the page has changed its mind.
  let release;
  const held = new Promise((resolve) => (release = resolve));
  let asked;
  const requested = new Promise((resolve) => (asked = resolve));
  await page.route(/\/sis-onboard-en-[0-9a-f]{16}\.txt$/, async (route) => {
    asked();
    await held;
    await route.continue();
  });
  await page.evaluate((session) => {
    document.body.insertAdjacentHTML("beforeend", `<sis-onboard id="w" session="${session}" lang="en"></sis-onboard>`);
  }, await newSession());
  await requested;
  await page.locator("#w").evaluate((el) => el.setAttribute("lang", "es"));
  release();
  await within(page, "w")("step-start").waitFor();
  assert.match(await within(page, "w")("step-title").innerText(), /Conecte su sistema de información estudiantil/);
  await context.close();
});

test("strings that cannot be fetched get the load error, and the next wizard fetches them again", async () => {
  const { context, page, expect } = await vendorPage("");
  const spanish = /\/sis-onboard-es-[0-9a-f]{16}\.txt$/;
  await page.route(spanish, (route) => route.fulfill({ status: 404, body: "" }));
  const session = await newSession();
  await page.evaluate((session) => {
    document.body.insertAdjacentHTML("beforeend", `<sis-onboard id="w" session="${session}" lang="es"></sis-onboard>`);
  }, session);
  await page.locator('#w [role="alert"]:has-text("could not be loaded")').waitFor();
  const errors = await events(page, "error");
  assert.deepEqual(errors.map((e) => [e.target, e.detail.code]), [["w", "load_failed"]]);
  assert.match(errors[0].detail.message, /404/);
  // The failure is not remembered: once the file can be fetched, the next wizard gets it.
  await page.unroute(spanish);
  await page.evaluate((session) => {
    document.querySelector("#w").remove();
    document.body.insertAdjacentHTML("beforeend", `<sis-onboard id="w2" session="${session}" lang="es-MX"></sis-onboard>`);
  }, session);
  await within(page, "w2")("step-start").waitFor();
  assert.match(await within(page, "w2")("step-title").innerText(), /Conecte su sistema de información estudiantil/);
  // The one problem is the refused request itself.
  expect(/console: Failed to load resource: the server responded with a status of 404/);
  await context.close();
});

test("a wasm that cannot be fetched gets the load error naming its status, and the next wizard fetches it again", async () => {
  const { context, page, expect } = await vendorPage("");
  const wasm = /_bg\.wasm$/;
  await page.route(wasm, (route) => route.fulfill({ status: 404, contentType: "text/html", body: "<!doctype html><p>Not found</p>" }));
  const session = await newSession();
  await page.evaluate((session) => {
    document.body.insertAdjacentHTML("beforeend", `<sis-onboard id="w" session="${session}"></sis-onboard>`);
  }, session);
  await page.locator('#w [role="alert"]:has-text("could not be loaded")').waitFor();
  const errors = await events(page, "error");
  assert.deepEqual(errors.map((e) => [e.target, e.detail.code]), [["w", "load_failed"]]);
  // What failed, not a CompileError about the 404 page's bytes.
  assert.match(errors[0].detail.message, /^Error: 404 http:\/\/[\d.:]+\/sis-onboard\/sis-onboard-wizard-[0-9a-f]{16}_bg\.wasm$/);
  await page.unroute(wasm);
  await page.evaluate((session) => {
    document.querySelector("#w").remove();
    document.body.insertAdjacentHTML("beforeend", `<sis-onboard id="w2" session="${session}"></sis-onboard>`);
  }, session);
  await within(page, "w2")("step-start").waitFor();
  expect(/console: Failed to load resource: the server responded with a status of 404/);
  await context.close();
});

test("a wizard removed while it loads asks for its session again when it comes back", async () => {
  const { context, page } = await vendorPage("");
  // The wasm waits, so the element is still loading when it leaves the page.
  let release;
  const held = new Promise((resolve) => (release = resolve));
  await page.route(/_bg\.wasm$/, async (route) => {
    await held;
    await route.continue();
  });
  const sessionRequests = [];
  page.on("request", (request) => request.url().endsWith("/v1/session") && sessionRequests.push(request));
  await page.evaluate((session) => {
    document.body.insertAdjacentHTML("beforeend", `<sis-onboard id="w" session="${session}"></sis-onboard>`);
  }, await newSession());
  await page.waitForResponse((response) => response.url().endsWith("/v1/session"));
  await page.evaluate(() => {
    window.__parked = document.querySelector("#w");
    window.__parked.remove();
  });
  assert.equal(sessionRequests.length, 1);
  // Back in the page (much later, say): its answer is asked for afresh, not the old one's.
  const asked = page.waitForRequest((request) => request.url().endsWith("/v1/session"));
  await page.evaluate(() => document.body.append(window.__parked));
  await asked;
  release();
  await within(page, "w")("step-start").waitFor();
  assert.equal(sessionRequests.length, 2);
  await context.close();
});

test("a strings file of another build (a web server's HTML fallback) is the load error, not garbled text", async () => {
  const { context, page } = await vendorPage("");
  await page.route(/\/sis-onboard-es-[0-9a-f]{16}\.txt$/, (route) =>
    route.fulfill({ status: 200, contentType: "text/html", body: "<!doctype html>\n<html>\n<body>Acme</body>\n</html>\n" }));
  await page.evaluate((session) => {
    document.body.insertAdjacentHTML("beforeend", `<sis-onboard id="w" session="${session}" lang="es"></sis-onboard>`);
  }, await newSession());
  await page.locator('#w [role="alert"]:has-text("could not be loaded")').waitFor();
  const errors = await events(page, "error");
  assert.deepEqual(errors.map((e) => [e.target, e.detail.code]), [["w", "load_failed"]]);
  assert.match(errors[0].detail.message, /strings do not belong/);
  assert.equal(await within(page, "w")("step-start").count(), 0);
  await context.close();
});

test("assets: hashed files cache forever, the loader is revalidated and loads with its SRI value", async () => {
  const loader = await fetch(`${env.proxy.url}${LOADER}`);
  assert.equal(loader.headers.get("cache-control"), "no-cache");
  const source = await loader.text();
  const hashed = [...source.matchAll(/"\.\/(sis-onboard[\w-]*-[0-9a-f]{8,16}[\w.]*)"/g)].map((m) => m[1]);
  assert.equal(hashed.length, 6, `the glue, the wasm, the stylesheet and three languages' strings: ${hashed}`);
  for (const name of hashed) {
    const response = await fetch(`${env.proxy.url}/sis-onboard/${name}`);
    assert.equal(response.status, 200, name);
    assert.equal(response.headers.get("cache-control"), "public, max-age=31536000, immutable", name);
  }
  // The glue and the wasm are named by their final bytes, so no change can hide under a name
  // that browsers cache forever.
  const bytesOf = async (name) => Buffer.from(await (await fetch(`${env.proxy.url}/sis-onboard/${name}`)).arrayBuffer());
  const glue = hashed.find((n) => n.endsWith(".js"));
  const wasm = hashed.find((n) => n.endsWith("_bg.wasm"));
  const contentHash = createHash("sha256").update(await bytesOf(wasm)).update(await bytesOf(glue)).digest("hex").slice(0, 16);
  assert.equal(glue, `sis-onboard-wizard-${contentHash}.js`);
  assert.equal(wasm, `sis-onboard-wizard-${contentHash}_bg.wasm`);
  // So are the strings: each language's table, one text per line.
  for (const lang of ["en", "es", "fr"]) {
    const name = hashed.find((n) => n.startsWith(`sis-onboard-${lang}-`) && n.endsWith(".txt"));
    const text = await bytesOf(name);
    assert.equal(name, `sis-onboard-${lang}-${createHash("sha256").update(text).digest("hex").slice(0, 16)}.txt`);
    const table = JSON.parse(readFileSync(new URL(`../../src/i18n/${lang}.json`, import.meta.url), "utf8"));
    assert.deepEqual(text.toString("utf8").split("\n"), table.map(([, t]) => t), lang);
  }
  // Each file a page loads goes out as its precompressed gzip copy, which unpacks to the file.
  for (const name of ["sis-onboard.js", ...hashed]) {
    const url = `${env.proxy.url}/sis-onboard/${name}`;
    const packed = await fetch(url, { headers: { "accept-encoding": "gzip" } });
    assert.equal(packed.headers.get("content-encoding"), "gzip", name);
    const plain = await fetch(url, { headers: { "accept-encoding": "identity" } });
    assert.equal(plain.headers.get("content-encoding"), null, name);
    const [unpacked, original] = [Buffer.from(await packed.arrayBuffer()), Buffer.from(await plain.arrayBuffer())];
    assert.ok(unpacked.equals(original), `${name}: the gzip copy unpacks to the file`);
    assert.ok(Number(packed.headers.get("content-length")) < original.length * 0.75, `${name} is sent compressed`);
  }
  const integrity = (await (await fetch(`${env.proxy.url}/sis-onboard/sis-onboard.sri.txt`)).text()).trim();
  const digest = createHash("sha384").update(source).digest("base64");
  assert.equal(integrity, `sha384-${digest}`);

  // A page that pins the loader with Subresource Integrity gets a working wizard.
  const pinned = await vendorPage(`<sis-onboard id="w" session="${await newSession()}"></sis-onboard>`, {
    scripts: [{ src: LOADER, integrity }],
  });
  await within(pinned.page, "w")("step-start").waitFor({ timeout: 15_000 });
  await pinned.context.close();

  // TypeScript definitions ship with the assets and name every event and callback.
  const types = await (await fetch(`${env.proxy.url}/sis-onboard/sis-onboard.d.ts`)).text();
  for (const name of EVENTS) assert.ok(types.includes(`"sis-onboard:${name}"`), name);
  for (const callback of ["onReady", "onStepChange", "onValidation", "onSuccess", "onExit", "onError"]) {
    assert.ok(types.includes(callback), callback);
  }
});

test("the demo page shows its integration code, switches theme and language, and logs events", async () => {
  const context = await env.browser.newContext();
  const { page } = await watchedPage(context);
  await page.goto(`${env.proxy.url}/`);
  const $ = (testId) => page.locator(`sis-onboard [data-testid="${testId}"]`);
  await $("step-start").waitFor({ timeout: 15_000 });
  const code = await page.locator('[data-testid="integration-code"]').innerText();
  assert.match(code, /<script type="module" src="\/sis-onboard\/sis-onboard\.js"><\/script>/);
  assert.match(code, /<sis-onboard session="sos_/);
  await page.locator('[data-testid="event-log"] li[data-event="ready"]').waitFor();

  await page.locator('[data-testid="theme-switch"]').selectOption("dark");
  assert.equal(await page.locator("#onboarding").getAttribute("theme"), "dark");
  const surface = await $("wizard").evaluate((el) => getComputedStyle(el).backgroundColor);
  assert.equal(surface, "rgb(13, 17, 23)");

  await $("confirm-admin").check();
  await $("continue").click();
  await $("step-source").waitFor();
  await page.locator('[data-testid="event-log"] li[data-event="step"]').waitFor();
  await page.locator('[data-testid="lang-switch"]').selectOption("es");
  await page.locator('sis-onboard [data-testid="step-title"]:has-text("Dónde guarda su distrito")').waitFor();
  await $("step-source").waitFor();
  assert.match(await page.locator('[data-testid="integration-code"]').innerText(), /lang="es"/);
  // The switch offers French too.
  const offered = await page.locator('[data-testid="lang-switch"] option').evaluateAll((options) =>
    options.map((o) => [o.value, o.textContent]));
  assert.deepEqual(offered, [["en", "English"], ["es", "Español"], ["fr", "Français"]]);
  await page.locator('[data-testid="lang-switch"]').selectOption("fr");
  await page.locator('sis-onboard [data-testid="step-title"]:has-text("Où votre district conserve-t-il")').waitFor();
  await $("step-source").waitFor();
  assert.match(await page.locator('[data-testid="integration-code"]').innerText(), /lang="fr"/);
  await context.close();
});

test("removing a wizard while it waits for the proxy leaves the page's other wizards working", async () => {
  const session = await newSession();
  const { context, page } = await vendorPage(`<div id="slot"></div>`);
  await page.evaluate((session) => {
    window.__handle = window.SisOnboard.mount(document.getElementById("slot"), { session });
    window.__handle.element.id = "first";
  }, session);
  await complete(page, "first", { upTo: "credentials" });
  const $ = within(page, "first");
  await fillCredentials($, env.proxy.url);
  // The answer arrives after the wizard is gone; the shared wasm must shrug it off.
  const answered = page.waitForResponse(`${env.proxy.url}/v1/validate`);
  await $("validate").click();
  await page.evaluate(() => window.__handle.destroy());
  await answered;
  await page.evaluate((session) => {
    window.SisOnboard.mount(document.getElementById("slot"), { session }).element.id = "second";
  }, await newSession());
  await complete(page, "second");
  await context.close();
});
