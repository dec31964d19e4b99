import * as api from '../api.js';
import {h, field, table, download, perform} from '../dom.js';
import {t, formatTime} from '../i18n.js';

// The Allow and Block lists: search, add, remove, import and export CSV (import and export are
// an admin's, as in the API; the buttons show only to admins).
export default function lists(section, {me, notice, failure}) {
  const filterList = h('select', {name: 'list'}, ['', 'allow', 'block'].map(v => h('option', {value: v, text: v ? t(`list.${v}`) : t('any')})));
  const filterPattern = h('input', {name: 'pattern', type: 'search'});
  const filterScope = h('input', {name: 'scope', type: 'search'});
  const results = h('div', {id: 'lists-results', 'aria-live': 'polite'});
  const filters = h('form', {class: 'card filters', id: 'lists-search', role: 'search'},
    field(t('list.list'), filterList), field(t('list.pattern'), filterPattern), field(t('list.scope'), filterScope),
    h('button', {type: 'submit', text: t('search')}));

  const list = h('select', {name: 'list', required: true}, ['block', 'allow'].map(v => h('option', {value: v, text: t(`list.${v}`)})));
  const pattern = h('input', {name: 'pattern', required: true, spellcheck: 'false'});
  const scope = h('input', {name: 'scope', placeholder: t('list.scope.global')});
  const comment = h('input', {name: 'comment'});
  const expires = h('input', {name: 'expires', type: 'datetime-local'});
  const add = h('form', {class: 'card', id: 'lists-add'}, h('h2', {text: t('list.add')}),
    field(t('list.list'), list), field(t('list.pattern'), pattern), field(t('list.scope'), scope),
    field(t('list.comment'), comment), field(t('list.expires'), expires), h('button', {type: 'submit', text: t('list.add.submit')}));
  section.append(filters, add);

  if (me.role === 'admin') {
    const file = h('input', {type: 'file', name: 'csv', accept: '.csv,text/csv'});
    const importForm = h('form', {class: 'card', id: 'lists-import'}, h('h2', {text: t('list.csv')}),
      field(t('list.import.file'), file), h('button', {type: 'submit', text: t('list.import')}),
      h('button', {type: 'button', id: 'lists-export', text: t('list.export'), onclick: exportCsv}));
    importForm.addEventListener('submit', async event => {
      event.preventDefault();
      if (!file.files.length) return notice(t('list.import.choose'), 'error');
      try {
        const f = file.files[0];
        const r = await api.call('POST', `/lists/import?${new URLSearchParams({name: f.name})}`, await f.text(), {type: 'text/csv'});
        notice(t('list.imported', {added: r.added, duplicates: r.duplicates.length, errors: r.errors.length}), r.errors.length ? 'error' : 'ok');
        refresh();
      } catch (e) {
        notice(failure(e), 'error');
      }
    });
    section.append(importForm);
  }
  section.append(results);

  async function exportCsv() {
    try {
      await download(await api.call('GET', '/lists/export', undefined, {raw: true}), 'portcullis-lists.csv');
    } catch (e) {
      notice(failure(e), 'error');
    }
  }

  async function refresh(event) {
    if (event) event.preventDefault();
    const q = new URLSearchParams();
    if (filterList.value) q.set('list', filterList.value);
    if (filterPattern.value.trim()) q.set('pattern', filterPattern.value.trim());
    if (filterScope.value.trim()) q.set('scope', filterScope.value.trim());
    try {
      const entries = await api.call('GET', `/lists?${q}`);
      results.replaceChildren(entries.length ? table(
        [t('list.list'), t('list.pattern'), t('list.scope'), t('list.comment'), t('list.creator'), t('list.expires'), ''],
        entries.map(e => h('tr', {'data-pattern': e.pattern},
          h('td', {text: t(`list.${e.list}`)}), h('td', {text: e.pattern}), h('td', {text: e.scope}), h('td', {text: e.comment || ''}),
          h('td', {text: `${e.creator} ${formatTime(e.created)}`}), h('td', {text: e.expires ? formatTime(e.expires) : ''}),
          h('td', {}, h('button', {type: 'button', class: 'danger', 'aria-label': t('list.remove.label', {pattern: e.pattern}),
            text: t('remove'), onclick: () => remove(e)})))), t('list.count', {count: entries.length}))
        : h('p', {text: t('list.empty')}));
    } catch (e) {
      results.replaceChildren(h('p', {class: 'error', role: 'alert', text: failure(e)}));
    }
  }

  async function remove(entry) {
    if (!confirm(t('list.remove.confirm', {list: t(`list.${entry.list}`), pattern: entry.pattern}))) return;
    await perform(() => api.call('DELETE', `/lists/${entry.id}`), () => t('list.removed', {pattern: entry.pattern}),
      {notice, failure, refresh, region: results});
  }

  add.addEventListener('submit', async event => {
    event.preventDefault();
    const body = {list: list.value, pattern: pattern.value.trim()};
    if (scope.value.trim()) body.scope = scope.value.trim();
    if (comment.value.trim()) body.comment = comment.value.trim();
    if (expires.value) body.expires = new Date(expires.value).toISOString();
    try {
      const e = await api.call('POST', '/lists', body);
      notice(t('list.added', {list: t(`list.${e.list}`), pattern: e.pattern}), 'ok');
      pattern.value = '';
      comment.value = '';
      expires.value = '';
      refresh();
    } catch (e) {
      notice(failure(e), 'error');
    }
  });
  filters.addEventListener('submit', refresh);
  refresh();
}
