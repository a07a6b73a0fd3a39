// rtspeek page, the entry module: offline checks in WebAssembly (no network at all), and live probes through
// the local bridge (only when the URL has `#token=...`, as printed by `rtspeek bridge`; protocol:
// docs/bridge-protocol.md). It wires the modules, each of which owns its part of the page:
//
//   dom.js        DOM helpers
//   engine.js     the wasm API (the one import of pkg/rtspeek_web.js), loaded here
//   offline.js    offline checks: certificate, key, SDP, parameter sets from text or files (#offline-*, #result)
//   live.js       live probes: the bridge WebSocket, the token, events, the running report (#live-*)
//   server.js     the Server view of `rtspeek serve`'s admin endpoint (#server, #server-*, #apply-*)
//   preview.js    the video preview with WebCodecs (#preview, #frames-decoded, #preview-status)
//   chart.js      loss, jitter and bitrate over time (#chart)
//   rtspeek-report.js  the <rtspeek-report> element (also shipped alone in the npm package)
//
// Stable element ids (tests and docs rely on them): those the modules above list, and here #mode-offline,
// #mode-live, #mode-server, #offline, #live, #server, #engine-status (data-ready="true" once the wasm is loaded), #version, #schema.
//
// Privacy: offline mode never calls fetch or opens a socket; the only requests are the page's own files
// (HTML, CSS, these modules, the wasm, the icon). The WebSocket to the bridge is opened only when a live probe
// starts; the Server view talks only to the admin endpoint that served the page, and only when opened as such.
//
// Exports (for tests, no globals): parseMediaFrame, classifyText.

import { $, setError, show } from "./dom.js";
import { loadEngine } from "./engine.js";
import { setupLive } from "./live.js";
import { analyzeOffline, setupOffline } from "./offline.js";
import { serverRequested, setupServer } from "./server.js";
import { RtspeekReport } from "./rtspeek-report.js";

export { parseMediaFrame } from "./live.js";
export { classifyText } from "./offline.js";

const MODES = ["offline", "live", "server"];

function setMode(mode) {
  for (const m of MODES) {
    $(`mode-${m}`).setAttribute("aria-pressed", String(mode === m));
    show($(m), mode === m);
  }
}

async function main() {
  setupOffline();
  const token = new URLSearchParams(location.hash.slice(1)).get("token");
  if (token) {
    setupLive(token);
    show($("mode-live"), true);
    $("mode-live").addEventListener("click", () => setMode("live"));
    setMode("live");
  }
  if (serverRequested()) {
    setupServer(() => setMode("server"));
    setMode("server");
  }
  $("mode-offline").addEventListener("click", () => setMode("offline"));

  const status = $("engine-status");
  try {
    const engine = await loadEngine();
    // The reports' layer titles are core's layer list with the wasm's titles (rtspeek-report.js explains
    // what it does without them).
    RtspeekReport.layers = engine.layers();
    const v = engine.version();
    $("version").textContent = v.rtspeek;
    $("schema").textContent = String(v.schema_version);
    status.textContent = "analyser ready (WebAssembly, runs locally)";
    status.dataset.ready = "true";
    $("analyze").disabled = false;
    if ($("offline-input").value.trim()) analyzeOffline();
  } catch (e) {
    status.textContent = "the analyser could not load";
    setError($("offline-error"), `cannot load the WebAssembly analyser: ${e.message}`);
  }
}

main();
