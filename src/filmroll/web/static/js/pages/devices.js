// Devices and sync: every login session and API key of the signed-in user, when each last synced,
// with which protocol, and how far its sync checkpoints lag behind; log a device out.

import { ApiError, del, get } from '../api.js';
import { confirmDialog, formatAgo, formatDateTime, h, mount, notify } from '../dom.js';

/**
 * Sync progress per session or key is not part of Immich's API. filmroll reports it at
 * `GET /api/filmroll/sync-status` as [{sessionId?, apiKeyId?, lastSyncAt, protocol, pending: {type: n | null}}];
 * when the server does not have it the columns say so instead of guessing.
 */
async function syncStatus() {
  try {
    return { rows: await get('/filmroll/sync-status') };
  } catch (err) {
    if (err instanceof ApiError && err.status === 404) return { rows: [], missing: true };
    return { rows: [], error: err.message };
  }
}

function pendingText(pending) {
  if (!pending) return '—';
  // null: the session's next stream starts over (a reset is pending), so it has no count
  if (Object.values(pending).some((n) => n === null)) return 'Full resync pending';
  const entries = Object.entries(pending).filter(([, n]) => n > 0);
  if (!entries.length) return Object.keys(pending).length ? 'Up to date' : '—';
  return entries.map(([type, n]) => `${type}: ${n.toLocaleString()}`).join(', ');
}

function deviceName(s) {
  return [s.deviceType, s.deviceOS].filter(Boolean).join(' · ') || 'Unknown device';
}

export async function devicesPage({ main }) {
  document.title = 'Devices & sync · filmroll';
  const status = h('p', { role: 'status', class: 'muted' }, 'Loading…');
  mount(main, h('h1', { class: 'page-title' }, 'Devices & sync'), status);

  async function draw() {
    let sessions;
    let keys;
    try {
      [sessions, keys] = await Promise.all([get('/sessions'), get('/api-keys')]);
    } catch (err) {
      status.textContent = `Could not load your devices: ${err.message}`;
      return;
    }
    const sync = await syncStatus();
    const bySession = new Map(sync.rows.filter((r) => r.sessionId).map((r) => [r.sessionId, r]));
    const byKey = new Map(sync.rows.filter((r) => r.apiKeyId).map((r) => [r.apiKeyId, r]));
    const unknown = sync.missing ? 'Not reported' : '—';
    sessions.sort((a, b) => (b.current - a.current) || (a.updatedAt < b.updatedAt ? 1 : -1));

    const logout = async (s) => {
      if (!(await confirmDialog('Log this device out?', `${deviceName(s)} will have to log in again.`, 'Log out', true))) return;
      try {
        await del(`/sessions/${s.id}`);
        notify('Device logged out');
        draw();
      } catch (err) { notify(err.message, 'error'); }
    };
    const logoutOthers = async () => {
      if (!(await confirmDialog('Log out all other devices?', 'Every device except this browser will have to log in again.', 'Log out others', true))) return;
      try {
        await del('/sessions');
        notify('Other devices logged out');
        draw();
      } catch (err) { notify(err.message, 'error'); }
    };

    const sessionRows = sessions.map((s) => {
      const st = bySession.get(s.id);
      return h('tr', {},
        h('th', { scope: 'row' }, deviceName(s), s.current ? h('span', { class: 'badge ok' }, 'This browser') : null,
          s.appVersion ? h('div', { class: 'muted' }, `App ${s.appVersion}`) : null,
          s.isPendingSyncReset ? h('div', { class: 'badge warn' }, 'Full resync requested') : null),
        h('td', {}, formatDateTime(s.createdAt)),
        h('td', {}, h('span', { title: formatDateTime(s.updatedAt) }, formatAgo(s.updatedAt))),
        h('td', {}, st?.lastSyncAt ? h('span', { title: formatDateTime(st.lastSyncAt) }, formatAgo(st.lastSyncAt)) : st ? 'Never' : unknown),
        h('td', {}, st ? (st.protocol || '—') : unknown),
        h('td', {}, st ? pendingText(st.pending) : unknown),
        h('td', {}, s.current ? null : h('button', { type: 'button', class: 'button', onclick: () => logout(s), 'aria-label': `Log out ${deviceName(s)}` }, 'Log out')));
    });
    const revoke = async (k) => {
      if (!(await confirmDialog('Revoke this API key?', `Programs using “${k.name}” will no longer get in.`, 'Revoke', true))) return;
      try {
        await del(`/api-keys/${k.id}`);
        notify('API key revoked');
        draw();
      } catch (err) { notify(err.message, 'error'); }
    };
    // API keys sync only with v1 (the v2 stream needs a login session), which keeps no
    // checkpoints: what a key's program has not fetched yet is unknown, so `pending` is null.
    const keyRows = keys.map((k) => {
      const st = byKey.get(k.id);
      return h('tr', {},
        h('th', { scope: 'row' }, k.name, h('div', { class: 'muted' }, k.permissions.join(', '))),
        h('td', {}, formatDateTime(k.createdAt)),
        h('td', {}, st?.lastSyncAt ? h('span', { title: formatDateTime(st.lastSyncAt) }, formatAgo(st.lastSyncAt)) : st ? 'Never' : unknown),
        h('td', {}, st ? (st.protocol || '—') : unknown),
        h('td', {}, st ? (st.pending ? pendingText(st.pending) : h('span', { title: 'Sync v1 keeps no checkpoints' }, 'Not tracked')) : unknown),
        h('td', {}, h('button', { type: 'button', class: 'button', onclick: () => revoke(k), 'aria-label': `Revoke ${k.name}` }, 'Revoke')));
    });
    status.textContent = '';
    mount(main,
      h('h1', { class: 'page-title' }, 'Devices & sync'),
      status,
      h('section', { class: 'section', 'aria-labelledby': 'sessions-h' },
        h('div', { class: 'row' }, h('h2', { id: 'sessions-h' }, 'Logged-in devices'),
          sessions.length > 1 ? h('button', { type: 'button', class: 'button', onclick: logoutOthers }, 'Log out all other devices') : null),
        h('table', {},
          h('thead', {}, h('tr', {}, ['Device', 'Logged in', 'Last active', 'Last sync', 'Sync protocol', 'Changes not yet acknowledged', ''].map((t) => h('th', { scope: 'col' }, t)))),
          h('tbody', {}, sessionRows))),
      h('section', { class: 'section', 'aria-labelledby': 'keys-h' },
        h('h2', { id: 'keys-h' }, 'API keys'),
        keys.length ? h('table', {},
          h('thead', {}, h('tr', {}, ['Key', 'Created', 'Last sync', 'Sync protocol', 'Changes not yet acknowledged', ''].map((t) => h('th', { scope: 'col' }, t)))),
          h('tbody', {}, keyRows)) : h('p', { class: 'muted' }, 'No API keys. Create them under ', h('a', { href: '/user-settings' }, 'Account'), '.')),
      sync.missing ? h('p', { class: 'muted' }, 'This server does not report sync progress per device.') : null,
      sync.error ? h('p', { class: 'error', role: 'alert' }, `Sync progress could not be loaded: ${sync.error}`) : null);
  }
  await draw();
  return null;
}
