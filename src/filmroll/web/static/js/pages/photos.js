// Timeline pages (photos, favourites, archive, trash): the virtual grid, selection actions and the viewer.

import { del, post, put } from '../api.js';
import { confirmDialog, h, mount, notify } from '../dom.js';
import { createTimeline } from '../timeline.js';
import { openViewer } from '../viewer.js';
import { pickAlbum } from '../album-picker.js';
import { setUploadListener } from '../upload.js';
import { onLive } from '../live.js';

/**
 * A timeline with its selection bar and viewer. `base` is the page path (/photos, /albums/<id>) and
 * `assetPath(id)` the viewer's URL for an asset (default `<base>/photos/<id>`). Returns the page object for the router ({update, destroy, timeline}).
 */
export function timelineView({ main, base, title, filters, empty, navigate, extraActions, header, shareKey, assetPath }) {
  const pathOf = assetPath || ((id) => `${base}/photos/${id}`);
  const selection = new Set();
  const bar = h('div', { class: 'selection-bar', role: 'toolbar', 'aria-label': 'Selected items', hidden: true });
  let viewer = null;
  const timeline = createTimeline({
    params: filters, emptyText: empty, selection, shareKey, label: title,
    hrefFor: pathOf,
    onOpen: (id) => navigate(pathOf(id)),
    onSelection: drawBar,
  });

  async function bulk(work, message) {
    const ids = [...selection];
    try {
      await work(ids);
      notify(message(ids.length));
      timeline.clearSelection();
      timeline.refresh();
    } catch (err) {
      notify(err.message, 'error');
    }
  }

  function drawBar() {
    bar.hidden = selection.size === 0;
    if (!selection.size) return;
    const n = selection.size;
    const actions = filters.isTrashed ? [
      ['Restore', () => bulk((ids) => post('/trash/restore/assets', { ids }), (k) => `Restored ${k}`)],
      ['Delete permanently', async () => {
        if (await confirmDialog('Delete permanently?', `${n} item${n > 1 ? 's' : ''} will be removed for good.`, 'Delete permanently', true)) {
          await bulk((ids) => del('/assets', { ids, force: true }), (k) => `Deleted ${k} permanently`);
        }
      }],
    ] : [
      ['Favourite', () => bulk((ids) => put('/assets', { ids, isFavorite: true }), (k) => `Added ${k} to favourites`)],
      filters.visibility === 'archive'
        ? ['Unarchive', () => bulk((ids) => put('/assets', { ids, visibility: 'timeline' }), (k) => `Moved ${k} to the timeline`)]
        : ['Archive', () => bulk((ids) => put('/assets', { ids, visibility: 'archive' }), (k) => `Archived ${k}`)],
      ['Add to album', () => pickAlbum([...selection], () => timeline.clearSelection())],
      ...(extraActions ? extraActions(selection, bulk) : []),
      ['Move to trash', () => bulk((ids) => del('/assets', { ids }), (k) => `Moved ${k} to the trash`)],
    ];
    mount(bar,
      h('span', { role: 'status' }, `${n} selected`),
      actions.map(([label, onclick]) => h('button', { type: 'button', class: 'button', onclick }, label)),
      h('button', { type: 'button', class: 'button', onclick: () => { timeline.clearSelection(); } }, 'Clear selection'));
  }

  mount(main, h('div', { class: 'timeline-page' },
    header || h('h1', { class: 'page-title' }, title), bar, timeline.el));

  function showViewer(assetId) {
    if (viewer && viewer.id === assetId) return;
    viewer = openViewer(assetId, {
      shareKey,
      nav: (id, dir) => timeline.neighbour(id, dir),
      onMove: (id) => history.replaceState(null, '', pathOf(id)),
      onChange: () => timeline.refresh(),
      onClose: (id) => {
        viewer = null;
        navigate(base);
        requestAnimationFrame(() => timeline.focusAsset(id));
      },
    });
  }

  // Changes made on the person's other devices arrive as live events. A burst (a folder uploaded
  // elsewhere) is gathered for a moment, then only the months it touches are fetched again.
  let pending = null;
  let liveTimer = 0;
  function gather(ids, dates, all = false) {
    pending ||= { ids: [], dates: [], all: false };
    pending.ids.push(...ids);
    pending.dates.push(...dates);
    pending.all ||= all;
    if (!liveTimer) {
      liveTimer = setTimeout(() => {
        const change = pending;
        pending = null;
        liveTimer = 0;
        timeline.changed(change);
      }, 250);
    }
  }
  function live(name, data) {
    if (name === 'on_upload_success' || name === 'on_asset_update') {
      gather([data.id], [data.localDateTime]);
      if (viewer && viewer.id === data.id) viewer.refresh();
    } else if (name === 'on_asset_trash' || name === 'on_asset_restore') {
      const ids = Array.isArray(data) ? data : [];
      gather(ids, []);
      if (viewer && ids.includes(viewer.id)) viewer.refresh();
    } else if (name === 'on_asset_delete' || name === 'on_asset_hidden') {
      gather([data], []);
      if (viewer && viewer.id === data) {
        notify('This item was deleted on another device');
        viewer.close();
      }
    } else {
      gather([], [], true); // stacks changed, or events may have been missed while offline
    }
  }
  const unsubscribe = shareKey ? () => {} : onLive(live);

  function update(ctx) {
    if (ctx.params.assetId) showViewer(ctx.params.assetId);
    else if (viewer) {
      const v = viewer;
      viewer = null;
      v.destroy();
      timeline.focusAsset(v.id);
    }
    return true;
  }

  return {
    timeline,
    update,
    destroy() {
      unsubscribe();
      clearTimeout(liveTimer);
      timeline.destroy();
      viewer?.destroy();
    },
  };
}

export function timelinePage(ctx) {
  const base = `/${ctx.page}`;
  const page = timelineView({ ...ctx, base, assetPath: (id) => `${base}/${id}` });
  if (ctx.params.assetId) page.update(ctx);
  let timer = 0;
  // New uploads appear without a reload; several finishing together cause one refresh.
  setUploadListener(() => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      page.timeline.refresh();
      // Again once the server has read the files' dates and made thumbnails.
      timer = setTimeout(() => page.timeline.refresh(), 5000);
    }, 400);
  });
  document.title = `${ctx.title} · filmroll`;
  return page;
}
