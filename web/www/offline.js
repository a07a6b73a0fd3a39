// Offline checks: certificates (and their key), SDP and H.264/H.265 parameter sets, pasted, dropped or chosen
// as files, analysed by the wasm engine on this page. No network at all: no fetch, no socket.
//
// Owns the ids #offline-input (textarea), #offline-files (file input), #offline-file-list, #offline-clear,
// #drop-zone, #offline-kind (auto | certificate | sdp | params), #offline-host, #offline-ca, #offline-ca-file,
// #offline-passphrase, #offline-at (datetime-local, UTC; empty = now), #offline-codec, #analyze (enabled by
// app.js once the engine is loaded), #offline-timing, #offline-error, #result (<rtspeek-report>) and
// #inspect-result (parameter set table; carries data-codec-string when an SPS was read).

import { $, row, setError, show, td } from "./dom.js";
import { engine } from "./engine.js";

/** Text of bytes if they are UTF-8 text (no NUL), else null. */
function asText(bytes) {
  if (bytes.includes(0)) return null;
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    return null;
  }
}

const PEM_BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----[\s\S]*?-----END \1-----/g;

/**
 * What a pasted text is: { certificates: string (PEM blocks), keys: string (key PEM blocks), sdp: bool,
 * params: bool }. PEM keys are split out so that a pasted "cert + key" bundle checks the pair.
 */
export function classifyText(text) {
  const out = { certificates: "", keys: "", sdp: false, params: false };
  if (text.includes("-----BEGIN ")) {
    const certs = [];
    const keys = [];
    for (const m of text.matchAll(PEM_BLOCK)) {
      (/PRIVATE KEY/.test(m[1]) ? keys : certs).push(m[0]);
    }
    if (keys.length === 0) {
      // Everything to the certificate analysis, whose errors name the block and byte offset of a damaged one.
      out.certificates = text;
    } else {
      out.certificates = certs.join("\n");
      out.keys = keys.join("\n");
    }
    return out;
  }
  const t = text.trim();
  // A description has `v=0` or `m=` lines; a lone `a=fmtp:` line (sprop parameters) is for the codec check.
  if (/^v=0\s*$/m.test(t) || /^m=\S/m.test(t)) out.sdp = true;
  else if (t.length > 0) out.params = true;
  return out;
}

// ------------------------------------------------------------------------------------------- inputs ---

/** Files loaded by drop or the file picker: { name, bytes: Uint8Array }. */
let offlineFiles = [];
let caFiles = [];

async function readFiles(fileList) {
  const out = [];
  for (const f of fileList) out.push({ name: f.name, bytes: new Uint8Array(await f.arrayBuffer()) });
  return out;
}

function renderFileList() {
  const list = $("offline-file-list");
  list.replaceChildren(...[...offlineFiles, ...caFiles.map((f) => ({ ...f, ca: true }))].map((f) => {
    const li = document.createElement("li");
    li.textContent = `${f.ca ? "CA: " : ""}${f.name} (${f.bytes.length} B)`;
    return li;
  }));
}

/** Sorts the loaded inputs into certificate files, key, SDP and parameter-set inputs. */
function gatherInputs() {
  const text = $("offline-input").value;
  const got = { certFiles: [], pem: "", key: null, sdp: null, params: null };
  if (text.trim()) {
    const c = classifyText(text);
    if (c.certificates.trim()) got.pem = c.certificates;
    if (c.keys) got.key = { name: "key", data: c.keys };
    if (c.sdp) got.sdp = { name: "pasted SDP", data: text };
    if (c.params) got.params = text.trim();
  }
  for (const f of offlineFiles) {
    const lower = f.name.toLowerCase();
    const t = asText(f.bytes);
    if (t !== null && t.includes("-----BEGIN ")) {
      const c = classifyText(t);
      if (c.certificates.trim()) got.certFiles.push({ name: f.name, data: c.certificates });
      if (c.keys) got.key = { name: f.name, data: c.keys };
    } else if (lower.endsWith(".sdp") || (t !== null && /^v=0/m.test(t))) {
      got.sdp = { name: f.name, data: t ?? f.bytes };
    } else if (/\.(h264|h265|264|265|hevc|avc|bin)$/.test(lower) || (f.bytes[0] === 0 && f.bytes[1] === 0)) {
      got.params = f.bytes;
    } else if (/\.(key)$/.test(lower)) {
      got.key = { name: f.name, data: f.bytes };
    } else if (t !== null && t.trim() && !/\.(der|cer|crt)$/.test(lower)) {
      got.params = t.trim();
    } else {
      got.certFiles.push({ name: f.name, data: f.bytes });
    }
  }
  return got;
}

function judgeTime() {
  const at = $("offline-at").value;
  if (!at) return Date.now();
  // datetime-local has no zone: the field is labelled UTC.
  const ms = Date.parse(`${at.length === 16 ? at + ":00" : at}Z`);
  if (Number.isNaN(ms)) throw new Error(`"Judge dates at": ${at} is not a date`);
  return ms;
}

function renderInspection(info) {
  const box = $("inspect-result");
  const h3 = document.createElement("h3");
  h3.textContent = `${info.codec === "h265" ? "H.265" : "H.264"} parameter sets (${info.input})`;
  const summary = document.createElement("table");
  const body = document.createElement("tbody");
  summary.append(body);
  if (info.sps) {
    const s = info.sps;
    body.append(row("profile", `${s.profile} (profile_idc ${s.profile_idc})`), row("level", `${s.level} (level_idc ${s.level_idc})`),
      row("picture", `${s.width}x${s.height}, ${s.chroma_format}, ${s.bit_depth_luma}-bit`),
      row("frame rate", s.frame_rate ? `${Math.round(s.frame_rate * 1000) / 1000} fps` : "(not in the SPS)"),
      row("codec string", s.codec_string));
  }
  if (info.profile_level_id) body.append(row("profile-level-id", info.profile_level_id));
  body.append(row("fmtp", info.fmtp));
  if (info.missing.length) body.append(row("missing", info.missing.join(", "), "bad"));
  for (const p of info.problems) body.append(row("problem", p, "bad"));
  if (info.ignored.length) body.append(row("other NAL units", info.ignored.join(", ")));
  const sets = document.createElement("table");
  const head = document.createElement("tr");
  for (const t of ["kind", "id", "bytes", "what it says", "where"]) {
    const th = document.createElement("th");
    th.textContent = t;
    head.append(th);
  }
  sets.append(head);
  for (const p of info.parameter_sets) {
    const tr = document.createElement("tr");
    tr.dataset.kind = p.kind;
    tr.append(td(p.kind), td(p.id ?? "?"), td(String(p.bytes)), td(p.error ?? p.summary ?? "", p.error ? "bad" : ""), td(p.origin));
    sets.append(tr);
  }
  box.replaceChildren(h3, summary, sets);
  box.dataset.codecString = info.codec_string ?? "";
}

/** Counts analyses: a certificate analysis is asynchronous (WebCrypto), so only the latest one may show. */
let analyses = 0;

/** Analyses what is loaded (kind from #offline-kind, or detected) and shows the report or the table. */
export async function analyzeOffline() {
  const run = ++analyses;
  // data-started/data-done on #result: whether the latest analysis has finished (tests wait on them).
  $("result").dataset.started = String(run);
  try {
    await analyzeLatest(run);
  } finally {
    if (run === analyses) $("result").dataset.done = String(run);
  }
}

async function analyzeLatest(run) {
  const error = $("offline-error");
  const result = $("result");
  const inspect = $("inspect-result");
  setError(error, "");
  if (!engine) return;
  const got = gatherInputs();
  let kind = $("offline-kind").value;
  if (kind === "auto") {
    kind = got.pem || got.certFiles.length ? "certificate" : got.sdp ? "sdp" : got.params !== null ? "params" : got.key ? "certificate" : null;
  }
  if (!kind) {
    result.report = null;
    show(result, true);
    show(inspect, false);
    $("offline-timing").textContent = "";
    return;
  }
  const t0 = performance.now();
  try {
    if (kind === "certificate") {
      const caText = $("offline-ca").value;
      const ca = [...(caText.trim() ? [{ name: "ca", data: caText }] : []), ...caFiles.map((f) => ({ name: f.name, data: f.bytes }))];
      const options = {
        pem: got.pem || undefined,
        files: got.certFiles,
        key: got.key?.data,
        keyName: got.key?.name,
        keyPassphrase: $("offline-passphrase").value || undefined,
        host: $("offline-host").value.trim() || undefined,
        ca: ca.length ? ca : undefined,
        now: judgeTime(),
      };
      if (!options.pem && !options.files.length) throw new Error("a private key alone: add its certificate to check the pair");
      const report = await engine.analyzeCertificate(options);
      if (run !== analyses) return; // a newer analysis started meanwhile
      result.report = report;
      show(result, true);
      show(inspect, false);
    } else if (kind === "sdp") {
      const src = got.sdp ?? { name: "pasted SDP", data: $("offline-input").value };
      result.report = engine.analyzeSdp(src.data, src.name);
      show(result, true);
      show(inspect, false);
    } else {
      const input = got.params ?? $("offline-input").value;
      const info = engine.inspectParameterSets(input, $("offline-codec").value || undefined);
      renderInspection(info);
      show(result, false);
      show(inspect, true);
    }
    $("offline-timing").textContent = `analysed here in ${(performance.now() - t0).toFixed(1)} ms`;
  } catch (e) {
    if (run !== analyses) return;
    setError(error, e.message || String(e));
    result.report = null;
    show(inspect, false);
    $("offline-timing").textContent = "";
  }
}

let debounce = 0;
function analyzeSoon() {
  clearTimeout(debounce);
  debounce = setTimeout(analyzeOffline, 200);
}

/** Wires the offline form, the file inputs and the drop zone. */
export function setupOffline() {
  $("analyze").addEventListener("click", analyzeOffline);
  for (const id of ["offline-input", "offline-host", "offline-ca", "offline-passphrase"]) $(id).addEventListener("input", analyzeSoon);
  for (const id of ["offline-kind", "offline-at", "offline-codec"]) $(id).addEventListener("change", analyzeOffline);
  $("offline-files").addEventListener("change", async (e) => {
    offlineFiles = offlineFiles.concat(await readFiles(e.target.files));
    e.target.value = "";
    renderFileList();
    analyzeOffline();
  });
  $("offline-ca-file").addEventListener("change", async (e) => {
    caFiles = caFiles.concat(await readFiles(e.target.files));
    e.target.value = "";
    renderFileList();
    analyzeOffline();
  });
  $("offline-clear").addEventListener("click", () => {
    offlineFiles = [];
    caFiles = [];
    $("offline-input").value = "";
    renderFileList();
    analyzeOffline();
  });
  const zone = $("drop-zone");
  zone.addEventListener("dragover", (e) => {
    e.preventDefault();
    zone.classList.add("over");
  });
  zone.addEventListener("dragleave", () => zone.classList.remove("over"));
  zone.addEventListener("drop", async (e) => {
    e.preventDefault();
    zone.classList.remove("over");
    if (e.dataTransfer?.files?.length) {
      offlineFiles = offlineFiles.concat(await readFiles(e.dataTransfer.files));
      renderFileList();
      analyzeOffline();
    } else {
      const text = e.dataTransfer?.getData("text/plain");
      if (text) {
        $("offline-input").value = text;
        analyzeOffline();
      }
    }
  });
  // A file dropped next to the zone would make the browser navigate away from the page: refuse it.
  window.addEventListener("dragover", (e) => e.preventDefault());
  window.addEventListener("drop", (e) => e.preventDefault());
}

