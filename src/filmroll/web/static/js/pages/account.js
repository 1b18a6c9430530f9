// Account: change password, create and revoke API keys.

import { del, get, post } from '../api.js';
import { busy, confirmDialog, field, formatDateTime, h, mount, notify, openDialog } from '../dom.js';
import { PERMISSIONS } from '../permissions.js';
import { session } from '../session.js';

function passwordSection() {
  const current = field('Current password', { type: 'password', autocomplete: 'current-password', required: true });
  const next = field('New password', { type: 'password', autocomplete: 'new-password', required: true });
  const confirm = field('Confirm new password', { type: 'password', autocomplete: 'new-password', required: true });
  const others = h('input', { type: 'checkbox', id: 'logout-others' });
  const form = h('form', {
    class: 'stack',
    onsubmit: (e) => {
      e.preventDefault();
      busy(form, async () => {
        if (next.input.value !== confirm.input.value) throw new Error('The new passwords do not match.');
        await post('/auth/change-password', { password: current.input.value, newPassword: next.input.value, invalidateSessions: others.checked });
        form.reset();
        notify('Password changed');
      });
    },
  }, current, next, confirm,
  h('div', { class: 'row' }, others, h('label', { for: 'logout-others' }, 'Log out all other devices')),
  h('p', { class: 'form-error', role: 'alert' }),
  h('div', {}, h('button', { type: 'submit', class: 'button primary' }, 'Change password')));
  return h('section', { class: 'section', 'aria-labelledby': 'pw-h' }, h('h2', { id: 'pw-h' }, 'Password'), h('div', { style: { maxWidth: '420px' } }, form));
}

function createKeyDialog(onDone) {
  openDialog('New API key', (close) => {
    const name = field('Name', { required: true, autocomplete: 'off', value: 'API Key' });
    const boxes = PERMISSIONS.map((p) => h('input', { type: 'checkbox', value: p, id: `perm-${p}`, checked: p === 'all' }));
    const form = h('form', {
      class: 'stack',
      onsubmit: (e) => {
        e.preventDefault();
        busy(form, async () => {
          const permissions = boxes.filter((b) => b.checked).map((b) => b.value);
          if (!permissions.length) throw new Error('Choose at least one permission.');
          const created = await post('/api-keys', { name: name.input.value.trim(), permissions });
          mount(form,
            h('p', {}, 'Copy the key now: it is shown only once.'),
            h('p', { class: 'secret', 'aria-label': 'API key secret' }, created.secret),
            h('div', { class: 'dialog-actions' }, h('button', { type: 'button', class: 'button primary', onclick: () => { close(); onDone(); } }, 'Done')));
        });
      },
    }, name,
    h('fieldset', {}, h('legend', {}, 'Permissions'), h('div', { class: 'perm-list' }, boxes.map((b) => h('label', { for: b.id }, b, ` ${b.value}`)))),
    h('p', { class: 'form-error', role: 'alert' }),
    h('div', { class: 'dialog-actions' },
      h('button', { type: 'button', class: 'button', onclick: () => close() }, 'Cancel'),
      h('button', { type: 'submit', class: 'button primary' }, 'Create')));
    return form;
  });
}

async function keysSection() {
  const section = h('section', { class: 'section', 'aria-labelledby': 'keys-h' });
  async function draw() {
    let keys = [];
    try { keys = await get('/api-keys'); } catch (err) { notify(err.message, 'error'); }
    mount(section,
      h('div', { class: 'row' }, h('h2', { id: 'keys-h' }, 'API keys'),
        h('button', { type: 'button', class: 'button', onclick: () => createKeyDialog(draw) }, 'New API key')),
      keys.length ? h('table', {},
        h('thead', {}, h('tr', {}, ['Name', 'Permissions', 'Created', ''].map((t) => h('th', { scope: 'col' }, t)))),
        h('tbody', {}, keys.map((k) => h('tr', {},
          h('th', { scope: 'row' }, k.name),
          h('td', {}, k.permissions.join(', ')),
          h('td', {}, formatDateTime(k.createdAt)),
          h('td', {}, h('button', {
            type: 'button', class: 'button', 'aria-label': `Revoke ${k.name}`,
            onclick: async () => {
              if (!(await confirmDialog('Revoke this key?', `Programs using “${k.name}” will stop working.`, 'Revoke', true))) return;
              try { await del(`/api-keys/${k.id}`); notify('Key revoked'); draw(); } catch (err) { notify(err.message, 'error'); }
            },
          }, 'Revoke')))))) : h('p', { class: 'muted' }, 'No API keys yet.'));
  }
  await draw();
  return section;
}

export async function accountPage({ main }) {
  document.title = 'Account · filmroll';
  const u = session.user;
  mount(main,
    h('h1', { class: 'page-title' }, 'Account'),
    h('p', {}, `${u.name} · ${u.email}`, u.isAdmin ? h('span', { class: 'badge' }, 'Administrator') : null),
    passwordSection(),
    await keysSection());
  return null;
}
