// The live video preview: the bridge's access units (Annex B, see parseMediaFrame in live.js) decoded with
// WebCodecs' VideoDecoder and drawn into the #preview canvas; #frames-decoded counts decoded frames and
// #preview-status says what the decoder is doing. When this browser cannot decode the stream, the
// `codec.browser_unsupported` finding (worded by core through the engine) says so in the report, so the
// preview is never just blank.

import { $ } from "./dom.js";
import { engine } from "./engine.js";

/** The report's `browser` client verdict replaced by what this browser measured: it cannot decode the stream. */
export function withThisBrowser(clients, finding) {
  if (!Array.isArray(clients)) return clients;
  return clients.map((c) => c.id !== "browser" ? c : {
    ...c,
    verdict: "fails",
    measured: true,
    because: [...(c.because || []).filter((r) => r.code !== finding.code),
      { layer: "codec", code: finding.code, text: `This browser cannot decode it: ${finding.summary}` }],
  });
}

/** The finding shown when WebCodecs cannot decode the stream: core's wording, else the catalogue's, else ours. */
export function browserUnsupportedFinding(codecString, why) {
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
export class Preview {
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

