// The live chart: loss, jitter and bitrate of the probe's media statistics (the bridge's `media` events,
// every 0.5 s after PLAY) over time, three stacked strips on the #chart canvas. Colours follow the page's
// --fg and --muted custom properties.

/** Loss, jitter and bitrate over time, three stacked strips on one canvas. */
export class Chart {
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
