// The tiny test runner of the browser tests: named tests, assertions, a libtest-style summary line that
// xtask counts, and the environment every browser test reads (where chromium, playwright-core, the rtspeek
// binary and the output directory are).

import { createRequire } from "node:module";
import { existsSync, mkdirSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

/** The repository's root. */
export const root = resolve(dirname(fileURLToPath(import.meta.url)), "../..");

/** Prints `message` and exits 1: the environment is not what the tests need. */
export function fail(message) {
  console.error(`error: ${message}`);
  process.exit(1);
}

/** The paths the tests use (overridable by xtask's environment) and playwright's chromium, checked to exist;
 * `needsBinary`: the rtspeek binary must be built too. Makes the output directory. */
export function environment({ needsBinary }) {
  const tools = process.env.RTSPEEK_NPM_TOOLS || join(root, "target/npm-tools");
  const chromiumPath = process.env.RTSPEEK_CHROMIUM || "/usr/bin/chromium";
  const output = process.env.RTSPEEK_TEST_OUTPUT || join(root, "target/test-output/browser");
  const rtspeekBin = process.env.RTSPEEK_BIN || join(root, "target/debug/rtspeek");
  if (!existsSync(chromiumPath)) fail(`${chromiumPath} is missing: run \`cargo xtask test\`, which installs Debian's chromium`);
  if (needsBinary && !existsSync(rtspeekBin)) fail(`${rtspeekBin} is missing: build it with \`cargo build -p rtspeek\``);
  let chromium;
  try {
    ({ chromium } = createRequire(join(tools, "package.json"))("playwright-core"));
  } catch (e) {
    fail(`playwright-core is not installed in ${tools}: run \`cargo xtask test\` (${e.message})`);
  }
  mkdirSync(output, { recursive: true });
  return { tools, chromiumPath, output, rtspeekBin, chromium };
}

const results = [];

/** Runs one named test; a throw fails it (with its stack) without stopping the others. */
export async function test(name, body) {
  const t0 = Date.now();
  try {
    await body();
    results.push({ name, ok: true });
    console.log(`test ${name} ... ok (${Date.now() - t0} ms)`);
  } catch (e) {
    results.push({ name, ok: false });
    console.log(`test ${name} ... FAILED\n${e.stack || e}`);
  }
}

/** Throws with `message` unless `condition` holds. */
export function assert(condition, message) {
  if (!condition) throw new Error(`assertion failed: ${message}`);
}

/** Prints the `test result:` line and exits 0 when every test passed, 1 otherwise. */
export function finish() {
  const passed = results.filter((r) => r.ok).length;
  const failed = results.length - passed;
  console.log(`\ntest result: ${failed ? "FAILED" : "ok"}. ${passed} passed; ${failed} failed; 0 ignored; 0 measured; 0 filtered out`);
  process.exit(failed ? 1 : 0);
}
