// What the vendor's backend and the district do through the proxy's HTTP API in the
// end-to-end tests, without a browser: open sessions, connect the sandbox district, read
// connections and webhook deliveries, and switch the sandbox's behaviour at run time.
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { API_KEY, SANDBOX_SECRET } from "./harness.mjs";

/** The sandbox district's working client id. */
export const SANDBOX_CLIENT_ID = "sandbox-client-id";

/** The sandbox district's credentials, served by the demo proxy at `proxyUrl`. */
export function sandboxCredentials(proxyUrl, { clientId = SANDBOX_CLIENT_ID, secret = SANDBOX_SECRET } = {}) {
  const sandbox = `${proxyUrl}/sandbox/campus`;
  return {
    base_url: `${sandbox}/api/ims/oneroster/rostering/v1p2`,
    token_url: `${sandbox}/oauth2/token?appName=sandbox`,
    client_id: clientId,
    client_secret: secret,
  };
}

/** `method path` on the proxy at `proxyUrl` with `token` as the Bearer; answers status and JSON. */
export async function call(proxyUrl, method, path, token, body) {
  const response = await fetch(`${proxyUrl}${path}`, {
    method,
    headers: { Authorization: `Bearer ${token}`, ...(body ? { "Content-Type": "application/json" } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await response.text();
  return { status: response.status, json: text ? JSON.parse(text) : null };
}

/**
 * Opens a session as the vendor's backend does (a repair session with `connectionId`);
 * answers its token.
 */
export async function openSession(proxyUrl, { tenantId = newTenant(), connectionId } = {}) {
  const { status, json } = await call(proxyUrl, "POST", "/v1/sessions", API_KEY, {
    tenant_id: tenantId,
    display_name: "Acme Learning",
    allowed_origins: [proxyUrl],
    ...(connectionId ? { connection_id: connectionId } : {}),
  });
  assert.equal(status, 201, JSON.stringify(json));
  return json.session_token;
}

/** A tenant id of its own for a test. */
export function newTenant() {
  return `d-${randomBytes(4).toString("hex")}`;
}

/**
 * The district's side without a browser, as the wizard would send it (no Origin header, as
 * a server's request): validate the sandbox's credentials in a new session, then complete.
 * `sessionAt` opens the session on another proxy (a replica). Answers the connection id.
 */
export async function connectSandbox(proxyUrl, { tenantId = newTenant(), sessionAt = proxyUrl } = {}) {
  const session = await openSession(sessionAt, { tenantId });
  const credentials = sandboxCredentials(proxyUrl);
  const report = await call(proxyUrl, "POST", "/v1/validate", session, credentials);
  assert.equal(report.json.passed, true, JSON.stringify(report.json));
  const done = await call(proxyUrl, "POST", "/v1/complete", session, {
    credentials,
    region: "us",
    source: "infinite_campus",
    strategy: "oneroster_api",
  });
  assert.equal(done.status, 200, JSON.stringify(done.json));
  assert.match(done.json.connection_id, /^conn_/);
  return done.json.connection_id;
}

/** The stored connection `id`, through the admin API. */
export async function connection(proxyUrl, id) {
  const { status, json } = await call(proxyUrl, "GET", `/v1/connections/${id}`, API_KEY);
  assert.equal(status, 200, JSON.stringify(json));
  return json;
}

/** The webhook deliveries the admin API lists (`query`: its filters, e.g. `{ tenant_id }`). */
export async function deliveries(proxyUrl, query = {}) {
  const { status, json } = await call(proxyUrl, "GET", `/v1/webhooks/deliveries?${new URLSearchParams(query)}`, API_KEY);
  assert.equal(status, 200, JSON.stringify(json));
  return json;
}

/** Switches the sandbox's working connection to behaviour `behaviour` (its client id), or back with null. */
export async function switchSandbox(proxyUrl, behaviour) {
  const url = `${proxyUrl}/sandbox/control/connections/${SANDBOX_CLIENT_ID}/behaviour`;
  const response = behaviour
    ? await fetch(url, { method: "PUT", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ behaviour }) })
    : await fetch(url, { method: "DELETE" });
  assert.equal(response.status, 204, await response.text());
}

/**
 * Calls `probe` until it answers something truthy, and answers that; fails with `what` at
 * the deadline. For state only an API shows (the receiver has its own `waitFor`).
 */
export async function until(probe, { deadlineMs = 15_000, everyMs = 50, what = "the condition" } = {}) {
  const end = Date.now() + deadlineMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > end) assert.fail(`${what} did not hold in ${deadlineMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}
