// First run (admin sign-up) and login.

import { get, post } from '../api.js';
import { busy, field, h, mount, notify } from '../dom.js';

function card(main, title, intro, form) {
  mount(main, h('div', { class: 'auth-card' },
    h('p', { class: 'brand' }, 'filmroll'),
    h('h1', {}, title),
    intro ? h('p', { class: 'muted' }, intro) : null,
    form));
  main.querySelector('input')?.focus();
}

export function loginPage({ main, query, config, navigate, onSignedIn }) {
  if (config && !config.isInitialized) {
    navigate('/auth/register', { replace: true });
    return null;
  }
  const email = field('Email', { type: 'email', name: 'email', autocomplete: 'username', required: true, value: query.get('email') || '' });
  const password = field('Password', { type: 'password', name: 'password', autocomplete: 'current-password', required: true });
  const form = h('form', {
    class: 'stack',
    onsubmit: (e) => {
      e.preventDefault();
      busy(form, async () => {
        await post('/auth/login', { email: email.input.value.trim(), password: password.input.value });
        const user = await get('/users/me');
        const target = query.get('continue');
        await onSignedIn(user, target && target.startsWith('/') && !target.startsWith('//') ? target : '/photos');
      });
    },
  }, email, password, h('p', { class: 'form-error', role: 'alert' }), h('button', { type: 'submit', class: 'button primary' }, 'Log in'));
  card(main, 'Log in', config?.loginPageMessage || null, form);
  if (query.get('email')) password.input.focus();
  return null;
}

export function registerPage({ main, config, navigate }) {
  if (config && config.isInitialized) {
    navigate('/auth/login', { replace: true });
    return null;
  }
  const name = field('Name', { name: 'name', autocomplete: 'name', required: true });
  const email = field('Email', { type: 'email', name: 'email', autocomplete: 'username', required: true });
  const password = field('Password', { type: 'password', name: 'password', autocomplete: 'new-password', required: true });
  const confirm = field('Confirm password', { type: 'password', name: 'confirm', autocomplete: 'new-password', required: true });
  const form = h('form', {
    class: 'stack',
    onsubmit: (e) => {
      e.preventDefault();
      busy(form, async () => {
        if (password.input.value !== confirm.input.value) throw new Error('The passwords do not match.');
        await post('/auth/admin-sign-up', { name: name.input.value.trim(), email: email.input.value.trim(), password: password.input.value });
        config.isInitialized = true;
        notify('Admin account created. Log in with it now.');
        navigate(`/auth/login?email=${encodeURIComponent(email.input.value.trim())}`, { replace: true });
      });
    },
  }, name, email, password, confirm, h('p', { class: 'form-error', role: 'alert' }), h('button', { type: 'submit', class: 'button primary' }, 'Create admin account'));
  card(main, 'Welcome to filmroll', 'Create the administrator account to get started. The administrator can add more users later.', form);
  return null;
}
