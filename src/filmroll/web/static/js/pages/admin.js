// Administration: list users (with deleted ones), create, set quota, delete and restore.

import { del, get, post, put } from '../api.js';
import { busy, confirmDialog, field, formatBytes, h, mount, notify, openDialog } from '../dom.js';
import { session } from '../session.js';

const GIB = 1024 ** 3;

function quotaInput(label, bytes) {
  return field(label, { type: 'number', min: '0', step: '0.5', inputmode: 'decimal', placeholder: 'No limit', value: bytes ? String(bytes / GIB) : '' });
}

function quotaValue(input) {
  const v = input.value.trim();
  return v === '' ? null : Math.round(Number(v) * GIB);
}

function createUserDialog(onDone) {
  openDialog('New user', (close) => {
    const email = field('Email', { type: 'email', required: true, autocomplete: 'off' });
    const name = field('Name', { required: true, autocomplete: 'off' });
    const password = field('Password', { type: 'password', required: true, autocomplete: 'new-password' });
    const quota = quotaInput('Quota in GiB (empty: no limit)');
    const admin = h('input', { type: 'checkbox', id: 'new-admin' });
    const form = h('form', {
      class: 'stack',
      onsubmit: (e) => {
        e.preventDefault();
        busy(form, async () => {
          await post('/admin/users', {
            email: email.input.value.trim(), name: name.input.value.trim(), password: password.input.value,
            quotaSizeInBytes: quotaValue(quota.input), isAdmin: admin.checked,
          });
          notify('User created');
          close();
          onDone();
        });
      },
    }, email, name, password, quota, h('div', { class: 'row' }, admin, h('label', { for: 'new-admin' }, 'Administrator')),
    h('p', { class: 'form-error', role: 'alert' }),
    h('div', { class: 'dialog-actions' },
      h('button', { type: 'button', class: 'button', onclick: () => close() }, 'Cancel'),
      h('button', { type: 'submit', class: 'button primary' }, 'Create user')));
    return form;
  });
}

function quotaDialog(user, onDone) {
  openDialog(`Quota for ${user.name}`, (close) => {
    const quota = quotaInput('Quota in GiB (empty: no limit)', user.quotaSizeInBytes);
    const form = h('form', {
      class: 'stack',
      onsubmit: (e) => {
        e.preventDefault();
        busy(form, async () => {
          await put(`/admin/users/${user.id}`, { quotaSizeInBytes: quotaValue(quota.input) });
          notify('Quota saved');
          close();
          onDone();
        });
      },
    }, quota, h('p', { class: 'form-error', role: 'alert' }),
    h('div', { class: 'dialog-actions' },
      h('button', { type: 'button', class: 'button', onclick: () => close() }, 'Cancel'),
      h('button', { type: 'submit', class: 'button primary' }, 'Save')));
    return form;
  });
}

export async function adminPage({ main }) {
  document.title = 'Administration · filmroll';
  async function draw() {
    let users;
    try {
      users = await get('/admin/users?withDeleted=true');
    } catch (err) {
      mount(main, h('h1', { class: 'page-title' }, 'Users'), h('p', { class: 'error', role: 'alert' }, err.message));
      return;
    }
    const act = async (work, message) => {
      try { await work(); notify(message); draw(); } catch (err) { notify(err.message, 'error'); }
    };
    mount(main,
      h('div', { class: 'row' }, h('h1', { class: 'page-title' }, 'Users'),
        h('button', { type: 'button', class: 'button primary', onclick: () => createUserDialog(draw) }, 'New user')),
      h('table', {},
        h('thead', {}, h('tr', {}, ['Name', 'Email', 'Usage', 'Quota', 'Status', 'Actions'].map((t) => h('th', { scope: 'col' }, t)))),
        h('tbody', {}, users.map((u) => h('tr', {},
          h('th', { scope: 'row' }, u.name, u.isAdmin ? h('span', { class: 'badge' }, 'Admin') : null),
          h('td', {}, u.email),
          h('td', {}, formatBytes(u.quotaUsageInBytes || 0)),
          h('td', {}, u.quotaSizeInBytes ? formatBytes(u.quotaSizeInBytes) : 'No limit'),
          h('td', {}, u.deletedAt ? h('span', { class: 'badge warn' }, 'Deleted') : u.status || 'active'),
          h('td', { class: 'row' },
            u.deletedAt
              ? h('button', { type: 'button', class: 'button', 'aria-label': `Restore ${u.email}`, onclick: () => act(() => post(`/admin/users/${u.id}/restore`), 'User restored') }, 'Restore')
              : [
                h('button', { type: 'button', class: 'button', 'aria-label': `Set quota for ${u.email}`, onclick: () => quotaDialog(u, draw) }, 'Quota'),
                u.id === session.user.id ? null : h('button', {
                  type: 'button', class: 'button', 'aria-label': `Delete ${u.email}`,
                  onclick: async () => {
                    if (await confirmDialog('Delete this user?', `${u.email} can no longer log in. The account can be restored until it is removed for good.`, 'Delete', true)) {
                      await act(() => del(`/admin/users/${u.id}`, {}), 'User deleted');
                    }
                  },
                }, 'Delete'),
              ]))))));
  }
  await draw();
  return null;
}
