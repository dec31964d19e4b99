import * as api from '../api.js';
import {h, field, table, perform} from '../dom.js';
import {t, formatTime} from '../i18n.js';

const CATEGORIES = ['spam', 'virus', 'sandbox', 'policy'];
const STATES = ['held', 'released', 'deleted', 'expired'];

// The rights that release or delete a held message of each category (bundles/quarantine):
// the buttons show only to an account holding one; the API checks again.
const RELEASED_BY = {spam: ['quarantine-release'], policy: ['quarantine-release'], virus: ['virus-release'],
  sandbox: ['sandbox-release', 'virus-release']};

export function mayRelease(me, category) {
  return (RELEASED_BY[category] || []).some(r => me.rights.includes(r));
}

// Held mail (the quarantine and the sandbox): search, look at one, release it to its held
// recipients or delete it. Every account sees the recipients in its scope only.
export default function quarantine(section, {me, notice, failure}) {
  const to = h('input', {name: 'to', type: 'search'});
  const from = h('input', {name: 'from', type: 'search'});
  const reason = h('select', {name: 'reason'}, ['', ...CATEGORIES].map(c => h('option', {value: c, text: c ? t(`held.${c}`) : t('any')})));
  const state = h('select', {name: 'state'}, ['', ...STATES].map(s => h('option', {value: s, text: s ? t(`held.state.${s}`) : t('any')})));
  state.value = 'held';
  const form = h('form', {class: 'card filters', id: 'quarantine-search', role: 'search'},
    field(t('mail.to'), to), field(t('mail.from'), from), field(t('held.category'), reason), field(t('held.state'), state),
    h('button', {type: 'submit', text: t('search')}));
  const results = h('div', {id: 'quarantine-results', 'aria-live': 'polite'});
  section.append(form, results);

  async function refresh(event) {
    if (event) event.preventDefault();
    const q = new URLSearchParams({limit: '100'});
    for (const [name, input] of [['to', to], ['from', from], ['reason', reason], ['state', state]]) {
      if (input.value.trim()) q.set(name, input.value.trim());
    }
    try {
      const held = await api.call('GET', `/quarantine?${q}`);
      results.replaceChildren(held.length ? table(
        [t('held.time'), t('mail.from'), t('held.recipients'), t('held.category'), t('held.reason'), t('mail.size'), ''],
        held.map(row), t('held.count', {count: held.length})) : h('p', {text: t('held.none')}));
    } catch (e) {
      results.replaceChildren(h('p', {class: 'error', role: 'alert', text: failure(e)}));
    }
  }

  function row(m) {
    const waiting = m.recipients.some(r => r.state === 'held');
    const allowed = waiting && mayRelease(me, m.category);
    return h('tr', {'data-held-id': m.id, 'data-message-id': m.messageId || ''},
      h('td', {text: formatTime(m.held)}),
      h('td', {text: m.sender || '<>'}),
      h('td', {}, h('ul', {class: 'plain'}, m.recipients.map(r => h('li', {},
        `${r.address} — ${t(`held.state.${r.state}`)}${r.changedBy ? ` (${r.changedBy})` : ''}`)))),
      h('td', {text: t(`held.${m.category}`)}),
      h('td', {}, m.reason, (m.details || []).length ? h('ul', {class: 'plain details'}, m.details.map(d => h('li', {text: d}))) : null),
      h('td', {class: 'num', text: m.size}),
      h('td', {class: 'actions'}, allowed ? [
        h('button', {type: 'button', class: 'release', text: t('held.release'), 'aria-label': t('held.release.label', {id: m.id}),
          onclick: () => act('POST', `/quarantine/${m.id}/release`, done => t('held.released', {id: m.id, done}))}),
        h('button', {type: 'button', class: 'danger', text: t('remove'), 'aria-label': t('held.delete.label', {id: m.id}),
          onclick: () => confirm(t('held.delete.confirm', {id: m.id})) && act('DELETE', `/quarantine/${m.id}`, done => t('held.deleted', {id: m.id, done}))}),
      ] : null));
  }

  async function act(method, path, said) {
    await perform(() => api.call(method, path, method === 'POST' ? {} : undefined),
      outcome => said((outcome.done || []).join(', ') || '—'), {notice, failure, refresh, region: results});
  }

  form.addEventListener('submit', refresh);
  refresh();
}
