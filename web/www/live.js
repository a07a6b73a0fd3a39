// Live probing through the local bridge (`rtspeek bridge`; protocol: docs/bridge-protocol.md), only when the
// page's URL has `#token=...`: one WebSocket (opened when a probe starts, never before) carrying the probe
// request, its events (layers lighting up, findings, the RTSP transcript, media statistics) and binary media
// frames for the preview. The report shown while running is built from the events; the `done` event's report
// replaces it.
//
// Owns the ids #live-form, #live-url, #live-user, #live-password, #live-ca, #live-ca-file, #live-insecure,
// #live-transport, #live-duration, #live-preview, #live-tls-scan, #live-legacy-tls, #live-capture,
// #live-capture-link, #live-start, #live-stop,
// #live-status, #live-error, #live-report (<rtspeek-report>, data-state="idle|running|done|error"),
// #transcript and #bridge-host; the preview (preview.js) and the chart (chart.js) own theirs.
//
// The layer list and the masking of a password in the camera URL come from the engine (wasm); without it
// (it failed to load) the running report's chain grows as `layer` events arrive, and the URL is not shown
// until the bridge sends its own redacted target.

import { Chart } from "./chart.js";
import { $, setError } from "./dom.js";
import { engine } from "./engine.js";
import { browserUnsupportedFinding, Preview, withThisBrowser } from "./preview.js";

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

/** The camera URL as it may be shown: its password masked by core (`rtsps://admin:***@cam/`), or null. */
function shownUrl(url) {
  try {
    return engine ? engine.redactUrl(url) : null;
  } catch {
    return null;
  }
}

/** Every layer as pending, in chain order, for the report shown while a probe runs. */
function pendingLayers() {
  try {
    return engine ? engine.layers().map((l) => ({ name: l.id, status: "pending" })) : [];
  } catch {
    return [];
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
      capture: $("live-capture").checked || undefined,
    };
    this.begin(message.id);
    try {
      const ws = await this.connect();
      ws.send(JSON.stringify(message));
      const shown = shownUrl(url);
      this.status(shown ? `probing ${shown}…` : "probing…");
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
      partial: { target: shownUrl($("live-url").value.trim()), layers: pendingLayers(), findings: [], facts: {} },
      browserFindings: [],
    };
    this.report.dataset.state = "running";
    this.report.report = this.probe.partial;
    $("transcript").replaceChildren();
    this.chart.reset();
    this.preview.reset();
    this.clearCapture();
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
    if (msg.type === "capture" && this.probe && msg.id === this.probe.id) {
      // Right before `done`: the pcapng, offered as a download and kept nowhere else.
      this.offerCapture(msg);
      return;
    }
    if (msg.type === "error") {
      if (msg.id === undefined || msg.id === null) setError($("live-error"), `bridge: ${msg.message}`);
      else if (this.probe && msg.id === this.probe.id) this.fail(new Error(msg.message));
      return;
    }
    if (msg.type === "event" && this.probe && msg.id === this.probe.id) this.onEvent(msg.event);
  }

  /** Shows the download link of a `capture` message (the bytes stay in this page's memory). */
  offerCapture(msg) {
    this.clearCapture();
    let bytes;
    try {
      const text = atob(msg.pcapng_base64 || "");
      bytes = new Uint8Array(text.length);
      for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
    } catch {
      return;
    }
    const link = $("live-capture-link");
    link.href = URL.createObjectURL(new Blob([bytes], { type: "application/vnd.tcpdump.pcap" }));
    link.download = msg.file || "rtspeek-probe.pcapng";
    const truncated = msg.truncated ? ", truncated" : "";
    link.textContent = `download capture (${msg.packets} packets${truncated})`;
    link.title = msg.note || "";
    link.hidden = false;
  }

  clearCapture() {
    const link = $("live-capture-link");
    if (link.href) URL.revokeObjectURL(link.href);
    link.removeAttribute("href");
    link.hidden = true;
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
        let l = partial.layers.find((x) => x.name === ev.layer);
        if (!l) partial.layers.push((l = { name: ev.layer })); // no engine: the chain grows in probe order
        Object.assign(l, { status: ev.status, summary: ev.summary });
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

/** Wires the live form; returns the probe controller. */
export function setupLive(token) {
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

