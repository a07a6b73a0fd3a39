// Small DOM helpers shared by the page's modules: element by id, show/hide, error boxes, table cells.
// Every string is inserted as text, never as HTML.

/** The element with this id. */
export const $ = (id) => document.getElementById(id);

export function show(el, visible) { el.hidden = !visible; }

/** Shows `message` in an error box, or hides the box when there is none. */
export function setError(el, message) {
  el.textContent = message || "";
  show(el, Boolean(message));
}

export function td(text, cls) {
  const c = document.createElement("td");
  c.textContent = text ?? "";
  if (cls) c.className = cls;
  return c;
}

/** A `<tr>` of a header cell and a value cell. */
export function row(label, value, cls) {
  const tr = document.createElement("tr");
  const th = document.createElement("th");
  th.textContent = label;
  tr.append(th, td(value, cls));
  return tr;
}
