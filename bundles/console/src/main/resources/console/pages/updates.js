import * as api from '../api.js';
import {h, table} from '../dom.js';
import {t, formatTime} from '../i18n.js';

const POLL_MS = 700;
const GIVE_UP_MS = 20 * 60 * 1000; // longer than any update's own limits

// Online updates: the running version and kept packages, offers from the update URL (download),
// one package's prechecks, and the apply with its log as it is written — in the release notes'
// shape (001: … 006:). While the update swaps the bundles that serve the API (this page's too),
// the log's calls fail for a moment; the page keeps asking until the job has ended.
export default function updates(section, {notice, failure}) {
  const state = h('div', {id: 'updates-state'});
  const offers = h('div', {id: 'updates-offers'});
  const checks = h('div', {id: 'updates-checks'});
  const log = h('ol', {id: 'updates-log', class: 'log', role: 'log', 'aria-live': 'polite'});
  const outcome = h('p', {id: 'updates-outcome', role: 'status'});
  const history = h('div', {id: 'updates-history'});
  section.append(state, offers, checks, h('section', {class: 'card'}, h('h2', {text: t('upd.log')}), outcome, log), history);
  let stopped = false;

  async function refresh() {
    try {
      const s = await api.call('GET', '/updates');
      state.replaceChildren(h('section', {class: 'card'}, h('h2', {text: t('upd.state')}),
        h('dl', {class: 'facts'}, h('dt', {text: t('dash.version')}), h('dd', {id: 'updates-running', text: s.running}),
          h('dt', {text: t('upd.status')}), h('dd', {}, h('ul', {class: 'plain status'}, s.status.map(l => h('li', {text: l}))))),
        s.packages.length ? table([t('upd.package'), ''], s.packages.map(p => h('tr', {'data-package': p},
          h('th', {scope: 'row', text: p}),
          h('td', {}, h('button', {type: 'button', class: 'precheck', text: t('upd.precheck'), onclick: () => precheck(p)})))),
        t('upd.kept')) : h('p', {text: t('upd.noPackage')})));
      const past = await api.call('GET', '/updates/history');
      history.replaceChildren(h('section', {class: 'card'}, h('h2', {text: t('upd.history')}), past.length
        ? table([t('upd.from'), t('upd.to'), t('upd.outcome'), t('upd.when')], past.map(p => h('tr', {},
          h('td', {text: p.from}), h('td', {text: p.to}), h('td', {text: p.why ? `${p.outcome}: ${p.why}` : p.outcome}),
          h('td', {text: formatTime(p.started)})))) : h('p', {text: t('upd.noHistory')})));
    } catch (e) {
      state.replaceChildren(h('p', {class: 'error', role: 'alert', text: failure(e)}));
    }
  }

  // The update server is asked only when the admin says so (it may be unset, or far away).
  offers.append(h('section', {class: 'card'}, h('h2', {text: t('upd.offers')}),
    h('button', {type: 'button', id: 'updates-check', text: t('upd.checkNow'), onclick: () => check()})));

  async function check() {
    try {
      const found = await api.call('GET', '/updates/offers');
      offers.replaceChildren(h('section', {class: 'card'}, h('h2', {text: t('upd.offers')}), found.length
        ? h('ul', {class: 'plain'}, found.map(o => h('li', {}, `${o.from} → ${o.to} `,
          h('button', {type: 'button', text: t('upd.download'), onclick: () => download(o.to)}))))
        : h('p', {text: t('upd.noOffer')})));
    } catch (e) {
      offers.replaceChildren(h('p', {class: 'error', role: 'alert', text: failure(e)}));
    }
  }

  async function download(to) {
    try {
      let job = await api.call('POST', '/updates/downloads', {to});
      const bar = h('progress', {max: 100, value: 0, 'aria-label': t('upd.downloading', {to})});
      offers.append(bar);
      while (job.state === 'running' && !stopped) {
        await new Promise(r => setTimeout(r, POLL_MS));
        job = await api.call('GET', `/updates/jobs/${job.id}`);
        if (job.bytesTotal > 0) bar.value = Math.round(job.bytesDone * 100 / job.bytesTotal);
      }
      notice(job.state === 'succeeded' ? t('upd.downloaded', {file: job.file}) : job.error, job.state === 'succeeded' ? 'ok' : 'error');
      refresh();
    } catch (e) {
      notice(failure(e), 'error');
    }
  }

  async function precheck(file) {
    checks.replaceChildren(h('p', {text: t('upd.checking', {file})}));
    try {
      const results = await api.call('GET', `/updates/precheck?${new URLSearchParams({file})}`);
      const passed = results.every(c => c.passed);
      const rows = results.map(c => h('tr', {class: c.passed ? 'pass' : 'fail'},
        h('th', {scope: 'row', text: c.name}),
        h('td', {text: c.passed ? t('upd.pass') : t('upd.fail')}),
        h('td', {text: c.reason})));
      const next = passed
        ? h('button', {type: 'button', id: 'updates-apply', text: t('upd.apply', {file}),
          onclick: () => confirm(t('upd.apply.confirm', {file})) && apply(file)})
        : h('p', {class: 'error', text: t('upd.blocked')});
      checks.replaceChildren(h('section', {class: 'card', id: 'updates-precheck'}, h('h2', {text: t('upd.prechecks', {file})}),
        table([t('upd.check'), t('upd.result'), t('upd.reason')], rows), next));
    } catch (e) {
      checks.replaceChildren(h('p', {class: 'error', role: 'alert', text: failure(e)}));
    }
  }

  async function apply(file) {
    log.replaceChildren();
    outcome.textContent = t('upd.running');
    document.querySelectorAll('#updates-apply, button.precheck').forEach(b => { b.disabled = true; });
    let job;
    try {
      job = await api.call('POST', '/updates/apply', {file});
    } catch (e) {
      outcome.textContent = failure(e);
      refresh();
      return;
    }
    let next = 0;
    const append = lines => lines.forEach(l => log.append(h('li', {text: l})));
    append(job.log || []);
    next = job.next || 0;
    const giveUp = Date.now() + GIVE_UP_MS;
    let refused = null;
    while (job.state === 'running' && !stopped && !refused && Date.now() < giveUp) {
      await new Promise(r => setTimeout(r, POLL_MS));
      try {
        job = await api.call('GET', `/updates/jobs/${encodeURIComponent(job.id)}?from=${next}`);
        append(job.log || []);
        next = job.next;
      } catch (e) {
        // while the update swaps the bundles behind the API: no answer, 404 (no resource yet) or 503; ask again.
        // Any other refusal (the right taken away, a bad request) will not change by asking.
        if (e instanceof api.ApiError && e.status !== 404 && e.status < 500) refused = e;
      }
    }
    if (job.state === 'running') {
      outcome.textContent = refused ? failure(refused) : t('upd.lost');
      outcome.className = 'error';
      return;
    }
    outcome.textContent = job.state === 'succeeded' ? t('upd.succeeded') : t('upd.failed', {error: job.error || ''});
    outcome.className = job.state === 'succeeded' ? 'ok' : 'error';
    refresh();
  }

  refresh();
  return () => { stopped = true; };
}
