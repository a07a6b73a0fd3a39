// The tiny test runner of the browser tests: named tests, assertions, and a libtest-style summary line that
// xtask counts.

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
