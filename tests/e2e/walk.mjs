// How the end-to-end tests and the screenshots move through the wizard on the demo page.

/** The element with test id `testId` inside the page's <sis-onboard>. */
export const $ = (page, testId) => page.locator(`sis-onboard [data-testid="${testId}"]`);

/** From Start to the strategy step: the role confirmed, `source` and `region` chosen. */
export async function walkToStrategy(page, { source = "infinite_campus", region = "us" } = {}) {
  await $(page, "confirm-admin").check();
  await $(page, "continue").click();
  await $(page, "step-source").waitFor();
  await $(page, `choice-${source}`).check();
  await $(page, "continue").click();
  await $(page, "step-region").waitFor();
  await $(page, `choice-${region}`).check();
  await $(page, "continue").click();
  await $(page, "step-strategy").waitFor();
}
