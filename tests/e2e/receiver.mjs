// The vendor's webhook receiver in the end-to-end tests: a real HTTP server on loopback that
// verifies every delivery with the official Standard Webhooks library from npm (not the
// proxy's code), records what it got, and answers what the test tells it to.
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { EventEmitter } from "node:events";
import { createServer } from "node:http";
import { Webhook } from "standardwebhooks";

/** A new signing secret as the specification spells one: `whsec_` and base64 of 32 bytes. */
export function newSigningSecret() {
  return `whsec_${randomBytes(32).toString("base64")}`;
}

/**
 * Starts a receiver on 127.0.0.1 (a free port) that verifies each POST with `secret`.
 * `answer(delivery)` picks each verified delivery's HTTP status (200 unless changed; assign
 * `receiver.answer` to change it while it runs). A delivery that does not verify is answered
 * 400 and recorded in `refused`, which fails the test's next wait and its `close()`.
 */
export async function startReceiver({ secret = newSigningSecret(), answer = () => 200 } = {}) {
  const webhook = new Webhook(secret);
  const arrivals = new EventEmitter();
  const receiver = {
    secret,
    answer,
    /** Every verified delivery, in arrival order: `{ id, type, payload, body, headers, status }`. */
    received: [],
    /** Every delivery that did not verify: `{ error, headers, body }`. */
    refused: [],
    url: "",
    /** The `--webhooks` JSON naming this receiver as endpoint `vendor`. */
    flag() {
      return JSON.stringify([{ id: "vendor", url: this.url, secrets: [{ secret }] }]);
    },
    /** `host:port`, for `--allow-hosts` (the receiver is on loopback, over plain http). */
    host() {
      return new URL(this.url).host;
    },
    /** The verified deliveries answered with a 2xx status. */
    delivered() {
      return this.received.filter((d) => d.status >= 200 && d.status < 300);
    },
    /**
     * Resolves with the verified deliveries once `holds(received)` is true, checked on every
     * arrival; fails at the deadline, or at once when a delivery did not verify.
     */
    waitFor(holds, { deadlineMs = 15_000, what = "the expected deliveries" } = {}) {
      return new Promise((resolve, reject) => {
        const check = () => {
          if (this.refused.length) return finish(reject, new Error(`a delivery did not verify: ${JSON.stringify(this.refused)}`));
          if (holds(this.received)) finish(resolve, this.received);
        };
        const timer = setTimeout(
          () => finish(reject, new Error(`${what} did not arrive in ${deadlineMs} ms; received ${JSON.stringify(summary(this.received))}`)),
          deadlineMs,
        );
        const finish = (settle, value) => {
          clearTimeout(timer);
          arrivals.off("arrival", check);
          settle(value);
        };
        arrivals.on("arrival", check);
        check();
      });
    },
    /** Stops listening; fails if any delivery did not verify. */
    async close() {
      const closed = new Promise((resolve) => server.close(resolve));
      server.closeAllConnections();
      await closed;
      assert.deepEqual(this.refused, [], "every delivery verifies");
    },
  };
  const server = createServer((request, response) => {
    const chunks = [];
    request.on("data", (chunk) => chunks.push(chunk));
    request.on("end", () => {
      const body = Buffer.concat(chunks).toString("utf8");
      const { headers } = request;
      let payload;
      try {
        assert.equal(request.method, "POST");
        assert.equal(request.url, "/hooks");
        assert.match(headers["content-type"] ?? "", /^application\/json/);
        payload = webhook.verify(body, headers);
      } catch (error) {
        receiver.refused.push({ error: String(error), headers, body });
        response.writeHead(400).end();
        arrivals.emit("arrival");
        return;
      }
      const delivery = { id: headers["webhook-id"], type: payload.type, payload, body, headers };
      delivery.status = receiver.answer(delivery);
      receiver.received.push(delivery);
      response.writeHead(delivery.status, { "Content-Type": "text/plain" }).end();
      arrivals.emit("arrival");
    });
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  receiver.url = `http://127.0.0.1:${server.address().port}/hooks`;
  return receiver;
}

/** What a list of deliveries is about, for failure messages. */
export function summary(deliveries) {
  return deliveries.map((d) => [d.id, d.type, d.payload?.data?.connection_id, d.status]);
}

/** The verified deliveries of events about connection `id`. */
export function about(deliveries, id) {
  return deliveries.filter((d) => d.payload.data?.connection_id === id);
}

/** The flags that send a proxy's webhooks to `receiver` (its loopback address allowed). */
export function webhookFlags(receiver) {
  return ["--webhooks", receiver.flag(), "--allow-hosts", receiver.host()];
}
