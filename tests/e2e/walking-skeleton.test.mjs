// The walking skeleton, end to end: proxy + sandbox over real HTTP on loopback, and the
// demo vendor page in headless Chromium mounting the wizard through its script tag.
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { API_KEY, proxyAndBrowser, watchedPage } from "./harness.mjs";

// One proxy and one browser for the file, started before and stopped after its tests.
const env = proxyAndBrowser();

test("the proxy answers its health check", async () => {
  const response = await fetch(`${env.proxy.url}/healthz`);
  assert.equal(response.status, 200);
  assert.equal((await response.json()).status, "ok");
});

test("the sandbox issues a token and answers /orgs with it", async () => {
  const sandbox = `${env.proxy.url}/sandbox/campus`;
  const basic = Buffer.from("sandbox-client-id:sandbox-client-secret").toString("base64");
  const tokenResponse = await fetch(`${sandbox}/oauth2/token?appName=sandbox`, {
    method: "POST",
    headers: { Authorization: `Basic ${basic}`, "Content-Type": "application/x-www-form-urlencoded" },
    body: "grant_type=client_credentials",
  });
  assert.equal(tokenResponse.status, 200);
  const token = await tokenResponse.json();
  assert.equal(token.token_type, "Bearer");

  const orgs = await fetch(`${sandbox}/api/ims/oneroster/rostering/v1p2/orgs?limit=1`, {
    headers: { Authorization: `Bearer ${token.access_token}` },
  });
  assert.equal(orgs.status, 200);
  const body = await orgs.json();
  assert.equal(body.orgs.length, 1);
  assert.equal(body.orgs[0].type, "district");
  assert.ok(Number(orgs.headers.get("x-total-count")) > 1);
});

test("the demo vendor page mounts the wizard and shows the vendor's name", async () => {
  const { page } = await watchedPage(env.browser);
  const response = await page.goto(`${env.proxy.url}/`);
  assert.match(response.headers()["content-security-policy"], /script-src 'self' 'wasm-unsafe-eval'/);

  // Playwright's CSS locators pierce the element's open shadow root.
  const title = page.locator("sis-onboard [data-testid=step-title]");
  await title.waitFor({ timeout: 15_000 });
  assert.match(await title.innerText(), /Acme Learning/);
  assert.equal(await page.locator("sis-onboard [aria-current=step]").innerText(), "Start");

  // The wizard's stylesheet loaded under the CSP and applies inside the element.
  const start = page.locator("sis-onboard [data-testid=continue]");
  const background = await start.evaluate((el) => getComputedStyle(el).backgroundColor);
  assert.equal(background, "rgb(11, 92, 173)");
  assert.equal(await start.isDisabled(), true);
  await page.locator("sis-onboard [data-testid=confirm-admin]").check();
  assert.equal(await start.isDisabled(), false);

  await page.close();
});

test("a page without a session gets a clear message, not a blank box", async () => {
  // dist/index.html links its files beside itself (Trunk.toml's public_url), so it loads
  // with no console error wherever it is served.
  const { page } = await watchedPage(env.browser);
  await page.goto(`${env.proxy.url}/sis-onboard/index.html`);
  const notice = page.locator("sis-onboard [data-testid=notice]");
  await notice.waitFor({ timeout: 15_000 });
  assert.match(await notice.innerText(), /did not start an onboarding session/);
  await page.close();
});

test("the demo proxy validates the sandbox's credentials for the page's session", async () => {
  const page = await (await fetch(`${env.proxy.url}/`)).text();
  const session = page.match(/session="(sos_[^"]+)"/)[1];
  const sandbox = `${env.proxy.url}/sandbox/campus`;
  const validate = (clientId) =>
    fetch(`${env.proxy.url}/v1/validate`, {
      method: "POST",
      headers: { Authorization: `Bearer ${session}`, "Content-Type": "application/json" },
      body: JSON.stringify({
        base_url: `${sandbox}/api/ims/oneroster/rostering/v1p2`,
        token_url: `${sandbox}/oauth2/token?appName=sandbox`,
        client_id: clientId,
        client_secret: "sandbox-client-secret",
      }),
    }).then((r) => r.json());

  const good = await validate("sandbox-client-id");
  assert.equal(good.passed, true, JSON.stringify(good));
  assert.match(good.district.name, /Unified School District$/);
  assert.ok(good.district.students.value > 1000);

  const inactive = await validate("sandbox-inactive");
  assert.equal(inactive.passed, false);
  assert.equal(inactive.error.code, "inactive_connection");

  // Completing stores the connection, which the vendor's backend then reads.
  const again = await validate("sandbox-client-id");
  assert.equal(again.passed, true);
  const complete = await fetch(`${env.proxy.url}/v1/complete`, {
    method: "POST",
    headers: { Authorization: `Bearer ${session}`, "Content-Type": "application/json" },
    body: JSON.stringify({
      credentials: {
        base_url: `${sandbox}/api/ims/oneroster/rostering/v1p2`,
        token_url: `${sandbox}/oauth2/token?appName=sandbox`,
        client_id: "sandbox-client-id",
        client_secret: "sandbox-client-secret",
      },
      region: "us",
      source: "infinite_campus",
      strategy: "oneroster_api",
    }),
  }).then((r) => r.json());
  assert.match(complete.connection_id, /^conn_/, JSON.stringify(complete));
  const stored = await fetch(`${env.proxy.url}/v1/connections/${complete.connection_id}`, {
    headers: { Authorization: `Bearer ${API_KEY}` },
  }).then((r) => r.json());
  assert.equal(stored.tenant_id, "demo-district");
  assert.equal(stored.client_id, "sandbox-client-id");
  assert.match(stored.district_name, /Unified School District$/);

  // In the SQLite files (database and write-ahead log) the secret is only ciphertext.
  const files = readdirSync(env.proxy.dataDir).filter((f) => f.startsWith("e2e.sqlite"));
  assert.ok(files.length > 0);
  const bytes = Buffer.concat(files.map((f) => readFileSync(join(env.proxy.dataDir, f))));
  assert.ok(bytes.includes(Buffer.from(complete.connection_id)), "the connection is on disk");
  assert.ok(!bytes.includes(Buffer.from("sandbox-client-secret")), "the secret is not on disk in clear");
});
