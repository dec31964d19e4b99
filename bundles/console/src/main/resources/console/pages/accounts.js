import * as api from '../api.js';
import {h, field, table, perform} from '../dom.js';
import {t, formatTime} from '../i18n.js';

const ROLES = ['user', 'domain-admin', 'admin'];
const RIGHTS = ['lists-manage', 'quarantine-release', 'virus-release', 'sandbox-release', 'backup', 'update', 'cluster', 'accounts',
  'certificates', 'metrics'];

// Accounts and rights, as the API lets the caller manage them (a domain-admin: accounts inside
// its domains, rights it holds itself). The same accounts log in to the shell and the API.
export default function accounts(section, {me, notice, failure}) {
  const name = h('input', {name: 'name', required: true, autocomplete: 'off'});
  const role = h('select', {name: 'role'}, ROLES.map(r => h('option', {value: r, text: t(`role.${r}`)})));
  const scopes = h('input', {name: 'scopes', placeholder: t('accounts.scopes.hint')});
  const pass = h('input', {name: 'password', type: 'password', autocomplete: 'new-password', required: true, minlength: 12});
  const add = h('form', {class: 'card', id: 'accounts-add'}, h('h2', {text: t('accounts.add')}),
    field(t('accounts.name'), name), field(t('accounts.role'), role), field(t('accounts.scopes'), scopes),
    field(t('accounts.password'), pass), h('button', {type: 'submit', text: t('accounts.add.submit')}));
  const results = h('div', {id: 'accounts-results', 'aria-live': 'polite'});
  section.append(add, results);

  async function refresh() {
    try {
      const users = await api.call('GET', '/auth/users');
      results.replaceChildren(table([t('accounts.name'), t('accounts.role'), t('accounts.scopes'), t('accounts.rights'),
        t('accounts.created'), ''], users.map(row)));
    } catch (e) {
      results.replaceChildren(h('p', {class: 'error', role: 'alert', text: failure(e)}));
    }
  }

  function row(u) {
    const grantable = RIGHTS.filter(r => !u.rights.includes(r) && me.rights.includes(r));
    const pick = h('select', {'aria-label': t('accounts.grant.label', {name: u.name})},
      grantable.map(r => h('option', {value: r, text: t(`right.${r}`)})));
    return h('tr', {'data-account': u.name},
      h('th', {scope: 'row', text: u.name}),
      h('td', {text: t(`role.${u.role}`)}),
      h('td', {text: (u.scopes || []).join(', ')}),
      h('td', {}, u.role === 'admin' ? t('accounts.allRights') : h('ul', {class: 'chips'}, u.rights.map(r => h('li', {},
        t(`right.${r}`), ' ', h('button', {type: 'button', class: 'small', 'aria-label': t('accounts.revoke.label', {right: t(`right.${r}`),
          name: u.name}), text: '×', onclick: () => change('DELETE', u.name, r)}))))),
      h('td', {text: formatTime(u.created)}),
      h('td', {class: 'actions'},
        u.role !== 'admin' && grantable.length ? [pick, h('button', {type: 'button', text: t('accounts.grant'),
          onclick: () => change('POST', u.name, pick.value)})] : null,
        u.name !== me.name ? h('button', {type: 'button', class: 'danger', text: t('remove'),
          'aria-label': t('accounts.remove.label', {name: u.name}), onclick: () => remove(u.name)}) : null));
  }

  async function change(method, user, right) {
    const said = {right: t(`right.${right}`), name: user};
    await perform(() => api.call(method, `/auth/users/${encodeURIComponent(user)}/rights/${encodeURIComponent(right)}`),
      () => (method === 'POST' ? t('accounts.granted', said) : t('accounts.revoked', said)), {notice, failure, refresh, region: results});
  }

  async function remove(user) {
    if (!confirm(t('accounts.remove.confirm', {name: user}))) return;
    await perform(() => api.call('DELETE', `/auth/users/${encodeURIComponent(user)}`), () => t('accounts.removed', {name: user}),
      {notice, failure, refresh, region: results});
  }

  add.addEventListener('submit', async event => {
    event.preventDefault();
    try {
      const body = {name: name.value.trim(), role: role.value, password: pass.value,
        scopes: scopes.value.split(/[\s,]+/).filter(s => s)};
      await api.call('POST', '/auth/users', body);
      notice(t('accounts.added', {name: body.name}), 'ok');
      name.value = '';
      scopes.value = '';
      refresh();
    } catch (e) {
      notice(failure(e), 'error');
    } finally {
      pass.value = '';
    }
  });
  refresh();
}
