// Starts the real proxy binary (demo mode: vendor page, sandbox district, SQLite) on a free
// loopback port, and headless Debian Chromium to drive it. Shared by the end-to-end tests
// (through harness.mjs) and the browser benchmarks (tests/bench/): no test hooks here.
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { chromium } from "playwright-core";

/** The vendor API key the proxy started here accepts (the demo itself needs none). */
export const API_KEY = "sk_e2e_vendor_4Jq8Zr2Lw6Nb1Xc9Vm3Pd";

/** `key` as the proxy's key list (`--api-keys`): one key with every scope. */
export function fullAccessKeys(key) {
  const scopes = ["sessions:write", "connections:read", "credentials:read", "connections:write"];
  return JSON.stringify([{ id: "e2e", key, scopes }]);
}

/** The proxy binary and the built wizard, from the environment `cargo xtask` sets. */
function required() {
  const bin = process.env.SIS_ONBOARD_PROXY_BIN;
  const dist = process.env.SIS_ONBOARD_DIST;
  if (!bin || !dist) {
    throw new Error("run through `cargo xtask test` or `cargo xtask bench` (SIS_ONBOARD_PROXY_BIN and SIS_ONBOARD_DIST unset)");
  }
  return { bin, dist };
}

/**
 * Starts the proxy; resolves once it prints its address (no sleeping, a deadline). By
 * default on a SQLite file in a fresh folder; `databaseUrl` and `dataDir` (a folder holding
 * an earlier start's key and database) start it on an existing store, `args` adds flags.
 */
export async function startProxy({ deadlineMs = 30_000, args = [], databaseUrl, dataDir: reused } = {}) {
  const { bin, dist } = required();
  const dataDir = reused ?? mkdtempSync(join(tmpdir(), "sis-onboard-e2e-"));
  const keyFile = join(dataDir, "e2e.key");
  // A key the way an operator would make one: 64 hex digits in a private file.
  if (!existsSync(keyFile)) writeFileSync(keyFile, randomBytes(32).toString("hex"), { mode: 0o600 });
  const child = spawn(
    bin,
    [
      "--demo",
      "--listen", "127.0.0.1:0",
      "--assets-dir", dist,
      "--database-url", databaseUrl ?? `sqlite://${join(dataDir, "e2e.sqlite")}`,
      "--encryption-key-file", keyFile,
      "--api-keys", fullAccessKeys(API_KEY),
      ...args,
    ],
    { stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, RUST_LOG: "warn" } },
  );
  let stderr = "";
  child.stderr.on("data", (chunk) => (stderr += chunk));
  const exited = new Promise((resolve) => child.once("exit", resolve));
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
    /** What the proxy wrote to stderr so far. */
    stderr: () => stderr,
    /** Stops it as an operator would (SIGINT: a graceful shutdown), then removes its folder. */
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGINT");
      await exited;
      rmSync(dataDir, { recursive: true, force: true });
    },
    /** Kills it with SIGKILL (no shutdown at all: a crash); its folder stays for a restart. */
    async kill() {
      child.kill("SIGKILL");
      await exited;
    },
  };
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
