// A connection's life seen from the browser and the vendor's webhook receiver (issue 18):
// the wizard's completion is announced by a signed webhook, and an administrator repairs a
// broken connection in the wizard, from the vendor opening the repair session to the
// success event. One proxy for the file, its webhooks sent to a receiver that verifies
// each with the `standardwebhooks` package, health checks every 2 s.
import assert from "node:assert/strict";
import { after, test } from "node:test";
import { fillCredentials, proxyAndBrowser, SANDBOX_SECRET, secretIsNowhere, watchedPage } from "./harness.mjs";
import { about, startReceiver, webhookFlags } from "./receiver.mjs";
import { connectSandbox, connection, newTenant, openSession, sandboxCredentials, switchSandbox, until } from "./vendor.mjs";

let receiver;
const env = proxyAndBrowser({
  proxyOptions: async () => {
    receiver = await startReceiver();
    return { args: [...webhookFlags(receiver), "--health-interval", "2s"] };
  },
});
after(() => receiver?.close());

const EVENTS = ["ready", "step", "validation", "success", "exit", "error"];

/** Records every wizard event that reaches the document of `page`'s next documents. */
function recordEvents(page) {
  return page.addInitScript((names) => {
    window.__events = [];
    for (const name of names) {
      document.addEventListener(`sis-onboard:${name}`, (event) => window.__events.push({ name, detail: event.detail }));
    }
  }, EVENTS);
}

const successes = (page) =>
  page.evaluate(() => window.__events.filter((e) => e.name === "success").map((e) => e.detail));

/** Asserts the sandbox's secret is in no webhook the receiver got, body or headers. */
function noSecretInWebhooks() {
  for (const d of receiver.received) {
    assert.ok(!d.body.includes(SANDBOX_SECRET) && !JSON.stringify(d.headers).includes(SANDBOX_SECRET), `the secret is in ${d.id}`);
  }
}

test("a district completing the wizard is announced by a verified connection.created", async () => {
  const { page } = await watchedPage(env.browser);
  await recordEvents(page);
  await page.goto(`${env.proxy.url}/`);
  const $ = (testId) => page.locator(`sis-onboard [data-testid="${testId}"]`);
  await $("step-title").waitFor({ timeout: 15_000 });
  for (const [choice, next] of [
    ["confirm-admin", "step-source"],
    ["choice-infinite_campus", "step-region"],
    ["choice-us", "step-strategy"],
    ["choice-oneroster_api", "step-generate-connection"],
    [null, "step-credentials"],
  ]) {
    if (choice) await $(choice).check();
    await $("continue").click();
    await $(next).waitFor();
  }
  await fillCredentials($, env.proxy.url);
  await $("validate").click();
  await $("district-name").waitFor();
  await $("continue").click();
  await $("step-done").waitFor();

  const [success] = await successes(page);
  assert.match(success.connectionId, /^conn_/);
  const [created] = await receiver
    .waitFor((r) => about(r, success.connectionId).length > 0, { what: "connection.created" })
    .then((r) => about(r, success.connectionId));
  assert.equal(created.type, "connection.created");
  assert.equal(created.status, 200);
  const stored = await connection(env.proxy.url, success.connectionId);
  assert.deepEqual(created.payload.data, {
    connection_id: success.connectionId,
    tenant_id: "demo-district",
    region: "us",
    source: "infinite_campus",
    strategy: "oneroster_api",
    district_name: stored.district_name,
  });
  noSecretInWebhooks();
  await secretIsNowhere(page);
  await page.close();
});

/** The strictest policy a vendor page may have (as embedding.test.mjs). */
const CSP = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; connect-src 'self'";

test("an administrator repairs a failing connection in the wizard: same id, mode repair, connection.updated", async (t) => {
  const tenant = newTenant();
  const id = await connectSandbox(env.proxy.url, { tenantId: tenant });
  const before = await connection(env.proxy.url, id);
  // The district rotates its keys: the stored ones fail the next health check.
  await switchSandbox(env.proxy.url, "sandbox-wrong-secret");
  t.after(() => switchSandbox(env.proxy.url, null));
  await receiver.waitFor((r) => about(r, id).some((d) => d.type === "connection.failing"), {
    what: "connection.failing",
  });

  // The vendor's backend opens a repair session and renders its page with the wizard.
  const session = await openSession(env.proxy.url, { tenantId: tenant, connectionId: id });
  const { page } = await watchedPage(env.browser);
  await recordEvents(page);
  const html = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Vendor</title>
    <script type="module" src="/sis-onboard/sis-onboard.js"></script></head>
    <body><sis-onboard session="${session}"></sis-onboard></body></html>`;
  await page.route(`${env.proxy.url}/vendor-repair`, (route) =>
    route.fulfill({ status: 200, contentType: "text/html; charset=utf-8", headers: { "Content-Security-Policy": CSP }, body: html }));
  await page.goto(`${env.proxy.url}/vendor-repair`);
  const $ = (testId) => page.locator(`sis-onboard [data-testid="${testId}"]`);

  // It opens at the credentials step, says what it repairs and why, the stored values
  // filled in and the secret not.
  await $("step-credentials").waitFor({ timeout: 15_000 });
  assert.match(await $("repair-title").innerText(), new RegExp(before.district_name));
  assert.equal(await $("repair-reason").getAttribute("data-code"), "invalid_client");
  await $("repair-new-keys").waitFor();
  const stored = sandboxCredentials(env.proxy.url);
  const shown = async () => ({
    base_url: await $("base-url").inputValue(),
    token_url: await $("token-url").inputValue(),
    client_id: await $("client-id").inputValue(),
    client_secret: await $("client-secret").inputValue(),
  });
  assert.deepEqual(await shown(), { ...stored, client_secret: "" });
  // The Infinite Campus instructions are a step back, and nothing is lost coming back.
  await $("back").click();
  await $("step-generate-connection").waitFor();
  await $("continue").click();
  await $("step-credentials").waitFor();
  assert.deepEqual(await shown(), { ...stored, client_secret: "" });

  // The administrator generated new keys (another working sandbox client) and types them.
  await $("client-id").fill("sandbox-lowercase-bearer");
  await $("client-secret").fill(SANDBOX_SECRET);
  await $("validate").click();
  await $("district-name").waitFor();
  await $("continue").click();
  await $("step-done").waitFor();

  assert.deepEqual(
    (await successes(page)).map((s) => [s.connectionId, s.mode]),
    [[id, "repair"]],
  );
  const updated = await receiver
    .waitFor((r) => about(r, id).some((d) => d.type === "connection.updated"), { what: "connection.updated" })
    .then((r) => about(r, id).find((d) => d.type === "connection.updated"));
  assert.equal(updated.payload.data.tenant_id, tenant);
  // The repair's validation counts as a passed check; with the old keys still refused, the
  // next health check passes too, on the new ones, and tells nobody anything new.
  const repaired = await connection(env.proxy.url, id);
  assert.equal(repaired.client_id, "sandbox-lowercase-bearer");
  assert.deepEqual([repaired.health.passed, repaired.health.failing_since], [true, null]);
  const checked = await until(async () => {
    const { health } = await connection(env.proxy.url, id);
    return health.checked_at > repaired.health.checked_at && health;
  }, { what: "a health check after the repair" });
  assert.equal(checked.passed, true, JSON.stringify(checked));
  assert.deepEqual(
    about(receiver.received, id).map((d) => d.type),
    ["connection.created", "connection.failing", "connection.updated"],
  );
  noSecretInWebhooks();
  await secretIsNowhere(page);
  await page.close();
});
