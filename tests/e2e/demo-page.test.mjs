// The demo vendor page itself: its scrollable code block and event log work with the
// keyboard, axe finds no serious accessibility problem on it (the wizard included), one
// page load fetches every file exactly once (the preload hints match the loader's fetches,
// or the browser would download the wizard twice), and completing the wizard shows the
// signed webhook the demo's backend received.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { test } from "node:test";
import { fillCredentials, proxyAndBrowser, watchedPage, watcherOf } from "./harness.mjs";
import { $, walkToStrategy } from "./walk.mjs";

const env = proxyAndBrowser();
const require = createRequire(import.meta.url);

/** The demo page with its wizard on screen and its event log long enough to scroll. */
async function demoPage(contextOptions = {}) {
  const context = await env.browser.newContext(contextOptions);
  const { page } = await watchedPage(context);
  await page.goto(`${env.proxy.url}/`);
  await page.locator('sis-onboard [data-testid="step-start"]').waitFor({ timeout: 15_000 });
  await page.locator('[data-testid="event-log"] li[data-event="ready"]').waitFor();
  // A long session's worth of events in the log (as the wizard dispatches them).
  await page.evaluate(() => {
    for (let i = 0; i < 40; i++) {
      const [step, previous] = i % 2 ? ["start", "source"] : ["source", "start"];
      document.dispatchEvent(new CustomEvent("sis-onboard:step", { detail: { step, previous } }));
    }
  });
  return { context, page };
}

/** The element with `testId` on the page (not in the wizard): how it scrolls. */
const scrolling = (page, testId) =>
  page.locator(`[data-testid="${testId}"]`).evaluate((el) => ({
    left: el.scrollLeft,
    top: el.scrollTop,
    overflowsX: el.scrollWidth > el.clientWidth,
    overflowsY: el.scrollHeight > el.clientHeight,
  }));

/** Presses Tab until the page's element with `testId` has focus; its focus must show. */
async function tabTo(page, testId, most = 60) {
  for (let i = 0; i < most; i++) {
    await page.keyboard.press("Tab");
    const here = await page.evaluate(() => {
      const el = document.activeElement;
      const style = getComputedStyle(el);
      return {
        testId: el.dataset.testid,
        visible: el.matches(":focus-visible") && style.outlineStyle !== "none" && parseFloat(style.outlineWidth) > 0,
      };
    });
    if (here.testId === testId) {
      assert.ok(here.visible, `${testId} has no visible focus`);
      return;
    }
  }
  assert.fail(`${testId} not reached with Tab`);
}

test("the code block and the event log scroll with the keyboard", async () => {
  const { page } = await demoPage();
  const code = await scrolling(page, "integration-code-region");
  assert.ok(code.overflowsX, "the code block is wider than its card at this size (else this proves nothing)");
  await tabTo(page, "integration-code-region");
  await page.keyboard.press("ArrowRight");
  await page.waitForFunction(() => document.querySelector('[data-testid="integration-code-region"]').scrollLeft > 0);

  const log = await scrolling(page, "event-log-region");
  assert.ok(log.overflowsY, "the event log is longer than its box");
  assert.ok(log.top > 0, "the log shows its newest entry");
  await tabTo(page, "event-log-region");
  await page.keyboard.press("Home");
  await page.waitForFunction(() => document.querySelector('[data-testid="event-log-region"]').scrollTop === 0);
});

/**
 * axe's violations on `page` (within `selector`, or the whole document). axe is evaluated
 * through the DevTools protocol, so the page keeps its strict CSP (and the harness still
 * fails the test on any violation) instead of running with bypassCSP.
 */
async function axeViolations(context, page, selector) {
  // axe adds a <style> of its own to the page, which the page's CSP refuses, as it should.
  watcherOf(context).expect(
    /^console: Applying inline style violates the following Content Security Policy directive 'style-src 'self''/,
    /^csp: style-src-elem blocked inline in http:\/\/[\d.:]+\/$/,
  );
  const cdp = await context.newCDPSession(page);
  const injected = await cdp.send("Runtime.evaluate", { expression: readFileSync(require.resolve("axe-core"), "utf8") });
  assert.equal(injected.exceptionDetails, undefined, JSON.stringify(injected.exceptionDetails));
  return page.evaluate(async (selector) => {
    const results = await window.axe.run(selector ?? document, { resultTypes: ["violations"] });
    return results.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      nodes: v.nodes.map((n) => n.target.flat().join(" >>> ")),
    }));
  }, selector);
}

const describe = (list) => list.map((v) => `${v.impact} ${v.id}: ${v.help} — ${v.nodes.join(", ")}`).join("\n");

test("axe finds no serious or critical problem on the demo page, and its scrolling regions are focusable", async () => {
  const { context, page } = await demoPage();
  assert.ok((await scrolling(page, "event-log-region")).overflowsY);
  assert.ok((await scrolling(page, "integration-code-region")).overflowsX);
  const violations = await axeViolations(context, page);
  assert.deepEqual(violations.filter((v) => v.id === "scrollable-region-focusable"), [], describe(violations));
  const serious = violations.filter((v) => v.impact === "serious" || v.impact === "critical");
  assert.deepEqual(serious, [], describe(serious));
  // Lesser findings are listed for whoever reads the log, not failed.
  if (violations.length) console.log(`axe, minor or moderate:\n${describe(violations)}`);

  // The rule can fail here: without their tabindex, axe flags both regions.
  const flagged = await page.evaluate(async () => {
    for (const el of document.querySelectorAll('[data-testid$="-region"]')) el.removeAttribute("tabindex");
    const results = await window.axe.run(document, { runOnly: ["scrollable-region-focusable"] });
    return results.violations.flatMap((v) => v.nodes.map((n) => document.querySelector(n.target[0])?.dataset.testid));
  });
  assert.deepEqual(flagged.sort(), ["event-log-region", "integration-code-region"]);
});

/**
 * The requests of one load of the demo page, until the wizard's first step shows, with the
 * HTTP cache disabled so that no second download can hide behind it. `rewrite` may change
 * the page's markup first.
 */
async function requestsOfOneLoad(rewrite) {
  const context = await env.browser.newContext();
  const { page } = await watchedPage(context);
  const cdp = await context.newCDPSession(page);
  await cdp.send("Network.enable");
  await cdp.send("Network.setCacheDisabled", { cacheDisabled: true });
  if (rewrite) {
    await page.route(`${env.proxy.url}/`, async (route) => {
      const response = await route.fetch();
      await route.fulfill({ response, body: rewrite(await response.text()) });
    });
  }
  const requests = [];
  page.on("request", (request) => requests.push(`${request.method()} ${request.url()}`));
  await page.goto(`${env.proxy.url}/`);
  await page.locator('sis-onboard [data-testid="step-start"]').waitFor({ timeout: 15_000 });
  // Everything the wizard needed to show its first step has been asked for by now.
  await context.close();
  return requests;
}

/** The requests made more than once. */
function repeated(requests) {
  const counts = new Map();
  for (const r of requests) counts.set(r, (counts.get(r) ?? 0) + 1);
  return [...counts].filter(([, n]) => n > 1).map(([r]) => r);
}

test("one page load fetches each file exactly once: the hints and the loader agree", async () => {
  const requests = await requestsOfOneLoad();
  assert.deepEqual(repeated(requests), [], `fetched more than once:\n${requests.join("\n")}`);
  const assets = requests.filter((r) => r.includes("/sis-onboard/")).map((r) => r.replace(/.*\/sis-onboard\//, ""));
  for (const pattern of [/^sis-onboard\.js$/, /^sis-onboard-wizard-[0-9a-f]{16}\.js$/, /_bg\.wasm$/, /^sis-onboard-[0-9a-f]+\.css$/, /^sis-onboard-en-[0-9a-f]{16}\.txt$/]) {
    assert.equal(assets.filter((a) => pattern.test(a)).length, 1, `${pattern} in ${assets}`);
  }
  assert.equal(requests.filter((r) => r.endsWith("/v1/session")).length, 1, requests.join("\n"));

  // The check can fail: a wasm hint in another mode than the loader's fetch() is downloaded twice.
  const mismatched = await requestsOfOneLoad((html) => html.replace(/(_bg\.wasm" as="fetch") crossorigin/, "$1"));
  assert.deepEqual(repeated(mismatched).map((r) => r.replace(/.*\//, "").replace(/-[0-9a-f]{16}/, "")), ["sis-onboard-wizard_bg.wasm"]);
});

/**
 * One load of the demo page on a throttled network (slow enough that the downloads
 * overlap in a way that can be ordered): each request's URL, and when it was sent and its
 * response had all arrived, on the DevTools protocol's one clock.
 */
async function timingsOfOneLoad() {
  const context = await env.browser.newContext();
  const { page } = await watchedPage(context);
  const cdp = await context.newCDPSession(page);
  const requests = new Map();
  cdp.on("Network.requestWillBeSent", (event) => {
    if (!requests.has(event.requestId)) requests.set(event.requestId, { url: event.request.url, sent: event.timestamp });
  });
  cdp.on("Network.loadingFinished", (event) => {
    const request = requests.get(event.requestId);
    if (request) request.finished = event.timestamp;
  });
  await cdp.send("Network.enable");
  await cdp.send("Network.setCacheDisabled", { cacheDisabled: true });
  await cdp.send("Network.emulateNetworkConditions", { offline: false, latency: 40, downloadThroughput: 250_000, uploadThroughput: 250_000 });
  await page.goto(`${env.proxy.url}/`);
  await page.locator('sis-onboard [data-testid="step-start"]').waitFor({ timeout: 30_000 });
  await context.close();
  return [...requests.values()];
}

test("the session, the glue, the wasm and the strings are fetched side by side, not one after another", async () => {
  const requests = await timingsOfOneLoad();
  const one = (pattern) => {
    const found = requests.filter((r) => pattern.test(r.url));
    assert.equal(found.length, 1, `${pattern} in ${JSON.stringify(requests)}`);
    assert.ok(found[0].finished, `${pattern} never finished`);
    return found[0];
  };
  const glue = one(/\/sis-onboard-wizard-[0-9a-f]{16}\.js$/);
  const wasm = one(/\/sis-onboard-wizard-[0-9a-f]{16}_bg\.wasm$/);
  const strings = one(/\/sis-onboard-en-[0-9a-f]{16}\.txt$/);
  const session = one(/\/v1\/session$/);
  const ms = (t) => `${Math.round((t - glue.sent) * 1000)} ms`;
  const timeline = requests
    .map((r) => `${ms(r.sent)} → ${r.finished ? ms(r.finished) : "…"} ${r.url.replace(/^https?:\/\/[^/]+/, "")}`)
    .join("\n");
  // The loader asks for the session itself, while the wasm is still on its way (the
  // wizard would ask only once the wasm is running).
  assert.ok(session.sent < wasm.finished, `the session was asked for after the wasm arrived:\n${timeline}`);
  // The hints start the glue, the wasm and the strings together, not each after the last.
  for (const [name, request] of [["glue", glue], ["wasm", wasm], ["strings", strings]]) {
    assert.ok(request.sent < glue.finished, `the ${name} was asked for after the glue arrived:\n${timeline}`);
  }
});


test("completing the wizard shows the connection.created webhook the demo's backend verified", async () => {
  const context = await env.browser.newContext();
  const { page } = await watchedPage(context);
  await page.addInitScript(() => {
    document.addEventListener("sis-onboard:success", (event) => (window.__success = event.detail));
  });
  await page.goto(`${env.proxy.url}/`);
  await $(page, "step-start").waitFor({ timeout: 15_000 });
  const panel = page.locator('[data-testid="webhooks"]');
  assert.match(await panel.locator('[data-testid="webhook-status"]').innerText(), /None yet/);
  assert.equal(await page.locator('[data-testid="webhook-log-region"]').isHidden(), true, "no empty table");

  await walkToStrategy(page);
  await $(page, "choice-oneroster_api").check();
  await $(page, "continue").click();
  await $(page, "step-generate-connection").waitFor();
  await $(page, "continue").click();
  await $(page, "step-credentials").waitFor();
  await fillCredentials((testId) => $(page, testId), env.proxy.url);
  await $(page, "validate").click();
  await $(page, "district-name").waitFor();
  await $(page, "continue").click();
  await $(page, "step-done").waitFor();
  const { connectionId } = await page.evaluate(() => window.__success);
  assert.match(connectionId, /^conn_/);

  // The page polls its backend after the success; the row comes without a reload.
  const row = panel.locator(`tr[data-type="connection.created"]:has(code:text-is("${connectionId}"))`);
  await row.waitFor({ timeout: 15_000 });
  const cells = await row.locator("td").allInnerTexts();
  assert.match(cells[0], /^connection\.created\s+\d\d:\d\d:\d\d$/);
  const [district, id] = cells[1].split("\n");
  assert.match(district, /Unified School District$/);
  assert.equal(id, connectionId);
  assert.match(cells[2], /✓\s*verified/);
  assert.match(await panel.locator('[data-testid="webhook-status"]').innerText(), /^\d+ webhooks? received, newest first/);
  assert.deepEqual(
    await panel.locator("th").allInnerTexts(),
    ["Event", "District and connection", "Signature"],
  );

  const violations = await axeViolations(context, page, '[data-testid="webhooks"]');
  const serious = violations.filter((v) => v.impact === "serious" || v.impact === "critical");
  assert.deepEqual(serious, [], describe(serious));
});
