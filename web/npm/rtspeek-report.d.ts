// Types of the <rtspeek-report> custom element (rtspeek-report.js). The Report type is the wasm module's.
import type { LayerInfo, Report } from "./rtspeek_web.js";

/** Renders an rtspeek Report: layer chain, first broken link with evidence and fix, findings, facts. */
export declare class RtspeekReport extends HTMLElement {
  /**
   * The layer titles of every instance: pass the wasm module's `layers()` (`[{ id, label }]`). Unset (the
   * element used without the wasm), titles are made from the layer ids (`tls` -> TLS, `certificate` ->
   * Certificate). Findings are ordered by the report's own `layers`, either way.
   */
  static layers: LayerInfo[];
  /** The report shown, or null. Setting it re-renders; a partial report (no verdict) shows as running. */
  report: Report | null;
  /** Shows an error message instead of a report. */
  showError(message: string): void;
}

declare global {
  interface HTMLElementTagNameMap {
    "rtspeek-report": RtspeekReport;
  }
  interface HTMLElementEventMap {
    /** A report loaded from the `src` attribute. */
    "rtspeek-load": CustomEvent<Report>;
    /** The `src` attribute's report could not be loaded. */
    "rtspeek-error": CustomEvent<Error>;
  }
}
