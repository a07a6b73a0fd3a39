// rtspeek page: offline checks in WebAssembly (no network at all), and live probes through the local bridge
// (only when the URL has `#token=...`, as printed by `rtspeek bridge`; protocol: docs/bridge-protocol.md).
//
// Stable element ids (tests and docs rely on them):
//   offline:  #offline-input (textarea), #offline-files (file input), #drop-zone, #offline-kind (auto |
//             certificate | sdp | params), #offline-host, #offline-ca, #offline-ca-file, #offline-passphrase,
//             #offline-at (datetime-local, UTC; empty = now), #offline-codec, #analyze (button, enabled once
//             the analyser is loaded), #offline-timing, #offline-error, #result (<rtspeek-report>),
//             #inspect-result (parameter set table; carries data-codec-string when an SPS was read)
//   live:     #mode-live, #live-url, #live-user, #live-password, #live-ca, #live-ca-file, #live-insecure,
//             #live-transport, #live-duration, #live-preview, #live-tls-scan, #live-legacy-tls, #live-start, #live-stop, #live-status,
//             #live-error, #live-report (<rtspeek-report>, data-state="idle|running|done|error"), #preview
//             (canvas), #frames-decoded (count of decoded frames), #preview-status, #chart (canvas), #transcript
//   misc:     #engine-status (data-ready="true" once the wasm is loaded), #version, #schema
//
// Privacy: offline mode never calls fetch or opens a socket; the only requests are the page's own files
// (HTML, CSS, JS, the wasm, the icon). The WebSocket to the bridge is opened only when a live probe starts.
//
// Exports (for tests, no globals): parseMediaFrame, classifyText.

import init, * as rtspeek from "./pkg/rtspeek_web.js";
import "./rtspeek-report.js";

const $ = (id) => document.getElementById(id);
const LAYERS = ["tcp", "tls", "certificate", "rtsp", "auth", "sdp", "transport", "rtp", "rtcp", "codec"];

let engine = null; // the wasm API once loaded

// ---------------------------------------------------------------------------------------------- helpers --

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

function show(el, visible) { el.hidden = !visible; }

function setError(el, message) {
  el.textContent = message || "";
  show(el, Boolean(message));
}

function td(text, cls) {
  const c = document.createElement("td");
  c.textContent = text ?? "";
  if (cls) c.className = cls;
  return c;
}

function row(label, value, cls) {
  const tr = document.createElement("tr");
  const th = document.createElement("th");
  th.textContent = label;
  tr.append(th, td(value, cls));
  return tr;
}

// -------------------------------------------------------------------------------------------- offline ---

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

function analyzeOffline() {
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
      result.report = engine.analyzeCertificate(options);
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

function setupOffline() {
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

// ----------------------------------------------------------------------------------------------- live ---

/**
 * Parses a binary media frame of the bridge (docs/bridge-protocol.md): 17 + N header bytes, then the access
 * unit (Annex B). Throws on a malformed frame.
 */
export function parseMediaFrame(buffer) {
  const bytes = buffer instanceof Uint8Array ? buffer : new Uint8Array(buffer);
  if (bytes.length < 17) throw new Error(`media frame of ${bytes.length} bytes, shorter than its 17-byte header`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const version = view.getUint8(0);
  if (version !== 1) throw new Error(`media frame format ${version}, this page reads format 1`);
  const flags = view.getUint8(1);
  const n = view.getUint8(16);
  if (17 + n > bytes.length) throw new Error(`media frame: codec string of ${n} bytes runs past the end`);
  return {
    keyframe: (flags & 1) !== 0,
    damaged: (flags & 2) !== 0,
    track: view.getUint8(2),
    codec: view.getUint8(3) === 2 ? "h265" : view.getUint8(3) === 1 ? "h264" : "unknown",
    probeId: view.getUint32(4),
    timestampUs: Number(view.getBigUint64(8)),
    codecString: String.fromCharCode(...bytes.subarray(17, 17 + n)),
    data: bytes.subarray(17 + n),
  };
}

/** The finding shown when WebCodecs cannot decode the stream: core's wording, else the catalogue's, else ours. */
/** The report's `browser` client verdict replaced by what this browser measured: it cannot decode the stream. */
function withThisBrowser(clients, finding) {
  if (!Array.isArray(clients)) return clients;
  return clients.map((c) => c.id !== "browser" ? c : {
    ...c,
    verdict: "fails",
    measured: true,
    because: [...(c.because || []).filter((r) => r.code !== finding.code),
      { layer: "codec", code: finding.code, text: `This browser cannot decode it: ${finding.summary}` }],
  });
}

function browserUnsupportedFinding(codecString, why) {
  try {
    if (engine?.browserUnsupportedFinding) {
      const f = engine.browserUnsupportedFinding(codecString, navigator.userAgent);
      if (why) f.detail = why;
      return f;
    }
  } catch { /* fall through */ }
  let info = null;
  try { info = engine?.describeFinding("codec.browser_unsupported") ?? null; } catch { /* no engine */ }
  return {
    code: "codec.browser_unsupported",
    layer: "codec",
    severity: info?.severity ?? "warning",
    summary: `this browser cannot decode ${codecString} (WebCodecs VideoDecoder)`,
    detail: why || "",
    evidence: [{ label: "codec_string", value: codecString }, { label: "browser", value: navigator.userAgent }],
    remediation: info?.remediation ?? "Use a browser that decodes this codec (H.265 needs hardware decoding in most browsers), or have the camera send H.264 for browser viewing.",
  };
}

/** The video preview: WebCodecs VideoDecoder fed with Annex B access units, drawn into #preview. */
class Preview {
  constructor(onUnsupported) {
    this.canvas = $("preview");
    this.counter = $("frames-decoded");
    this.status = $("preview-status");
    this.onUnsupported = onUnsupported;
    this.reset();
  }

  reset() {
    if (this.decoder && this.decoder.state !== "closed") this.decoder.close();
    this.decoder = null;
    this.track = null;
    this.codecString = "";
    this.state = "idle"; // idle | checking | ready | unsupported
    this.needKey = true;
    this.queue = [];
    this.summary = "";
    this.decoded = 0;
    this.damaged = 0;
    this.dropped = 0;
    this.counter.textContent = "0";
    this.status.textContent = "no video yet";
  }

  push(frame) {
    if (this.track === null) this.track = frame.track;
    if (frame.track !== this.track) return;
    if (frame.damaged) this.damaged++;
    if (!frame.codecString) {
      this.status.textContent = "waiting for the codec (no SPS yet)";
      return;
    }
    if (frame.codecString !== this.codecString) {
      this.codecString = frame.codecString;
      this.queue = [];
      this.configure(frame.codecString);
    }
    if (this.state === "checking") {
      // isConfigSupported is asynchronous: keep the frames from the latest keyframe on, so the preview starts
      // with the first GOP instead of the next one (seconds away on many cameras).
      if (frame.keyframe) this.queue = [frame];
      else if (this.queue.length && this.queue.length < 300) this.queue.push(frame);
      return;
    }
    if (this.state !== "ready") return;
    if (this.needKey && !frame.keyframe) return;
    // Falling behind (a slow machine): drop until the next keyframe rather than pile up latency.
    if (this.decoder.decodeQueueSize > 30 && !frame.keyframe) {
      this.dropped++;
      this.needKey = true;
      return;
    }
    this.needKey = false;
    try {
      this.decoder.decode(new EncodedVideoChunk({
        type: frame.keyframe ? "key" : "delta",
        timestamp: frame.timestampUs,
        data: frame.data,
      }));
    } catch (e) {
      this.status.textContent = `decode error: ${e.message}`;
      this.needKey = true;
    }
  }

  async configure(codec) {
    this.state = "checking";
    this.needKey = true;
    this.status.textContent = `checking ${codec}…`;
    if (this.decoder && this.decoder.state !== "closed") this.decoder.close();
    this.decoder = null;
    if (typeof VideoDecoder !== "function") {
      this.unsupported(codec, "this browser has no WebCodecs VideoDecoder");
      return;
    }
    // Annex B: no `description` (avcC/hvcC), parameter sets come in band before keyframes.
    const config = { codec, optimizeForLatency: true };
    let support;
    try {
      support = await VideoDecoder.isConfigSupported(config);
    } catch (e) {
      support = { supported: false, why: e.message };
    }
    if (codec !== this.codecString) return; // changed while we asked
    if (!support.supported) {
      this.unsupported(codec, support.why || `VideoDecoder.isConfigSupported({codec: "${codec}"}) answered no`);
      return;
    }
    this.decoder = new VideoDecoder({
      output: (videoFrame) => this.draw(videoFrame),
      error: (e) => {
        this.status.textContent = `decoder error: ${e.message}; waiting for a keyframe`;
        this.state = "idle";
        this.codecString = ""; // the next frame reconfigures
      },
    });
    this.decoder.configure(config);
    this.state = "ready";
    this.status.textContent = `${codec}: waiting for a keyframe`;
    const queued = this.queue;
    this.queue = [];
    for (const frame of queued) this.push(frame);
  }

  unsupported(codec, why) {
    this.state = "unsupported";
    this.queue = [];
    this.status.textContent = `cannot preview ${codec}: ${why}`;
    this.onUnsupported(codec, why);
  }

  draw(videoFrame) {
    try {
      const w = videoFrame.displayWidth;
      const h = videoFrame.displayHeight;
      if (this.canvas.width !== w || this.canvas.height !== h) {
        this.canvas.width = w;
        this.canvas.height = h;
      }
      this.canvas.getContext("2d").drawImage(videoFrame, 0, 0, w, h);
    } finally {
      videoFrame.close();
    }
    this.decoded++;
    this.counter.textContent = String(this.decoded);
    this.status.textContent = `${this.codecString} ${this.canvas.width}x${this.canvas.height}` +
      (this.damaged ? `, ${this.damaged} damaged` : "") + (this.dropped ? `, ${this.dropped} dropped` : "") +
      (this.summary ? ` · ${this.summary}` : "");
  }

  bridgeSummary(msg) {
    const parts = [`bridge sent ${msg.frames_sent} frames`];
    if (msg.frames_dropped) parts.push(`${msg.frames_dropped} dropped because this page read too slowly`);
    if (msg.frames_before_keyframe) parts.push(`${msg.frames_before_keyframe} before the first keyframe`);
    this.summary = parts.join(", ");
    this.status.textContent = `${this.status.textContent} · ${this.summary}`;
  }

  async finish() {
    if (this.decoder && this.decoder.state === "configured") {
      try { await this.decoder.flush(); } catch { /* closed or reset */ }
    }
  }
}

/** Loss, jitter and bitrate over time, three stacked strips on one canvas. */
class Chart {
  constructor(canvas) {
    this.canvas = canvas;
    this.reset();
  }

  reset() {
    this.points = [];
    this.last = null;
    this.draw();
  }

  add(event) {
    const tracks = event.tracks || [];
    const sum = (k) => tracks.reduce((a, t) => a + (Number(t[k]) || 0), 0);
    const packets = sum("packets");
    const lost = sum("lost");
    const prev = this.last ?? { packets: 0, lost: 0 };
    const dp = Math.max(0, packets - prev.packets);
    const dl = Math.max(0, lost - prev.lost);
    this.last = { packets, lost };
    this.points.push({
      t: event.at_ms / 1000,
      loss: dp + dl > 0 ? (100 * dl) / (dp + dl) : 0,
      jitter: Math.max(0, ...tracks.map((t) => Number(t.jitter_ms) || 0)),
      kbps: sum("bitrate_bps") / 1000,
    });
    if (this.points.length > 240) this.points.shift();
    this.draw();
  }

  draw() {
    const c = this.canvas;
    const ctx = c.getContext("2d");
    const style = getComputedStyle(document.documentElement);
    const fg = style.getPropertyValue("--fg").trim() || "#1d2330";
    const muted = style.getPropertyValue("--muted").trim() || "#5b6578";
    ctx.clearRect(0, 0, c.width, c.height);
    const series = [
      { key: "loss", label: "loss %", color: "#c62828", min: 1 },
      { key: "jitter", label: "jitter ms", color: "#b35900", min: 5 },
      { key: "kbps", label: "kbit/s", color: "#3b6fd8", min: 10 },
    ];
    const strip = c.height / series.length;
    ctx.font = "11px system-ui, sans-serif";
    series.forEach((s, i) => {
      const top = i * strip + 14;
      const height = strip - 20;
      const values = this.points.map((p) => p[s.key]);
      const max = Math.max(s.min, ...values) * 1.1;
      ctx.fillStyle = muted;
      const latest = values.length ? values[values.length - 1] : null;
      ctx.fillText(`${s.label}${latest === null ? "" : ": " + latest.toFixed(s.key === "kbps" ? 0 : 2)}  (max ${Math.max(0, ...values).toFixed(1)})`, 4, top - 3);
      ctx.strokeStyle = muted;
      ctx.globalAlpha = 0.3;
      ctx.beginPath();
      ctx.moveTo(0, top + height);
      ctx.lineTo(c.width, top + height);
      ctx.stroke();
      ctx.globalAlpha = 1;
      if (values.length < 2) return;
      ctx.strokeStyle = s.color;
      ctx.lineWidth = 1.5;
      ctx.beginPath();
      values.forEach((v, j) => {
        const x = (j / (values.length - 1)) * (c.width - 8) + 4;
        const y = top + height - (v / max) * height;
        if (j === 0) ctx.moveTo(x, y);
        else ctx.lineTo(x, y);
      });
      ctx.stroke();
    });
    if (!this.points.length) {
      ctx.fillStyle = fg;
      ctx.globalAlpha = 0.5;
      ctx.fillText("media statistics appear here every 0.5 s after PLAY", 8, c.height - 8);
      ctx.globalAlpha = 1;
    }
  }
}

/** The live probe: one WebSocket to the bridge, one probe at a time from this page. */
class Live {
  constructor(token) {
    this.token = token;
    this.ws = null;
    this.nextId = 1;
    this.probe = null;
    this.report = $("live-report");
    this.report.dataset.state = "idle";
    this.chart = new Chart($("chart"));
    this.preview = new Preview((codec, why) => this.addBrowserFinding(codec, why));
  }

  status(text) { $("live-status").textContent = text; }

  connect() {
    if (this.ws && this.ws.readyState <= WebSocket.OPEN) return this.ready;
    const scheme = location.protocol === "https:" ? "wss" : "ws";
    const ws = new WebSocket(`${scheme}://${location.host}/ws?token=${encodeURIComponent(this.token)}`);
    ws.binaryType = "arraybuffer";
    this.ws = ws;
    this.status("connecting to the bridge…");
    this.ready = new Promise((resolve, reject) => {
      ws.addEventListener("open", () => resolve(ws), { once: true });
      ws.addEventListener("error", () => reject(new Error("cannot connect to the bridge (is `rtspeek bridge` running, and is the token current?)")), { once: true });
    });
    ws.addEventListener("message", (m) => this.onMessage(m));
    ws.addEventListener("close", (e) => {
      if (this.ws === ws) this.ws = null;
      this.status(`bridge connection closed${e.code ? ` (${e.code}${e.reason ? ": " + e.reason : ""})` : ""}`);
      if (this.probe) this.fail(new Error("the bridge connection closed during the probe"));
    });
    return this.ready;
  }

  async start() {
    setError($("live-error"), "");
    const url = $("live-url").value.trim();
    if (!url) {
      setError($("live-error"), "enter the camera URL (rtsps://host:port/path)");
      return;
    }
    const duration = Math.max(0, Math.min(300, Number($("live-duration").value) || 0));
    const message = {
      type: "probe",
      id: this.nextId++,
      url,
      user: $("live-user").value || undefined,
      password: $("live-password").value || undefined,
      ca_pem: $("live-ca").value.trim() || undefined,
      insecure: $("live-insecure").checked,
      transport: $("live-transport").value,
      duration,
      preview: $("live-preview").checked,
      tls_scan: $("live-tls-scan").checked,
      legacy_tls: $("live-legacy-tls").checked || undefined,
    };
    this.begin(message.id);
    try {
      const ws = await this.connect();
      ws.send(JSON.stringify(message));
      this.status(`probing ${url.replace(/\/\/[^@/]*@/, "//")}…`);
    } catch (e) {
      this.fail(e);
    }
  }

  stop() {
    if (this.probe && this.ws?.readyState === WebSocket.OPEN) {
      this.ws.send(JSON.stringify({ type: "stop", id: this.probe.id }));
      this.status("stopping…");
    }
  }

  begin(id) {
    this.probe = {
      id,
      partial: { target: $("live-url").value.trim().replace(/\/\/[^@/]*@/, "//"), layers: LAYERS.map((name) => ({ name, status: "pending" })), findings: [], facts: {} },
      browserFindings: [],
    };
    this.report.dataset.state = "running";
    this.report.report = this.probe.partial;
    $("transcript").replaceChildren();
    this.chart.reset();
    this.preview.reset();
    $("live-start").disabled = true;
    $("live-stop").disabled = false;
  }

  end(state) {
    this.preview.finish();
    this.probe = null;
    this.report.dataset.state = state;
    $("live-start").disabled = false;
    $("live-stop").disabled = true;
  }

  fail(error) {
    setError($("live-error"), error.message || String(error));
    this.status("probe failed");
    this.end("error");
  }

  addBrowserFinding(codec, why) {
    if (!this.probe || this.probe.browserFindings.some((f) => f.code === "codec.browser_unsupported")) return;
    const f = { ...browserUnsupportedFinding(codec, why), added_by: "this browser (WebCodecs), not the probe" };
    this.probe.browserFindings.push(f);
    this.probe.partial.findings.push(f);
    this.report.report = { ...this.probe.partial };
  }

  onMessage(m) {
    if (m.data instanceof ArrayBuffer) {
      let frame;
      try {
        frame = parseMediaFrame(m.data);
      } catch (e) {
        $("preview-status").textContent = e.message;
        return;
      }
      if (this.probe && frame.probeId === this.probe.id) this.preview.push(frame);
      return;
    }
    let msg;
    try {
      msg = JSON.parse(m.data);
    } catch {
      return;
    }
    if (msg.type === "hello") {
      this.status(`connected to the bridge ${msg.version ?? ""}`);
      if (Number.isFinite(msg.max_duration)) $("live-duration").max = String(msg.max_duration);
      return;
    }
    if (msg.type === "preview" && this.probe && msg.id === this.probe.id) {
      // The bridge's account of the frames it sent, right before `done`.
      this.preview.bridgeSummary(msg);
      return;
    }
    if (msg.type === "error") {
      if (msg.id === undefined || msg.id === null) setError($("live-error"), `bridge: ${msg.message}`);
      else if (this.probe && msg.id === this.probe.id) this.fail(new Error(msg.message));
      return;
    }
    if (msg.type === "event" && this.probe && msg.id === this.probe.id) this.onEvent(msg.event);
  }

  onEvent(ev) {
    const p = this.probe;
    const partial = p.partial;
    switch (ev.event) {
      case "started":
        partial.target = ev.target;
        break;
      case "step":
        this.status(ev.text);
        return;
      case "transcript": {
        const pre = document.createElement("pre");
        pre.className = ev.direction;
        pre.textContent = ev.text;
        const box = $("transcript");
        box.append(pre);
        while (box.childElementCount > 300) box.firstElementChild.remove();
        box.scrollTop = box.scrollHeight;
        return;
      }
      case "finding":
        partial.findings.push(ev.finding);
        break;
      case "layer": {
        const l = partial.layers.find((x) => x.name === ev.layer);
        if (l) Object.assign(l, { status: ev.status, summary: ev.summary });
        break;
      }
      case "media":
        this.chart.add(ev);
        return;
      case "done": {
        const report = ev.report;
        report.findings = [...(report.findings || []), ...p.browserFindings];
        if (p.browserFindings.length) report.clients = withThisBrowser(report.clients, p.browserFindings[0]);
        this.report.report = report;
        this.status(`done: ${report.verdict}`);
        this.end("done");
        return;
      }
      default:
        return;
    }
    this.report.report = { ...partial };
  }
}

function setupLive(token) {
  const live = new Live(token);
  $("bridge-host").textContent = location.host;
  $("live-form").addEventListener("submit", (e) => {
    e.preventDefault();
    live.start();
  });
  $("live-stop").addEventListener("click", () => live.stop());
  $("live-ca-file").addEventListener("change", async (e) => {
    const f = e.target.files[0];
    if (f) $("live-ca").value = await f.text();
  });
  return live;
}

// ------------------------------------------------------------------------------------------------ page ---

function setMode(mode) {
  $("mode-offline").setAttribute("aria-pressed", String(mode === "offline"));
  $("mode-live").setAttribute("aria-pressed", String(mode === "live"));
  show($("offline"), mode === "offline");
  show($("live"), mode === "live");
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
  $("mode-offline").addEventListener("click", () => setMode("offline"));

  const status = $("engine-status");
  try {
    await init();
    engine = rtspeek;
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
