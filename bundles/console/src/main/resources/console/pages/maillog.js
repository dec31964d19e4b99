import * as api from '../api.js';
import {h, field, table} from '../dom.js';
import {t, formatTime} from '../i18n.js';

const NOQUEUE = 'NOQUEUE'; // as Postfix and the mail log name a message without a queue id
const VERDICTS = ['', 'deliver', 'tag', 'quarantine', 'reject', 'tempfail', 'discard'];

// The mail log: search by sender, recipient, queue id, verdict and time; a row opens that
// message's whole story (every record with its queue id: the stages, each scanner, the reply).
export default function maillog(section, {failure}) {
  const from = h('input', {name: 'from', type: 'search'});
  const to = h('input', {name: 'to', type: 'search'});
  const queueId = h('input', {name: 'queueId', type: 'search', spellcheck: 'false'});
  const verdict = h('select', {name: 'verdict'}, VERDICTS.map(v => h('option', {value: v, text: v ? t(`verdict.${v}`) : t('any')})));
  const since = h('input', {name: 'since', type: 'datetime-local'});
  const until = h('input', {name: 'until', type: 'datetime-local'});
  const results = h('div', {id: 'maillog-results', 'aria-live': 'polite'});
  const story = h('div', {id: 'maillog-story'});
  const form = h('form', {class: 'card filters', id: 'maillog-search', role: 'search'},
    field(t('mail.from'), from), field(t('mail.to'), to), field(t('mail.queueId'), queueId),
    field(t('mail.verdict'), verdict), field(t('mail.since'), since), field(t('mail.until'), until),
    h('button', {type: 'submit', text: t('search')}));
  section.append(form, results, story);

  async function search(event) {
    if (event) event.preventDefault();
    const q = new URLSearchParams({limit: '100'});
    for (const [name, input] of [['from', from], ['to', to], ['queueId', queueId], ['verdict', verdict]]) {
      if (input.value.trim()) q.set(name, input.value.trim());
    }
    for (const [name, input] of [['since', since], ['until', until]]) {
      if (input.value) q.set(name, new Date(input.value).toISOString());
    }
    try {
      const found = await api.call('GET', `/messages?${q}`);
      results.replaceChildren(found.length ? table(
        [t('mail.time'), t('mail.queueId'), t('mail.from'), t('mail.to'), t('mail.verdict'), t('mail.reply')],
        found.map(m => h('tr', {'data-queue-id': m.queueId},
          h('td', {text: formatTime(m.time)}),
          h('td', {}, h('button', {type: 'button', class: 'link', onclick: () => open(m),
            'aria-label': t('mail.open', {id: m.queueId || NOQUEUE}), text: m.queueId || NOQUEUE})),
          h('td', {text: m.sender || ''}),
          h('td', {text: (m.recipients || []).join(', ')}),
          h('td', {class: `verdict v-${m.verdict}`, text: t(`verdict.${m.verdict}`)}),
          h('td', {text: m.reply || ''}))), t('mail.found', {count: found.length}))
        : h('p', {text: t('mail.none')}));
    } catch (e) {
      results.replaceChildren(h('p', {class: 'error', role: 'alert', text: failure(e)}));
    }
  }

  // A message refused before Postfix gave it a queue id has no other record: its story is that one.
  async function open(message) {
    const id = message.queueId || NOQUEUE;
    try {
      const records = message.queueId
        ? (await api.call('GET', `/messages?${new URLSearchParams({queueId: id, limit: '100'})}`)).reverse() : [message];
      story.replaceChildren(h('section', {class: 'card', 'aria-labelledby': 'story-h'},
        h('h2', {id: 'story-h', tabindex: '-1', text: t('mail.story', {id})}),
        records.map(r => h('dl', {class: 'facts story'},
          [[t('mail.time'), formatTime(r.time)], [t('mail.stage'), r.stage], [t('mail.client'), `${r.clientName || ''} [${r.clientAddress || ''}]`],
            [t('mail.from'), r.sender], [t('mail.to'), (r.recipients || []).join(', ')], [t('mail.size'), r.size], [t('mail.messageId'), r.messageId],
            [t('mail.list'), r.list], [t('mail.scanners'), (r.scanners || []).join(', ')], [t('mail.score'), r.score], [t('mail.error'), r.error],
            [t('mail.verdict'), t(`verdict.${r.verdict}`)], [t('mail.reply'), r.reply], [t('mail.millis'), r.millis]]
            .filter(([, v]) => v !== null && v !== undefined && v !== '')
            .flatMap(([k, v]) => [h('dt', {text: k}), h('dd', {text: v})])))));
      story.querySelector('h2').focus();
    } catch (e) {
      story.replaceChildren(h('p', {class: 'error', role: 'alert', text: failure(e)}));
    }
  }

  form.addEventListener('submit', search);
  search();
}
