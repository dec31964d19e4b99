import * as api from '../api.js';
import {h, field} from '../dom.js';
import {t} from '../i18n.js';

// Changes the account's own password (the current one is asked again). The API then ends every
// session of the account, this one too, so the console goes back to the login.
export default function password(section, {failure, relogin}) {
  const current = h('input', {name: 'current', type: 'password', autocomplete: 'current-password', required: true});
  const next = h('input', {name: 'new', type: 'password', autocomplete: 'new-password', required: true, minlength: 12});
  const again = h('input', {name: 'again', type: 'password', autocomplete: 'new-password', required: true});
  const status = h('p', {class: 'error', role: 'alert', id: 'password-status'});
  const form = h('form', {class: 'card', id: 'password-form'}, h('p', {text: t('password.intro')}),
    field(t('password.current'), current), field(t('password.new'), next), field(t('password.again'), again), status,
    h('button', {type: 'submit', text: t('password.submit')}));
  section.append(form);
  form.addEventListener('submit', async event => {
    event.preventDefault();
    status.textContent = '';
    if (next.value !== again.value) {
      status.textContent = t('password.mismatch');
      again.focus();
      return;
    }
    try {
      await api.call('POST', '/auth/password', {current: current.value, password: next.value});
      api.forget();
      relogin(t('password.changed'));
    } catch (e) {
      status.textContent = e instanceof api.ApiError && e.status === 403 ? t('password.wrongCurrent') : failure(e);
    } finally {
      current.value = '';
      next.value = '';
      again.value = '';
    }
  });
}
