// "Add to album": pick one of your albums or create a new one with the chosen assets.

import { get, post, put } from './api.js';
import { busy, field, h, notify, openDialog } from './dom.js';

export async function pickAlbum(ids, onDone = () => {}) {
  let albums = [];
  try {
    albums = await get('/albums');
  } catch (err) {
    notify(err.message, 'error');
    return;
  }
  openDialog(`Add ${ids.length === 1 ? 'this item' : `${ids.length} items`} to an album`, (close) => {
    const nameField = field('New album name', { name: 'albumName', required: true, autocomplete: 'off' });
    const form = h('form', {
      class: 'stack',
      onsubmit: (e) => {
        e.preventDefault();
        busy(form, async () => {
          const album = await post('/albums', { albumName: nameField.input.value.trim(), assetIds: ids });
          notify(`Created “${album.albumName}”`);
          close();
          onDone(album);
        });
      },
    }, nameField, h('p', { class: 'form-error', role: 'alert' }),
    h('div', { class: 'dialog-actions' },
      h('button', { type: 'button', class: 'button', onclick: () => close() }, 'Cancel'),
      h('button', { type: 'submit', class: 'button primary' }, 'Create album')));
    const list = h('ul', { class: 'album-pick-list' }, albums.map((album) => h('li', {},
      h('button', {
        type: 'button', class: 'button album-pick',
        onclick: async () => {
          try {
            const results = await put(`/albums/${album.id}/assets`, { ids });
            const added = results.filter((r) => r.success).length;
            const dup = results.filter((r) => r.error === 'duplicate').length;
            notify(`Added ${added} to “${album.albumName}”${dup ? ` (${dup} already there)` : ''}`);
            close();
            onDone(album);
          } catch (err) {
            notify(err.message, 'error');
          }
        },
      }, album.albumName, h('span', { class: 'muted' }, ` · ${album.assetCount} items`)))));
    return h('div', { class: 'stack' }, albums.length ? list : h('p', { class: 'muted' }, 'You have no albums yet.'), form);
  });
}
