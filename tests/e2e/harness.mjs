// Shared by the end-to-end tests: starts the real proxy binary (demo mode: vendor page,
// sandbox district, SQLite) on a free loopback port, and headless Chromium to drive it.
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { after, before } from "node:test";
import { chromium } from "playwright-core";

const PROXY_BIN = process.env.SIS_ONBOARD_PROXY_BIN;
/** The vendor API key the e2e proxy accepts (the demo itself needs none). */
export const API_KEY = "sk_e2e_vendor";
const DIST = process.env.SIS_ONBOARD_DIST;

/** Starts the proxy; resolves once it prints its address (no sleeping, a deadline). */
export async function startProxy({ deadlineMs = 30_000 } = {}) {
  if (!PROXY_BIN || !DIST) {
    throw new Error("run through `cargo xtask test` (SIS_ONBOARD_PROXY_BIN and SIS_ONBOARD_DIST unset)");
  }
  const dataDir = mkdtempSync(join(tmpdir(), "sis-onboard-e2e-"));
  // A key the way an operator would make one: 64 hex digits in a private file.
  writeFileSync(join(dataDir, "e2e.key"), randomBytes(32).toString("hex"), { mode: 0o600 });
  const child = spawn(
    PROXY_BIN,
    [
      "--demo",
      "--listen", "127.0.0.1:0",
      "--assets-dir", DIST,
      "--database-url", `sqlite://${join(dataDir, "e2e.sqlite")}`,
      "--encryption-key-file", join(dataDir, "e2e.key"),
      "--api-keys", API_KEY,
    ],
    { stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, RUST_LOG: "warn" } },
  );
  let stderr = "";
  child.stderr.on("data", (chunk) => (stderr += chunk));
  const lines = createInterface({ input: child.stdout });
  const url = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`proxy did not start in ${deadlineMs} ms:\n${stderr}`)), deadlineMs);
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`proxy exited with ${code}:\n${stderr}`));
    });
    lines.on("line", (line) => {
      const match = line.match(/listening on (http:\/\/\S+)/);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    });
  });
  return {
    url,
    dataDir,
    async stop() {
      const exited = new Promise((resolve) => child.once("exit", resolve));
      child.kill("SIGINT");
      await exited;
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** The sandbox district's client secret. */
export const SANDBOX_SECRET = "sandbox-client-secret";

/**
 * Types the sandbox district's credentials into a wizard's credentials step; `$` finds a
 * field by its test id. `baseUrl` replaces the plain OneRoster API URL.
 */
export async function fillCredentials(
  $,
  proxyUrl,
  { baseUrl, clientId = "sandbox-client-id", secret = SANDBOX_SECRET } = {},
) {
  const sandbox = `${proxyUrl}/sandbox/campus`;
  await $("base-url").fill(baseUrl ?? `${sandbox}/api/ims/oneroster/rostering/v1p2`);
  await $("token-url").fill(`${sandbox}/oauth2/token?appName=sandbox`);
  await $("client-id").fill(clientId);
  await $("client-secret").fill(secret);
}

/** Headless Debian Chromium with the flags this offline machine needs. */
export async function launchBrowser() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-dev-shm-usage",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--no-first-run",
    ],
  });
}

/** A new page that records console errors, uncaught exceptions and CSP violations. */
export async function watchedPage(browser) {
  const page = await browser.newPage();
  const problems = [];
  page.on("console", (message) => {
    if (message.type() === "error") problems.push(`console: ${message.text()}`);
  });
  page.on("pageerror", (error) => problems.push(`uncaught: ${error.message}`));
  await page.exposeFunction("__reportCspViolation", (text) => problems.push(`csp: ${text}`));
  await page.addInitScript(() => {
    document.addEventListener("securitypolicyviolation", (event) => {
      window.__reportCspViolation(`${event.violatedDirective} blocked ${event.blockedURI}`);
    });
  });
  return { page, problems };
}

/**
 * Registers the file's hooks: the proxy and the browser start before its tests and stop
 * after them. Returns the object whose `proxy` and `browser` the tests use.
 */
export function proxyAndBrowser() {
  const env = { proxy: undefined, browser: undefined };
  before(async () => {
    env.proxy = await startProxy();
    env.browser = await launchBrowser();
  });
  after(async () => {
    await env.browser?.close();
    await env.proxy?.stop();
  });
  return env;
}
