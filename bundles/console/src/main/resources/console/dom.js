// Builds elements without ever parsing HTML: text from the API is always set as text, never parsed as markup.
export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value == null || value === false) continue;
    if (key.startsWith('on') && typeof value === 'function') el.addEventListener(key.slice(2), value);
    else if (key === 'text') el.textContent = value;
    else el.setAttribute(key, value === true ? '' : String(value));
  }
  for (const child of children.flat()) {
    if (child != null && child !== false) el.append(child instanceof Node ? child : String(child));
  }
  return el;
}

// A labelled form field: the label names the input for screen readers and clicks.
let fieldCount = 0;
export function field(label, input) {
  const id = input.id || `f${++fieldCount}`;
  input.id = id;
  return h('div', {class: 'field'}, h('label', {for: id, text: label}), input);
}

export function table(headings, rows, caption) {
  return h('table', {},
    caption ? h('caption', {text: caption}) : null,
    h('thead', {}, h('tr', {}, headings.map(text => h('th', {scope: 'col', text})))),
    h('tbody', {}, rows));
}

// Saves a response body as a file the browser downloads (the token never goes into a URL).
export async function download(response, name) {
  const url = URL.createObjectURL(await response.blob());
  const a = h('a', {href: url, download: name});
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10000);
}

// After an action redraws a region (its button is gone), the keyboard's focus goes to the region
// rather than falling back to the page's start.
export function focusRegion(region) {
  region.tabIndex = -1;
  region.focus({preventScroll: true});
}

// An action on a row (remove, grant, release): its call, then a notice of what it did, the table
// redrawn and the focus on it; or the one line saying why it failed.
export async function perform(call, said, {notice, failure, refresh, region}) {
  try {
    const result = await call();
    notice(said(result), 'ok');
    await refresh();
    focusRegion(region);
  } catch (e) {
    notice(failure(e), 'error');
  }
}
