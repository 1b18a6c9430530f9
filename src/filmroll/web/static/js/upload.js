// Uploads: a file picker or files dropped anywhere on the page, two at a time, with a progress bar
// per file and one for the whole batch. Duplicates and refusals are reported per file.

import { get, uploadAsset } from './api.js';
import { formatBytes, h, icon, ICONS, mount } from './dom.js';

const CONCURRENCY = 2;
let accepted = null; // extensions the server takes, from /api/server/media-types
const queue = [];
let running = 0;
let onUploaded = () => {};

export function setUploadListener(fn) { onUploaded = fn; }

async function mediaTypes() {
  if (!accepted) {
    try {
      const types = await get('/server/media-types');
      accepted = new Set([...types.image, ...types.video, ...(types.sidecar || [])].map((x) => x.toLowerCase()));
    } catch {
      accepted = new Set();
    }
  }
  return accepted;
}

function panel() {
  let el = document.getElementById('upload-panel');
  if (!el) {
    el = h('section', { id: 'upload-panel', class: 'upload-panel', 'aria-label': 'Uploads' });
    document.body.append(el);
  }
  return el;
}

function draw() {
  const el = panel();
  const totalBytes = queue.reduce((n, item) => n + item.file.size, 0);
  const doneBytes = queue.reduce((n, item) => n + (item.state === 'queued' ? 0 : item.state === 'uploading' ? item.loaded : item.file.size), 0);
  const finished = queue.filter((x) => !['queued', 'uploading'].includes(x.state)).length;
  const counts = ['created', 'duplicate', 'error'].map((s) => queue.filter((x) => x.state === s).length);
  const summary = `${finished} of ${queue.length} done` + (counts[1] ? ` · ${counts[1]} duplicate${counts[1] > 1 ? 's' : ''}` : '') + (counts[2] ? ` · ${counts[2]} failed` : '');
  mount(el,
    h('header', {},
      h('h2', {}, 'Uploads'),
      h('button', {
        type: 'button', class: 'icon-button', 'aria-label': 'Close uploads',
        disabled: finished < queue.length, onclick: () => { queue.length = 0; el.remove(); },
      }, icon(ICONS.close))),
    h('div', { class: 'upload-total' },
      h('label', { for: 'upload-total-bar' }, summary),
      h('progress', { id: 'upload-total-bar', max: String(totalBytes || 1), value: String(doneBytes) })),
    h('ul', { class: 'upload-list' }, queue.map((item) => {
      const pct = item.file.size ? Math.round((100 * (item.state === 'uploading' ? item.loaded : item.state === 'queued' ? 0 : item.file.size)) / item.file.size) : 100;
      const text = {
        queued: 'Waiting',
        uploading: `Uploading ${pct}%`,
        created: 'Uploaded',
        duplicate: 'Duplicate: already in your library',
        error: `Failed: ${item.error}`,
      }[item.state];
      return h('li', { class: `upload-item ${item.state}` },
        h('span', { class: 'upload-name', title: item.file.name }, item.file.name),
        h('span', { class: 'upload-size muted' }, formatBytes(item.file.size)),
        h('progress', { max: '100', value: String(pct), 'aria-label': `${item.file.name} progress` }),
        h('span', { class: 'upload-state', role: item.state === 'error' ? 'alert' : null }, text));
    })));
}

let drawQueued = false;
function redraw() {
  if (drawQueued) return;
  drawQueued = true;
  requestAnimationFrame(() => { drawQueued = false; draw(); });
}

async function pump() {
  while (running < CONCURRENCY) {
    const item = queue.find((x) => x.state === 'queued');
    if (!item) return;
    running += 1;
    item.state = 'uploading';
    item.loaded = 0;
    redraw();
    uploadAsset(item.file, { onProgress: (loaded) => { item.loaded = loaded; redraw(); } })
      .then((result) => {
        item.state = result.status === 'duplicate' ? 'duplicate' : 'created';
        item.id = result.id;
        onUploaded(item);
      })
      .catch((err) => { item.state = 'error'; item.error = err.message; })
      .finally(() => { running -= 1; draw(); pump(); });
  }
}

/** Queue files; unsupported types are refused here with the reason, before any bytes are sent. */
export async function uploadFiles(files) {
  const types = await mediaTypes();
  for (const file of files) {
    const dot = file.name.lastIndexOf('.');
    const ext = dot >= 0 ? file.name.slice(dot).toLowerCase() : '';
    const item = { file, state: 'queued', loaded: 0 };
    if (types.size && !types.has(ext)) {
      item.state = 'error';
      item.error = `this file type (${ext || 'no extension'}) is not supported`;
    }
    queue.push(item);
  }
  draw();
  pump();
}

/** A hidden multi-file input opened by the Upload button. */
export function pickFiles() {
  const input = h('input', { type: 'file', multiple: true, accept: 'image/*,video/*', class: 'visually-hidden', 'aria-hidden': 'true' });
  input.addEventListener('change', () => {
    if (input.files.length) uploadFiles([...input.files]);
    input.remove();
  });
  document.body.append(input);
  input.click();
}

/** Files dropped anywhere on the page are uploaded; the overlay shows where to drop them. */
export function installDropZone(enabled) {
  const overlay = h('div', { class: 'drop-overlay', hidden: true, 'aria-hidden': 'true' }, h('p', {}, icon(ICONS.upload), 'Drop files to upload'));
  document.body.append(overlay);
  let depth = 0;
  const hasFiles = (e) => [...(e.dataTransfer?.types || [])].includes('Files');
  document.addEventListener('dragenter', (e) => {
    if (!enabled() || !hasFiles(e)) return;
    depth += 1;
    overlay.hidden = false;
  });
  document.addEventListener('dragleave', () => {
    depth = Math.max(0, depth - 1);
    if (!depth) overlay.hidden = true;
  });
  document.addEventListener('dragover', (e) => { if (enabled() && hasFiles(e)) e.preventDefault(); });
  document.addEventListener('drop', (e) => {
    if (!enabled() || !hasFiles(e)) return;
    e.preventDefault();
    depth = 0;
    overlay.hidden = true;
    uploadFiles([...e.dataTransfer.files]);
  });
}
