import * as api from '../api.js';
import {h, table} from '../dom.js';
import {t, formatTime} from '../i18n.js';

const EVERY_MS = 5000;
const WINDOW_MS = 60000;

// The appliance at a glance, polled every 5 s: messages per minute by verdict (from the change of
// the metrics' counters over the last minute), decision time, scanners, maintenance, version,
// and the cluster's roles. Parts whose right the account lacks are left out.
export default function dashboard(section, {me, failure}) {
  const canMetrics = me.rights.includes('metrics');
  const canCluster = me.rights.includes('cluster');
  const body = h('div', {class: 'grid'});
  const error = h('p', {class: 'error', role: 'alert'});
  const samples = [];
  section.append(error, body);

  async function refresh() {
    try {
      const [version, maintenance, status, cluster] = await Promise.all([
        api.call('GET', '/system/version'),
        api.call('GET', '/system/maintenance'),
        canMetrics ? api.call('GET', '/system/status') : null,
        canCluster ? api.call('GET', '/cluster') : null,
      ]);
      error.textContent = '';
      const now = Date.now();
      if (status) {
        samples.push({at: now, verdicts: counts(status)});
        while (samples.length > 2 && now - samples[1].at >= WINDOW_MS) samples.shift();
      }
      body.replaceChildren(summary(version, maintenance, status),
        status ? verdicts(status, samples) : null,
        status ? scanners(status) : null,
        cluster ? nodes(cluster) : null);
    } catch (e) {
      error.textContent = failure(e);
    }
  }

  refresh();
  const timer = setInterval(refresh, EVERY_MS);
  return () => clearInterval(timer);
}

function card(id, title, ...content) {
  return h('section', {class: 'card', id, 'aria-labelledby': `${id}-h`}, h('h2', {id: `${id}-h`, text: title}), ...content);
}

function facts(pairs) {
  return h('dl', {class: 'facts'}, pairs.filter(p => p).flatMap(([term, value, id]) =>
    [h('dt', {text: term}), h('dd', {id, text: value})]));
}

function summary(version, maintenance, status) {
  return card('dash-system', t('dash.system'), facts([
    [t('dash.version'), version.version || JSON.stringify(version), 'dash-version'],
    [t('dash.maintenance'), maintenance.active ? t('dash.maintenance.on', {reason: maintenance.reason || ''}) : t('dash.maintenance.off'),
      'dash-maintenance'],
    status && [t('dash.uptime'), t('dash.uptime.value', {hours: Math.floor(status.uptimeSeconds / 3600),
      minutes: Math.floor(status.uptimeSeconds / 60) % 60})],
    status && [t('dash.latency'), t('dash.ms', {ms: status.decisionMeanMillis}), 'dash-latency'],
    status && [t('dash.storage'), status.storageReachable === false ? t('dash.storage.down') : t('dash.storage.up')],
    status && [t('dash.backup'), status.newestBackup ? formatTime(status.newestBackup) : t('dash.none')],
  ]));
}

// Decisions at the end of a message by verdict, and refusals before it (at MAIL or RCPT) as
// "stage:verdict": a gateway refuses much of its mail there.
function counts(status) {
  const all = {...status.verdicts};
  for (const [key, n] of Object.entries(status.refusedEarly || {})) all[`early:${key}`] = n;
  return all;
}

function label(name) {
  if (!name.startsWith('early:')) return t(`verdict.${name}`);
  const [, stage, verdict] = name.split(':');
  return t('dash.early', {stage: stage.toUpperCase(), verdict: t(`verdict.${verdict}`)});
}

// Per minute: the counters' change since the oldest sample in the window, scaled to 60 s.
function verdicts(status, samples) {
  const first = samples[0];
  const now = samples[samples.length - 1].verdicts;
  const span = (samples[samples.length - 1].at - first.at) / 1000;
  const names = Object.keys(now).sort();
  const rate = name => span > 0 ? ((now[name] - (first.verdicts[name] || 0)) * 60 / span) : null;
  const highest = Math.max(1, ...names.map(n => rate(n) || 0));
  const rows = names.map(name => {
    const r = rate(name);
    return h('tr', {'data-verdict': name},
      h('th', {scope: 'row', text: label(name)}),
      h('td', {class: 'num per-minute', text: r == null ? '…' : r.toFixed(1)}),
      h('td', {class: 'num', text: now[name]}),
      h('td', {class: 'chart', 'aria-hidden': 'true'}, h('span', {class: `meter v-${name.split(':').pop()}`, 'data-width': Math.round((r || 0) * 100 / highest)})));
  });
  const t1 = table([t('dash.verdict'), t('dash.perMinute'), t('dash.total'), ''], rows.length ? rows
    : [h('tr', {}, h('td', {colspan: 4, text: t('dash.noMail')}))]);
  // widths through the CSSOM: the policy allows no inline style attribute
  t1.querySelectorAll(".meter").forEach(bar => { bar.style.width = `${bar.dataset.width}%`; });
  return card('dash-verdicts', t('dash.messages', {total: status.messages}), t1);
}

function scanners(status) {
  const rows = status.scanners.map(s => h('tr', {},
    h('th', {scope: 'row', text: s.name}),
    h('td', {class: 'num', text: s.calls}),
    h('td', {text: Object.entries(s.results).map(([k, v]) => `${k} ${v}`).join(', ')}),
    h('td', {class: 'num', text: t('dash.ms', {ms: Math.round(s.meanMillis)})})));
  return card('dash-scanners', t('dash.scanners'), rows.length
    ? table([t('dash.scanner'), t('dash.calls'), t('dash.results'), t('dash.mean')], rows)
    : h('p', {text: t('dash.noScanners')}));
}

function nodes(cluster) {
  const rows = (cluster.nodes || []).map(n => h('tr', {},
    h('th', {scope: 'row', text: n.nodeId + (n.nodeId === cluster.nodeId ? ` (${t('dash.thisNode')})` : '')}),
    h('td', {text: t(`role.node.${n.role}`)}),
    h('td', {text: n.version}),
    h('td', {text: n.address || ''})));
  return card('dash-cluster', t('dash.cluster'), cluster.reachable === false ? h('p', {class: 'error', text: cluster.lastError})
    : table([t('dash.node'), t('dash.role'), t('dash.version'), t('dash.address')], rows));
}
