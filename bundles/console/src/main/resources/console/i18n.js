// One message catalogue per language (i18n/<lang>.json, the same keys in each); every string the
// console shows goes through t(). The language follows the browser until the admin picks one.
export const LANGUAGES = ['en', 'ja'];
const STORE = 'portcullis.lang';
let messages = {};
let english = {};
let current = 'en';

async function fetchCatalogue(lang) {
  const r = await fetch(`i18n/${lang}.json`, {cache: 'no-cache'});
  if (!r.ok) throw new Error(`message catalogue ${lang}: HTTP ${r.status}`);
  return r.json();
}

export function chosen() {
  const stored = localStorage.getItem(STORE);
  if (LANGUAGES.includes(stored)) return stored;
  for (const l of navigator.languages || [navigator.language]) {
    const base = String(l).slice(0, 2).toLowerCase();
    if (LANGUAGES.includes(base)) return base;
  }
  return 'en';
}

export async function use(lang, remember) {
  if (!LANGUAGES.includes(lang)) lang = 'en';
  if (!Object.keys(english).length) english = await fetchCatalogue('en');
  messages = lang === 'en' ? english : await fetchCatalogue(lang);
  current = lang;
  if (remember) localStorage.setItem(STORE, lang);
  document.documentElement.lang = lang;
  translate(document);
}

export function language() {
  return current;
}

// t(key, {pattern: 'x'}): the message with {name} replaced; a missing key shows itself.
export function t(key, params) {
  const text = messages[key] ?? english[key] ?? key;
  return params ? text.replace(/\{(\w+)\}/g, (m, name) => (name in params ? String(params[name]) : m)) : text;
}

// Static text in index.html carries data-i18n (text) or data-i18n-label (aria-label).
export function translate(root) {
  root.querySelectorAll('[data-i18n]').forEach(el => { el.textContent = t(el.dataset.i18n); });
  root.querySelectorAll('[data-i18n-label]').forEach(el => el.setAttribute('aria-label', t(el.dataset.i18nLabel)));
}

export function formatTime(iso) {
  if (!iso) return '';
  const d = new Date(iso);
  return isNaN(d) ? iso : d.toLocaleString(current === 'ja' ? 'ja-JP' : 'en-GB');
}
