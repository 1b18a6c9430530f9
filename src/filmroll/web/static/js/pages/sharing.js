// Sharing: partners (whole-library sharing) in both directions.

import { del, get, post, put } from '../api.js';
import { h, mount, notify } from '../dom.js';

export async function sharingPage({ main }) {
  document.title = 'Sharing · filmroll';
  async function draw() {
    const [sharedBy, sharedWith, users] = await Promise.all([
      get('/partners?direction=shared-by'), get('/partners?direction=shared-with'), get('/users'),
    ]);
    const act = async (work, message) => {
      try { await work(); notify(message); draw(); } catch (err) { notify(err.message, 'error'); }
    };
    const candidates = users.filter((u) => !sharedBy.some((p) => p.id === u.id));
    const pick = h('select', { id: 'partner-pick' }, candidates.map((u) => h('option', { value: u.id }, `${u.name} (${u.email})`)));
    mount(main,
      h('h1', { class: 'page-title' }, 'Sharing'),
      h('section', { class: 'section', 'aria-labelledby': 'by-h' },
        h('h2', { id: 'by-h' }, 'People who see your library'),
        sharedBy.length ? h('ul', { class: 'stack' }, sharedBy.map((p) => h('li', { class: 'row' },
          h('span', {}, `${p.name} (${p.email})`),
          h('button', { type: 'button', class: 'button', 'aria-label': `Stop sharing with ${p.name}`, onclick: () => act(() => del(`/partners/${p.id}`), 'Stopped sharing') }, 'Stop sharing')))) : h('p', { class: 'muted' }, 'You share your library with nobody.'),
        candidates.length ? h('form', {
          class: 'row',
          onsubmit: (e) => { e.preventDefault(); act(() => post('/partners', { sharedWithId: pick.value }), 'Library shared'); },
        }, h('label', { for: 'partner-pick' }, 'Share your library with'), pick, h('button', { type: 'submit', class: 'button primary' }, 'Share')) : null),
      h('section', { class: 'section', 'aria-labelledby': 'with-h' },
        h('h2', { id: 'with-h' }, 'People who share their library with you'),
        sharedWith.length ? h('ul', { class: 'stack' }, sharedWith.map((p) => {
          const box = h('input', { type: 'checkbox', id: `tl-${p.id}`, checked: Boolean(p.inTimeline) });
          box.addEventListener('change', () => act(() => put(`/partners/${p.id}`, { inTimeline: box.checked }), box.checked ? 'Shown in your timeline' : 'Hidden from your timeline'));
          return h('li', { class: 'row' }, h('span', {}, `${p.name} (${p.email})`), box, h('label', { for: box.id }, 'Show in my timeline'));
        })) : h('p', { class: 'muted' }, 'Nobody shares their library with you yet.')));
  }
  await draw();
  return null;
}
