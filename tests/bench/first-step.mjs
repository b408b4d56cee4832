// First step on a slow network: how long a cold demo page takes to show the wizard's first
// heading, beside the floor — a page of the same server that fetches the very same files in
// parallel from its first byte and then shows a heading — under emulated mobile networks.
//
//   SIS_ONBOARD_PROXY_BIN=… SIS_ONBOARD_DIST=… node tests/bench/first-step.mjs
//
// (`cargo xtask bench` sets both.) Writes bench/first-step.md, prints the figures, exits
// non-zero when a load fails or its page has a console error, an uncaught exception or a
// CSP violation (the end-to-end tests' watcher, tests/e2e/problems.mjs).
import { writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { launchBrowser, startProxy } from "../e2e/launch.mjs";
import { checkProblems, watchContext } from "../e2e/problems.mjs";

/** Chromium DevTools' throttling, in bytes per second; latency is added to every request. */
const PROFILES = [
  { name: "Slow 4G", latency: 150, down: 200_000, up: 93_750, about: "150 ms, 1.6 Mbit/s down, 750 kbit/s up" },
  { name: "Fast 4G", latency: 40, down: 1_125_000, up: 187_500, about: "40 ms, 9 Mbit/s down, 1.5 Mbit/s up" },
];
const RUNS = 5;
const GOAL = 1.15;
const TIMEOUT_MS = 60_000;
const REPORT = fileURLToPath(new URL("../../bench/first-step.md", import.meta.url));

/** The two pages, and the heading each shows when it is ready (the wizard's inside its shadow root). */
const PAGES = {
  wizard: { path: "/", heading: ["sis-onboard", '[data-testid="step-start"] [data-testid="step-title"]'] },
  floor: { path: "/bench/floor", heading: [null, '[data-testid="floor-title"]'] },
};

/** Milliseconds from navigation start until the heading is visible (polled every frame). */
function untilVisible(page, [host, selector]) {
  return page.waitForFunction(
    ([host, selector]) => {
      if (document.body?.dataset.failed) throw new Error(document.body.dataset.failed);
      const root = host ? document.querySelector(host)?.shadowRoot : document;
      if (root?.querySelector('[data-testid="notice"]')) throw new Error(root.querySelector('[data-testid="notice"]').textContent);
      const heading = root?.querySelector(selector);
      if (!heading) return false;
      const box = heading.getBoundingClientRect();
      const shown = box.width > 0 && box.height > 0 && heading.checkVisibility({ opacityProperty: true, visibilityProperty: true });
      return shown && performance.now();
    },
    [host, selector],
    { polling: "raf", timeout: TIMEOUT_MS },
  ).then((handle) => handle.jsonValue());
}

/** One cold load: a fresh context (no cache, no cookie: a new session), cache disabled, throttled. */
async function load(browser, base, which, profile) {
  const context = await browser.newContext();
  try {
    // The end-to-end tests' watcher: a console error, an uncaught exception, a CSP
    // violation or a crash fails the load.
    const watcher = await watchContext(context);
    const page = await context.newPage();
    const cdp = await context.newCDPSession(page);
    let bytes = 0;
    let requests = 0;
    cdp.on("Network.requestWillBeSent", () => (requests += 1));
    cdp.on("Network.loadingFinished", (event) => (bytes += event.encodedDataLength));
    await cdp.send("Network.enable");
    await cdp.send("Network.setCacheDisabled", { cacheDisabled: true });
    await cdp.send("Network.emulateNetworkConditions", {
      offline: false,
      latency: profile.latency,
      downloadThroughput: profile.down,
      uploadThroughput: profile.up,
    });
    const response = await page.goto(`${base}${PAGES[which].path}`, { waitUntil: "commit", timeout: TIMEOUT_MS });
    if (!response.ok()) throw new Error(`${which}: ${PAGES[which].path} answered ${response.status()}`);
    const ms = await untilVisible(page, PAGES[which].heading);
    try {
      checkProblems(watcher.problems);
    } catch (error) {
      throw new Error(`${which}: ${error.message}`);
    }
    return { ms, bytes, requests };
  } finally {
    await context.close();
  }
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const ms = (value) => `${Math.round(value).toLocaleString("en-US")} ms`;

async function main() {
  const proxy = await startProxy();
  const browser = await launchBrowser();
  const results = [];
  try {
    for (const profile of PROFILES) {
      // One load of each first, not counted: the proxy and the browser warm up their own code.
      await load(browser, proxy.url, "wizard", profile);
      await load(browser, proxy.url, "floor", profile);
      const runs = { wizard: [], floor: [] };
      // Interleaved, so a slow moment of the machine falls on both pages alike.
      for (let i = 0; i < RUNS; i++) {
        for (const which of ["wizard", "floor"]) runs[which].push(await load(browser, proxy.url, which, profile));
      }
      const wizard = median(runs.wizard.map((r) => r.ms));
      const floor = median(runs.floor.map((r) => r.ms));
      results.push({ profile, runs, wizard, floor, ratio: wizard / floor });
      console.log(`${profile.name}: wizard ${ms(wizard)}, floor ${ms(floor)}, wizard/floor ${(wizard / floor).toFixed(2)}`);
    }
    const version = browser.version();
    const slow = results.find((r) => r.profile.name === "Slow 4G");
    const lines = [
      "# First step on a slow network",
      "",
      `Written by \`node tests/bench/first-step.mjs\` (\`cargo xtask bench\`), ${new Date().toISOString().slice(0, 16).replace("T", " ")} UTC,`,
      `headless Chromium ${version}. Each figure is the median of ${RUNS} cold loads: a fresh browser context (a new`,
      "onboarding session, nothing cached), the cache disabled, the network throttled by DevTools",
      "(`Network.emulateNetworkConditions`: the latency is added to every request). The time is from",
      "navigation start until the heading is visible (polled every frame).",
      "",
      "- **wizard**: the demo vendor page `/`, until the wizard's first step heading shows.",
      "- **floor**: `/bench/floor` on the same proxy: an inline script in its first bytes fetches the",
      "  same five files (the loader, the glue, the wasm, the stylesheet, the English strings) in",
      "  parallel with the same encodings, reads them to the end, then shows a heading. No page",
      "  that shows the wizard can be faster on this network.",
      "",
      "| profile | wizard | floor | wizard / floor |",
      "|---|---|---|---|",
      ...results.map((r) => `| ${r.profile.name} (${r.profile.about}) | ${ms(r.wizard)} | ${ms(r.floor)} | ${r.ratio.toFixed(2)} |`),
      "",
      `Goal: wizard ≤ ${GOAL} × floor on Slow 4G — ${slow.ratio <= GOAL ? "met" : "not met"} (${slow.ratio.toFixed(2)}).`,
      "",
      "Every run (ms), and what a load moved (bytes as encoded on the wire, requests):",
      "",
      "| profile | page | runs | bytes | requests |",
      "|---|---|---|---|---|",
      ...results.flatMap((r) =>
        ["wizard", "floor"].map((which) =>
          `| ${r.profile.name} | ${which} | ${r.runs[which].map((x) => Math.round(x.ms)).join(", ")} | ${median(r.runs[which].map((x) => x.bytes)).toLocaleString("en-US")} | ${median(r.runs[which].map((x) => x.requests))} |`)),
      "",
    ];
    writeFileSync(REPORT, lines.join("\n"));
    console.log(`written to ${REPORT}`);
  } finally {
    await browser.close();
    await proxy.stop();
  }
}

main().catch((error) => {
  console.error(`first-step benchmark failed: ${error.stack ?? error}`);
  process.exit(1);
});
