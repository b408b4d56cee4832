// The whole OneRoster path on the demo vendor page with the keyboard alone: Tab, Shift+Tab,
// Space, Enter, the arrow keys of the native radio groups, and typing into the fields, from
// the page's first focusable element. The test never focuses or clicks anything itself, and
// at every stop the focused element (inside the wizard's shadow root) shows visible focus.
import assert from "node:assert/strict";
import { test } from "node:test";
import { proxyAndBrowser, SANDBOX_SECRET, secretIsNowhere, watchedPage } from "./harness.mjs";

const env = proxyAndBrowser();

/**
 * The focused element, through shadow roots, and how its focus shows. A focus style must
 * change how the element itself looks: the page keeps each element's outline and box-shadow
 * as last seen without focus, and each focused look is compared with the same element's once
 * focus has left it (or, for an element gone from the page by then, before it came).
 * `failures` are the elements whose focus changed nothing.
 */
function focused(page) {
  return page.evaluate(() => {
    const transparent = (color) => /^rgba\(.*,\s*0\)$/.test(color) || color === "transparent";
    // What shows: an outline that draws nothing (none, zero wide, transparent) is none,
    // whatever its other properties say.
    const ring = (el) => {
      const s = getComputedStyle(el);
      const drawn = s.outlineStyle !== "none" && parseFloat(s.outlineWidth) > 0 && !transparent(s.outlineColor);
      const outline = drawn ? `${s.outlineStyle} ${s.outlineWidth} ${s.outlineColor} offset ${s.outlineOffset}` : "none";
      return `outline: ${outline}; box-shadow: ${s.boxShadow}`;
    };
    const state = (window.__focusRings ??= { unfocused: new WeakMap(), pending: new Map() });
    const failures = [];
    const judge = (entry, without, when) => {
      for (const look of entry.looks) {
        if (look === without) failures.push(`${entry.what} looks the same with focus as ${when} (${look})`);
      }
    };
    let el = document.activeElement;
    while (el?.shadowRoot?.activeElement) el = el.shadowRoot.activeElement;
    // Every element without focus (nor focus inside it), as it looks now.
    const roots = [document];
    for (let i = 0; i < roots.length; i++) {
      for (const other of roots[i].querySelectorAll("*")) {
        if (other.shadowRoot) roots.push(other.shadowRoot);
        if (other.matches(":focus-within")) continue;
        const without = ring(other);
        state.unfocused.set(other, without);
        const entry = state.pending.get(other);
        if (entry) {
          judge(entry, without, "after focus left it");
          state.pending.delete(other);
        }
      }
    }
    for (const [gone, entry] of state.pending) {
      if (gone.isConnected) continue;
      if (entry.before === undefined) failures.push(`${entry.what} was never seen without focus`);
      else judge(entry, entry.before, "before it had focus");
      state.pending.delete(gone);
    }
    if (!el || el === document.body || el === document.documentElement) return { testId: null, what: "nothing", failures };
    const style = getComputedStyle(el);
    const outline = style.outlineStyle !== "none" && parseFloat(style.outlineWidth) > 0 && !transparent(style.outlineColor);
    const what = `<${el.tagName.toLowerCase()}${el.type ? ` type=${el.type}` : ""}> ${el.dataset.testid ?? el.textContent.trim().slice(0, 40)}`;
    const entry = state.pending.get(el) ?? { what, before: state.unfocused.get(el), looks: [] };
    entry.looks.push(ring(el));
    state.pending.set(el, entry);
    return {
      testId: el.dataset.testid ?? null,
      what,
      focusVisible: el.matches(":focus-visible"),
      indicator: outline || style.boxShadow !== "none",
      failures,
      checked: el.checked,
      value: el.value,
    };
  });
}

/** Judges every focused look still waiting for its element to lose focus. */
function judgeTheRest(page) {
  return page.evaluate(() => {
    const failures = [];
    for (const entry of window.__focusRings?.pending.values() ?? []) {
      if (entry.before === undefined) failures.push(`${entry.what} was never seen without focus`);
      for (const look of entry.looks) {
        if (look === entry.before) failures.push(`${entry.what} looks the same with focus as before it had focus (${look})`);
      }
    }
    return failures;
  });
}

/** One walk: every key pressed and where focus went, asserted visible at every stop. */
function keyboardWalk(page) {
  const stops = [];
  const check = async (key) => {
    const stop = await focused(page);
    stops.push(`${key} → ${stop.what}`);
    assert.deepEqual(stop.failures, [], `${key}: a focus style changes nothing\n${stops.join("\n")}`);
    assert.ok(stop.testId !== null || stop.what !== "nothing", `${key}: nothing has focus\n${stops.join("\n")}`);
    assert.ok(stop.focusVisible, `${key}: ${stop.what} does not match :focus-visible\n${stops.join("\n")}`);
    assert.ok(stop.indicator, `${key}: ${stop.what} has no visible focus indicator (outline or box-shadow)`);
    return stop;
  };
  const press = async (key) => {
    await page.keyboard.press(key);
    return check(key);
  };
  return {
    stops,
    press,
    /** Tab once more, so the last stop loses focus too, and every focused look is judged. */
    async finish() {
      await press("Tab");
      assert.deepEqual(await judgeTheRest(page), [], `a focus style changes nothing\n${stops.join("\n")}`);
    },
    /** Tab (or Shift+Tab) until the element with `testId` has focus. */
    async tabTo(testId, { backwards = false, most = 30 } = {}) {
      const key = backwards ? "Shift+Tab" : "Tab";
      for (let i = 0; i < most; i++) {
        const stop = await press(key);
        if (stop.testId === testId) return stop;
      }
      assert.fail(`${testId} not reached with ${key} in ${most} presses:\n${stops.join("\n")}`);
    },
    /** Types `text` into the focused field, as a person would. */
    async type(text) {
      await page.keyboard.type(text);
      return check(`typed ${JSON.stringify(text.slice(0, 20))}`);
    },
    /**
     * Enter on Continue, then the next step is on screen and its heading has (visible)
     * focus. (Between the two, while the wizard asks the proxy, nothing need have focus.)
     */
    async continueTo(step) {
      await page.keyboard.press("Enter");
      stops.push("Enter");
      return this.arrive(step);
    },
    /** The `step` is on screen and its heading has (visible) focus. */
    async arrive(step) {
      await page.locator(`sis-onboard [data-testid="step-${step}"]`).waitFor();
      await page.waitForFunction(() => {
        let el = document.activeElement;
        while (el?.shadowRoot?.activeElement) el = el.shadowRoot.activeElement;
        return el?.dataset.testid === "step-title";
      });
      return check(`arrived at ${step}`);
    },
    /**
     * Tabs into the radio group and selects `testId` with the arrow keys (Space when Tab
     * lands on it unchosen), as a native radio group works.
     */
    async choose(testId) {
      let stop;
      for (let i = 0; i < 30 && !stop?.testId?.startsWith("choice-"); i++) stop = await press("Tab");
      assert.ok(stop.testId?.startsWith("choice-"), `no radio group reached:\n${stops.join("\n")}`);
      for (let i = 0; i < 12 && stop.testId !== testId; i++) stop = await press("ArrowDown");
      assert.equal(stop.testId, testId, `the arrows did not reach ${testId}:\n${stops.join("\n")}`);
      if (!stop.checked) stop = await press("Space");
      assert.equal(stop.checked, true, `${testId} is not chosen`);
      return stop;
    },
  };
}

test("the OneRoster path from the page's first focusable element to Done, by keyboard alone", async () => {
  const { page } = await watchedPage(env.browser);
  await page.goto(`${env.proxy.url}/`);
  await page.locator('sis-onboard [data-testid="step-start"]').waitFor({ timeout: 15_000 });
  assert.equal((await focused(page)).what, "nothing", "the page starts with nothing focused");
  const walk = keyboardWalk(page);

  // The first Tab reaches the page's first focusable element: the wizard's confirmation.
  // Shift+Tab from there leaves the page (nothing before it), and Tab comes back.
  assert.equal((await walk.press("Tab")).testId, "confirm-admin");
  await page.keyboard.press("Shift+Tab");
  assert.equal((await focused(page)).what, "nothing", "something focusable comes before the wizard");
  assert.equal((await walk.press("Tab")).testId, "confirm-admin");
  assert.equal((await walk.press("Space")).checked, true);
  await walk.tabTo("continue");
  await walk.continueTo("source");
  await walk.choose("choice-infinite_campus");
  await walk.tabTo("continue");
  await walk.continueTo("region");

  // The region group with the arrows: down picks the next region, up picks the first again.
  const first = await walk.choose("choice-us");
  const next = await walk.press("ArrowDown");
  assert.equal(next.checked, true, "ArrowDown chooses the next region");
  assert.notEqual(next.testId, first.testId);
  assert.equal((await walk.press("ArrowUp")).testId, "choice-us");
  await walk.tabTo("continue");
  await walk.continueTo("strategy");

  await walk.choose("choice-oneroster_api");
  await walk.tabTo("continue");
  await walk.continueTo("generate-connection");

  // Shift+Tab from Continue reaches Back; Tab returns to Continue.
  await walk.tabTo("continue");
  assert.equal((await walk.press("Shift+Tab")).testId, "back");
  assert.equal((await walk.press("Tab")).testId, "continue");
  await walk.continueTo("credentials");

  // The credentials, typed; a typo in the client id is mended by going back with Shift+Tab.
  const sandbox = `${env.proxy.url}/sandbox/campus`;
  await walk.tabTo("base-url");
  await walk.type(`${sandbox}/api/ims/oneroster/rostering/v1p2`);
  await walk.tabTo("token-url");
  await walk.type(`${sandbox}/oauth2/token?appName=sandbox`);
  await walk.tabTo("client-id");
  await walk.type("sandbox-client-idx");
  await walk.tabTo("client-secret");
  await walk.type(SANDBOX_SECRET);
  await walk.tabTo("client-id", { backwards: true });
  await walk.press("End");
  assert.equal((await walk.press("Backspace")).value, "sandbox-client-id");
  assert.equal((await walk.tabTo("client-secret")).value, SANDBOX_SECRET, "the secret is still typed");
  await walk.tabTo("validate");
  await page.keyboard.press("Enter");
  walk.stops.push("Enter");
  await page.locator('sis-onboard [data-testid="district-name"]').waitFor();
  assert.match(await page.locator('sis-onboard [data-testid="district-name"]').innerText(), /Unified School District/);
  // Validate keeps its focus while the proxy answers and after (WCAG 2.4.3): it is
  // `aria-disabled` during the run, never `disabled`, which would drop focus onto the page.
  assert.equal((await focused(page)).testId, "validate", "Validate lost its focus");

  await walk.tabTo("continue");
  await walk.continueTo("done");
  assert.match(await page.locator('sis-onboard [data-testid="done-summary"]').innerText(), /is now connected to Acme Learning/);
  await walk.finish();
  // The vendor's page heard the success; the secret is kept nowhere.
  await page.locator('[data-testid="event-log"] li[data-event="success"]').waitFor();
  await secretIsNowhere(page);
});
