// The live page for real: `rtspeek demo` (the RTSPS server with its synthetic camera, and the bridge that
// serves this page) in its own process, Debian's headless chromium driven by playwright-core. Run by
// `cargo xtask test` (step "browser tests") after offline.mjs; by hand: `cargo build -p rtspeek &&
// node web/tests/live.mjs`.
//
//  - a probe of the synthetic camera with the demo CA: a healthy chain, and at least 25 frames decoded by
//    WebCodecs into a canvas that is not blank;
//  - a probe of the same endpoint without the CA: the certificate layer is the first broken one;
//  - a probe with "Packet capture" ticked: the page offers the bridge's pcapng as a download.
// Screenshots go to target/test-output/browser/. Ends with a libtest-style `test result:` line.

import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { assert, environment, fail, finish, test } from "./runner.mjs";

const { chromiumPath, output, rtspeekBin, chromium } = environment({ needsBinary: true });

// ------------------------------------------------------------------------------------ the demo process ---

const data = mkdtempSync(join(tmpdir(), "rtspeek-live-"));
const demo = spawn(rtspeekBin, ["demo", "--color", "never", "--rtsps-port", "0", "--rtsp-port", "0", "--bridge-port", "0", "--admin-port", "0", "--onvif-port", "0", "--data-dir", data], {
  stdio: ["ignore", "pipe", "pipe"],
});
const killDemo = () => {
  if (demo.exitCode === null) demo.kill("SIGKILL");
  rmSync(data, { recursive: true, force: true });
};
process.on("exit", killDemo);
// Nothing here may outlive a hung browser or server.
setTimeout(() => fail("live browser tests did not finish within 180 s"), 180_000).unref();

let stdout = "";
let stderr = "";
demo.stderr.on("data", (d) => (stderr += d));
const ready = new Promise((ok, ko) => {
  demo.stdout.on("data", (d) => {
    stdout += d;
    if (/^Web page.*\n\s*http:\/\/\S+/m.test(stdout)) ok();
  });
  demo.on("exit", (code) => ko(new Error(`rtspeek demo exited (${code}) before printing its page URL:\n${stdout}\n${stderr}`)));
  setTimeout(() => ko(new Error(`rtspeek demo printed no page URL in 90 s:\n${stdout}\n${stderr}`)), 90_000);
});
try {
  await ready;
} catch (e) {
  fail(e.message);
}
const pageUrl = stdout.match(/^Web page.*\n\s*(http:\/\/\S+)/m)[1];
const [, cameraUrl, caPath] = stdout.match(/^\s*(rtsps:\/\/\S+)\s+\(TLS; CA: (\S+)\)/m);
const caPem = readFileSync(caPath, "utf8");

// ------------------------------------------------------------------------------------------ runner ---


const browser = await chromium.launch({
  executablePath: chromiumPath,
  headless: true,
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
});
const page = await browser.newPage({ viewport: { width: 1280, height: 1200 } });
await page.goto(pageUrl);
await page.waitForSelector("#engine-status[data-ready=true]");

/** Runs one live probe from the page and returns what it shows once the report is in. */
async function probe({ ca, duration, capture = false }) {
  await page.setChecked("#live-capture", capture);
  await page.fill("#live-url", cameraUrl);
  await page.fill("#live-ca", ca);
  await page.fill("#live-duration", String(duration));
  // A fast probe can go from running to done between two polls: wait for a new report object instead.
  await page.evaluate(() => (window.previousReport = document.querySelector("#live-report").report || null));
  await page.click("#live-start");
  await page.waitForFunction(() => {
    const el = document.querySelector("#live-report");
    return ["done", "error"].includes(el.dataset.state) && (el.report || null) !== window.previousReport;
  }, null, { timeout: 60_000 });
  return page.evaluate(() => {
    const report = document.querySelector("#live-report").report;
    const canvas = document.querySelector("#preview");
    // Luminance spread over a grid of the preview: a blank (single colour) canvas has none.
    let min = 255;
    let max = 0;
    if (canvas.width > 0 && canvas.height > 0) {
      const pixels = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height).data;
      for (let i = 0; i < pixels.length; i += 4 * 97) {
        const y = 0.299 * pixels[i] + 0.587 * pixels[i + 1] + 0.114 * pixels[i + 2];
        min = Math.min(min, y);
        max = Math.max(max, y);
      }
    }
    return {
      state: document.querySelector("#live-report").dataset.state,
      error: document.querySelector("#live-error").hidden ? "" : document.querySelector("#live-error").textContent,
      verdict: report && report.verdict,
      firstBroken: report && report.first_broken_layer,
      layers: report ? report.layers.map((l) => `${l.name}:${l.status}`) : [],
      frames: Number(document.querySelector("#frames-decoded").textContent),
      spread: max - min,
      size: [canvas.width, canvas.height],
    };
  });
}

await test("live page through the real bridge: rtspeek serve's camera is healthy and decodes into the canvas", async () => {
  const shown = await probe({ ca: caPem, duration: 3 });
  await page.screenshot({ path: join(output, "live-real-healthy.png"), fullPage: true });
  assert(shown.state === "done" && shown.error === "", `the probe finished: ${JSON.stringify(shown)}`);
  assert(shown.verdict === "healthy", `a healthy chain: ${JSON.stringify(shown)}`);
  assert(shown.frames >= 25, `at least 25 frames decoded: ${JSON.stringify(shown)}`);
  assert(shown.spread > 40, `the preview canvas is not blank: ${JSON.stringify(shown)}`);
  console.log(`live (real bridge): ${shown.frames} frames decoded into ${shown.size.join("x")}, luminance spread ${shown.spread.toFixed(0)}`);
});

await test("live page through the real bridge: without the CA the certificate is the first broken link", async () => {
  const shown = await probe({ ca: "", duration: 1 });
  await page.screenshot({ path: join(output, "live-real-untrusted.png"), fullPage: true });
  assert(shown.state === "done", `the probe finished: ${JSON.stringify(shown)}`);
  assert(shown.verdict === "broken" && shown.firstBroken === "certificate", `certificate first broken: ${JSON.stringify(shown)}`);
});

await test("live page through the real bridge: the packet capture is offered as a pcapng download", async () => {
  const shown = await probe({ ca: caPem, duration: 0, capture: true });
  assert(shown.state === "done", `the probe finished: ${JSON.stringify(shown)}`);
  const visible = await page.evaluate(() => !document.querySelector("#live-capture-link").hidden);
  assert(visible, "the download link shows");
  // As a user gets it: a click, and the browser's download.
  const [download] = await Promise.all([page.waitForEvent("download"), page.click("#live-capture-link")]);
  const bytes = readFileSync(await download.path());
  const link = { download: download.suggestedFilename(), size: bytes.length, magic: Array.from(bytes.subarray(0, 4)) };
  assert(/^rtspeek-probe-\d+\.pcapng$/.test(link.download), `a download name: ${JSON.stringify(link)}`);
  assert(link.size > 1000 && link.magic.join() === "10,13,13,10", `a pcapng file: ${JSON.stringify(link)}`);
  const report = await page.evaluate(() => document.querySelector("#live-report").report.facts.capture);
  assert(report && report.contains_secrets === true && report.bytes === link.size, `facts.capture: ${JSON.stringify(report)}`);
  // The next probe without a capture takes the link away.
  await probe({ ca: caPem, duration: 0 });
  const hidden = await page.evaluate(() => document.querySelector("#live-capture-link").hidden);
  assert(hidden, "no stale capture link after a probe without capture");
  console.log(`live (real bridge): capture ${link.size} bytes offered as ${link.download}`);
});

await browser.close();
killDemo();
finish();
