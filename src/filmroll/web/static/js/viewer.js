// The asset viewer: a full-screen dialog with the preview or the video, the EXIF panel and actions.

import { del, get, originalUrl, playbackUrl, post, put, thumbnailUrl } from './api.js';
import { confirmDialog, formatBytes, h, icon, ICONS, mount, notify } from './dom.js';
import { thumbHashToDataURL } from './thumbhash.js';
import { pickAlbum } from './album-picker.js';
import { session } from './session.js';

/** "UTC+2" / "UTC-05:30" style zones as minutes east of UTC; null for IANA names. */
function fixedOffset(zone) {
  const m = /^UTC([+-])(\d{1,2})(?::?(\d{2}))?$/.exec(zone || '');
  if (!m) return null;
  return (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3] || 0));
}

/** The capture time as the photographer saw it, with its zone: "3 Mar 2024, 14:02 (Europe/Berlin)". */
export function formatTaken(asset) {
  const exif = asset.exifInfo || {};
  const iso = exif.dateTimeOriginal || asset.fileCreatedAt;
  const zone = exif.timeZone;
  const when = new Date(iso);
  const opts = { dateStyle: 'full', timeStyle: 'short' };
  if (zone) {
    const offset = fixedOffset(zone);
    if (offset !== null) {
      const shifted = new Date(when.getTime() + offset * 60_000);
      return `${shifted.toLocaleString(undefined, { ...opts, timeZone: 'UTC' })} (${zone})`;
    }
    try {
      return `${when.toLocaleString(undefined, { ...opts, timeZone: zone })} (${zone})`;
    } catch { /* unknown zone name: fall through to the local-time rendering */ }
  }
  if (asset.localDateTime) {
    const local = new Date(asset.localDateTime.replace(/([+-]\d\d:\d\d|Z)$/, '') + 'Z');
    return local.toLocaleString(undefined, { ...opts, timeZone: 'UTC' });
  }
  return when.toLocaleString(undefined, opts);
}

function exposure(exif) {
  const parts = [];
  if (exif.fNumber) parts.push(`ƒ/${Number(exif.fNumber).toFixed(1).replace(/\.0$/, '')}`);
  if (exif.exposureTime) parts.push(`${exif.exposureTime} s`);
  if (exif.focalLength) parts.push(`${Number(exif.focalLength).toFixed(1).replace(/\.0$/, '')} mm`);
  if (exif.iso) parts.push(`ISO ${exif.iso}`);
  return parts.join(' · ');
}

function infoPanel(asset) {
  const exif = asset.exifInfo || {};
  const rows = [];
  const add = (label, value) => { if (value) rows.push(h('dt', {}, label), h('dd', {}, value)); };
  add('Taken', formatTaken(asset));
  add('Camera', [exif.make, exif.model].filter(Boolean).join(' '));
  add('Lens', exif.lensModel);
  add('Exposure', exposure(exif));
  add('Place', [exif.city, exif.state, exif.country].filter(Boolean).join(', '));
  if (exif.latitude != null && exif.longitude != null) {
    add('Coordinates', `${Number(exif.latitude).toFixed(5)}, ${Number(exif.longitude).toFixed(5)}`);
  }
  add('File', asset.originalFileName);
  const w = exif.exifImageWidth || asset.width;
  const hh = exif.exifImageHeight || asset.height;
  add('Size', [w && hh ? `${w} × ${hh}` : '', exif.fileSizeInByte ? formatBytes(exif.fileSizeInByte) : ''].filter(Boolean).join(' · '));
  if (asset.type === 'VIDEO' && asset.duration) add('Duration', asset.duration.split('.')[0]);
  if (exif.description) add('Description', exif.description);
  if (session.user && asset.ownerId !== session.user.id && asset.owner) add('Owner', asset.owner.name);
  return h('aside', { class: 'viewer-info', 'aria-label': 'Details' },
    h('h2', {}, 'Details'), h('dl', {}, rows));
}

/**
 * Open the viewer. options: nav(id, dir) -> Promise<id|null>, onChange(), onClose(id), onMove(id),
 * shareKey. Only one viewer exists at a time. Returns {close, destroy, refresh, id}.
 */
export function openViewer(id, options = {}) {
  document.querySelector('.viewer')?.remove();
  const previousFocus = document.activeElement;
  let currentId = id;
  let asset = null;
  let showInfo = localStorage.getItem('filmroll.viewer.info') !== '0';
  const stage = h('div', { class: 'viewer-stage' });
  const bar = h('div', { class: 'viewer-bar', role: 'toolbar', 'aria-label': 'Asset actions' });
  const side = h('div', { class: 'viewer-side' });
  const prev = h('button', { type: 'button', class: 'viewer-nav prev icon-button', 'aria-label': 'Previous (left arrow)', onclick: () => go(-1) }, icon(ICONS.left));
  const next = h('button', { type: 'button', class: 'viewer-nav next icon-button', 'aria-label': 'Next (right arrow)', onclick: () => go(1) }, icon(ICONS.right));
  const root = h('div', { class: 'viewer', role: 'dialog', 'aria-modal': 'true', 'aria-label': 'Photo viewer' },
    bar, h('div', { class: 'viewer-body' }, stage, prev, next), side);
  document.body.append(root);
  document.body.classList.add('viewer-open');

  const close = () => {
    root.remove();
    document.body.classList.remove('viewer-open');
    document.removeEventListener('keydown', onKey, true);
    if (options.onClose) options.onClose(currentId, previousFocus);
    else if (previousFocus && previousFocus.focus) previousFocus.focus();
  };

  async function go(dir) {
    if (!options.nav) return;
    const target = await options.nav(currentId, dir);
    if (target) {
      currentId = target;
      if (options.onMove) options.onMove(target);
      await load(target);
    }
  }

  const owned = () => asset && session.user && asset.ownerId === session.user.id && !options.shareKey;

  async function act(work, message) {
    try {
      await work();
      if (message) notify(message);
      if (options.onChange) options.onChange();
    } catch (err) {
      notify(err.message, 'error');
    }
  }

  function button(label, iconPath, onclick, attrs = {}) {
    return h('button', { type: 'button', class: 'icon-button', 'aria-label': label, title: label, onclick, ...attrs }, icon(iconPath));
  }

  function drawBar() {
    const items = [button('Close (Escape)', ICONS.close, close, { class: 'icon-button viewer-close' }), h('span', { class: 'spacer' })];
    if (asset) {
      items.push(h('a', { class: 'icon-button', href: originalUrl(asset.id, options.shareKey), download: asset.originalFileName || '', 'aria-label': 'Download original', title: 'Download original' }, icon(ICONS.download)));
      items.push(button(showInfo ? 'Hide details' : 'Show details', ICONS.info, () => {
        showInfo = !showInfo;
        localStorage.setItem('filmroll.viewer.info', showInfo ? '1' : '0');
        drawSide();
        drawBar();
      }, { 'aria-pressed': String(showInfo) }));
      if (owned() && !asset.isTrashed) {
        items.push(button(asset.isFavorite ? 'Remove from favourites' : 'Add to favourites', asset.isFavorite ? ICONS.heart : ICONS.heartOutline, () => act(async () => {
          asset = await put(`/assets/${asset.id}`, { isFavorite: !asset.isFavorite });
          drawBar();
        }, null), { 'aria-pressed': String(Boolean(asset.isFavorite)), class: `icon-button${asset.isFavorite ? ' on' : ''}` }));
        const archived = asset.visibility === 'archive';
        items.push(button(archived ? 'Unarchive' : 'Archive', ICONS.archive, () => act(async () => {
          asset = await put(`/assets/${asset.id}`, { visibility: archived ? 'timeline' : 'archive' });
          drawBar();
        }, archived ? 'Moved back to the timeline' : 'Archived'), { 'aria-pressed': String(archived) }));
      }
      if (!options.shareKey && session.user) {
        items.push(button('Add to album', ICONS.album, () => pickAlbum([asset.id])));
      }
      if (owned() && asset.isTrashed) {
        items.push(button('Restore from trash', ICONS.restore, () => act(async () => {
          await post('/trash/restore/assets', { ids: [asset.id] });
          asset = await get(`/assets/${asset.id}`);
          drawBar();
        }, 'Restored')));
      }
      if (owned()) {
        items.push(button('Delete permanently', ICONS.deleteForever, async () => {
          if (!(await confirmDialog('Delete permanently?', 'The file is removed from the server and from every album. This cannot be undone.', 'Delete permanently', true))) return;
          await act(() => del('/assets', { ids: [asset.id], force: true }), 'Deleted permanently');
          await afterRemoval();
        }, { class: 'icon-button danger' }));
      }
      if (owned() && !asset.isTrashed) {
        items.push(button('Move to trash', ICONS.trash, async () => {
          await act(() => del('/assets', { ids: [asset.id] }), 'Moved to trash');
          await afterRemoval();
        }));
      }
    }
    mount(bar, items);
  }

  async function afterRemoval() {
    const removed = currentId;
    const target = options.nav ? (await options.nav(removed, 1)) || (await options.nav(removed, -1)) : null;
    if (target) {
      currentId = target;
      if (options.onMove) options.onMove(target);
      await load(target);
    } else {
      close();
    }
  }

  function drawSide() {
    root.classList.toggle('with-info', showInfo && Boolean(asset));
    mount(side, showInfo && asset ? infoPanel(asset) : null);
  }

  async function load(assetId) {
    mount(stage, h('p', { class: 'viewer-loading', role: 'status' }, 'Loading…'));
    try {
      asset = await get(`/assets/${assetId}${options.shareKey ? `?key=${encodeURIComponent(options.shareKey)}` : ''}`);
    } catch (err) {
      asset = null;
      mount(stage, h('p', { class: 'viewer-error', role: 'alert' }, `Could not open this item: ${err.message}`));
      drawBar();
      drawSide();
      return;
    }
    if (assetId !== currentId) return;
    const placeholder = thumbHashToDataURL(asset.thumbhash);
    if (asset.type === 'VIDEO') {
      const video = h('video', {
        class: 'viewer-media', controls: true, autoplay: true, playsinline: true, preload: 'metadata',
        poster: thumbnailUrl(asset.id, 'preview', options.shareKey), src: playbackUrl(asset.id, options.shareKey),
        'aria-label': asset.originalFileName || 'Video',
      });
      mount(stage, video);
    } else {
      const img = h('img', { class: 'viewer-media', alt: asset.exifInfo?.description || asset.originalFileName || 'Photo', src: thumbnailUrl(asset.id, 'preview', options.shareKey) });
      if (placeholder) img.style.backgroundImage = `url("${placeholder}")`;
      img.addEventListener('load', () => img.classList.add('loaded'), { once: true });
      img.addEventListener('error', () => mount(stage, h('p', { class: 'viewer-error', role: 'alert' }, 'The preview is not ready yet; it appears once the server has made it.')), { once: true });
      mount(stage, img);
    }
    root.setAttribute('aria-label', `Viewer: ${asset.originalFileName || 'photo'}`);
    drawBar();
    drawSide();
  }

  function onKey(e) {
    if (document.querySelector('dialog[open]')) return; // a confirmation or picker is on top
    if (e.target instanceof HTMLInputElement || e.target instanceof HTMLTextAreaElement) return;
    if (e.key === 'Escape') { e.preventDefault(); close(); }
    else if (e.key === 'ArrowLeft' && !(e.target instanceof HTMLVideoElement)) { e.preventDefault(); go(-1); }
    else if (e.key === 'ArrowRight' && !(e.target instanceof HTMLVideoElement)) { e.preventDefault(); go(1); }
    else if (e.key === 'Tab') {
      // Keep focus inside the viewer while it is open.
      const focusable = [...root.querySelectorAll('button, a[href], video, [tabindex="0"]')].filter((x) => x.offsetParent !== null);
      if (!focusable.length) return;
      const first = focusable[0];
      const last = focusable[focusable.length - 1];
      if (e.shiftKey && document.activeElement === first) { e.preventDefault(); last.focus(); }
      else if (!e.shiftKey && document.activeElement === last) { e.preventDefault(); first.focus(); }
    }
  }
  document.addEventListener('keydown', onKey, true);
  drawBar();
  bar.querySelector('.viewer-close').focus();
  load(id).then(() => bar.querySelector('.viewer-close')?.focus());
  /** The asset changed elsewhere (a live event): show its new state, keeping the picture (and
   * the focus, when nothing changed: this browser's own edits come back as events too). */
  async function refresh() {
    const id = currentId;
    let fresh;
    try {
      fresh = await get(`/assets/${id}${options.shareKey ? `?key=${encodeURIComponent(options.shareKey)}` : ''}`);
    } catch { return; } // gone or unreachable: the page decides what to do about deletes
    if (id !== currentId || !root.isConnected || (asset && fresh.updatedAt === asset.updatedAt)) return;
    asset = fresh;
    drawBar();
    drawSide();
  }
  const destroy = () => {
    root.remove();
    document.body.classList.remove('viewer-open');
    document.removeEventListener('keydown', onKey, true);
  };
  return { close, destroy, refresh, get id() { return currentId; } };
}
