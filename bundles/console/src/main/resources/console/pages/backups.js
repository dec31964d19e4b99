import * as api from '../api.js';
import {h, field, table, download} from '../dom.js';
import {t, formatTime} from '../i18n.js';

const POLL_MS = 500;

// Backups: create one with its progress, verify, and — for admins, as in the API — download,
// upload, restore and delete. The passphrase field is used by create, verify and restore; empty
// means the appliance's key file.
export default function backups(section, {me, notice, failure}) {
  const admin = me.role === 'admin';
  const passphrase = h('input', {name: 'passphrase', type: 'password', autocomplete: 'off'});
  const progress = h('div', {id: 'backups-progress', 'aria-live': 'polite'});
  const create = h('form', {class: 'card', id: 'backups-create'}, h('h2', {text: t('bak.create')}),
    field(t('bak.passphrase'), passphrase), h('button', {type: 'submit', text: t('bak.create.submit')}), progress);
  const results = h('div', {id: 'backups-results'});
  section.append(create);
  if (admin) {
    const file = h('input', {type: 'file', name: 'backup', accept: '.pcbk'});
    const upload = h('form', {class: 'card', id: 'backups-upload'}, h('h2', {text: t('bak.upload')}), field(t('bak.upload.file'), file),
      h('button', {type: 'submit', text: t('bak.upload.submit')}));
    upload.addEventListener('submit', async event => {
      event.preventDefault();
      if (!file.files.length) return;
      const f = file.files[0];
      try {
        await api.call('PUT', `/backups/${encodeURIComponent(f.name)}`, f, {type: 'application/octet-stream'});
        notice(t('bak.uploaded', {name: f.name}), 'ok');
        refresh();
      } catch (e) {
        notice(failure(e), 'error');
      }
    });
    section.append(upload);
  }
  section.append(results);

  const key = () => (passphrase.value ? {passphrase: passphrase.value} : {});
  let stopped = false;

  async function refresh() {
    try {
      const list = await api.call('GET', '/backups');
      results.replaceChildren(list.length ? table([t('bak.name'), t('bak.created'), t('bak.node'), t('dash.version'), t('bak.key'),
        t('mail.size'), ''], list.map(b => h('tr', {'data-backup': b.name},
        h('th', {scope: 'row', text: b.name}), h('td', {text: formatTime(b.created)}), h('td', {text: b.node}),
        h('td', {text: b.productVersion}), h('td', {text: b.key}), h('td', {class: 'num', text: b.bytes}),
        h('td', {class: 'actions'},
          h('button', {type: 'button', text: t('bak.verify'), onclick: () => run(`/backups/${encodeURIComponent(b.name)}/verify`, key())}),
          admin ? [
            h('button', {type: 'button', class: 'download', text: t('bak.download'), onclick: () => save(b.name)}),
            h('button', {type: 'button', class: 'danger', text: t('bak.restore'),
              onclick: () => confirm(t('bak.restore.confirm', {name: b.name})) && run(`/backups/${encodeURIComponent(b.name)}/restore`, key())}),
            h('button', {type: 'button', class: 'danger delete', text: t('remove'),
              onclick: () => confirm(t('bak.delete.confirm', {name: b.name})) && remove(b.name)}),
          ] : null))), t('bak.count', {count: list.length})) : h('p', {text: t('bak.none')}));
    } catch (e) {
      results.replaceChildren(h('p', {class: 'error', role: 'alert', text: failure(e)}));
    }
  }

  // A job (create, verify, restore) followed until it ends: its phase, part and bytes.
  async function run(path, body) {
    const bar = h('progress', {max: 100, value: 0});
    const line = h('p', {});
    progress.replaceChildren(bar, line);
    try {
      let job = await api.call('POST', path, body);
      passphrase.value = '';
      while ((job.state === 'queued' || job.state === 'running') && !stopped) {
        line.textContent = t('bak.progress', {kind: t(`bak.kind.${job.kind}`), phase: job.phase || '', part: job.part || '',
          done: job.partsDone, total: job.partsTotal < 0 ? '?' : job.partsTotal});
        if (job.bytesTotal > 0) bar.value = Math.round(job.bytesDone * 100 / job.bytesTotal);
        await new Promise(r => setTimeout(r, POLL_MS));
        job = await api.call('GET', `/backups/jobs/${job.id}`);
      }
      bar.value = 100;
      line.textContent = job.state === 'succeeded' ? t('bak.done', {kind: t(`bak.kind.${job.kind}`), name: job.file})
        : t('bak.failed', {kind: t(`bak.kind.${job.kind}`), error: job.error});
      line.className = job.state === 'succeeded' ? 'ok' : 'error';
      refresh();
    } catch (e) {
      line.textContent = failure(e);
      line.className = 'error';
    }
  }

  async function save(name) {
    try {
      await download(await api.call('GET', `/backups/${encodeURIComponent(name)}`, undefined, {raw: true}), name);
    } catch (e) {
      notice(failure(e), 'error');
    }
  }

  async function remove(name) {
    try {
      await api.call('DELETE', `/backups/${encodeURIComponent(name)}`);
      notice(t('bak.deleted', {name}), 'ok');
      refresh();
    } catch (e) {
      notice(failure(e), 'error');
    }
  }

  create.addEventListener('submit', event => {
    event.preventDefault();
    run('/backups', key());
  });
  refresh();
  return () => { stopped = true; };
}
