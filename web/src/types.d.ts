
// ---- rtspeek report (docs/report-schema.md, schema_version 1) -------------------------------------------

/** A link of the chain a stream goes through, in chain order. */
export type LayerName =
  | "tcp" | "tls" | "certificate" | "rtsp" | "auth" | "sdp" | "transport" | "rtp" | "rtcp" | "codec";

/** Outcome of one layer. */
export type LayerStatus = "pass" | "warn" | "fail" | "not_reached";

/** Overall judgement: broken if a layer fails, degraded if one warns (or was not reached). */
export type Verdict = "healthy" | "degraded" | "broken";

/** `error` breaks the layer, `warning` degrades it, `info` needs no action. */
export type Severity = "info" | "warning" | "error";

/** What proves a finding: a field, header or byte offset. Never credentials. */
export interface Evidence {
  label: string;
  value: string;
}

/** Something rtspeek observed, with a stable code from the catalogue (`describeFinding`). */
export interface Finding {
  /** Stable dotted code, `layer.subject.problem` (`cert.expired`). */
  code: string;
  layer: LayerName;
  severity: Severity;
  /** One line with the specific values. */
  summary: string;
  detail?: string;
  evidence?: Evidence[];
  /** What to do about it. */
  remediation: string;
}

/** The trust anchors a chain was judged against. */
export type TrustStore =
  | { kind: "web_pki"; anchors: number }
  | { kind: "custom"; anchors: number; sources: string[] }
  | { kind: "system"; anchors: number; source: string; web_pki?: number };

/** The certificate trust status, always stated explicitly. */
export interface TrustStatus {
  store: TrustStore;
  outcome: "trusted" | "untrusted" | "not_evaluated";
  anchor?: string;
  /** The user continued past an untrusted certificate; the certificate layer still fails. */
  overridden: boolean;
  statement: string;
}

/** One certificate of `facts.certificate`. */
export interface CertificateSummary {
  role: "leaf" | "intermediate" | "root" | "unused";
  source: string;
  subject: string;
  issuer: string;
  serial: string;
  /** RFC 3339. */
  not_before: string;
  /** RFC 3339. */
  not_after: string;
  san_dns: string[];
  san_ip: string[];
  /** `RSA 2048`, `EC P-256`, `Ed25519`. */
  key: string;
  signature_algorithm: string;
  sha256_fingerprint: string;
  version: number;
  is_ca: boolean;
  self_signed: boolean;
}

/** `facts.certificate`. */
export interface CertificateFacts {
  host?: string;
  chain: CertificateSummary[];
  unused?: CertificateSummary[];
  anchor?: string;
  key?: { source: string; format: string; key: string | null; matches_leaf: boolean | null };
}

/** What an SPS in the SDP says (`facts.sdp.media[].codecs[].sps`). */
export interface SdpSpsFacts {
  profile: string;
  level: string;
  width: number;
  height: number;
  frame_rate?: string;
  codec_string: string;
}

/** `facts.sdp`. */
export interface SdpFacts {
  lines: number;
  session_name?: string;
  control?: string;
  range?: string;
  media: Array<{
    line: number;
    media: string;
    proto: string;
    control?: string;
    direction: string;
    bandwidth?: string[];
    framerate?: string;
    dimensions?: string;
    codecs: Array<{
      payload_type: number;
      encoding: string;
      clock_rate?: number;
      channels?: number;
      fmtp?: string;
      sps?: SdpSpsFacts;
    }>;
  }>;
}

/** Facts gathered even when nothing is wrong; one optional section per layer family. */
export interface Facts {
  ports?: Array<{ port: number; answer: string; detail?: string }>;
  connection?: Record<string, unknown>;
  tls?: Record<string, unknown>;
  certificate?: CertificateFacts;
  rtsp?: Record<string, unknown>;
  auth?: Record<string, unknown>;
  sdp?: SdpFacts;
  tracks?: Array<Record<string, unknown>>;
  /** How the media was protected: `protection` (`cleartext_udp`, `cleartext_tcp`, `tls_interleaved`, `srtp`,
   * `srtp_keys_in_clear`, `undecryptable_srtp`, `mixed`) and a `statement` for people. */
  media_security?: { protection: string; statement: string };
  interrupted?: boolean;
}

/** Whether a client plays the stream with its default settings (`risky`: it plays, with a caveat). */
export type ClientOutcome = "works" | "risky" | "fails";

/** How one client fares (docs/clients.md lists the ids, which are stable like finding codes). */
export interface ClientVerdict {
  /** `ffmpeg-gnutls`, `ffmpeg-openssl`, `gstreamer`, `vlc3`, `vlc4`, `go-legacy`, `go`, `go2rtc`, `openssl3`,
   *  `rustls`, `browser`. */
  id: string;
  name: string;
  verdict: ClientOutcome;
  /** Why, in chain order; each names the client, with the finding code it corresponds to when one does. */
  because: Array<{ layer: LayerName; code?: string; text: string }>;
  /** What to set on this client (or change on the camera) to make it work or safe. */
  settings: string[];
  /** Measured against the real client by rtspeek's interop tests (otherwise cited from its sources). */
  measured: boolean;
}

/** A complete diagnosis: the same document as `rtspeek ... --json`. */
export interface Report {
  schema_version: number;
  /** What was examined (file names, or a URL with credentials redacted). */
  target: string;
  verdict: Verdict;
  first_broken_layer: LayerName | null;
  layers: Array<{ name: LayerName; status: LayerStatus }>;
  /** Grouped by layer in chain order, errors first within a layer. */
  findings: Finding[];
  trust?: TrustStatus;
  facts: Facts;
  /** Per-client verdicts (live probes and certificate checks). */
  clients?: ClientVerdict[];
}

/** A live probe's progress (the bridge's WebSocket `event`s and `rtspeek probe`'s lines). */
export type ProbeEvent =
  | { event: "started"; target: string }
  | { event: "step"; at_ms: number; layer: LayerName; text: string }
  | { event: "transcript"; at_ms: number; direction: "sent" | "received"; text: string }
  | { event: "finding"; finding: Finding }
  | { event: "layer"; at_ms: number; layer: LayerName; status: LayerStatus; summary: string }
  | {
      event: "media";
      at_ms: number;
      tracks: Array<{
        track: number; packets: number; lost: number; jitter_ms: number; bitrate_bps: number;
        frame_rate: number; keyframes: number;
      }>;
    }
  | { event: "done"; report: Report };

// ---- the API's own types ------------------------------------------------------------------------------

/** Text (PEM) or bytes (DER, or PEM read as bytes). */
export type InputData = string | Uint8Array | ArrayBuffer;

/** An input with the name the report shows for it (a dropped file's name). */
export interface NamedInput {
  name: string;
  data: InputData;
}

/** The options of `analyzeCertificate`. At least one of `pem`, `der`, `files`; certificates are taken in that order. */
export interface CertificateOptions {
  /** PEM text: one or more certificates (leaf, chain, bundle; any order). Named `pem` in the report. */
  pem?: string | Array<string | NamedInput>;
  /** DER certificates, one per array element. Named `der[i]`. */
  der?: Uint8Array | Array<Uint8Array | NamedInput>;
  /** Certificate files (PEM or DER) with their names. */
  files?: NamedInput[];
  /** The private key (PKCS#1, PKCS#8 or SEC1; PEM or DER) to check against the leaf. */
  key?: InputData;
  /** The key's name in the report (default `key`). */
  keyName?: string;
  /** Passphrase of an encrypted PKCS#8 key. */
  keyPassphrase?: string;
  /** The host clients connect to: a DNS name or an IP literal, as in the URL. */
  host?: string;
  /** Trust these CA certificates instead of the public web PKI. Named `ca`. */
  ca?: InputData | Array<InputData | NamedInput>;
  /** The time validity is judged at: `Date.now()` (milliseconds since the epoch) or a `Date`. rtspeek reads no clock. */
  now: number | Date;
}

/** What an SPS announces (`inspectParameterSets`). */
export interface SpsSummary {
  /** `High`, `Main`, `Main 10`... */
  profile: string;
  profile_idc: number;
  /** H.264 constraint_set flags byte; 0 for H.265. */
  constraint_flags: number;
  /** As the standards write it: `3.1`, `1b`. */
  level: string;
  level_idc: number;
  width: number;
  height: number;
  chroma_format: "monochrome" | "4:2:0" | "4:2:2" | "4:4:4" | "unknown";
  bit_depth_luma: number;
  bit_depth_chroma: number;
  frame_rate?: number;
  /** WebCodecs codec string: `avc1.64001f`, `hvc1.1.6.L93.B0`. */
  codec_string: string;
}

/** One parameter set of the input. */
export interface ParameterSetSummary {
  kind: "VPS" | "SPS" | "PPS";
  /** Where it was: `sprop-parameter-sets item 1 ("Z2QA...")`, `NAL unit 2 at byte 38`. */
  origin: string;
  nal_type: number;
  id?: number;
  bytes: number;
  base64: string;
  /** `High 3.1, 1280x720, 4:2:0 8-bit, 25 fps`; `PPS 0 of SPS 0, CABAC`. */
  summary?: string;
  /** Why it could not be read, with the bit offset and syntax element. */
  error?: string;
}

/** The answer of `inspectParameterSets`. */
export interface ParameterSetInfo {
  codec: "h264" | "h265";
  input: "sprop" | "fmtp" | "hex" | "annexb" | "nal";
  codec_string?: string;
  sps?: SpsSummary;
  parameter_sets: ParameterSetSummary[];
  /** Kinds a decoder needs that the input lacks. */
  missing: Array<"VPS" | "SPS" | "PPS">;
  /** What could not be used, one sentence each. */
  problems: string[];
  /** Other NAL units of a stream, skipped: `5 (IDR slice) x3`. */
  ignored: string[];
  /** The sets as SDP fmtp parameters: `sprop-parameter-sets=...` or `sprop-vps=...;sprop-sps=...;sprop-pps=...`. */
  fmtp: string;
  /** H.264: `profile-level-id` for the SDP, from the SPS. */
  profile_level_id?: string;
}

/** A catalogue entry (`describeFinding`). */
export interface FindingInfo {
  code: string;
  layer: LayerName;
  /** The default severity; a finding may carry another one with its reason. */
  severity: Severity;
  title: string;
  meaning: string;
  remediation: string;
}

/** A link of the chain (`layers()`), in chain order. */
export interface LayerInfo {
  /** The name reports use: `layers[].name`, `findings[].layer`. */
  id: LayerName;
  /** The title the page shows: `TLS`, `Certificate`. */
  label: string;
}

/** `version()`. */
export interface VersionInfo {
  rtspeek: string;
  schema_version: number;
}
