// The TypeScript definitions that ship with the assets compile under --strict against a
// vendor's typical use (tests/types/usage.ts), and still reject what they should.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { test } from "node:test";

test("sis-onboard.d.ts type-checks a vendor's code under --strict", () => {
  const tsc = spawnSync(
    "node_modules/.bin/tsc",
    ["--noEmit", "--strict", "--target", "es2022", "--module", "es2022", "--moduleResolution", "bundler",
      "--lib", "es2022,dom", "tests/types/usage.ts"],
    { encoding: "utf8" },
  );
  assert.equal(tsc.status, 0, `tsc failed:\n${tsc.stdout}${tsc.stderr}`);
});
