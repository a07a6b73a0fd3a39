// The Server view: the rtspeek server that served this page, through its admin API (docs/admin-api.md). Shown
// when the page comes from `rtspeek serve`'s admin endpoint (URL `#server`, optionally `#server&admin=TOKEN`).
//
// Elements (stable ids): #mode-server, #server, #server-login, #server-token, #server-error, #server-state,
// #server-streams, #server-pairs (one .pair per pair, data-pair="global" / "stream/PATH"), #server-sessions,
// #server-rtsps-warning, #apply-form, #apply-pair, #apply-cert, #apply-key, #apply-check (data-state="ok" |
// "refused" | "error"), #apply-submit, #apply-result (data-state="applied" | "refused" | "error").
//
// The token lives in this module's memory only (never in storage). A pair chosen for upload is judged here
// first with the same analysis as the server (the wasm engine, with the server's list of findings that do not
// stop a pair): nothing is sent until it passes and the user applies; the server judges it again.

import { $, setError, show, td } from "./dom.js";
import { engine } from "./engine.js";

const POLL_MS = 2000;
let token = null;
let status = null;
let fetchedAt = 0;
let timer = null;
/** The files chosen for upload: { name, text } each. */
const chosen = { cert: null, key: null };

/** Whether this page was opened as the server's admin page. */
export function serverRequested() {
  const hash = new URLSearchParams(location.hash.slice(1));
  return hash.has("server") || hash.has("admin");
}

/** Wires the view; `onShow` switches the page to it. */
export function setupServer(onShow) {
  $("server-host").textContent = location.host;
  show($("mode-server"), true);
  $("mode-server").addEventListener("click", onShow);
  token = new URLSearchParams(location.hash.slice(1)).get("admin");
  // The token leaves the address bar (and the history) once read.
  if (token) history.replaceState(null, "", `${location.pathname}#server`);
  $("server-login").addEventListener("submit", (e) => {
    e.preventDefault();
    token = $("server-token").value.trim();
    $("server-token").value = "";
    refresh();
  });
  $("apply-cert").addEventListener("change", (e) => pick("cert", e.target.files[0]));
  $("apply-key").addEventListener("change", (e) => pick("key", e.target.files[0]));
  $("apply-pair").addEventListener("change", check);
  $("apply-form").addEventListener("submit", (e) => {
    e.preventDefault();
    applyPair();
  });
  refresh();
}

async function api(method, path, body) {
  const init = { method, headers: { Authorization: `Bearer ${token}` }, cache: "no-store" };
  if (body !== undefined) {
    init.headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(body);
  }
  const response = await fetch(path, init);
  const text = await response.text();
  let json = null;
  try { json = JSON.parse(text); } catch { /* a plain-text error */ }
  return { status: response.status, json, text };
}

async function refresh() {
  clearTimeout(timer);
  if (!token) {
    show($("server-login"), true);
    return;
  }
  try {
    const answer = await api("GET", "/api/status");
    if (answer.status === 401) {
      token = null;
      show($("server-login"), true);
      show($("server-state"), false);
      setError($("server-error"), "the admin token was refused: type the one in the server's admin.token file");
      return;
    }
    if (answer.status !== 200 || !answer.json) throw new Error(answer.text.trim() || `HTTP ${answer.status}`);
    status = answer.json;
    fetchedAt = Date.now();
    show($("server-login"), false);
    setError($("server-error"), "");
    render();
  } catch (e) {
    setError($("server-error"), `cannot read the server's state: ${e.message}`);
  }
  timer = setTimeout(refresh, POLL_MS);
}

/** The server's clock now (its status says what it was at fetch time). */
const serverNow = () => status.now_unix + (Date.now() - fetchedAt) / 1000;

function render() {
  show($("server-state"), true);
  $("server-updated").textContent = new Date().toLocaleTimeString();
  $("server-version").textContent = status.server;
  $("server-encryption").textContent = status.encryption;
  const rtspsOnlySomewhere = status.streams.some((s) => s.encryption !== "no");
  show($("server-rtsps-warning"), rtspsOnlySomewhere);
  renderStreams();
  renderPairs();
  renderSessions();
  renderTargets();
}

function renderStreams() {
  const rows = status.streams.map((s) => {
    const tr = document.createElement("tr");
    const urls = td("", "mono");
    for (const url of [s.rtsps_url, s.rtsp_url].filter(Boolean)) {
      const line = document.createElement("div");
      line.textContent = url;
      urls.append(line);
    }
    const policy = { no: "no (plain RTSP only)", optional: "optional (RTSPS first, plain RTSP too)", strict: "strict (RTSPS only)" };
    // SRTP protects the media itself (keys from MIKEY or SDES, fresh per session); "off": RTP/AVP.
    const keys = { mikey: "MIKEY", sdes: "SDES", "mikey+sdes": "MIKEY and SDES" };
    const srtp = !s.srtp || s.srtp === "off" ? "off" : `${keys[s.srtp] ?? s.srtp}, ${s.srtp_suite ?? "?"}`;
    tr.append(td(s.path, "mono"), td(policy[s.encryption] ?? s.encryption), td(srtp), urls,
      td(s.pair ?? "none (plain only)", "mono"), td(String(s.viewers)));
    tr.dataset.stream = s.path;
    return tr;
  });
  $("server-streams").replaceChildren(...rows);
}

/** `396 d 23 h`, `5 h 12 min`, `expired 3 d ago`. */
function countdown(seconds) {
  const past = seconds < 0;
  let s = Math.abs(Math.floor(seconds));
  const d = Math.floor(s / 86400); s %= 86400;
  const h = Math.floor(s / 3600); s %= 3600;
  const text = d > 0 ? `${d} d ${h} h` : `${h} h ${Math.floor(s / 60)} min`;
  return past ? `expired ${text} ago` : `expires in ${text}`;
}

function renderPairs() {
  const cards = status.pairs.map((p) => {
    const card = document.createElement("article");
    card.className = "pair";
    card.dataset.pair = p.id;
    const h = document.createElement("h4");
    h.textContent = p.id === "global" ? "global (every stream without its own)" : p.id;
    const table = document.createElement("table");
    const leaf = p.leaf ?? {};
    const left = (Date.parse(leaf.not_after) / 1000) - serverNow();
    const add = (label, value, cls) => {
      const tr = document.createElement("tr");
      const th = document.createElement("th");
      th.textContent = label;
      tr.append(th, td(value, cls));
      table.append(tr);
    };
    add("Subject", leaf.subject);
    add("Names", [...(leaf.san_dns ?? []), ...(leaf.san_ip ?? [])].join(", ") || "none");
    add("Issuer", leaf.issuer);
    add("Key", leaf.key);
    add("Valid until", `${leaf.not_after} (${countdown(left)})`, left < 30 * 86400 ? "expiry-soon" : "");
    add("SHA-256", p.fingerprint, "mono fingerprint");
    add("Files", `${p.cert_file} · ${p.key_file}`, "mono");
    add("In service since", new Date(p.since_unix * 1000).toLocaleString());
    card.append(h, table);
    if (p.notes.length) card.append(list(p.notes, "bad"));
    if (p.warnings.length) card.append(list(p.warnings, "verdict-risky"));
    card.append(clientSummary(p.clients));
    if (p.rollback_available) {
      const back = document.createElement("button");
      back.type = "button";
      back.className = "link-button rollback";
      back.textContent = "Roll back to the previous pair";
      back.addEventListener("click", () => rollback(p.id));
      card.append(back);
    }
    return card;
  });
  $("server-pairs").replaceChildren(...cards);
}

function list(items, cls) {
  const ul = document.createElement("ul");
  for (const item of items) {
    const li = document.createElement("li");
    li.textContent = item;
    if (cls) li.className = cls;
    ul.append(li);
  }
  return ul;
}

/** `works 3 · risky 4 · fails 2`, then each client that fails or is risky with its first reason and fix. With a
 * private CA, strict clients fail until they are given it: the server cannot know what its clients trust. */
function clientSummary(clients) {
  const box = document.createElement("div");
  box.className = "clients";
  const counts = { works: 0, risky: 0, fails: 0 };
  for (const c of clients) counts[c.verdict] += 1;
  const line = document.createElement("div");
  line.className = "hint";
  line.textContent = `clients with this certificate: works ${counts.works} · risky ${counts.risky} · fails ${counts.fails}`;
  box.append(line);
  const ul = document.createElement("ul");
  for (const c of clients.filter((c) => c.verdict !== "works")) {
    const li = document.createElement("li");
    li.className = `verdict-${c.verdict}`;
    li.textContent = `${c.name}: ${c.verdict}${c.because ? ` (${c.because})` : ""}${c.fix ? `. Fix: ${c.fix}` : ""}`;
    ul.append(li);
  }
  if (ul.children.length) box.append(ul);
  return box;
}

function renderSessions() {
  const current = new Map(status.pairs.map((p) => [p.id, p.fingerprint]));
  const rows = status.sessions.map((s) => {
    const tr = document.createElement("tr");
    tr.dataset.session = String(s.id);
    let cert = "none (plain RTSP)";
    if (s.pair) {
      const kept = s.fingerprint !== current.get(s.pair);
      cert = `${s.pair} ${s.fingerprint.slice(0, 23)}…${kept ? " (the previous pair: kept until it closes)" : ""}`;
    }
    tr.append(td(String(s.id)), td(s.peer, "mono"), td(s.tls ? "RTSPS" : "RTSP"), td(s.sni ?? "-", "mono"),
      td(cert, "mono"), td(s.playing ?? "-", "mono"), td(new Date(s.since_unix * 1000).toLocaleTimeString()));
    return tr;
  });
  $("server-sessions").replaceChildren(...rows);
}

/** The apply form's choice of pairs, kept across refreshes. */
function renderTargets() {
  const select = $("apply-pair");
  const ids = status.pairs.map((p) => p.id);
  if ([...select.options].map((o) => o.value).join("\n") === ids.join("\n")) return;
  const keep = select.value;
  select.replaceChildren(...ids.map((id) => new Option(id, id)));
  if (ids.includes(keep)) select.value = keep;
  check();
}

async function pick(which, file) {
  chosen[which] = file ? { name: file.name, text: await file.text() } : null;
  $(`apply-${which}-name`).textContent = file ? file.name : "";
  check();
}

/** Counts pair checks: each is asynchronous (WebCrypto), so only the latest one may show. */
let checks = 0;

/** Judges the chosen pair here, as the server will: every error finding that stops a pair, for each name. */
async function check() {
  const run = ++checks;
  const box = $("apply-check");
  $("apply-submit").disabled = true;
  box.replaceChildren();
  delete box.dataset.state;
  if (!status || !chosen.cert || !chosen.key) return;
  if (!engine) {
    box.textContent = "the analyser is not loaded: the pair cannot be checked here";
    box.dataset.state = "error";
    return;
  }
  const pair = status.pairs.find((p) => p.id === $("apply-pair").value);
  if (!pair) return;
  const fatal = new Map();
  try {
    for (const host of pair.names.length ? pair.names : [undefined]) {
      const report = await engine.analyzeCertificate({
        files: [{ name: chosen.cert.name, data: chosen.cert.text }],
        key: chosen.key.text,
        keyName: chosen.key.name,
        host,
        now: serverNow() * 1000,
      });
      if (run !== checks) return; // the choice changed meanwhile
      for (const f of report.findings) {
        if (f.severity === "error" && !status.not_fatal.includes(f.code)) fatal.set(`${f.code}: ${f.summary}`, f.code);
      }
    }
  } catch (e) {
    if (run !== checks) return;
    box.textContent = `not a certificate the server can use: ${e.message}`;
    box.dataset.state = "refused";
    return;
  }
  if (fatal.size) {
    box.append(document.createTextNode(`refused here, nothing was sent (the server would refuse it too):`),
      list([...fatal.keys()], "bad"));
    box.dataset.state = "refused";
    return;
  }
  box.textContent = `checked here: ${chosen.cert.name} and ${chosen.key.name} make a valid pair for ${pair.id}` +
    (pair.names.length ? ` (names ${pair.names.join(", ")})` : "");
  box.dataset.state = "ok";
  $("apply-submit").disabled = false;
}

async function applyPair() {
  const pair = $("apply-pair").value;
  $("apply-submit").disabled = true;
  const answer = await api("POST", "/api/apply", { pair, cert: chosen.cert.text, key: chosen.key.text })
    .catch((e) => ({ status: 0, json: null, text: e.message }));
  showResult(answer, `applied to ${pair}`);
  refresh();
}

async function rollback(pair) {
  const answer = await api("POST", "/api/rollback", { pair }).catch((e) => ({ status: 0, json: null, text: e.message }));
  showResult(answer, `rolled ${pair} back`);
  refresh();
}

function showResult(answer, what) {
  const box = $("apply-result");
  box.replaceChildren();
  if (answer.status === 200 && answer.json) {
    const previous = answer.json.previous_fingerprint ? `; it replaced ${answer.json.previous_fingerprint}` : "";
    box.textContent = `${what}: new connections get SHA-256 ${answer.json.pair.fingerprint}${previous}. ` +
      "Connections already open keep the certificate they started with.";
    box.dataset.state = "applied";
    return;
  }
  const reasons = answer.json?.reasons?.map((r) => `${r.code}: ${r.summary}`) ?? [];
  box.append(document.createTextNode(`${answer.json?.error ?? answer.text.trim()} (HTTP ${answer.status})`));
  if (reasons.length) box.append(list(reasons, "bad"));
  box.dataset.state = answer.status === 422 ? "refused" : "error";
}
