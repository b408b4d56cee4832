// What a page did wrong: every console error, uncaught exception, CSP violation and crash
// of a browser context's pages, and the check that they are exactly those declared. Shared
// by the end-to-end tests (through harness.mjs, which checks after each test) and the
// browser benchmarks (tests/bench/): no test hooks here.
import assert from "node:assert/strict";

/** What a context's pages reported, and what its test declared it expects. */
class Watcher {
  constructor() {
    /** Every problem, as text: `console: …`, `uncaught: …`, `csp: …`, `crash: …`. */
    this.problems = [];
    /** `{ pattern, min, max }`: the problems the test provokes on purpose. */
    this.expected = [];
  }

  /**
   * Declares problems the test provokes on purpose: each a RegExp (exactly once),
   * `{ pattern, count }` (exactly `count` times) or `{ pattern, min, max }` (where the
   * browser itself varies). Anything else still fails the test.
   */
  expect(...expectations) {
    this.expected.push(...expectations.map(expectation));
  }
}

/** An expectation in its one shape, `{ pattern, min, max }`. */
function expectation(e) {
  if (e instanceof RegExp) return { pattern: e, min: 1, max: 1 };
  const { pattern, count = 1, min = count, max = count } = e;
  return { pattern, min, max };
}

/**
 * Throws unless `problems` are exactly the `declared` ones: every problem matched by an
 * expectation, every expectation matched as many times as it says.
 */
export function checkProblems(problems, declared = []) {
  const expected = declared.map(expectation);
  const seen = expected.map(() => 0);
  const unexpected = [];
  for (const problem of problems) {
    const i = expected.findIndex((e, i) => seen[i] < e.max && e.pattern.test(problem));
    if (i < 0) unexpected.push(problem);
    else seen[i] += 1;
  }
  const times = (e) => (e.min === e.max ? `${e.min}×` : `${e.min} to ${e.max}×`);
  const missing = expected
    .map((e, i) => [e, seen[i]])
    .filter(([e, n]) => n < e.min)
    .map(([e, n]) => `${e.pattern} expected ${times(e)}, seen ${n}×`);
  if (unexpected.length || missing.length) {
    throw new assert.AssertionError({
      message: [
        unexpected.length ? `unexpected problems on the page:\n  ${unexpected.join("\n  ")}` : "",
        missing.length ? `declared problems that did not happen as declared:\n  ${missing.join("\n  ")}` : "",
        `(all problems: ${JSON.stringify(problems)})`,
      ].filter(Boolean).join("\n"),
    });
  }
}

const BINDING = "__sisOnboardReportProblem";
/** Every context watched so far, by context. */
const watchers = new WeakMap();
/** Makes every page of `context` report its problems; idempotent. Returns its watcher. */
export async function watchContext(context) {
  if (watchers.has(context)) return watchers.get(context);
  const watcher = new Watcher();
  watchers.set(context, watcher);
  const attach = (page) => {
    page.on("console", (message) => {
      if (message.type() !== "error") return;
      const { url, lineNumber } = message.location();
      watcher.problems.push(`console: ${message.text()}${url ? ` (${url}:${lineNumber})` : ""}`);
    });
    page.on("pageerror", (error) => watcher.problems.push(`uncaught: ${error.message}`));
    page.on("crash", () => watcher.problems.push("crash: the page crashed"));
  };
  context.pages().forEach(attach);
  context.on("page", attach);
  // Violations inside the wizard's shadow roots are composed events: they reach the document.
  await context.exposeBinding(BINDING, (_source, text) => watcher.problems.push(`csp: ${text}`));
  await context.addInitScript((binding) => {
    document.addEventListener("securitypolicyviolation", (event) => {
      window[binding](`${event.effectiveDirective} blocked ${event.blockedURI || "inline"} in ${event.sourceFile || event.documentURI}`);
    });
  }, BINDING);
  return watcher;
}

/** The watcher of `context` (a page's context), to declare expected problems later. */
export const watcherOf = (context) => watchers.get(context);
