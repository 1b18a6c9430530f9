// The public page of a shared link (`/share/<key>`): the album's photos for people without an account.

import { get, originalUrl } from '../api.js';
import { h, mount } from '../dom.js';
import { timelineView } from './photos.js';

export async function sharedLinkPage(ctx) {
  const { main, params } = ctx;
  const key = params.key;
  let link;
  try {
    link = await get(`/shared-links/me?key=${encodeURIComponent(key)}`, { quiet401: true });
  } catch (err) {
    mount(main, h('div', { class: 'auth-card' }, h('h1', {}, 'This link does not work'),
      h('p', {}, err.status === 401 ? 'It may have expired, been removed, or need a password.' : err.message)));
    return null;
  }
  const title = link.album?.albumName || 'Shared photos';
  document.title = `${title} · filmroll`;
  const header = h('header', { class: 'share-header' },
    h('p', { class: 'brand' }, 'filmroll'),
    h('h1', { class: 'page-title' }, title),
    link.description ? h('p', {}, link.description) : null);
  if (link.album) {
    main.classList.add('share-page');
    const page = timelineView({
      ...ctx, base: `/share/${key}`, title, header, shareKey: key, filters: { albumId: link.album.id, key },
      empty: 'This album is empty.',
    });
    if (params.assetId) page.update(ctx);
    return page;
  }
  mount(main, header, h('ul', { class: 'stack' }, (link.assets || []).map((a) => h('li', {},
    link.allowDownload ? h('a', { href: originalUrl(a.id, key), download: a.originalFileName }, a.originalFileName) : a.originalFileName))));
  return null;
}
