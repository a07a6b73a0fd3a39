// The Server view for real: `rtspeek serve` with its admin endpoint (HTTPS, the global pair) in its own
// process, ffmpeg playing one of its streams, and Debian's headless chromium driven by playwright-core. Run by
// `cargo xtask test` (step "browser tests") after live.mjs; by hand: `cargo build -p rtspeek && node
// web/tests/server.mjs`.
//
//  - the view lists the streams with their URLs, each pair's facts and client verdicts, and the connections
//    with the certificate each was handshaken with;
//  - a mismatched pair is refused in the page before anything is sent, and by the server when forced through
//    the API;
//  - a new per-stream pair applied from the page is what `openssl s_client` sees next, while the ffmpeg
//    session started before keeps playing (and keeps its certificate); rollback serves the previous pair again;
//  - the page makes no request to any other origin.
// The browser trusts exactly the server's key (--ignore-certificate-errors-spki-list), as a user accepting
// that one certificate would. Screenshots go to target/test-output/browser/.

import { execFileSync, spawn } from "node:child_process";
import { X509Certificate, createHash } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { assert, environment, fail, finish, test } from "./runner.mjs";

const { chromiumPath, output, rtspeekBin, chromium } = environment({ needsBinary: true });
// Nothing here may outlive a hung browser, server or player.
setTimeout(() => fail("server view browser tests did not finish within 180 s"), 180_000).unref();

// ------------------------------------------------------------------------- PKI, server and player ---

const dir = mkdtempSync(join(tmpdir(), "rtspeek-server-view-"));
const children = [];
process.on("exit", () => {
  for (const child of children) if (child.exitCode === null) child.kill("SIGKILL");
  rmSync(dir, { recursive: true, force: true });
});

const rtspeek = (...args) => execFileSync(rtspeekBin, args, { cwd: dir, stdio: ["ignore", "pipe", "pipe"] });
rtspeek("cert", "new", "--out", "global", "--name", "localhost", "--name", "127.0.0.1");
for (const out of ["cam1", "cam1-new"]) {
  rtspeek("cert", "new", "--out", out, "--name", "cam1.test", "--name", "127.0.0.1",
    "--ca-cert", "global/ca.pem", "--ca-key", "global/ca.key");
}
writeFileSync(join(dir, "serve.toml"), `
[tls]
cert = "global/server.pem"
key = "global/server.key"

[[listener]]
bind = "127.0.0.1:0"

[[listener]]
bind = "127.0.0.1:0"
tls = false

[[stream]]
path = "cam1"
source = { kind = "synthetic", width = 320, height = 180, fps = 25, gop = 25, bitrate_kbps = 500 }
listener = "127.0.0.1:0"
tls = { cert = "cam1/server.pem", key = "cam1/server.key" }

[[stream]]
path = "lobby"
encryption = "strict"
srtp = "mikey"
source = { kind = "synthetic", width = 320, height = 180, fps = 10, gop = 20, bitrate_kbps = 200 }

[admin]
listen = "127.0.0.1:0"
`);

const serve = spawn(rtspeekBin, ["serve", "serve.toml"], { cwd: dir, stdio: ["ignore", "pipe", "pipe"] });
children.push(serve);
let stdout = "";
let stderr = "";
serve.stderr.on("data", (d) => (stderr += d));
try {
  await new Promise((ok, ko) => {
    serve.stdout.on("data", (d) => {
      stdout += d;
      if (/^rtspeek serve: ready/m.test(stdout)) ok();
    });
    serve.on("exit", (code) => ko(new Error(`rtspeek serve exited (${code}):\n${stdout}\n${stderr}`)));
    setTimeout(() => ko(new Error(`rtspeek serve was not ready in 60 s:\n${stdout}\n${stderr}`)), 60_000);
  });
} catch (e) {
  fail(e.message);
}
const adminUrl = stdout.match(/^admin: (https:\/\/\S+)/m)[1];
const adminOrigin = new URL(adminUrl).origin;
const cam1Url = stdout.match(/^(rtsps:\/\/\S+\/cam1)$/m)[1];
const cam1Authority = new URL(cam1Url.replace("rtsps:", "https:")).host;
const token = readFileSync(join(dir, "admin.token"), "utf8").trim();
assert(!stdout.includes(token) && !stderr.includes(token), "the admin token is never printed");
const pem = (path) => readFileSync(join(dir, path), "utf8");
const fingerprint = (certPem) => new X509Certificate(certPem).fingerprint256;
const oldFingerprint = fingerprint(pem("cam1/server.pem"));
const newFingerprint = fingerprint(pem("cam1-new/server.pem"));

/** The leaf `openssl s_client -servername cam1.test` is shown by cam1's own listener, as a fingerprint. */
function served() {
  const text = execFileSync("openssl", ["s_client", "-connect", cam1Authority, "-servername", "cam1.test",
    "-CAfile", join(dir, "global/ca.pem"), "-verify_return_error"], { input: "", stdio: ["pipe", "pipe", "pipe"], timeout: 10_000 }).toString();
  assert(text.includes("Verify return code: 0 (ok)"), `s_client verifies: ${text}`);
  return fingerprint(text.slice(text.indexOf("-----BEGIN CERTIFICATE-----"), text.indexOf("-----END CERTIFICATE-----") + 25));
}

// ffmpeg plays cam1 for 12 s from before the change to after it.
const player = spawn("ffmpeg", ["-nostdin", "-hide_banner", "-rtsp_transport", "tcp", "-i", cam1Url, "-t", "12",
  "-f", "null", "-"], { stdio: ["ignore", "ignore", "pipe"] });
children.push(player);
let playerLog = "";
player.stderr.on("data", (d) => (playerLog += d));
const playerDone = new Promise((ok) => player.on("exit", (code) => ok(code)));

// ----------------------------------------------------------------------------------------- the page ---

const spki = createHash("sha256")
  .update(new X509Certificate(pem("global/server.pem")).publicKey.export({ type: "spki", format: "der" }))
  .digest("base64");
const browser = await chromium.launch({
  executablePath: chromiumPath,
  headless: true,
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    `--ignore-certificate-errors-spki-list=${spki}`],
});
const page = await browser.newPage({ viewport: { width: 1280, height: 1400 } });
const foreign = [];
page.on("request", (r) => {
  if (!r.url().startsWith(`${adminOrigin}/`)) foreign.push(r.url());
});
await page.goto(`${adminUrl}&admin=${token}`);
await page.waitForSelector("#engine-status[data-ready=true]");

await test("server view: streams, pairs with their facts and verdicts, and the playing session", async () => {
  await page.waitForSelector('#server-pairs .pair[data-pair="stream/cam1"]');
  await page.waitForFunction(() => [...document.querySelectorAll("#server-sessions tr")].some((tr) => tr.textContent.includes("cam1")), null, { timeout: 20_000 });
  const shown = await page.evaluate(() => ({
    hash: location.hash,
    streams: [...document.querySelectorAll("#server-streams tr")].map((tr) => tr.textContent),
    pair: document.querySelector('.pair[data-pair="stream/cam1"]').textContent,
    sessions: [...document.querySelectorAll("#server-sessions tr")].map((tr) => tr.textContent),
    warning: !document.querySelector("#server-rtsps-warning").hidden,
  }));
  await page.screenshot({ path: join(output, "server-view.png"), fullPage: true });
  assert(shown.hash === "#server", `the token left the address bar: ${shown.hash}`);
  const lobby = shown.streams.find((s) => s.startsWith("lobby")) ?? "";
  assert(lobby.includes("strict") && lobby.includes("rtsps://") && !lobby.includes("rtsp://127"), `lobby is RTSPS only: ${lobby}`);
  assert(lobby.includes("MIKEY, AES_CM_128_HMAC_SHA1_80"), `lobby's SRTP is shown: ${lobby}`);
  const cam1 = shown.streams.find((s) => s.startsWith("cam1")) ?? "";
  assert(cam1.includes("off"), `cam1 has no SRTP: ${cam1}`);
  assert(shown.warning, "the RTSPS compatibility warning is shown");
  assert(shown.pair.includes(oldFingerprint) && /expires in \d+ d/.test(shown.pair) && shown.pair.includes("cam1.test"), `pair facts: ${shown.pair}`);
  assert(/clients with this certificate: works \d+ · risky \d+ · fails \d+/.test(shown.pair), `client summary: ${shown.pair}`);
  assert(shown.sessions.some((s) => s.includes("stream/cam1") && s.includes(oldFingerprint.slice(0, 23))), `session with its certificate: ${shown.sessions}`);
});

await test("server view: a mismatched pair is refused in the page, and by the server when forced", async () => {
  await page.selectOption("#apply-pair", "stream/cam1");
  await page.setInputFiles("#apply-cert", join(dir, "cam1-new/server.pem"));
  await page.setInputFiles("#apply-key", join(dir, "cam1/server.key"));
  await page.waitForSelector("#apply-check[data-state=refused]");
  const text = await page.textContent("#apply-check");
  await page.screenshot({ path: join(output, "server-refused-in-page.png"), fullPage: true });
  assert(text.includes("cert.key_mismatch") && await page.isDisabled("#apply-submit"), `refused before upload: ${text}`);
  const forced = await page.evaluate(async ([token, cert, key]) => {
    const r = await fetch("/api/apply", { method: "POST", headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json" }, body: JSON.stringify({ pair: "stream/cam1", cert, key }) });
    return { status: r.status, body: await r.json() };
  }, [token, pem("cam1-new/server.pem"), pem("cam1/server.key")]);
  assert(forced.status === 422 && JSON.stringify(forced.body.reasons).includes("cert.key_mismatch"), `forced: ${JSON.stringify(forced)}`);
  assert(served() === oldFingerprint, "the pair in service stays");
});

await test("server view: a new pair applied from the page is served next while ffmpeg keeps playing", async () => {
  await page.setInputFiles("#apply-key", join(dir, "cam1-new/server.key"));
  await page.waitForSelector("#apply-check[data-state=ok]");
  await page.click("#apply-submit");
  await page.waitForSelector("#apply-result[data-state=applied]");
  assert(served() === newFingerprint, "s_client sees the new certificate");
  assert(player.exitCode === null, `ffmpeg still plays: ${playerLog.slice(-400)}`);
  await page.waitForFunction((fp) => document.querySelector('.pair[data-pair="stream/cam1"]').textContent.includes(fp), newFingerprint);
  await page.waitForFunction(() => document.querySelector("#server-sessions").textContent.includes("the previous pair: kept until it closes"));
  await page.screenshot({ path: join(output, "server-applied.png"), fullPage: true });
  const code = await playerDone;
  const frames = Math.max(0, ...[...playerLog.matchAll(/frame=\s*(\d+)/g)].map((m) => Number(m[1])));
  assert(code === 0 && frames >= 250, `ffmpeg played through the swap: exit ${code}, ${frames} frames: ${playerLog.slice(-600)}`);
  console.log(`server view: ffmpeg decoded ${frames} frames across the swap`);
});

await test("server view: rollback from the page serves the previous pair again", async () => {
  await page.click('.pair[data-pair="stream/cam1"] .rollback');
  await page.waitForFunction(() => (document.querySelector("#apply-result").textContent || "").includes("rolled stream/cam1 back"));
  assert(served() === oldFingerprint, "s_client sees the previous certificate again");
  await page.screenshot({ path: join(output, "server-rolled-back.png"), fullPage: true });
  assert(foreign.length === 0, `no request to another origin: ${foreign}`);
});

await browser.close();
finish();
