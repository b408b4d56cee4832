// Webhooks, end to end (issue 18): the real proxy binary sends each event to a receiver that
// verifies every delivery with the official `standardwebhooks` package, through failures,
// a crash (SIGKILL), two replicas on one PostgreSQL, and health checks that notice a
// district's connection breaking and coming back. Each test starts its own receiver and
// proxy; no browser (the wizard's side is lifecycle.test.mjs).
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { test } from "node:test";
import { Webhook } from "standardwebhooks";
import { API_KEY, SANDBOX_SECRET, startProxy } from "./harness.mjs";
import { about, newSigningSecret, startReceiver, webhookFlags } from "./receiver.mjs";
import { call, connectSandbox, connection, deliveries, newTenant, switchSandbox, until } from "./vendor.mjs";

/** A receiver and a proxy sending it webhooks, both stopped after test `t`. */
async function proxyWithReceiver(t, { answer, args = [] } = {}) {
  const receiver = await startReceiver({ answer });
  const proxy = await startProxy({ args: [...webhookFlags(receiver), ...args] });
  t.after(async () => {
    await proxy.stop();
    await receiver.close();
  });
  return { receiver, proxy };
}

/** The fields every connection event has, and no other (a failure adds `failure`). */
const CONNECTION_FIELDS = ["connection_id", "district_name", "region", "source", "strategy", "tenant_id"];

/** Asserts `delivery` is a `type` event about connection `id` of `tenant` with nothing secret. */
function assertConnectionEvent(delivery, type, id, tenant) {
  const { payload } = delivery;
  assert.equal(payload.type, type);
  assert.ok(Math.abs(Date.parse(payload.timestamp) - Date.now()) < 60_000, payload.timestamp);
  assert.deepEqual(
    Object.keys(payload.data).filter((k) => k !== "failure").sort(),
    CONNECTION_FIELDS,
  );
  assert.deepEqual(
    { id: payload.data.connection_id, tenant: payload.data.tenant_id, region: payload.data.region },
    { id, tenant, region: "us" },
  );
  assert.deepEqual([payload.data.source, payload.data.strategy], ["infinite_campus", "oneroster_api"]);
  assert.match(payload.data.district_name, /Unified School District$/);
  assertNoSecret([delivery]);
}

/** Asserts the sandbox's secret is in no body and no header of `received`. */
function assertNoSecret(received) {
  for (const d of received) {
    assert.ok(!d.body.includes(SANDBOX_SECRET), `the secret is in the body of ${d.id}`);
    assert.ok(!JSON.stringify(d.headers).includes(SANDBOX_SECRET), `the secret is in the headers of ${d.id}`);
  }
}

test("a test event arrives signed as the specification says; another secret does not verify it", async (t) => {
  const { receiver, proxy } = await proxyWithReceiver(t);
  const sent = await call(proxy.url, "POST", "/v1/webhooks/endpoints/vendor/test", API_KEY);
  assert.ok(sent.status >= 200 && sent.status < 300, JSON.stringify(sent.json));
  const [delivery] = await receiver.waitFor((r) => r.length === 1, { what: "the test event" });
  assert.equal(delivery.type, "test");
  assert.equal(delivery.id, sent.json.event_id, "the webhook-id is the outbox's event id");
  assert.match(delivery.id, /^msg_/);
  assert.ok(Math.abs(Number(delivery.headers["webhook-timestamp"]) - Date.now() / 1000) < 60);
  assert.match(delivery.headers["webhook-signature"], /^v1,[A-Za-z0-9+/]+=*$/);
  // The receiver's verification is not vacuous: the same delivery fails with another secret,
  // and with its body changed by one character.
  assert.throws(() => new Webhook(newSigningSecret()).verify(delivery.body, delivery.headers), /No matching signature/);
  const tampered = delivery.body.replace('"test"', '"tesT"');
  assert.notEqual(tampered, delivery.body);
  assert.throws(() => new Webhook(receiver.secret).verify(tampered, delivery.headers), /No matching signature/);
  const listed = await until(async () => {
    const [d] = await deliveries(proxy.url, { event_id: delivery.id });
    return d?.status === "delivered" && d;
  }, { what: "the delivery listed as delivered" });
  assert.deepEqual(listed.attempts.map((a) => a.status), [200]);
});

test("a receiver answering 500 gets the event again on a retry, with the same webhook-id", async (t) => {
  let answered = 0;
  const { receiver, proxy } = await proxyWithReceiver(t, { answer: () => (answered++ === 0 ? 500 : 200) });
  const tenant = newTenant();
  const id = await connectSandbox(proxy.url, { tenantId: tenant });
  await receiver.waitFor((r) => about(r, id).some((d) => d.status === 200), {
    what: "connection.created after a retry",
    // The first retry comes within the first backoff (5 s, full jitter).
    deadlineMs: 10_000,
  });
  const got = about(receiver.received, id);
  assert.deepEqual(got.map((d) => [d.type, d.status]), [["connection.created", 500], ["connection.created", 200]]);
  assert.equal(got[0].id, got[1].id, "a retry keeps the webhook-id");
  assertConnectionEvent(got[1], "connection.created", id, tenant);

  // The admin API shows both attempts (once the answer is on record); sending it again gives
  // the receiver the same id.
  const listed = await until(async () => {
    const [d] = await deliveries(proxy.url, { tenant_id: tenant });
    return d?.status === "delivered" && d;
  }, { what: "the delivery listed as delivered" });
  assert.deepEqual(
    { event_id: listed.event_id, type: listed.event_type, status: listed.status, attempts: listed.attempts.map((a) => a.status) },
    { event_id: got[0].id, type: "connection.created", status: "delivered", attempts: [500, 200] },
  );
  const again = await call(proxy.url, "POST", `/v1/webhooks/deliveries/${listed.id}/retry`, API_KEY);
  assert.equal(again.status, 202, JSON.stringify(again.json));
  await receiver.waitFor((r) => about(r, id).length === 3, { what: "the redelivery" });
  assert.equal(about(receiver.received, id)[2].id, got[0].id);
});

test("a proxy killed (SIGKILL) before delivering delivers after it restarts, with the same webhook-id", async (t) => {
  // The receiver is down (503) when the district completes; nothing is delivered.
  const receiver = await startReceiver({ answer: () => 503 });
  // A short request timeout keeps the lease short (timeout + 30 s), for the rare kill that
  // lands while an attempt is in flight: then the restart must wait for that lease.
  const flags = [...webhookFlags(receiver), "--webhook-timeout-secs", "2"];
  const first = await startProxy({ args: flags });
  let second;
  t.after(async () => {
    await first.kill();
    await (second ?? first).stop();
    await receiver.close();
  });
  const tenant = newTenant();
  const id = await connectSandbox(first.url, { tenantId: tenant });
  // The first attempt failed and is on record (so no live lease outlasts the crash).
  const pending = await until(async () => {
    const [d] = await deliveries(first.url, { tenant_id: tenant });
    return d?.attempts.length >= 1 && d.status === "pending" && d;
  }, { what: "a failed attempt on record" });
  await first.kill();
  assert.ok(about(receiver.received, id).length >= 1, "the receiver saw the failed attempts");
  assert.deepEqual(receiver.delivered(), [], "nothing was delivered before the crash");

  // Restarted on the same database with the same configuration, with the receiver back.
  receiver.answer = () => 200;
  second = await startProxy({ dataDir: first.dataDir, args: flags });
  const [delivered] = await receiver.waitFor((r) => about(r, id).some((d) => d.status === 200), {
    what: "connection.created after the restart",
    // Due within the first backoff (5 s, full jitter), or once a lease left by the kill ends.
    deadlineMs: 40_000,
  }).then((r) => about(r, id).filter((d) => d.status === 200));
  assert.equal(delivered.id, pending.event_id, "the webhook-id the outbox assigned before the crash");
  assert.ok(about(receiver.received, id).every((d) => d.id === pending.event_id));
  assertConnectionEvent(delivered, "connection.created", id, tenant);
  const after = await until(async () => {
    const [d] = await deliveries(second.url, { tenant_id: tenant });
    return d?.status === "delivered" && d;
  }, { what: "the delivery listed as delivered" });
  assert.equal(after.attempts.at(-1).status, 200);
  assert.ok(after.attempts.slice(0, -1).every((a) => a.status === 503), JSON.stringify(after.attempts));
  assert.ok(after.attempts.length >= pending.attempts.length + 1, JSON.stringify(after.attempts));
});

/** The PostgreSQL server the Rust tests use (`cargo xtask test` sets it for these tests too). */
const POSTGRES = process.env.SIS_ONBOARD_TEST_POSTGRES_URL;

test("two replicas on one PostgreSQL deliver every event once, and one delivers what a killed one could not", { skip: !POSTGRES && "SIS_ONBOARD_TEST_POSTGRES_URL is not set" }, async (t) => {
  const schema = `e2e_${randomBytes(8).toString("hex")}`;
  const psql = (sql) => execFileSync("psql", [POSTGRES, "-q", "-v", "ON_ERROR_STOP=1", "-c", sql], { stdio: ["ignore", "ignore", "pipe"] });
  psql(`CREATE SCHEMA ${schema}`);
  const receiver = await startReceiver();
  const replicas = [];
  t.after(async () => {
    for (const replica of replicas.toReversed()) await replica.stop();
    await receiver.close();
    psql(`DROP SCHEMA ${schema} CASCADE`);
  });
  const databaseUrl = `${POSTGRES}${POSTGRES.includes("?") ? "&" : "?"}options=-c%20search_path%3D${schema}`;
  const flags = [...webhookFlags(receiver), "--webhook-timeout-secs", "2"];
  // One after the other: the first creates the tables. Both share the key (the same folder).
  replicas.push(await startProxy({ databaseUrl, args: flags }));
  replicas.push(await startProxy({ databaseUrl, args: flags, dataDir: replicas[0].dataDir }));
  const [a, b] = replicas.map((r) => r.url);

  // Four districts at once, each session opened on one replica and completed on either:
  // both workers claim from the one outbox, and each event reaches the receiver once (no
  // replica died and no request timed out, so no lease ran out to allow a duplicate).
  const ids = await Promise.all(
    [[a, a], [b, b], [a, b], [b, a]].map(([sessionAt, at]) => connectSandbox(at, { sessionAt })),
  );
  assert.equal(new Set(ids).size, 4);
  await receiver.waitFor((r) => ids.every((id) => about(r, id).length > 0), {
    what: "connection.created for all four connections",
  });
  for (const id of ids) {
    assert.deepEqual(about(receiver.received, id).map((d) => [d.type, d.status]), [["connection.created", 200]], id);
  }
  assert.equal(new Set(receiver.received.map((d) => d.id)).size, 4, "one webhook-id per event");

  // The receiver goes down; two more districts complete on replica A, whose attempts fail;
  // A is killed. Replica B delivers A's events once the receiver is back, with their ids.
  receiver.answer = () => 503;
  const late = [await connectSandbox(a), await connectSandbox(a)];
  const attempted = await receiver
    .waitFor((r) => late.every((id) => about(r, id).length > 0), { what: "a failed attempt of each late event" })
    .then((r) => late.map((id) => about(r, id)));
  const pendingIds = await until(async () => {
    const pending = (await deliveries(b, { status: "pending" })).filter((d) => d.attempts.length > 0);
    return pending.length === 2 && pending.map((d) => d.event_id);
  }, { what: "both late deliveries pending with an attempt on record" });
  await replicas[0].kill();
  receiver.answer = () => 200;
  await receiver.waitFor((r) => late.every((id) => about(r, id).some((d) => d.status === 200)), {
    what: "the late events, delivered by replica B",
    // Due within the first backoff (5 s, full jitter), or once a lease left by the kill ends.
    deadlineMs: 40_000,
  });
  for (const [index, id] of late.entries()) {
    const got = about(receiver.received, id);
    assert.ok(got.every((d) => d.id === attempted[index][0].id), `every attempt of ${id} has one webhook-id`);
    assert.equal(got.filter((d) => d.status === 200).length, 1, `${id} delivered once`);
  }
  assert.deepEqual(late.map((id) => about(receiver.received, id)[0].id).sort(), pendingIds.sort());
  const listed = await until(async () => {
    const all = await deliveries(b);
    return all.length === 6 && all.every((d) => d.status === "delivered") && all;
  }, { what: "six delivered deliveries listed" });
  assert.deepEqual(listed.map((d) => d.event_id).sort(), [...new Set(receiver.received.map((d) => d.id))].sort());
  assertNoSecret(receiver.received);
});

test("a health check notices a connection failing, then recovered, with one event each", async (t) => {
  const { receiver, proxy } = await proxyWithReceiver(t, { args: ["--health-interval", "2s"] });
  const tenant = newTenant();
  const id = await connectSandbox(proxy.url, { tenantId: tenant });
  await receiver.waitFor((r) => about(r, id).length === 1, { what: "connection.created" });

  // The district rotates its secret: the stored one is refused from now on.
  await switchSandbox(proxy.url, "sandbox-wrong-secret");
  const [, failing] = await receiver.waitFor((r) => about(r, id).length === 2, {
    what: "connection.failing",
  }).then((r) => about(r, id));
  assertConnectionEvent(failing, "connection.failing", id, tenant);
  assert.equal(failing.payload.data.failure.code, "invalid_client");
  assert.ok(failing.payload.data.failure.message.length > 0);
  const failed = await connection(proxy.url, id);
  assert.equal(failed.health.passed, false);
  assert.equal(failed.health.code, "invalid_client");
  assert.ok(failed.health.failing_since > 0);
  // A second failing check tells nobody again.
  await until(async () => (await connection(proxy.url, id)).health.checked_at > failed.health.checked_at, {
    what: "a second health check",
  });

  await switchSandbox(proxy.url, null);
  const events = await receiver.waitFor((r) => about(r, id).length === 3, {
    what: "connection.recovered",
  }).then((r) => about(r, id));
  assert.deepEqual(events.map((d) => d.type), ["connection.created", "connection.failing", "connection.recovered"]);
  assertConnectionEvent(events[2], "connection.recovered", id, tenant);
  assert.equal(events[2].payload.data.failure, undefined);
  assert.equal(new Set(events.map((d) => d.id)).size, 3);
  const recovered = await connection(proxy.url, id);
  assert.equal(recovered.health.passed, true);
  assert.equal(recovered.health.failing_since, null);
  assert.match(recovered.health.district.name, /Unified School District$/);
});
