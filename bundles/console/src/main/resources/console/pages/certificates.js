import * as api from '../api.js';
import {h, table} from '../dom.js';
import {t, formatTime} from '../i18n.js';

// The appliance's ACME certificate: account, names and each one's outcome, the certificate,
// when it renews, and the last failure. Ordering and renewing stay with admins in the shell or API.
export default function certificates(section, {failure}) {
  const body = h('div', {id: 'certificates-status'});
  section.append(body);
  api.call('GET', '/certificates').then(s => {
    const c = s.certificate;
    body.replaceChildren(
      h('section', {class: 'card'}, h('h2', {text: t('cert.account')}), h('dl', {class: 'facts'},
        h('dt', {text: t('cert.directory')}), h('dd', {text: s.directory}),
        h('dt', {text: t('cert.accountUrl')}), h('dd', {text: s.account || t('cert.noAccount')}),
        h('dt', {text: t('cert.contact')}), h('dd', {text: s.contact || ''}))),
      h('section', {class: 'card', id: 'cert-current'}, h('h2', {text: t('cert.current')}), c ? h('dl', {class: 'facts'},
        h('dt', {text: t('cert.names')}), h('dd', {text: c.names.join(', ')}),
        h('dt', {text: t('cert.notAfter')}), h('dd', {id: 'cert-not-after', text: formatTime(c.notAfter)}),
        h('dt', {text: t('cert.issuer')}), h('dd', {text: c.issuer}),
        h('dt', {text: t('cert.serial')}), h('dd', {text: c.serial}),
        h('dt', {text: t('cert.renewAt')}), h('dd', {text: formatTime(s.renewAt)}),
        h('dt', {text: t('cert.installed')}), h('dd', {text: (s.installed || []).join(', ')}))
        : h('p', {text: t('cert.none')})),
      s.names.length ? h('section', {class: 'card'}, h('h2', {text: t('cert.nameStates')}),
        table([t('cert.name'), t('cert.state'), t('cert.detail'), t('cert.updated')], s.names.map(n => h('tr', {},
          h('th', {scope: 'row', text: n.name}), h('td', {text: n.state}), h('td', {text: n.detail || ''}),
          h('td', {text: formatTime(n.updated)}))))) : null,
      s.lastError ? h('p', {class: 'error', text: t('cert.lastError', {failures: s.failures, error: s.lastError,
        next: formatTime(s.nextTry)})}) : null);
  }).catch(e => body.replaceChildren(h('p', {class: 'error', role: 'alert', text: failure(e)})));
}
