// <rtspeek-report>: renders an rtspeek Report (docs/report-schema.md) on any page, with one script tag:
//
//   <script type="module" src="rtspeek-report.js"></script>
//   <rtspeek-report src="report.json"></rtspeek-report>       <!-- or: element.report = reportObject -->
//
// What it shows: the verdict; the layers as a chain (pass / warn / fail / not reached); the first broken link
// on top with its evidence and remediation; the trust statement; the client verdicts (which players, NVRs and
// libraries play it, why not, and their settings); then every finding grouped by layer; then the facts
// (certificate chain, SDP media). Self-contained: no dependency, no network request except `src`.
//
// Styling: CSS custom properties inherited from the page
//   --rtspeek-font, --rtspeek-mono-font, --rtspeek-fg, --rtspeek-bg, --rtspeek-muted, --rtspeek-border,
//   --rtspeek-radius, --rtspeek-pass, --rtspeek-warn, --rtspeek-fail, --rtspeek-not-reached, --rtspeek-pending,
//   --rtspeek-accent
// and the parts `verdict`, `chain`, `link`, `first-broken`, `trust`, `clients`, `findings`, `finding`, `facts`.
//
// Layer titles: `customElements.get("rtspeek-report").layers = layers()` with the wasm's list; without it the
// element needs no wasm (see "Layers" below).
//
// Events: `rtspeek-load` (detail: the report) after `src` loaded, `rtspeek-error` (detail: the Error).
// Live use: a report may be partial (no verdict yet) and layers may have status `pending` (not in the schema:
// being probed); set `report` again as events arrive.
//
// Safety: every string of a report (certificate subjects, SDP lines, server headers) is untrusted and is
// inserted as text, never as HTML.

// Layers. The element keeps no list of its own: it is shipped alone (npm `rtspeek-web/report-element`,
// embed.html) and renders reports without the wasm, so it takes what it needs from the report and, when a page
// has the wasm, from it:
//  - the order is the report's: `layers` lists the layers in scope in chain order, and core puts the layer of
//    every finding in scope (a partial report of a live probe may lack one: its findings go last);
//  - the titles are the wasm's `layers()` when the page passes them (`RtspeekReport.layers = layers()`, as
//    the rtspeek page does); else they are made from the id: an id without a vowel is an acronym (`rtcp` ->
//    RTCP), as are the names in ACRONYMS (`onvif` -> ONVIF), any other is capitalised (`certificate` ->
//    Certificate). That gives exactly the wasm's titles for
//    every layer today (web/src/catalogue.rs and web/tests/offline.mjs check it), and a readable one for a
//    layer added later.
let layerTitles = new Map();
const rendered = new Set(); // connected instances, re-rendered when the titles change

const ACRONYMS = new Set(["onvif"]);

function title(id) {
  const known = layerTitles.get(id);
  if (known) return known;
  const name = String(id);
  if (ACRONYMS.has(name) || !/[aeiou]/.test(name)) return name.toUpperCase();
  return name.charAt(0).toUpperCase() + name.slice(1);
}
const STATUS_TEXT = { pass: "pass", warn: "warn", fail: "fail", not_reached: "not reached", pending: "running" };
const STATUS_ICON = { pass: "\u2713", warn: "!", fail: "\u2717", not_reached: "\u2013", pending: "\u2026" };
const SEVERITY_RANK = { error: 0, warning: 1, info: 2 };

const CSS = `
:host {
  display: block;
  font-family: var(--rtspeek-font, system-ui, -apple-system, "Segoe UI", Roboto, sans-serif);
  color: var(--rtspeek-fg, #1d2330);
  background: var(--rtspeek-bg, transparent);
  line-height: 1.45;
  --_pass: var(--rtspeek-pass, #1a7f37);
  --_warn: var(--rtspeek-warn, #b35900);
  --_fail: var(--rtspeek-fail, #c62828);
  --_nr: var(--rtspeek-not-reached, #8a94a6);
  --_pending: var(--rtspeek-pending, #3b6fd8);
  --_muted: var(--rtspeek-muted, #5b6578);
  --_border: var(--rtspeek-border, #d8dde6);
  --_radius: var(--rtspeek-radius, 8px);
  --_mono: var(--rtspeek-mono-font, ui-monospace, "SFMono-Regular", Menlo, Consolas, monospace);
  --_accent: var(--rtspeek-accent, #3b6fd8);
}
:host([hidden]) { display: none; }
* { box-sizing: border-box; }
.empty, .load-error { color: var(--_muted); font-style: italic; padding: .5em 0; }
.load-error { color: var(--_fail); font-style: normal; }
header { display: flex; flex-wrap: wrap; align-items: baseline; gap: .4em 1em; margin-bottom: .8em; }
.verdict { font-weight: 700; text-transform: uppercase; letter-spacing: .04em; padding: .15em .6em;
  border-radius: var(--_radius); color: #fff; background: var(--_nr); }
.verdict.healthy { background: var(--_pass); }
.verdict.degraded { background: var(--_warn); }
.verdict.broken { background: var(--_fail); }
.verdict.running { background: var(--_pending); }
.target { font-family: var(--_mono); font-size: .9em; color: var(--_muted); overflow-wrap: anywhere; }
ol.chain { list-style: none; display: flex; flex-wrap: wrap; gap: .3em 0; padding: 0; margin: 0 0 1em; }
ol.chain li { display: flex; align-items: center; }
ol.chain li + li::before { content: ""; width: 1.2em; height: 2px; background: var(--_border); }
.link { display: inline-flex; align-items: center; gap: .35em; padding: .25em .65em; border-radius: 999px;
  border: 2px solid var(--_nr); color: var(--_nr); font-weight: 600; font-size: .92em; white-space: nowrap; }
.link .icon { font-weight: 800; }
.link.pass { border-color: var(--_pass); color: var(--_pass); }
.link.warn { border-color: var(--_warn); color: var(--_warn); }
.link.fail { border-color: var(--_fail); color: #fff; background: var(--_fail); }
.link.not_reached { border-style: dashed; }
.link.pending { border-color: var(--_pending); color: var(--_pending); animation: pulse 1.2s ease-in-out infinite; }
@keyframes pulse { 50% { opacity: .45; } }
@media (prefers-reduced-motion: reduce) { .link.pending { animation: none; } }
.sr { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
section { margin: 0 0 1em; }
h3 { font-size: 1em; margin: 0 0 .4em; }
.first-broken { border: 2px solid var(--_fail); border-radius: var(--_radius); padding: .7em .9em; }
.first-broken.warn { border-color: var(--_warn); }
.first-broken.ok { border-color: var(--_pass); }
.first-broken > h3 { color: var(--_fail); }
.first-broken.warn > h3 { color: var(--_warn); }
.first-broken.ok > h3 { color: var(--_pass); }
.trust { color: var(--_muted); font-size: .95em; }
.clients table { border-collapse: collapse; width: 100%; font-size: .92em; }
.clients th, .clients td { text-align: left; vertical-align: top; padding: .3em .5em; border-top: 1px solid var(--_border); }
.clients th { white-space: nowrap; font-weight: 600; }
.clients .hint { color: var(--_muted); font-size: .9em; margin: 0 0 .4em; }
.clients details { margin-top: .2em; color: var(--_muted); }
.clients details ul { margin: .2em 0; padding-left: 1.2em; }
.clients .set { margin-top: .3em; font-weight: 600; }
.pill { display: inline-block; padding: 0 .5em; border-radius: var(--_radius); color: #fff; font-weight: 600;
  background: var(--_nr); }
.pill.works { background: var(--_pass); }
.pill.risky { background: var(--_warn); }
.pill.fails { background: var(--_fail); }
.finding { border-left: 4px solid var(--_nr); padding: .35em .7em; margin: .4em 0; background: rgba(127,127,127,.05);
  border-radius: 0 var(--_radius) var(--_radius) 0; }
.finding.error { border-left-color: var(--_fail); }
.finding.warning { border-left-color: var(--_warn); }
.finding.info { border-left-color: var(--_accent); }
.finding summary { cursor: pointer; list-style-position: inside; }
.finding .code { font-family: var(--_mono); font-size: .88em; color: var(--_muted); margin-right: .4em; }
.sev { font-size: .75em; font-weight: 700; text-transform: uppercase; padding: 0 .4em; border-radius: 4px;
  color: #fff; background: var(--_accent); margin-right: .4em; vertical-align: .1em; }
.sev.error { background: var(--_fail); }
.sev.warning { background: var(--_warn); }
.detail { margin: .4em 0; white-space: pre-wrap; }
.remediation { margin: .4em 0; }
.remediation::before { content: "Fix: "; font-weight: 700; }
.added { font-size: .85em; color: var(--_muted); }
table { border-collapse: collapse; font-size: .9em; margin: .3em 0; width: 100%; }
th, td { text-align: left; vertical-align: top; padding: .2em .6em .2em 0; border-bottom: 1px solid var(--_border); }
th { font-weight: 600; color: var(--_muted); white-space: nowrap; width: 1%; }
td { font-family: var(--_mono); overflow-wrap: anywhere; }
h4 { font-size: .95em; margin: .8em 0 .2em; color: var(--_muted); }
details.raw pre { font-family: var(--_mono); font-size: .8em; max-height: 24em; overflow: auto;
  background: rgba(127,127,127,.08); padding: .6em; border-radius: var(--_radius); }
.tools { display: flex; gap: .6em; margin: .5em 0; }
button { font: inherit; font-size: .85em; padding: .2em .7em; border: 1px solid var(--_border);
  border-radius: var(--_radius); background: transparent; color: inherit; cursor: pointer; }
button:hover { border-color: var(--_accent); }
`;

let sheet = null;
/** One constructed stylesheet shared by every instance (allowed by a `style-src 'self'` CSP). */
function styles() {
  if (!sheet && typeof CSSStyleSheet === "function" && "replaceSync" in CSSStyleSheet.prototype) {
    sheet = new CSSStyleSheet();
    sheet.replaceSync(CSS);
  }
  return sheet;
}

/** `h("div", {class: "x"}, "text", child)`: elements with text children only (never HTML). */
function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k === "class") el.className = v;
    else if (k === "part") el.setAttribute("part", v);
    else el.setAttribute(k, v === true ? "" : String(v));
  }
  for (const c of children.flat(Infinity)) {
    if (c === undefined || c === null || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}

function bySeverity(a, b) {
  return (SEVERITY_RANK[a.severity] ?? 3) - (SEVERITY_RANK[b.severity] ?? 3);
}

function evidenceTable(evidence) {
  if (!Array.isArray(evidence) || evidence.length === 0) return null;
  return h("table", { class: "evidence" },
    h("tbody", null, evidence.map((e) => h("tr", null, h("th", null, e.label), h("td", null, e.value)))));
}

function findingElement(f, open) {
  const el = h("details", { class: `finding ${f.severity}`, part: "finding", "data-code": f.code, open },
    h("summary", null,
      h("span", { class: `sev ${f.severity}` }, f.severity),
      h("span", { class: "code" }, f.code),
      f.summary),
    f.detail ? h("div", { class: "detail" }, f.detail) : null,
    evidenceTable(f.evidence),
    f.remediation ? h("div", { class: "remediation" }, f.remediation) : null,
    f.added_by ? h("div", { class: "added" }, `Added by ${f.added_by}.`) : null);
  return el;
}

function certificateFacts(c) {
  const rows = [];
  const chain = [...(c.chain || []), ...(c.unused || [])];
  for (const s of chain) {
    const names = [...(s.san_dns || []).map((d) => `DNS:${d}`), ...(s.san_ip || []).map((i) => `IP:${i}`)];
    rows.push(h("h4", null, `${s.role}: ${s.subject}`));
    rows.push(h("table", null, h("tbody", null,
      [["issuer", s.issuer], ["valid", `${s.not_before} \u2192 ${s.not_after}`],
        ["names", names.join(", ") || "(no subjectAltName)"], ["key", s.key],
        ["signature", s.signature_algorithm], ["serial", s.serial], ["sha256", s.sha256_fingerprint],
        ["source", s.source]]
        .map(([k, v]) => h("tr", null, h("th", null, k), h("td", null, v ?? ""))))));
  }
  if (c.key) {
    const match = c.key.matches_leaf === true ? "matches the leaf" : c.key.matches_leaf === false ? "does NOT match the leaf" : "not compared";
    rows.push(h("h4", null, "private key"));
    rows.push(h("table", null, h("tbody", null,
      [["key", c.key.key ?? "(unreadable)"], ["format", c.key.format || "(unknown)"], ["pair", match],
        ["source", c.key.source]].map(([k, v]) => h("tr", null, h("th", null, k), h("td", null, v))))));
  }
  return rows;
}

function sdpFacts(s) {
  const rows = [];
  for (const m of s.media || []) {
    for (const c of m.codecs || []) {
      const cells = [["media", `${m.media} ${m.proto} (line ${m.line})`], ["control", m.control ?? "(none)"],
        ["format", `${c.payload_type} ${c.encoding}${c.clock_rate ? "/" + c.clock_rate : ""}`]];
      if (c.sps) {
        cells.push(["sps", `${c.sps.profile} ${c.sps.level}, ${c.sps.width}x${c.sps.height}${c.sps.frame_rate ? ", " + c.sps.frame_rate + " fps" : ""}`]);
        cells.push(["codec string", c.sps.codec_string]);
      }
      rows.push(h("table", null, h("tbody", null, cells.map(([k, v]) => h("tr", null, h("th", null, k), h("td", null, v))))));
    }
  }
  return rows;
}

/** The `<rtspeek-report>` element. */
export class RtspeekReport extends HTMLElement {
  static get observedAttributes() { return ["src"]; }

  /** The layer titles in use, `[{ id, label }]`: the ones set, else none (titles made from the ids). */
  static get layers() { return [...layerTitles].map(([id, label]) => ({ id, label })); }
  /** Sets the layer titles of every instance from the wasm's `layers()` (`[{ id, label }]`). */
  static set layers(list) {
    layerTitles = new Map((Array.isArray(list) ? list : []).map((l) => [l.id, l.label]));
    for (const el of rendered) el.#render();
  }

  #report = null;
  #error = null;
  #loading = 0;

  constructor() {
    super();
    const root = this.attachShadow({ mode: "open" });
    const s = styles();
    if (s) root.adoptedStyleSheets = [s];
  }

  /** The report shown (an object of docs/report-schema.md), or null. */
  get report() { return this.#report; }
  set report(value) {
    this.#report = value || null;
    this.#error = null;
    this.#render();
  }

  /** Shows an error message instead of a report (for a page that could not produce one). */
  showError(message) {
    this.#report = null;
    this.#error = String(message);
    this.#render();
  }

  connectedCallback() {
    rendered.add(this);
    this.#render();
  }

  disconnectedCallback() { rendered.delete(this); }

  attributeChangedCallback(name, _old, value) {
    if (name === "src" && value) this.#load(value);
  }

  async #load(src) {
    const ticket = ++this.#loading;
    try {
      const response = await fetch(src, { credentials: "same-origin" });
      if (!response.ok) throw new Error(`${src}: HTTP ${response.status}`);
      const report = await response.json();
      if (ticket !== this.#loading) return;
      this.report = report;
      this.dispatchEvent(new CustomEvent("rtspeek-load", { detail: report }));
    } catch (e) {
      if (ticket !== this.#loading) return;
      this.showError(`cannot load the report: ${e.message}`);
      this.dispatchEvent(new CustomEvent("rtspeek-error", { detail: e }));
    }
  }

  #render() {
    const root = this.shadowRoot;
    if (this.#error) {
      root.replaceChildren(h("div", { class: "load-error", role: "alert" }, this.#error));
      return;
    }
    const r = this.#report;
    if (!r) {
      root.replaceChildren(h("div", { class: "empty" }, this.getAttribute("placeholder") || "No report yet."));
      return;
    }
    const layers = Array.isArray(r.layers) ? r.layers : [];
    const findings = (Array.isArray(r.findings) ? r.findings : []).slice();
    // Grouped by layer in chain order, most severe first (the schema's order; re-sorted for partial reports).
    const order = new Map(layers.map((l, i) => [l.name, i]));
    const rank = (f) => order.get(f.layer) ?? order.size;
    findings.sort((a, b) => (rank(a) - rank(b)) || bySeverity(a, b));
    const verdict = r.verdict || "running";

    const header = h("header", null,
      h("span", { class: `verdict ${verdict}`, part: "verdict", "data-verdict": verdict }, verdict),
      r.target ? h("span", { class: "target" }, r.target) : null);

    const chain = h("ol", { class: "chain", part: "chain", "aria-label": "layers" },
      layers.map((l) => h("li", null,
        h("span", { class: `link ${l.status}`, part: "link", "data-layer": l.name, "data-status": l.status,
          title: l.summary || `${title(l.name)}: ${STATUS_TEXT[l.status] || l.status}` },
        h("span", { class: "icon", "aria-hidden": "true" }, STATUS_ICON[l.status] || "?"),
        title(l.name),
        h("span", { class: "sr" }, `: ${STATUS_TEXT[l.status] || l.status}`)))));

    const sections = [header, chain, this.#headline(r, layers, findings), this.#trust(r),
      this.#clients(r), this.#findings(layers, findings), this.#facts(r)];
    root.replaceChildren(...sections.filter(Boolean));
  }

  /** The first broken link with its evidence and fix, or the first warning, or the all-clear. */
  #headline(r, layers, findings) {
    const broken = r.first_broken_layer || layers.find((l) => l.status === "fail")?.name;
    if (broken) {
      const first = findings.find((f) => f.layer === broken && f.severity === "error")
        || findings.find((f) => f.layer === broken);
      return h("section", { class: "first-broken", part: "first-broken", "data-layer": broken },
        h("h3", null, `First broken link: ${title(broken)}`),
        first ? [h("div", { class: "summary" }, first.summary, " ", h("span", { class: "code" }, `(${first.code})`)),
          first.detail ? h("div", { class: "detail" }, first.detail) : null,
          evidenceTable(first.evidence),
          h("div", { class: "remediation" }, first.remediation)] : null);
    }
    const warning = findings.find((f) => f.severity === "warning");
    if (warning) {
      return h("section", { class: "first-broken warn", part: "first-broken" },
        h("h3", null, `Works, with a warning at ${title(warning.layer)}`),
        h("div", { class: "summary" }, warning.summary, " ", h("span", { class: "code" }, `(${warning.code})`)),
        evidenceTable(warning.evidence),
        h("div", { class: "remediation" }, warning.remediation));
    }
    if (r.verdict === "healthy") {
      return h("section", { class: "first-broken ok", part: "first-broken" },
        h("h3", null, "Every layer in scope passed"));
    }
    return null;
  }

  #trust(r) {
    if (!r.trust) return null;
    const t = r.trust;
    const kind = t.store?.kind;
    const store = kind === "custom" ? `your CA (${(t.store.sources || []).join(", ")})`
      : kind === "system" ? `the system trust store (${t.store.source}${t.store.web_pki ? " and the public web PKI" : ""})`
      : kind === "pinned" ? `the pinned certificate (SHA-256 ${t.store.sha256_fingerprint})`
      : `the public web PKI (${t.store?.anchors ?? "?"} roots)`;
    return h("section", { class: "trust", part: "trust" },
      h("strong", null, `Trust: ${t.outcome}`), ` against ${store}${t.overridden ? ", overridden by the user" : ""}. `,
      t.statement);
  }

  /** One row per client: its verdict, its first reason, and (opened) every reason and setting. */
  #clients(r) {
    const clients = Array.isArray(r.clients) ? r.clients : [];
    if (clients.length === 0) return null;
    return h("section", { class: "clients", part: "clients" },
      h("h3", null, "Clients"),
      h("p", { class: "hint" }, "How each player, NVR stack or library fares with its default settings. * cited, not measured here."),
      h("table", null, h("tbody", null, clients.map((c) => {
        const reasons = Array.isArray(c.because) ? c.because : [];
        const settings = Array.isArray(c.settings) ? c.settings : [];
        const more = reasons.length > 1 || settings.length > 0
          ? h("details", null, h("summary", null, "reasons and settings"),
            reasons.length ? h("ul", null, reasons.map((x) => h("li", null, x.text, x.code ? [" ", h("span", { class: "code" }, `(${x.code})`)] : null))) : null,
            settings.length ? [h("div", { class: "set" }, "Settings:"), h("ul", null, settings.map((x) => h("li", null, x)))] : null)
          : null;
        return h("tr", { "data-client": c.id, "data-verdict": c.verdict },
          h("th", { scope: "row" }, `${c.name}${c.measured ? "" : "*"}`),
          h("td", null, h("span", { class: `pill ${c.verdict}` }, c.verdict)),
          h("td", null, reasons[0]?.text ?? "", more));
      }))));
  }

  #findings(layers, findings) {
    if (findings.length === 0) {
      return h("section", { class: "findings", part: "findings" }, h("h3", null, "Findings"),
        h("div", { class: "empty" }, layers.length ? "No findings." : "Nothing yet."));
    }
    return h("section", { class: "findings", part: "findings" },
      h("h3", null, `Findings (${findings.length})`),
      findings.map((f) => findingElement(f, f.severity === "error")));
  }

  #facts(r) {
    const facts = r.facts || {};
    const parts = [];
    if (facts.certificate) parts.push(h("h3", null, "Certificates"), certificateFacts(facts.certificate));
    if (facts.sdp) parts.push(h("h3", null, "Session description"), sdpFacts(facts.sdp));
    const json = JSON.stringify(r, null, 2);
    const copy = h("button", { type: "button" }, "Copy JSON");
    copy.addEventListener("click", () => {
      navigator.clipboard?.writeText(json).then(() => { copy.textContent = "Copied"; }, () => { copy.textContent = "Copy failed"; });
    });
    const download = h("button", { type: "button" }, "Download JSON");
    download.addEventListener("click", () => {
      // A blob: URL made here: the report never leaves the browser.
      const url = URL.createObjectURL(new Blob([json], { type: "application/json" }));
      const a = h("a", { href: url, download: "rtspeek-report.json" });
      a.click();
      setTimeout(() => URL.revokeObjectURL(url), 1000);
    });
    return h("section", { class: "facts", part: "facts" }, parts,
      h("details", { class: "raw" }, h("summary", null, "Report JSON"), h("div", { class: "tools" }, copy, download), h("pre", null, json)));
  }
}

if (!customElements.get("rtspeek-report")) customElements.define("rtspeek-report", RtspeekReport);
