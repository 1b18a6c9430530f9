// Entry point: the shell (header, navigation), the router, and the signed-in state.

import { get, post, setUnauthorizedHandler } from './api.js';
import { h, icon, ICONS, mount, notify } from './dom.js';
import { session } from './session.js';
import { setSessionEndedHandler, startLive, stopLive } from './live.js';
import { installDropZone, pickFiles } from './upload.js';
import { loginPage, registerPage } from './pages/auth.js';
import { timelinePage } from './pages/photos.js';

// Pages other than sign-in and the timeline load on first use, so the first paint stays small.
const lazy = (module, name) => async (ctx) => (await import(module))[name](ctx);

const PAGES = {
  photos: { title: 'Photos', filters: { visibility: 'timeline', withPartners: true, withStacked: true }, empty: 'No photos yet. Upload some with the Upload button, or drop files anywhere on this page.' },
  favorites: { title: 'Favourites', filters: { isFavorite: true, visibility: 'timeline' }, empty: 'No favourites yet. Open a photo and press the heart.' },
  archive: { title: 'Archive', filters: { visibility: 'archive' }, empty: 'Nothing archived. Archived photos are hidden from the timeline.' },
  trash: { title: 'Trash', filters: { isTrashed: true }, empty: 'The trash is empty.' },
};

const ROUTES = [
  ['/auth/login', loginPage, { public: true, bare: true }],
  ['/auth/register', registerPage, { public: true, bare: true }],
  ['/share/:key', lazy('./pages/shared-link.js', 'sharedLinkPage'), { public: true, bare: true, key: 'share' }],
  ['/share/:key/photos/:assetId', lazy('./pages/shared-link.js', 'sharedLinkPage'), { public: true, bare: true, key: 'share' }],
  ...Object.keys(PAGES).flatMap((name) => [
    [`/${name}`, (ctx) => timelinePage({ ...ctx, page: name, ...PAGES[name] }), { key: name }],
    [`/${name}/:assetId`, (ctx) => timelinePage({ ...ctx, page: name, ...PAGES[name] }), { key: name }],
  ]),
  ['/albums', lazy('./pages/albums.js', 'albumsPage')],
  ['/albums/:albumId', lazy('./pages/albums.js', 'albumPage'), { key: 'album' }],
  ['/albums/:albumId/photos/:assetId', lazy('./pages/albums.js', 'albumPage'), { key: 'album' }],
  ['/sharing', lazy('./pages/sharing.js', 'sharingPage')],
  ['/search', lazy('./pages/search.js', 'searchPage')],
  ['/devices', lazy('./pages/devices.js', 'devicesPage')],
  ['/user-settings', lazy('./pages/account.js', 'accountPage')],
  ['/admin/users', lazy('./pages/admin.js', 'adminPage'), { admin: true }],
];

const NAV = [
  ['/photos', 'Photos'], ['/search', 'Search'], ['/albums', 'Albums'], ['/sharing', 'Sharing'],
  ['/favorites', 'Favourites'], ['/archive', 'Archive'], ['/trash', 'Trash'],
  ['/devices', 'Devices & sync'], ['/user-settings', 'Account'],
];

function match(path) {
  for (const [pattern, render, opts = {}] of ROUTES) {
    const names = [];
    const re = new RegExp(`^${pattern.replace(/:(\w+)/g, (_, n) => { names.push(n); return '([^/]+)'; })}/?$`);
    const m = re.exec(path);
    if (m) {
      const params = Object.fromEntries(names.map((n, i) => [n, decodeURIComponent(m[i + 1])]));
      return { pattern, render, opts, params };
    }
  }
  return null;
}

let current = null; // {key, page, pattern}
let config = null;

export function navigate(href, { replace = false } = {}) {
  if (replace) history.replaceState(null, '', href);
  else history.pushState(null, '', href);
  route();
}

async function logout() {
  stopLive(); // before the session goes, so its deletion is not mistaken for a remote log-out
  try { await post('/auth/logout'); } catch { /* the session may already be gone */ }
  session.user = null;
  navigate('/auth/login', { replace: true });
}

function shell(main) {
  const path = location.pathname;
  const nav = [...NAV, ...(session.user?.isAdmin ? [['/admin/users', 'Administration']] : [])];
  const searchInput = h('input', { type: 'search', name: 'q', placeholder: 'Search file names, places, cameras', 'aria-label': 'Search' });
  return h('div', { class: 'shell' },
    h('a', { class: 'skip-link', href: '#main' }, 'Skip to content'),
    h('header', { class: 'topbar' },
      h('a', { class: 'brand', href: '/photos' }, 'filmroll'),
      h('form', {
        class: 'topbar-search', role: 'search',
        onsubmit: (e) => { e.preventDefault(); navigate(`/search?q=${encodeURIComponent(searchInput.value.trim())}`); },
      }, searchInput),
      h('button', { type: 'button', class: 'button primary upload-button', onclick: pickFiles }, icon(ICONS.upload), 'Upload'),
      h('span', { class: 'user-name', title: session.user.email }, session.user.name),
      h('button', { type: 'button', class: 'button', onclick: logout }, 'Log out')),
    h('nav', { class: 'sidebar', 'aria-label': 'Main' }, h('ul', {}, nav.map(([href, label]) => h('li', {},
      h('a', { href, 'aria-current': path === href || path.startsWith(`${href}/`) ? 'page' : null }, label))))),
    main);
}

async function route() {
  const path = location.pathname;
  if (path === '/' || path === '') return navigate('/photos', { replace: true });
  const found = match(path);
  const root = document.getElementById('app');
  if (!found) {
    mount(root, h('main', { id: 'main', class: 'page' }, h('h1', {}, 'Page not found'), h('p', {}, h('a', { href: '/photos' }, 'Back to your photos'))));
    return;
  }
  if (!found.opts.public) {
    if (config && !config.isInitialized) return navigate('/auth/register', { replace: true });
    if (!session.user) return navigate(`/auth/login?continue=${encodeURIComponent(path + location.search)}`, { replace: true });
    if (found.opts.admin && !session.user.isAdmin) return navigate('/photos', { replace: true });
    startLive();
  }
  // Pages sharing a key (a timeline and its viewer URL) update in place, but only for the same album or link.
  const key = found.opts.key ? `${found.opts.key}:${found.params.albumId || found.params.key || ''}` : found.pattern;
  const ctx = { params: found.params, query: new URLSearchParams(location.search), navigate, config, onSignedIn };
  // Same page, other sub-route (opening or closing the viewer): let the page update in place.
  if (current && current.key === key && current.page?.update && current.page.update(ctx) !== false) return;
  current?.page?.destroy?.();
  const main = h('main', { id: 'main', class: 'page', tabindex: '-1' });
  mount(root, found.opts.bare ? main : shell(main));
  current = { key, page: null };
  const mine = current;
  try {
    const page = await found.render({ ...ctx, main });
    if (current === mine) mine.page = page;
    else page?.destroy?.();
  } catch (err) {
    mount(main, h('p', { class: 'error', role: 'alert' }, `Could not show this page: ${err.message}`));
  }
}

async function onSignedIn(user, target) {
  session.user = user;
  navigate(target || '/photos', { replace: true });
}

document.addEventListener('click', (e) => {
  const a = e.target.closest('a[href]');
  if (!a || e.defaultPrevented || e.button !== 0 || e.ctrlKey || e.metaKey || e.shiftKey || e.altKey) return;
  const href = a.getAttribute('href');
  if (!href.startsWith('/') || href.startsWith('/api/') || a.hasAttribute('download') || a.target) return;
  e.preventDefault();
  navigate(href);
});
window.addEventListener('popstate', route);

setUnauthorizedHandler(() => {
  if (!session.user) return;
  stopLive();
  session.user = null;
  notify('Your session has ended. Please log in again.', 'error');
  navigate(`/auth/login?continue=${encodeURIComponent(location.pathname)}`, { replace: true });
});

// This browser's session was deleted on another device (or by an admin): back to the login page.
setSessionEndedHandler(() => {
  if (!session.user) return;
  session.user = null;
  notify('This device was logged out. Please log in again.', 'error');
  navigate('/auth/login', { replace: true });
});

async function boot() {
  try {
    config = await get('/server/config');
  } catch (err) {
    mount(document.getElementById('app'), h('p', { class: 'error', role: 'alert' }, `The server could not be reached: ${err.message}`));
    return;
  }
  try {
    session.user = await get('/users/me', { quiet401: true });
  } catch { session.user = null; }
  installDropZone(() => Boolean(session.user) && !location.pathname.startsWith('/share/'));
  route();
}

boot();
