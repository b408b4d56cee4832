// The whole OneRoster path through the wizard, in headless Chromium, on the demo vendor
// page, against the real proxy binary and its sandbox district.
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { test } from "node:test";
import {
  API_KEY,
  fillCredentials as fillSandbox,
  proxyAndBrowser,
  SANDBOX_SECRET as SECRET,
  secretIsNowhere,
  watchedPage,
} from "./harness.mjs";
import { $, walkToStrategy } from "./walk.mjs";

// One proxy and one browser for the file, started before and stopped after its tests.
const env = proxyAndBrowser();


/** Opens the demo page in a fresh context (its own cookies, so its own session). */
async function openDemo({ locale = "en-US", permissions = [], reducedMotion = "no-preference" } = {}) {
  const context = await env.browser.newContext({ locale, permissions, reducedMotion });
  const { page, expect } = await watchedPage(context);
  await page.addInitScript(() => {
    window.__events = [];
    for (const name of ["ready", "step", "validation", "success", "exit", "error"].map((n) => `sis-onboard:${n}`)) {
      document.addEventListener(name, (event) => window.__events.push({ name, detail: event.detail }));
    }
    // The vendor's optional callback, set as a property of the element.
    document.addEventListener("DOMContentLoaded", () => {
      document.querySelector("sis-onboard").onSuccess = (detail) => (window.__callback = detail);
    });
  });
  await page.goto(`${env.proxy.url}/`);
  await $(page, "step-title").waitFor({ timeout: 15_000 });
  return { context, page, expect };
}

// The path by keyboard alone, from the page's first focusable element, is keyboard.test.mjs.

/** Presses `key` on the element with test id `testId`, focused by the test itself. */
async function press(page, testId, key = "Space") {
  await $(page, testId).focus();
  await page.keyboard.press(key);
}

/** From Start to the credentials step on the OneRoster path. */
async function walkToCredentials(page) {
  await walkToStrategy(page);
  await $(page, "choice-oneroster_api").check();
  await $(page, "continue").click();
  await $(page, "step-generate-connection").waitFor();
  await $(page, "continue").click();
  await $(page, "step-credentials").waitFor();
  // Focus follows the administrator to each new step's heading.
  assert.equal(await $(page, "step-title").evaluate((h) => h.getRootNode().activeElement === h), true);
}

/** The sandbox's credentials, the base URL pasted with spaces and a trailing slash. */
async function fillCredentials(page, options = {}) {
  const baseUrl = ` ${env.proxy.url}/sandbox/campus/api/ims/oneroster/rostering/v1p2/ `;
  await fillSandbox((testId) => $(page, testId), env.proxy.url, { baseUrl, ...options });
}

test("a newcomer completes the OneRoster path, the pasted URL is repaired, and the page is told", async () => {
  const { context, page } = await openDemo();
  await walkToCredentials(page);
  await fillCredentials(page);
  await $(page, "validate").click();
  // The pasted spaces and trailing slash were repaired, and the administrator is told.
  await $(page, "district-name").waitFor();
  assert.match(await $(page, "base-url-note").innerText(), /removed/i);
  assert.match(await $(page, "district-name").innerText(), /Unified School District/);
  assert.match(await $(page, "counts").innerText(), /Students\s*\d{1,3}(,\d{3})+\s/, "thousands grouped");
  // The school year ("2026-2027 School Year") is a title: it reads on one line.
  const yearLines = await page.locator('sis-onboard [data-testid="counts"] .sis-count-wide dd').evaluate((dd) => {
    const range = document.createRange();
    range.selectNodeContents(dd);
    return new Set([...range.getClientRects()].map((rect) => Math.round(rect.top))).size;
  });
  assert.equal(yearLines, 1, "the school year on one line");
  assert.match(await $(page, "announcer").innerText(), /Connected to .*District/);

  await $(page, "continue").click();
  await $(page, "step-done").waitFor();
  assert.match(await $(page, "done-summary").innerText(), /Unified School District is now connected to Acme Learning/);
  assert.match(await $(page, "step-done").innerText(), /within 24 hours/);
  assert.match(await $(page, "done-support").innerText(), /support@acme-learning.example/);

  const events = await page.evaluate(() => window.__events);
  // The page heard every step of the way, in order, and the success once.
  assert.deepEqual(
    events.map((e) => [e.name.replace("sis-onboard:", ""), e.detail.step ?? e.detail.outcome ?? ""]),
    [
      ["ready", "start"],
      ["step", "source"],
      ["step", "region"],
      ["step", "strategy"],
      ["step", "generate-connection"],
      ["step", "credentials"],
      ["validation", "passed"],
      ["success", ""],
      ["step", "done"],
    ],
  );
  assert.equal(events[6].detail.code, null);
  const success = events[7].detail;
  assert.match(success.connectionId, /^conn_/);
  assert.deepEqual(
    { source: success.source, strategy: success.strategy, region: success.region },
    { source: "infinite_campus", strategy: "oneroster_api", region: "us" },
  );
  assert.ok(!JSON.stringify(events).includes(SECRET));
  const callback = await page.evaluate(() => window.__callback);
  assert.equal(callback.connectionId, success.connectionId, "the callback hears it too");

  const storage = await secretIsNowhere(page);
  assert.match(storage.sessionStorage, /conn_/, "the draft remembers the completed connection");
  await context.close();
});

test("a wrong secret is explained at the secret; a 1.1 connection has its own message", async () => {
  const { context, page, expect } = await openDemo();
  await walkToCredentials(page);
  await fillCredentials(page, { secret: "not-the-secret" });
  await $(page, "validate").click();
  await $(page, "report-error").waitFor();
  assert.match(await $(page, "client-secret-note").innerText(), /did not accept this Client ID and Secret/);
  assert.equal(await $(page, "client-secret").getAttribute("aria-invalid"), "true");
  assert.equal(await $(page, "continue").isDisabled(), true);

  await $(page, "client-id").fill("sandbox-oneroster-1p1");
  await $(page, "client-secret").fill(SECRET);
  await $(page, "validate").click();
  await page.locator('sis-onboard [data-testid="report-error"][data-code="one_roster11"]').waitFor();
  assert.match(await $(page, "report-error").innerText(), /OneRoster 1\.1 connection/);
  assert.equal(await $(page, "continue").isDisabled(), true);
  // Still on screen, the secret is in its field's value, and nowhere else.
  await secretIsNowhere(page, SECRET, { stillTyped: true });

  // With the network down, the administrator is told so, and nothing typed is lost. (The
  // browser logs the request it could not send.)
  expect(/^console: Failed to load resource: net::ERR_INTERNET_DISCONNECTED \(http:\/\/[\d.:]+\/v1\/validate/);
  await context.setOffline(true);
  await $(page, "validate").click();
  await $(page, "failure").waitFor();
  assert.match(await $(page, "failure").innerText(), /You are offline/);
  assert.equal(await $(page, "client-id").inputValue(), "sandbox-oneroster-1p1");
  // The page heard each outcome with its code only.
  const validations = (await page.evaluate(() => window.__events))
    .filter((e) => e.name === "sis-onboard:validation")
    .map((e) => e.detail);
  assert.deepEqual(validations, [
    { outcome: "failed", code: "invalid_client" },
    { outcome: "failed", code: "one_roster11" },
    { outcome: "failed", code: "offline" },
  ]);
  await context.setOffline(false);
  await context.close();
});

test("progress survives a reload, except the secret; local checks catch swapped fields", async () => {
  const { context, page } = await openDemo();
  await walkToCredentials(page);
  await fillCredentials(page);
  // The token URL pasted into the base-URL field is caught before anything is sent.
  const token = await $(page, "token-url").inputValue();
  await $(page, "base-url").fill(token);
  await $(page, "validate").click();
  assert.match(await $(page, "base-url-note").innerText(), /This is the Token URL/);

  await page.reload();
  await $(page, "step-credentials").waitFor({ timeout: 15_000 });
  assert.equal(await $(page, "base-url").inputValue(), token);
  assert.equal(await $(page, "client-id").inputValue(), "sandbox-client-id");
  assert.equal(await $(page, "client-secret").inputValue(), "", "the secret is typed again");
  await secretIsNowhere(page);

  // Back keeps every choice; Exit tells the page where the administrator left.
  await $(page, "back").click();
  await $(page, "step-generate-connection").waitFor();
  await $(page, "back").click();
  await $(page, "step-strategy").waitFor();
  assert.equal(await $(page, "choice-oneroster_api").isChecked(), true);
  await $(page, "exit").click();
  await $(page, "exited").waitFor();
  const events = await page.evaluate(() => window.__events);
  const exits = events.filter((e) => e.name === "sis-onboard:exit").map((e) => e.detail);
  assert.deepEqual(exits, [{ step: "strategy", reason: "exit_button" }]);
  await context.close();
});

test("a Spanish-speaking administrator completes the path in Spanish", async () => {
  const { context, page } = await openDemo({ locale: "es-ES" });
  assert.match(await $(page, "step-title").innerText(), /Conecte su sistema de información estudiantil con Acme Learning/);
  assert.equal(await $(page, "stepper-source").innerText(), "Fuente de datos");
  await walkToCredentials(page);
  assert.match(await $(page, "step-credentials").innerText(), /Validar configuración/);
  await fillCredentials(page);
  await $(page, "validate").click();
  await $(page, "district-name").waitFor();
  assert.match(await $(page, "district-name").innerText(), /^Conectado a .*School District$/);
  assert.match(await $(page, "counts").innerText(), /Estudiantes\s*\d{1,3}(\.\d{3})+\s/);
  await $(page, "continue").click();
  await $(page, "step-done").waitFor();
  assert.match(await $(page, "step-title").innerText(), /¡Bien hecho!/);
  assert.match(await $(page, "step-done").innerText(), /24 horas/);
  await secretIsNowhere(page);
  await context.close();
});

test("a failure that belongs to a field is said once, under that field", async () => {
  const { context, page } = await openDemo();
  await walkToCredentials(page);
  await fillCredentials(page, { secret: "not-the-secret" });
  await $(page, "validate").click();
  await page.locator('sis-onboard [data-testid="report-error"][data-code="invalid_client"]').waitFor({ state: "attached" });
  const shown = await page.locator("sis-onboard").evaluate((el) =>
    [...el.shadowRoot.querySelectorAll("p, li, span, div")]
      .filter((e) => e.children.length === 0 && e.getBoundingClientRect().width > 1)
      .filter((e) => /did not accept this Client ID and Secret/.test(e.textContent)).length,
  );
  assert.equal(shown, 1, "the message is shown once, at the Client Secret field");
  assert.equal(await $(page, "client-secret").getAttribute("aria-invalid"), "true");
  await context.close();
});

test("a French-speaking administrator in Quebec completes the Custom Data Extract path in French", async () => {
  // A browser set to Canadian French, on a vendor page in English: the loader picks French.
  const { context, page } = await openDemo({ locale: "fr-CA" });
  assert.equal(await $(page, "wizard").getAttribute("lang"), "fr");
  assert.equal(
    await $(page, "step-title").innerText(),
    "Connectez votre système d'information sur les élèves à Acme Learning",
  );
  assert.equal(await $(page, "stepper-source").innerText(), "Source de données");
  assert.equal(await $(page, "continue").innerText(), "Commencer");
  await walkToStrategy(page);
  assert.match(await $(page, "step-strategy").innerText(), /Extraction de données personnalisée/);

  // The catalog comes from the proxy in French; the SQL is the same in every language.
  await press(page, "choice-custom_data_extract");
  await press(page, "continue", "Enter");
  await $(page, "extract-extended_rostering").waitFor();
  const extract = await $(page, "step-data-extract").innerText();
  assert.match(extract, /Configurez les extractions de données dans Infinite Campus/);
  assert.match(extract, /Listes étendues/);
  assert.match(extract, /Présences/);
  assert.match(extract, /Copier la requête/);
  assert.match(await $(page, "query-extended_rostering").textContent(), /^-- AcmeLearning_ExtendedRostering: Extended Rostering for AcmeLearning\./);
  for (const item of ["open", "extract:extended_rostering", "schedule"]) await press(page, `tick-${item}`);
  await press(page, "continue", "Enter");

  // The Infinite Campus menus are named as the administrator sees them: in English.
  await $(page, "step-generate-connection").waitFor();
  const generate = await $(page, "step-generate-connection").innerText();
  assert.match(generate, /Générez une connexion OneRoster 1\.2 dans Infinite Campus/);
  assert.match(generate, /Sous Settings, sélectionnez Digital Learning Application Configuration\./);
  await $(page, "continue").click();
  await $(page, "step-credentials").waitFor();
  assert.match(await $(page, "step-credentials").innerText(), /Valider la configuration/);

  // A refused secret is explained in French at the secret.
  await fillCredentials(page, { secret: "not-the-secret" });
  await $(page, "validate").click();
  await $(page, "report-error").waitFor();
  // The pasted spaces and trailing slash were repaired, and the administrator told so.
  assert.match(await $(page, "base-url-note").innerText(), /Nous avons retiré/);
  assert.match(
    await $(page, "client-secret-note").innerText(),
    /Infinite Campus n'a pas accepté ce Client ID et ce Secret/,
  );
  await $(page, "client-secret").fill(SECRET);
  await $(page, "validate").click();
  await $(page, "district-name").waitFor();
  assert.match(await $(page, "district-name").innerText(), /^Connecté à .*School District$/);
  // Thousands grouped with a no-break space, as French writes them.
  assert.match(await $(page, "counts").textContent(), /Élèves\s*\d{1,3}(\u00a0\d{3})+/);

  await $(page, "continue").click();
  await $(page, "step-done").waitFor();
  assert.equal(await $(page, "step-title").innerText(), "Bravo!");
  assert.match(await $(page, "done-summary").innerText(), /School District est maintenant connecté à Acme Learning\./);
  assert.match(await $(page, "step-done").innerText(), /dans un délai de 24 heures/);
  // The region in the administrator's language, from the proxy's default labels.
  assert.match(await $(page, "step-done").innerText(), /Région de stockage\s: États-Unis/);
  assert.match(await $(page, "done-support").innerText(), /Communiquez avec support@acme-learning\.example/);

  // The page hears the success once, in the same words whatever the language.
  const events = await page.evaluate(() => window.__events);
  const successes = events.filter((e) => e.name === "sis-onboard:success").map((e) => e.detail);
  assert.equal(successes.length, 1);
  assert.match(successes[0].connectionId, /^conn_/);
  assert.deepEqual(
    { source: successes[0].source, strategy: successes[0].strategy, region: successes[0].region },
    { source: "infinite_campus", strategy: "custom_data_extract", region: "us" },
  );
  const validations = events.filter((e) => e.name === "sis-onboard:validation").map((e) => e.detail);
  assert.deepEqual(validations, [
    { outcome: "failed", code: "invalid_client" },
    { outcome: "passed", code: null },
  ]);
  const stored = await storedConnection(successes[0].connectionId);
  assert.deepEqual(
    stored.extract_plan.extracts.map((e) => [e.data_set, e.name]),
    [["extended_rostering", "AcmeLearning_ExtendedRostering"]],
  );
  await secretIsNowhere(page);
  await context.close();
});

test("any other OneRoster 1.2 provider completes the flow in its own words, at its own URL shape", async () => {
  const { context, page } = await openDemo();
  // What the administrator reads on each step, gathered as they go.
  const read = [];
  const seen = async (testId) => read.push(await $(page, testId).innerText());
  await seen("step-start");
  await $(page, "confirm-admin").check();
  await $(page, "continue").click();
  await $(page, "step-source").waitFor();
  assert.match(await $(page, "step-source").innerText(), /Any server with a OneRoster 1\.2 API/);
  await $(page, "choice-oneroster_generic").check();
  assert.equal(await $(page, "stepper-generate-connection").innerText(), "Get credentials");
  await $(page, "continue").click();
  await $(page, "choice-us").check();
  await $(page, "continue").click();
  // Custom Data Extracts are Infinite Campus's: not offered; the API is chosen and said.
  await $(page, "step-strategy").waitFor();
  await seen("step-strategy");
  assert.equal(await $(page, "choice-custom_data_extract").count(), 0);
  assert.equal(await $(page, "choice-oneroster_api").isChecked(), true);
  assert.match(await $(page, "strategy-only").innerText(), /OneRoster 1\.2 API, chosen for you/);
  await $(page, "continue").click();
  // The guide: what to ask the provider for.
  await $(page, "step-generate-connection").waitFor();
  await seen("step-generate-connection");
  const guide = read.at(-1);
  assert.match(guide, /Get OneRoster 1\.2 credentials from your provider/);
  assert.match(guide, /ends in \/ims\/oneroster\/rostering\/v1p2/);
  assert.match(guide, /roster-core\.readonly and roster\.readonly/);
  await $(page, "continue").click();
  await $(page, "step-credentials").waitFor();
  assert.match(await $(page, "step-credentials").innerText(), /Base URL[\s\S]*Token URL/);

  // The sandbox's generic shape: the rostering root at the host's root, /oauth/token, no
  // appName. A wrong secret first: the provider's words, at the secret.
  const sandbox = `${env.proxy.url}/sandbox`;
  const shape = { baseUrl: `${sandbox}/ims/oneroster/rostering/v1p2`, tokenUrl: `${sandbox}/oauth/token` };
  await fillCredentials(page, { ...shape, secret: "not-the-secret" });
  await $(page, "validate").click();
  await $(page, "report-error").waitFor();
  assert.equal(await $(page, "token-url-note").innerText(), "", "any token URL passes the local checks");
  assert.match(
    await $(page, "client-secret-note").innerText(),
    /The server did not accept this Client ID and Secret.*ask your provider for new ones/,
  );
  await seen("step-credentials");
  await $(page, "client-secret").fill(SECRET);
  await $(page, "validate").click();
  await $(page, "district-name").waitFor();
  await seen("step-credentials");
  assert.match(await $(page, "district-name").innerText(), /^Connected to .*School District$/);
  await $(page, "continue").click();
  await $(page, "step-done").waitFor();
  await seen("step-done");
  assert.match(await $(page, "done-summary").innerText(), /School District is now connected to Acme Learning/);
  for (const text of read) {
    assert.doesNotMatch(text, /Infinite Campus|appName|Token Endpoint|Instruction/, text);
  }

  // The page and the vendor see the source and its URLs; the strategy is the API.
  const events = await page.evaluate(() => window.__events);
  const success = events.find((e) => e.name === "sis-onboard:success").detail;
  assert.deepEqual(
    { source: success.source, strategy: success.strategy, region: success.region },
    { source: "oneroster_generic", strategy: "oneroster_api", region: "us" },
  );
  const stored = await storedConnection(success.connectionId);
  assert.equal(stored.source, "oneroster_generic");
  assert.equal(stored.token_url, shape.tokenUrl);
  assert.equal(stored.base_url, shape.baseUrl);
  await secretIsNowhere(page);
  await context.close();
});

test("text in the wizard meets WCAG AA contrast, light and dark", async () => {
  // Reduced motion: no colour transitions to wait for when the theme changes.
  const { context, page } = await openDemo({ reducedMotion: "reduce" });
  await walkToCredentials(page);
  await fillCredentials(page, { secret: "not-the-secret" });
  await $(page, "validate").click();
  await $(page, "report-error").waitFor();
  for (const theme of ["light", "dark"]) {
    await page.locator("sis-onboard").evaluate((el, theme) => el.setAttribute("theme", theme), theme);
    // Every element with its own text: foreground against the nearest opaque background.
    const failures = await page.evaluate(() => {
      const parse = (c) => (c.match(/[\d.]+/g) ?? []).map(Number);
      const luminance = ([r, g, b]) => {
        const lin = (v) => ((v /= 255) <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4);
        return 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b);
      };
      const background = (el) => {
        for (let e = el; e; e = e.parentElement ?? e.getRootNode().host) {
          const c = parse(getComputedStyle(e).backgroundColor);
          if (c.length === 3 || (c.length === 4 && c[3] === 1)) return c.slice(0, 3);
        }
        return [255, 255, 255];
      };
      const root = document.querySelector("sis-onboard").shadowRoot;
      const out = [];
      let checked = 0;
      for (const el of root.querySelectorAll("*")) {
        const own = [...el.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim());
        if (!own || el.closest("[disabled]") || el.closest(".sis-live, .sis-visually-hidden")) continue;
        const style = getComputedStyle(el);
        if (style.visibility === "hidden" || style.display === "none") continue;
        const [l1, l2] = [luminance(parse(style.color)), luminance(background(el))].sort((a, b) => b - a);
        const ratio = (l1 + 0.05) / (l2 + 0.05);
        checked += 1;
        if (ratio < 4.5) out.push(`${el.tagName}.${el.className} "${el.textContent.trim().slice(0, 30)}": ${ratio.toFixed(2)}`);
      }
      return { out, checked };
    });
    assert.ok(failures.checked > 20, `only ${failures.checked} texts checked`);
    assert.deepEqual(failures.out, [], theme);
  }
  await context.close();
});

/** The vendor's view of a stored connection, through the admin API. */
async function storedConnection(id) {
  const response = await fetch(`${env.proxy.url}/v1/connections/${id}`, {
    headers: { Authorization: `Bearer ${API_KEY}` },
  });
  assert.equal(response.status, 200);
  return response.json();
}

test("the Custom Data Extract path: pick, copy, tick, reload, finish; the plan is stored", async () => {
  const { context, page } = await openDemo({ permissions: ["clipboard-read", "clipboard-write"] });
  await walkToStrategy(page);
  await press(page, "choice-custom_data_extract");
  await press(page, "continue", "Enter");
  await $(page, "step-data-extract").waitFor();
  assert.equal(await $(page, "stepper-data-extract").getAttribute("data-status"), "current");

  // Extended Rostering is chosen for the administrator; they add Attendance.
  await $(page, "extract-extended_rostering").waitFor();
  assert.equal(await $(page, "data-set-extended_rostering").isChecked(), true);
  assert.equal(await $(page, "data-set-attendance").isChecked(), false);
  await press(page, "data-set-attendance");
  await $(page, "extract-attendance").waitFor();
  assert.equal(await $(page, "value-required-attendance").innerText(), "AcmeLearningDataExtracts");
  assert.equal(await $(page, "value-name-attendance").innerText(), "AcmeLearning_Attendance");

  // Copy Query puts exactly the query shown on the clipboard, and says so.
  const shown = await $(page, "query-attendance").textContent();
  assert.match(shown, /^-- AcmeLearning_Attendance/);
  await press(page, "copy-query-attendance", "Enter");
  await page.locator('sis-onboard [data-testid="copy-query-attendance"]:has-text("Copied")').waitFor();
  assert.equal(await $(page, "announcer").innerText(), "Copied");
  assert.equal(await page.evaluate(() => navigator.clipboard.readText()), shown);

  // Continue waits for every item of the checklist.
  const items = ["open", "extract:extended_rostering", "extract:attendance", "schedule"];
  for (const item of items) {
    assert.equal(await $(page, "continue").isDisabled(), true, `before ${item} is ticked`);
    await press(page, `tick-${item}`);
  }
  assert.equal(await $(page, "continue").isDisabled(), false);

  // Choices and ticks survive a reload.
  await page.reload();
  await $(page, "extract-attendance").waitFor({ timeout: 15_000 });
  assert.equal(await $(page, "data-set-attendance").isChecked(), true);
  for (const item of items) assert.equal(await $(page, `tick-${item}`).isChecked(), true, item);

  await press(page, "continue", "Enter");
  await $(page, "step-generate-connection").waitFor();
  await press(page, "continue", "Enter");
  await $(page, "step-credentials").waitFor();
  await fillCredentials(page);
  await press(page, "validate", "Enter");
  await $(page, "district-name").waitFor();
  await press(page, "continue", "Enter");
  await $(page, "step-done").waitFor();

  // The vendor's backend reads which extracts to expect, and the query given is the one stored.
  const success = (await page.evaluate(() => window.__events)).find((e) => e.name === "sis-onboard:success");
  assert.equal(success.detail.strategy, "custom_data_extract");
  const stored = await storedConnection(success.detail.connectionId);
  assert.equal(stored.strategy, "custom_data_extract");
  assert.equal(stored.extract_plan.required_value, "AcmeLearningDataExtracts");
  assert.deepEqual(
    stored.extract_plan.extracts.map((e) => [e.data_set, e.name]),
    [["extended_rostering", "AcmeLearning_ExtendedRostering"], ["attendance", "AcmeLearning_Attendance"]],
  );
  const sha = createHash("sha256").update(shown).digest("hex");
  assert.equal(stored.extract_plan.extracts[1].query_sha256, sha);
  await secretIsNowhere(page);
  await context.close();
});

test("when the browser refuses the clipboard, the text is selected and the administrator told", async () => {
  const { context, page } = await openDemo();
  await page.addInitScript(() => {
    navigator.clipboard.writeText = () => Promise.reject(new DOMException("denied", "NotAllowedError"));
  });
  await page.reload();
  await $(page, "step-title").waitFor({ timeout: 15_000 });
  await walkToStrategy(page);
  await press(page, "choice-custom_data_extract");
  await press(page, "continue", "Enter");
  await $(page, "extract-extended_rostering").waitFor();
  await press(page, "copy-required-extended_rostering", "Enter");
  await $(page, "copy-required-extended_rostering-fallback").waitFor();
  assert.match(await $(page, "announcer").innerText(), /press Ctrl\+C/);
  const selected = await page.evaluate(() => {
    const root = document.querySelector("sis-onboard").shadowRoot;
    return (root.getSelection?.() ?? getSelection()).toString();
  });
  assert.equal(selected, "AcmeLearningDataExtracts");
  await context.close();
});
