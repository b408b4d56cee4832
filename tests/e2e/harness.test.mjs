// The harness's own checks must be able to fail: a page's console error, uncaught exception
// and CSP violation fail the test that did not declare them, and the secret check finds a
// secret hidden in an IndexedDB store's values, keys, bytes or blobs.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { test } from "node:test";
import { checkProblems, proxyAndBrowser, readEverything, secretIsNowhere, watchedPage } from "./harness.mjs";

const env = proxyAndBrowser();

/** A page of the proxy's origin (so it has storage) with `body`, under `csp` if given. */
async function blankPage({ body = "", csp } = {}) {
  const { page, context, problems, expect } = await watchedPage(env.browser);
  const url = `${env.proxy.url}/harness-self-test`;
  await page.route(url, (route) =>
    route.fulfill({
      status: 200,
      contentType: "text/html; charset=utf-8",
      headers: csp ? { "Content-Security-Policy": csp } : {},
      body: `<!doctype html><html lang="en"><head><title>self-test</title><link rel="icon" href="data:,"></head><body>${body}</body></html>`,
    }));
  await page.goto(url);
  return { page, context, problems, expect };
}

/** Waits, with a deadline, until `problems` holds `n` entries. */
async function problemsArrive(problems, n, deadlineMs = 5_000) {
  const end = Date.now() + deadlineMs;
  while (problems.length < n) {
    if (Date.now() > end) assert.fail(`only ${problems.length} of ${n} problems arrived: ${problems}`);
    await new Promise((resolve) => setImmediate(resolve));
  }
}

test("a console error, an uncaught exception and a CSP violation are caught, and must be declared exactly", async () => {
  const { page, problems, expect } = await blankPage({
    csp: "default-src 'self'; script-src 'self'; img-src data:",
    body: `<script>document.title = "inline scripts are refused";</script>`,
  });
  await page.evaluate(() => {
    console.error("deliberate console error");
    setTimeout(() => {
      throw new Error("deliberate uncaught exception");
    });
  });
  // The refused inline script: Chromium's console message and the page's violation event.
  await problemsArrive(problems, 4);
  assert.throws(() => checkProblems(problems), (error) => {
    for (const text of ["console: deliberate console error", "uncaught: deliberate uncaught exception", "csp: script-src-elem blocked inline"]) {
      assert.ok(error.message.includes(text), `${text} in ${error.message}`);
    }
    return true;
  });
  const declared = [
    /^console: deliberate console error/,
    /^uncaught: deliberate uncaught exception$/,
    /^csp: script-src-elem blocked inline/,
    /^console: Executing inline script violates the following Content Security Policy/,
  ].map((pattern) => ({ pattern, count: 1 }));
  checkProblems(problems, declared);
  // Declared but absent, or declared too few times: both fail.
  assert.throws(() => checkProblems(problems, [...declared, { pattern: /never happens/, count: 1 }]), /never happens\/ expected 1×, seen 0×/);
  assert.throws(() => checkProblems(problems, declared.slice(1)), /unexpected problems[^]*deliberate console error/);
  // Declared for this test's own check after it: it passes because they are declared.
  expect(...declared);
});

test("a test that does not declare a problem its page has fails", () => {
  const fixture = fileURLToPath(new URL("./fixtures/undeclared-problem.mjs", import.meta.url));
  // A test run of its own, not a subtest of this one (the runner marks its children so).
  const { NODE_TEST_CONTEXT: _, ...environment } = process.env;
  const run = spawnSync(process.execPath, ["--test", "--test-reporter=spec", fixture], { encoding: "utf8", env: environment });
  const output = run.stdout + run.stderr;
  assert.notEqual(run.status, 0, `the fixture's test passed:\n${output}`);
  assert.match(output, /unexpected problems on the page/);
  assert.match(output, /console: an error nobody declared/);
});

/** Pages that keep the secret in IndexedDB, each in another shape. */
const HIDING_PLACES = {
  "a nested value": (secret) => ({ store: "drafts", key: "draft-1", value: { steps: [{ fields: new Map([["secret", secret]]) }] } }),
  "a primary key": (secret) => ({ store: "by-secret", key: secret, value: { harmless: true } }),
  "bytes": (secret) => ({ store: "bytes", key: 1, value: new TextEncoder().encode(secret).buffer }),
  "a blob": (secret) => ({ store: "blobs", key: 1, value: new Blob([`prefix ${secret} suffix`]) }),
};

for (const [shape, record] of Object.entries(HIDING_PLACES)) {
  test(`the secret check finds the secret in IndexedDB as ${shape}`, async () => {
    const { page } = await blankPage();
    const secret = `self-test-secret-${Math.random().toString(36).slice(2)}`;
    await secretIsNowhere(page, secret);
    await page.evaluate(
      async ([source, secret]) => {
        const { store, key, value } = new Function("secret", `return (${source})(secret)`)(secret);
        const open = indexedDB.open("sis-onboard-self-test", 1);
        open.onupgradeneeded = () => open.result.createObjectStore(store);
        const db = await new Promise((resolve, reject) => {
          open.onsuccess = () => resolve(open.result);
          open.onerror = () => reject(open.error);
        });
        const tx = db.transaction(store, "readwrite");
        tx.objectStore(store).put(value, key);
        await new Promise((resolve, reject) => {
          tx.oncomplete = resolve;
          tx.onerror = () => reject(tx.error);
        });
        db.close();
      },
      [record.toString(), secret],
    );
    await assert.rejects(secretIsNowhere(page, secret), /the secret is in indexedDB/);
  });
}

test("the secret check reads the stores' contents, not only the databases' names", async () => {
  const { page } = await blankPage();
  await page.evaluate(async () => {
    const open = indexedDB.open("names-only", 1);
    open.onupgradeneeded = () => open.result.createObjectStore("things", { autoIncrement: true }).add({ marker: "a value inside" });
    await new Promise((resolve) => (open.onsuccess = resolve));
    open.result.close();
  });
  const everything = await readEverything(page);
  assert.match(everything.indexedDB, /names-only/);
  assert.match(everything.indexedDB, /a value inside/);
});
