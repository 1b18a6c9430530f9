// Albums: your own and shared ones; an album page with its photos, renaming, sharing and leaving.

import { del, get, patch, post, put, thumbnailUrl } from '../api.js';
import { busy, confirmDialog, field, h, mount, notify, openDialog } from '../dom.js';
import { session } from '../session.js';
import { timelineView } from './photos.js';

function albumCard(album) {
  const thumb = h('div', { class: 'card-thumb' });
  if (album.albumThumbnailAssetId) thumb.style.backgroundImage = `url("${thumbnailUrl(album.albumThumbnailAssetId)}")`;
  const owner = album.ownerId === session.user.id ? '' : ` · shared by ${album.owner?.name || 'someone'}`;
  return h('li', { class: 'card' }, h('a', { href: `/albums/${album.id}` }, thumb,
    h('div', { class: 'card-body' }, h('p', { class: 'card-title' }, album.albumName || 'Untitled'),
      h('p', { class: 'muted' }, `${album.assetCount} item${album.assetCount === 1 ? '' : 's'}${owner}`))));
}

export async function albumsPage({ main, navigate }) {
  document.title = 'Albums · filmroll';
  const [own, shared] = await Promise.all([get('/albums'), get('/albums?shared=true')]);
  const mine = own.filter((a) => a.ownerId === session.user.id);
  const others = [...own, ...shared].filter((a, i, all) => a.ownerId !== session.user.id && all.findIndex((b) => b.id === a.id) === i);
  const create = () => openDialog('New album', (close) => {
    const name = field('Album name', { required: true, autocomplete: 'off' });
    const form = h('form', {
      class: 'stack',
      onsubmit: (e) => {
        e.preventDefault();
        busy(form, async () => {
          const album = await post('/albums', { albumName: name.input.value.trim() });
          close();
          navigate(`/albums/${album.id}`);
        });
      },
    }, name, h('p', { class: 'form-error', role: 'alert' }), h('div', { class: 'dialog-actions' },
      h('button', { type: 'button', class: 'button', onclick: () => close() }, 'Cancel'),
      h('button', { type: 'submit', class: 'button primary' }, 'Create')));
    return form;
  });
  mount(main,
    h('div', { class: 'row' }, h('h1', { class: 'page-title' }, 'Albums'), h('button', { type: 'button', class: 'button primary', onclick: create }, 'New album')),
    mine.length ? h('ul', { class: 'cards' }, mine.map(albumCard)) : h('p', { class: 'muted' }, 'No albums yet. Create one, or select photos in the timeline and choose “Add to album”.'),
    others.length ? [h('h2', {}, 'Shared with you'), h('ul', { class: 'cards' }, others.map(albumCard))] : null);
  return null;
}

function shareDialog(album, onDone) {
  openDialog(`Share “${album.albumName}”`, (close) => {
    const box = h('div', { class: 'stack' }, h('p', { role: 'status' }, 'Loading…'));
    (async () => {
      const users = (await get('/users')).filter((u) => u.id !== album.ownerId && !album.albumUsers.some((m) => m.user.id === u.id));
      const change = async (work, message) => {
        try { await work(); notify(message); close(); onDone(); } catch (err) { notify(err.message, 'error'); }
      };
      const members = album.albumUsers.map((m) => {
        const role = h('select', { 'aria-label': `Role of ${m.user.name}` },
          h('option', { value: 'viewer', selected: m.role === 'viewer' }, 'Viewer'),
          h('option', { value: 'editor', selected: m.role === 'editor' }, 'Editor'));
        role.addEventListener('change', () => change(() => put(`/albums/${album.id}/user/${m.user.id}`, { role: role.value }), 'Role changed'));
        return h('li', { class: 'row' }, h('span', {}, `${m.user.name} (${m.user.email})`), role,
          h('button', { type: 'button', class: 'button', 'aria-label': `Remove ${m.user.name}`, onclick: () => change(() => del(`/albums/${album.id}/user/${m.user.id}`), 'Removed from the album') }, 'Remove'));
      });
      const who = h('select', { id: 'share-user', required: true }, users.map((u) => h('option', { value: u.id }, `${u.name} (${u.email})`)));
      const role = h('select', { id: 'share-role' }, h('option', { value: 'editor' }, 'Editor: can add and remove photos'), h('option', { value: 'viewer' }, 'Viewer: can look'));
      const form = h('form', {
        class: 'stack',
        onsubmit: (e) => {
          e.preventDefault();
          busy(form, async () => {
            await put(`/albums/${album.id}/users`, { albumUsers: [{ userId: who.value, role: role.value }] });
            notify('Album shared');
            close();
            onDone();
          });
        },
      }, h('div', { class: 'field' }, h('label', { for: 'share-user' }, 'Person'), who),
      h('div', { class: 'field' }, h('label', { for: 'share-role' }, 'Role'), role),
      h('p', { class: 'form-error', role: 'alert' }),
      h('div', { class: 'dialog-actions' },
        h('button', { type: 'button', class: 'button', onclick: () => close() }, 'Close'),
        h('button', { type: 'submit', class: 'button primary', disabled: !users.length }, 'Share')));
      mount(box,
        members.length ? [h('h3', {}, 'Shared with'), h('ul', { class: 'stack' }, members)] : null,
        users.length ? form : [h('p', { class: 'muted' }, 'There is nobody else to share with.'), h('div', { class: 'dialog-actions' }, h('button', { type: 'button', class: 'button', onclick: () => close() }, 'Close'))],
        h('h3', {}, 'Public link'),
        h('p', { class: 'muted' }, 'Anyone with the link can see the album without an account.'),
        h('button', {
          type: 'button', class: 'button',
          onclick: async () => {
            try {
              const link = await post('/shared-links', { type: 'ALBUM', albumId: album.id, allowDownload: true, showMetadata: true });
              const url = `${location.origin}/share/${link.key}`;
              mount(box.querySelector('.link-out') || box.appendChild(h('div', { class: 'link-out' })), h('p', { class: 'secret' }, url));
            } catch (err) { notify(err.message, 'error'); }
          },
        }, 'Create link'));
    })().catch((err) => mount(box, h('p', { class: 'error', role: 'alert' }, err.message)));
    return box;
  });
}

export async function albumPage(ctx) {
  const { main, params, navigate } = ctx;
  const album = await get(`/albums/${params.albumId}?withoutAssets=true`);
  document.title = `${album.albumName} · filmroll`;
  const owner = album.ownerId === session.user.id;
  const editor = owner || album.albumUsers.some((m) => m.user.id === session.user.id && m.role === 'editor');
  const title = h('input', { class: 'album-title', value: album.albumName, 'aria-label': 'Album name', disabled: !owner });
  const rename = async () => {
    const name = title.value.trim();
    if (!name || name === album.albumName) return;
    try {
      await patch(`/albums/${album.id}`, { albumName: name });
      album.albumName = name;
      notify('Album renamed');
    } catch (err) { notify(err.message, 'error'); title.value = album.albumName; }
  };
  title.addEventListener('change', rename);
  title.addEventListener('keydown', (e) => { if (e.key === 'Enter') title.blur(); });
  const reload = () => { page.destroy(); albumPage(ctx).then((p) => Object.assign(page, p)); };
  const header = h('div', { class: 'album-header' },
    h('h1', { class: 'page-title' }, title),
    h('p', { class: 'muted' }, `${album.assetCount} items · owner ${album.owner?.name || ''}`,
      album.albumUsers.length ? ` · shared with ${album.albumUsers.map((m) => `${m.user.name} (${m.role})`).join(', ')}` : ''),
    h('div', { class: 'row' },
      owner ? h('button', { type: 'button', class: 'button', onclick: () => shareDialog(album, reload) }, 'Share') : null,
      owner ? null : h('button', {
        type: 'button', class: 'button',
        onclick: async () => {
          if (!(await confirmDialog('Leave this album?', 'It will no longer appear in your albums.', 'Leave', true))) return;
          try { await del(`/albums/${album.id}/user/me`); notify('You left the album'); navigate('/albums'); } catch (err) { notify(err.message, 'error'); }
        },
      }, 'Leave album'),
      owner ? h('button', {
        type: 'button', class: 'button',
        onclick: async () => {
          if (!(await confirmDialog('Delete this album?', 'The photos stay in the library; only the album goes.', 'Delete album', true))) return;
          try { await del(`/albums/${album.id}`); notify('Album deleted'); navigate('/albums'); } catch (err) { notify(err.message, 'error'); }
        },
      }, 'Delete album') : null));
  const page = timelineView({
    ...ctx,
    base: `/albums/${album.id}`,
    title: album.albumName,
    header,
    filters: { albumId: album.id },
    empty: 'This album is empty. Select photos in the timeline and choose “Add to album”.',
    extraActions: editor ? (selection, bulk) => [[
      'Remove from album', () => bulk((ids) => del(`/albums/${album.id}/assets`, { ids }), (k) => `Removed ${k} from the album`),
    ]] : null,
  });
  if (params.assetId) page.update(ctx);
  return page;
}
