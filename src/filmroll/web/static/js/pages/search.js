// Search by metadata (Immich's POST /api/search/metadata): file name, place, camera, dates, type.

import { post, thumbnailUrl } from '../api.js';
import { busy, field, h, mount } from '../dom.js';
import { thumbHashToDataURL } from '../thumbhash.js';
import { openViewer } from '../viewer.js';

export function searchPage({ main, query }) {
  document.title = 'Search · filmroll';
  const q = field('File name', { type: 'search', value: query.get('q') || '', name: 'originalFileName' });
  const city = field('City', { name: 'city' });
  const country = field('Country', { name: 'country' });
  const make = field('Camera make', { name: 'make' });
  const model = field('Camera model', { name: 'model' });
  const after = field('Taken after', { type: 'date', name: 'takenAfter' });
  const before = field('Taken before', { type: 'date', name: 'takenBefore' });
  const type = field('Type', { tag: 'select', name: 'type', options: [h('option', { value: '' }, 'Photos and videos'), h('option', { value: 'IMAGE' }, 'Photos'), h('option', { value: 'VIDEO' }, 'Videos')] });
  const fav = h('input', { type: 'checkbox', id: 'search-fav' });
  const results = h('div', { 'aria-live': 'polite' });
  let items = [];
  let nextPage = null;

  function body(page) {
    const text = (f) => f.input.value.trim() || undefined;
    return {
      originalFileName: text(q), city: text(city), country: text(country), make: text(make), model: text(model),
      takenAfter: after.input.value ? new Date(`${after.input.value}T00:00:00Z`).toISOString() : undefined,
      takenBefore: before.input.value ? new Date(`${before.input.value}T23:59:59Z`).toISOString() : undefined,
      type: type.input.value || undefined, isFavorite: fav.checked || undefined,
      page, size: 100, withExif: false,
    };
  }

  function draw() {
    const grid = h('div', { class: 'grid-simple' }, items.map((a, i) => {
      const link = h('a', {
        href: `/photos/${a.id}`, 'aria-label': a.originalFileName,
        onclick: (e) => { e.preventDefault(); open(i, link); },
      }, h('img', { alt: '', loading: 'lazy', src: thumbnailUrl(a.id) }));
      const ph = thumbHashToDataURL(a.thumbhash);
      if (ph) link.style.backgroundImage = `url("${ph}")`;
      return link;
    }));
    mount(results,
      h('p', { role: 'status' }, items.length ? `${items.length}${nextPage ? '+' : ''} found` : 'Nothing found.'),
      grid,
      nextPage ? h('button', { type: 'button', class: 'button', onclick: () => run(Number(nextPage)) }, 'Load more') : null);
  }

  function open(index) {
    openViewer(items[index].id, {
      nav: async (id, dir) => {
        const i = items.findIndex((a) => a.id === id) + dir;
        return i >= 0 && i < items.length ? items[i].id : null;
      },
    });
  }

  async function run(page = 1) {
    await busy(form, async () => {
      const res = await post('/search/metadata', body(page));
      items = page === 1 ? res.assets.items : items.concat(res.assets.items);
      nextPage = res.assets.nextPage;
      draw();
    });
  }

  const form = h('form', {
    class: 'stack', role: 'search', 'aria-label': 'Search filters',
    onsubmit: (e) => { e.preventDefault(); run(1); },
  }, h('div', { class: 'cards' }, q, city, country, make, model, after, before, type),
  h('div', { class: 'row' }, fav, h('label', { for: 'search-fav' }, 'Only favourites')),
  h('p', { class: 'form-error', role: 'alert' }),
  h('div', {}, h('button', { type: 'submit', class: 'button primary' }, 'Search')));
  mount(main, h('h1', { class: 'page-title' }, 'Search'), form, results);
  if (query.get('q')) run(1);
  return null;
}
