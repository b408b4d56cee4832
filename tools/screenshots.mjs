// `cargo xtask screenshots`: pictures of the wizard for the README, made from the real demo
// (the proxy binary, the built wizard, the sandbox district) in headless Debian Chromium.
// Writes small PNGs of the <sis-onboard> element into docs/screenshots/.
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { launchBrowser, startProxy } from "../tests/e2e/launch.mjs";
import { $, walkToStrategy } from "../tests/e2e/walk.mjs";

const out = join(process.cwd(), "docs", "screenshots");
mkdirSync(out, { recursive: true });

const proxy = await startProxy();
const browser = await launchBrowser();
const sandbox = `${proxy.url}/sandbox/campus`;

/** A fresh demo page (its own session) in `colorScheme`, the wizard's first step shown. */
async function open(colorScheme = "light") {
  const context = await browser.newContext({ viewport: { width: 760, height: 900 }, colorScheme, deviceScaleFactor: 1 });
  const page = await context.newPage();
  await page.goto(`${proxy.url}/`);
  await $(page, "step-title").waitFor({ timeout: 20_000 });
  return page;
}

/** The wizard's element, 900 pixels of it at most (the README wants small files): its top,
 * or with `bottom` its end, where a validation's report is. */
async function shoot(page, name, { bottom = false } = {}) {
  const box = await page.locator("sis-onboard").evaluate((el) => {
    const r = el.getBoundingClientRect();
    return { x: r.x + window.scrollX, y: r.y + window.scrollY, width: r.width, height: r.height };
  });
  const height = Math.min(box.height, 900);
  const y = bottom ? box.y + box.height - height : box.y;
  const clip = { x: box.x, y, width: box.width, height };
  await page.screenshot({ path: join(out, `${name}.png`), clip, fullPage: true, animations: "disabled" });
  console.log(`wrote docs/screenshots/${name}.png`);
}

async function credentials(page, secret) {
  await $(page, "base-url").fill(`${sandbox}/api/ims/oneroster/rostering/v1p2`);
  await $(page, "token-url").fill(`${sandbox}/oauth2/token?appName=sandbox`);
  await $(page, "client-id").fill("sandbox-client-id");
  await $(page, "client-secret").fill(secret);
  await $(page, "validate").click();
  await $(page, "report").waitFor({ timeout: 20_000 });
}

try {
  let page = await open();
  await shoot(page, "1-start");

  await walkToStrategy(page);
  await $(page, "choice-oneroster_api").check();
  await $(page, "continue").click();
  await $(page, "step-generate-connection").waitFor();
  await $(page, "continue").click();
  await $(page, "step-credentials").waitFor();
  await credentials(page, "sandbox-client-secret");
  await $(page, "continue").waitFor();
  await shoot(page, "2-credentials-passed", { bottom: true });

  await credentials(page, "not-the-secret");
  await page.locator("sis-onboard [aria-invalid=true]").first().waitFor();
  await shoot(page, "3-failure-at-its-field", { bottom: true });
  await page.context().close();

  page = await open();
  await walkToStrategy(page);
  await $(page, "choice-custom_data_extract").check();
  await $(page, "continue").click();
  await $(page, "step-data-extract").waitFor();
  await shoot(page, "4-custom-data-extract");
  await page.context().close();

  page = await open("dark");
  await walkToStrategy(page);
  await shoot(page, "5-dark-theme");
  await page.context().close();

  // Any other OneRoster 1.2 provider: what to ask it for, instead of Infinite Campus menus.
  page = await open();
  await walkToStrategy(page, { source: "oneroster_generic" });
  await $(page, "continue").click();
  await $(page, "step-generate-connection").waitFor();
  await shoot(page, "6-oneroster-provider-guide");
  await page.context().close();
} finally {
  await browser.close();
  await proxy.stop();
}
