// The analyser: rtspeek-web's wasm API (web/src/lib.rs) through the wasm-bindgen glue in pkg/. The page's
// one import of the glue; app.js loads it once and every other module reads it through the live binding
// `engine`: null until the wasm is loaded (and for good if it could not load).

import init, * as wasm from "./pkg/rtspeek_web.js";

/** The wasm API once loaded, else null. */
export let engine = null;

/** Fetches and instantiates the wasm (the module next to the glue); throws if it cannot. */
export async function loadEngine() {
  await init();
  engine = wasm;
  return engine;
}
