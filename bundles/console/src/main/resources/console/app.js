import * as api from './api.js';
import {h, field} from './dom.js';
import {t, use, chosen, translate} from './i18n.js';
import dashboard from './pages/dashboard.js';
import maillog from './pages/maillog.js';
import lists from './pages/lists.js';
import accounts from './pages/accounts.js';
import certificates from './pages/certificates.js';
import password from './pages/password.js';
import quarantine from './pages/quarantine.js';
import backups from './pages/backups.js';
import updates from './pages/updates.js';
import cluster from './pages/cluster.js';

// Each page shows only to an account that holds what its API needs; the API decides anyway.
const has = right => me => me.rights.includes(right);
const PAGES = [
  {id: 'dashboard', page: dashboard, shown: () => true},
  {id: 'maillog', page: maillog, shown: () => true},
  {id: 'quarantine', page: quarantine, shown: () => true},
  {id: 'lists', page: lists, shown: has('lists-manage')},
  {id: 'backups', page: backups, shown: has('backup')},
  {id: 'updates', page: updates, shown: has('update')},
  {id: 'cluster', page: cluster, shown: has('cluster')},
  {id: 'certificates', page: certificates, shown: has('certificates')},
  {id: 'accounts', page: accounts, shown: has('accounts')},
  {id: 'password', page: password, shown: () => true},
];

let me = null;
let leave = null; // the shown page's clean-up (timers)
const main = () => document.getElementById('main');

export function notice(text, kind = 'info') {
  const box = document.getElementById('notice');
  box.className = `notice ${kind}`;
  box.textContent = text;
  if (text) setTimeout(() => { if (box.textContent === text) box.textContent = ''; }, 8000);
}

// One line for any failure: the API's own message (which names what is wrong), or the network's.
export function failure(error) {
  if (error instanceof api.ApiError) {
    // a 403 names why (a right, a scope, a role): that line is more use than a generic one
    if (error.status === 403) return error.message || t('error.forbidden');
    return error.message || t('error.status', {status: error.status});
  }
  return t('error.network', {detail: error.message});
}

function showLogin(message) {
  stopPage();
  me = null;
  document.getElementById('nav').hidden = true;
  document.getElementById('logout').hidden = true;
  document.getElementById('who').hidden = true;
  const name = h('input', {name: 'username', autocomplete: 'username', required: true});
  const pass = h('input', {name: 'password', type: 'password', autocomplete: 'current-password', required: true});
  const status = h('p', {id: 'login-status', class: 'error', role: 'alert'});
  const submit = h('button', {type: 'submit', text: t('login.submit')});
  if (message) status.textContent = message;
  const form = h('form', {class: 'card login', id: 'login'},
    h('h1', {text: t('login.title')}), field(t('login.name'), name), field(t('login.password'), pass), status, submit);
  form.addEventListener('submit', async event => {
    event.preventDefault();
    status.textContent = '';
    submit.disabled = true;
    try {
      await api.login(name.value.trim(), pass.value);
      pass.value = '';
      await start();
    } catch (e) {
      pass.value = '';
      if (api.loggedIn()) await api.logout().catch(() => api.forget()); // logged in, but the console could not start
      if (e instanceof api.ApiError && e.retryAfter > 0) {
        holdBack(status, submit, e.retryAfter);
        return;
      }
      status.textContent = e instanceof api.ApiError && e.status === 401 ? t('login.refused') : failure(e);
    }
    submit.disabled = false;
  });
  main().replaceChildren(form);
  name.focus();
}

// A login held back after failures: the wait is shown and counted down; the button waits too.
function holdBack(status, submit, seconds) {
  let left = seconds;
  const tick = () => {
    if (left <= 0) {
      status.textContent = t('login.again');
      submit.disabled = false;
      return;
    }
    status.textContent = t('login.held', {seconds: left});
    left--;
    setTimeout(tick, 1000);
  };
  tick();
}

async function start() {
  me = await api.call('GET', '/auth/me');
  const nav = document.getElementById('nav');
  nav.replaceChildren(h('ul', {}, PAGES.filter(p => p.shown(me)).map(p =>
    h('li', {}, h('a', {href: `#/${p.id}`, id: `nav-${p.id}`, text: t(`page.${p.id}`)})))));
  nav.hidden = false;
  const who = document.getElementById('who');
  who.textContent = t('who', {name: me.name, role: t(`role.${me.role}`)});
  who.hidden = false;
  document.getElementById('logout').hidden = false;
  route();
}

function stopPage() {
  if (leave) leave();
  leave = null;
}

function route() {
  if (!me || (location.hash && !location.hash.startsWith('#/'))) return; // not a page (the skip link's #main)
  const id = location.hash.replace(/^#\//, '') || 'dashboard';
  const entry = PAGES.find(p => p.id === id && p.shown(me)) || PAGES[0];
  stopPage();
  document.querySelectorAll('#nav a').forEach(a => {
    if (a.id === `nav-${entry.id}`) a.setAttribute('aria-current', 'page'); else a.removeAttribute('aria-current');
  });
  const section = h('section', {class: 'page', id: `page-${entry.id}`},
    h('h1', {text: t(`page.${entry.id}`)}));
  main().replaceChildren(section);
  document.title = `${t(`page.${entry.id}`)} — Portcullis`;
  leave = entry.page(section, {me, notice, failure, relogin: showLogin}) || null;
  main().focus({preventScroll: true}); // the next Tab starts in the page; the header stays in sight
  window.scrollTo(0, 0);
}

async function boot() {
  await use(chosen(), false);
  const select = document.getElementById('lang');
  select.value = document.documentElement.lang;
  select.addEventListener('change', async () => {
    await use(select.value, true);
    if (me) await start(); else showLogin();
  });
  document.getElementById('logout').addEventListener('click', async () => {
    await api.logout().catch(() => {});
    showLogin(t('logout.done'));
  });
  api.onExpired(() => showLogin(t('login.expired')));
  document.querySelector('.skip').addEventListener('click', event => {
    event.preventDefault();
    main().focus();
  });
  window.addEventListener('hashchange', route);
  translate(document);
  showLogin();
}

boot();
