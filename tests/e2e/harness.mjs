// Shared by the end-to-end tests: the real proxy and headless Chromium (from launch.mjs),
// pages that record every console error, uncaught exception and CSP violation (from
// problems.mjs), the hook that fails a test on any of them it did not declare, and the
// secret check.
import assert from "node:assert/strict";
import { after, afterEach, before } from "node:test";
import { API_KEY, launchBrowser, startProxy } from "./launch.mjs";
import { checkProblems, watchContext, watcherOf } from "./problems.mjs";

export { API_KEY, launchBrowser, startProxy };

/** The sandbox district's client secret. */
export const SANDBOX_SECRET = "sandbox-client-secret";

/**
 * Types the sandbox district's credentials into a wizard's credentials step; `$` finds a
 * field by its test id. `baseUrl` and `tokenUrl` replace the Infinite Campus ones (the
 * sandbox serves another OneRoster 1.2 provider's shape too).
 */
export async function fillCredentials(
  $,
  proxyUrl,
  { baseUrl, tokenUrl, clientId = "sandbox-client-id", secret = SANDBOX_SECRET } = {},
) {
  const sandbox = `${proxyUrl}/sandbox/campus`;
  await $("base-url").fill(baseUrl ?? `${sandbox}/api/ims/oneroster/rostering/v1p2`);
  await $("token-url").fill(tokenUrl ?? `${sandbox}/oauth2/token?appName=sandbox`);
  await $("client-id").fill(clientId);
  await $("client-secret").fill(secret);
}

// ---------------------------------------------------------------------------------------
// Problems: console errors, uncaught exceptions, CSP violations, crashes (problems.mjs),
// checked after each test.

export { checkProblems };

/** The contexts opened during the running test, checked and closed after it. */
let opened = [];

/** Makes every page of `context` report its problems, and checks it after the test. */
async function watch(context) {
  if (!watcherOf(context)) opened.push(context);
  return watchContext(context);
}

/**
 * A browser whose every context and page (also those of `newPage`) is watched, so each test
 * fails on an undeclared problem. Tests use it as they would Playwright's.
 */
export function watchedBrowser(browser) {
  return {
    async newContext(options) {
      const context = await browser.newContext(options);
      await watch(context);
      return context;
    },
    async newPage(options) {
      const context = await this.newContext(options);
      const page = await context.newPage();
      page.once("close", () => context.close().catch(() => {}));
      return page;
    },
    close: () => browser.close(),
    version: () => browser.version(),
  };
}

/**
 * A new page that records console errors, uncaught exceptions and CSP violations, in
 * `target` (a context, or a browser: then in a context of its own). `problems` are the
 * context's; `expect(…)` declares those the test provokes (see `Watcher.expect`).
 */
export async function watchedPage(target, { expected = [] } = {}) {
  const isBrowser = typeof target.newContext === "function";
  const context = isBrowser ? await target.newContext() : target;
  const watcher = await watch(context);
  const page = await context.newPage();
  if (isBrowser) page.once("close", () => context.close().catch(() => {}));
  watcher.expect(...expected);
  return { page, context, problems: watcher.problems, expect: (...e) => watcher.expect(...e) };
}

export { watcherOf };

/** Checks every context the test opened, then closes them: a hook run after each test. */
async function checkOpenedContexts() {
  const contexts = opened;
  opened = [];
  const failures = [];
  for (const context of contexts) {
    const watcher = watcherOf(context);
    try {
      checkProblems(watcher.problems, watcher.expected);
    } catch (error) {
      failures.push(error.message);
    }
    await context.close().catch(() => {});
  }
  if (failures.length) throw new assert.AssertionError({ message: failures.join("\n---\n") });
}

/**
 * Registers the file's hooks: the proxy and the browser start before its tests and stop
 * after them, and after each test every page it opened is checked for problems. Returns the
 * object whose `proxy` and `browser` (a `watchedBrowser`) the tests use. `proxyOptions()`
 * (may be async) answers `startProxy`'s options, called just before the proxy starts.
 */
export function proxyAndBrowser({ proxyOptions = () => ({}) } = {}) {
  const env = { proxy: undefined, browser: undefined };
  before(async () => {
    env.proxy = await startProxy(await proxyOptions());
    env.browser = watchedBrowser(await launchBrowser());
  });
  afterEach(checkOpenedContexts);
  after(async () => {
    await env.browser?.close();
    await env.proxy?.stop();
  });
  return env;
}

// ---------------------------------------------------------------------------------------
// The secret check.

/**
 * Everything a page keeps or shows, each as text, read inside the page: local and session
 * storage, every IndexedDB database's every object store (keys and values, read with a
 * cursor), Cache Storage, cookies, the URL and history state, the window name, the markup
 * (shadow roots included) and the values of every field.
 */
export function readEverything(page) {
  return page.evaluate(async () => {
    // Values as text that contains every string inside them, binary data decoded as UTF-8.
    const later = [];
    const plain = (value, seen = new Set()) => {
      if (value === null || typeof value !== "object") return typeof value === "string" ? value : String(value);
      if (seen.has(value)) return "[cycle]";
      seen.add(value);
      if (value instanceof Blob) {
        const slot = { blob: value, text: null };
        later.push(slot);
        return slot;
      }
      if (value instanceof ArrayBuffer) return new TextDecoder().decode(value);
      if (ArrayBuffer.isView(value)) return new TextDecoder().decode(new Uint8Array(value.buffer, value.byteOffset, value.byteLength));
      if (value instanceof Date) return value.toISOString();
      if (value instanceof RegExp) return value.source;
      if (value instanceof Error) return `${value.name}: ${value.message}`;
      if (value instanceof Map) return [...value].map(([k, v]) => [plain(k, seen), plain(v, seen)]);
      if (value instanceof Set || Array.isArray(value)) return [...value].map((v) => plain(v, seen));
      return Object.entries(value).map(([k, v]) => [k, plain(v, seen)]);
    };
    const request = (r) => new Promise((resolve, reject) => {
      r.onsuccess = () => resolve(r.result);
      r.onerror = () => reject(r.error);
    });

    const idb = [];
    for (const { name, version } of await indexedDB.databases()) {
      const open = indexedDB.open(name);
      // Opening a database that the listing named must never create or upgrade one.
      open.onupgradeneeded = () => open.transaction.abort();
      const db = await request(open);
      const stores = [...db.objectStoreNames];
      const records = [];
      if (stores.length) {
        const tx = db.transaction(stores, "readonly");
        for (const store of stores) {
          const cursor = tx.objectStore(store).openCursor();
          cursor.onsuccess = () => {
            const c = cursor.result;
            if (!c) return;
            records.push({ store, key: c.primaryKey, value: c.value });
            c.continue();
          };
        }
        await new Promise((resolve, reject) => {
          tx.oncomplete = resolve;
          tx.onerror = () => reject(tx.error);
          tx.onabort = () => reject(tx.error);
        });
      }
      db.close();
      idb.push({ name, version, stores, records: records.map((r) => [r.store, plain(r.key), plain(r.value)]) });
    }

    const cacheStorage = [];
    for (const name of await caches.keys()) {
      const cache = await caches.open(name);
      for (const key of await cache.keys()) {
        cacheStorage.push([name, key.url, await (await cache.match(key)).text()]);
      }
    }

    const roots = [document];
    for (let i = 0; i < roots.length; i++) {
      for (const el of roots[i].querySelectorAll("*")) if (el.shadowRoot) roots.push(el.shadowRoot);
    }
    const markup = [document.documentElement.outerHTML, ...roots.slice(1).map((r) => r.innerHTML)];
    const fields = roots.flatMap((r) => [...r.querySelectorAll("input, textarea, select")].map((i) => i.value));

    for (const slot of later) slot.text = await slot.blob.text();
    const text = (v) => JSON.stringify(v, (_k, x) => (x && x.blob instanceof Blob ? x.text : x));
    return {
      localStorage: text({ ...localStorage }),
      sessionStorage: text({ ...sessionStorage }),
      indexedDB: text(idb),
      cacheStorage: text(cacheStorage),
      cookies: document.cookie,
      url: location.href,
      history: text(history.state),
      windowName: window.name,
      dom: markup.join("\n"),
      inputs: fields.join(" "),
    };
  });
}

/**
 * Asserts `secret` is in no storage, cookie (the browser's too, HttpOnly included), URL,
 * markup or field of `page`; with `stillTyped`, a field may hold it (it is on screen).
 * Returns what was read.
 */
export async function secretIsNowhere(page, secret = SANDBOX_SECRET, { stillTyped = false } = {}) {
  const everything = await readEverything(page);
  const checked = { ...everything, browserCookies: JSON.stringify(await page.context().cookies()) };
  if (stillTyped) delete checked.inputs;
  for (const [where, text] of Object.entries(checked)) {
    assert.ok(!text.includes(secret), `the secret is in ${where}`);
  }
  return everything;
}
