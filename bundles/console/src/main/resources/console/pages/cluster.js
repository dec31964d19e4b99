import * as api from '../api.js';
import {h, table} from '../dom.js';
import {t, formatTime} from '../i18n.js';

// The cluster: this node, the Primary's lease and fencing epoch, every node with its role and
// heartbeat, the Primary-only jobs, the terms (who was Primary when), and promoting this node.
export default function cluster(section, {notice, failure}) {
  const body = h('div', {id: 'cluster-status'});
  section.append(body);

  async function refresh() {
    try {
      const s = await api.call('GET', '/cluster');
      // the terms come from the database: when it is away, the status above still says why
      const terms = await api.call('GET', '/cluster/terms').catch(e => e);
      const focused = document.activeElement && document.activeElement.id; // redrawn every 5 s: the keyboard stays where it was
      body.replaceChildren(thisNode(s, promote), nodes(s), jobs(s),
        terms instanceof Error ? h('p', {class: 'error', text: failure(terms)}) : termsCard(terms));
      if (focused && document.getElementById(focused)) document.getElementById(focused).focus();
    } catch (e) {
      body.replaceChildren(h('p', {class: 'error', role: 'alert', text: failure(e)}));
    }
  }

  async function promote() {
    try {
      const p = await api.call('POST', '/cluster/promote');
      notice(t('cl.promoted', {node: p.nodeId, epoch: p.epoch}), 'ok');
      refresh();
    } catch (e) {
      notice(failure(e), 'error');
    }
  }

  refresh();
  const timer = setInterval(refresh, 5000);
  return () => clearInterval(timer);
}

function card(title, ...content) {
  return h('section', {class: 'card'}, h('h2', {text: title}), ...content);
}

function thisNode(s, promote) {
  const facts = h('dl', {class: 'facts'},
    h('dt', {text: t('dash.node')}), h('dd', {text: s.nodeId}),
    h('dt', {text: t('dash.role')}), h('dd', {id: 'cluster-role', text: s.primary ? t('role.node.primary') : t('role.node.secondary')}),
    h('dt', {text: t('cl.epoch')}), h('dd', {text: s.epoch}),
    h('dt', {text: t('dash.version')}), h('dd', {text: s.version}));
  if (s.lease) {
    facts.append(h('dt', {text: t('cl.lease')}), h('dd', {text: t('cl.lease.value', {holder: s.lease.holder, ms: s.lease.leftMillis})}));
  }
  if (!s.reachable) facts.append(h('dt', {text: t('dash.storage')}), h('dd', {class: 'error', text: s.lastError}));
  const button = s.primary ? null : h('button', {type: 'button', id: 'cluster-promote', text: t('cl.promote'),
    onclick: () => confirm(t('cl.promote.confirm')) && promote()});
  return card(t('cl.this'), facts, button);
}

function nodes(s) {
  const rows = (s.nodes || []).map(n => h('tr', {},
    h('th', {scope: 'row', text: n.nodeId}),
    h('td', {text: t(`role.node.${n.role}`)}),
    h('td', {text: n.version + (n.updateRequired ? ` (${t('cl.updateRequired')})` : '')}),
    h('td', {text: n.address || ''}),
    h('td', {text: formatTime(n.heartbeat)}),
    h('td', {class: 'num', text: n.lagMillis})));
  return card(t('cl.nodes'), table([t('dash.node'), t('dash.role'), t('dash.version'), t('dash.address'), t('cl.heartbeat'), t('cl.lag')], rows));
}

function jobs(s) {
  const rows = (s.jobs || []).map(j => h('tr', {},
    h('th', {scope: 'row', text: j.name}), h('td', {text: j.nodeId}), h('td', {text: j.epoch}),
    h('td', {text: formatTime(j.started)}), h('td', {text: j.outcome || ''})));
  return card(t('cl.jobs'), table([t('cl.job'), t('dash.node'), t('cl.epoch'), t('cl.started'), t('upd.outcome')], rows));
}

function termsCard(terms) {
  const rows = terms.map(x => h('tr', {},
    h('td', {text: x.epoch}), h('td', {text: x.nodeId}), h('td', {text: formatTime(x.began)}),
    h('td', {text: formatTime(x.ended)}), h('td', {text: x.how || ''})));
  return card(t('cl.terms'), table([t('cl.epoch'), t('dash.node'), t('cl.began'), t('cl.ended'), t('cl.how')], rows));
}
