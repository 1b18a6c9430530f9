// The virtualised timeline: months from the bucket list, each laid out into days and justified
// rows once loaded; only the rows near the viewport exist in the DOM, so a library of any size
// keeps a bounded number of nodes. A scrubber on the right jumps by year and month.

import { h, icon, ICONS, mount } from './dom.js';
import { thumbnailUrl } from './api.js';
import { thumbHashToDataURL } from './thumbhash.js';
import { estimateMonthHeight, layoutMonth, MONTH_HEADER } from './layout.js';
import { timelineSource } from './timeline-source.js';

const OVERSCAN = 800; // pixels rendered above and below the viewport

const monthTitle = (key) => new Date(`${key.slice(0, 7)}-15T00:00:00Z`)
  .toLocaleDateString(undefined, { month: 'long', year: 'numeric', timeZone: 'UTC' });
const dayTitle = (date) => new Date(`${date}T12:00:00Z`)
  .toLocaleDateString(undefined, { weekday: 'short', day: 'numeric', month: 'short', year: 'numeric', timeZone: 'UTC' });

function tileLabel(b, i) {
  const when = new Date(new Date(b.fileCreatedAt[i]).getTime() + (b.localOffsetHours[i] || 0) * 3600_000)
    .toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short', timeZone: 'UTC' });
  const kind = b.isImage[i] ? 'Photo' : 'Video';
  const extras = [b.isFavorite[i] ? 'favourite' : '', b.city?.[i] || ''].filter(Boolean);
  return `${kind} taken ${when}${extras.length ? `, ${extras.join(', ')}` : ''}`;
}

function shortDuration(d) {
  if (!d) return '';
  const [hh, mm, ss] = d.split(':');
  const s = Math.floor(Number(ss));
  return `${Number(hh) ? `${Number(hh)}:` : ''}${Number(hh) ? mm.padStart(2, '0') : Number(mm)}:${String(s).padStart(2, '0')}`;
}

/**
 * options: params (timeline filters), emptyText, onOpen(id), selection (a Set shared with the page),
 * onSelection(), shareKey (for shared links). Returns {el, refresh, neighbour, destroy, stats}.
 */
export function createTimeline(options) {
  const { params, onOpen, selection = new Set(), onSelection = () => {}, shareKey } = options;
  const hrefFor = options.hrefFor || ((id) => `/photos/${id}`);
  const source = timelineSource(params);
  const canvas = h('div', { class: 'tl-canvas' });
  const status = h('p', { class: 'tl-status', role: 'status' });
  const scroller = h('div', { class: 'tl-scroll', tabindex: '-1' }, status, canvas);
  const track = h('div', { class: 'tl-track' });
  const marker = h('div', { class: 'tl-marker' });
  const hover = h('div', { class: 'tl-hover', hidden: true });
  const scrubber = h('div', {
    class: 'tl-scrubber', role: 'slider', tabindex: '0', 'aria-label': 'Timeline scrubber: jump to a month',
    'aria-orientation': 'vertical', 'aria-valuemin': '0',
  }, track, marker, hover);
  const el = h('section', { class: 'timeline', 'aria-label': options.label || 'Timeline' }, scroller, scrubber);

  let months = [];
  let total = 0;
  let width = 0;
  let frame = 0;
  let destroyed = false;
  let loadTimer = 0;
  const rendered = new Map(); // key -> element

  function relayout() {
    let top = 0;
    for (const m of months) {
      m.top = top;
      if (m.data) {
        if (!m.layout || m.layoutWidth !== width) {
          m.layout = layoutMonth(m.data, width);
          m.layoutWidth = width;
        }
        m.height = m.layout.height;
      } else {
        m.height = estimateMonthHeight(m.count, width);
      }
      top += m.height;
    }
    total = top;
    canvas.style.height = `${total}px`;
  }

  function scheduleRender() {
    if (!frame && !destroyed) frame = requestAnimationFrame(() => { frame = 0; render(); });
  }

  async function loadMonth(m) {
    if (m.loading || (m.data && !m.stale)) return;
    m.loading = true;
    try {
      const data = await source.bucket(m.key);
      if (destroyed || !months.includes(m)) return;
      const oldHeight = m.height;
      const oldTop = m.top;
      m.data = data;
      m.stale = false;
      m.version = (m.version || 0) + 1;
      m.layout = null;
      relayout();
      // Keep what the person is looking at still when a month wholly above it changes height; a
      // month the viewport starts in keeps its top where it is.
      if (oldTop + oldHeight <= scroller.scrollTop + 1 && m.height !== oldHeight) scroller.scrollTop += m.height - oldHeight;
      scheduleRender();
    } catch (err) {
      m.error = err.message;
      scheduleRender();
    } finally {
      m.loading = false;
    }
  }

  function visibleMonths(from, to) {
    return months.filter((m) => m.top < to && m.top + m.height > from);
  }

  function tile(m, index, item, row) {
    const b = m.data;
    const id = b.id[index];
    const placeholder = thumbHashToDataURL(b.thumbhash[index]);
    const img = h('img', { alt: '', draggable: false, decoding: 'async', src: thumbnailUrl(id, 'thumbnail', shareKey) });
    img.addEventListener('load', () => img.classList.add('loaded'), { once: true });
    // A fresh upload has no thumbnail until the server has made it: try again a few times.
    let tries = 0;
    img.addEventListener('error', () => {
      if (tries++ < 4 && img.isConnected) setTimeout(() => { if (img.isConnected) img.src = `${thumbnailUrl(id, 'thumbnail', shareKey)}&retry=${tries}`; }, 1500 * 2 ** tries);
    });
    const link = h('a', {
      class: 'tile-link', href: hrefFor(id),
      'aria-label': tileLabel(b, index), dataset: { id },
      onclick: (e) => {
        if (e.ctrlKey || e.metaKey || e.shiftKey || e.button !== 0) return;
        e.preventDefault();
        if (selection.size) toggle(id);
        else onOpen(id, link);
      },
    }, img);
    if (placeholder) link.style.backgroundImage = `url("${placeholder}")`;
    const badges = h('div', { class: 'tile-badges', 'aria-hidden': 'true' },
      b.isFavorite[index] ? icon(ICONS.heart) : null,
      !b.isImage[index] ? h('span', { class: 'tile-duration' }, shortDuration(b.duration[index]), icon(ICONS.play)) : null);
    const select = h('button', {
      type: 'button', class: 'tile-select', 'aria-label': `Select: ${tileLabel(b, index)}`, 'aria-pressed': String(selection.has(id)),
      dataset: { id }, onclick: () => toggle(id),
    }, icon(ICONS.check));
    const div = h('div', {
      class: `tile${selection.has(id) ? ' selected' : ''}`,
      style: { left: `${item.left}px`, width: `${item.width}px`, height: `${row.height}px` },
    }, link, badges, shareKey ? null : select);
    return div;
  }

  function toggle(id) {
    if (selection.has(id)) selection.delete(id);
    else selection.add(id);
    showSelection();
  }

  function showSelection() {
    for (const btn of canvas.querySelectorAll('.tile-select')) {
      const on = selection.has(btn.dataset.id);
      btn.setAttribute('aria-pressed', String(on));
      btn.parentElement.classList.toggle('selected', on);
    }
    el.classList.toggle('selecting', selection.size > 0);
    onSelection();
  }

  function render() {
    if (destroyed) return;
    const w = canvas.clientWidth;
    if (w && w !== width) {
      width = w;
      relayout();
    }
    const from = scroller.scrollTop - OVERSCAN;
    const to = scroller.scrollTop + scroller.clientHeight + OVERSCAN;
    const wanted = [];
    const need = [];
    for (const m of visibleMonths(from, to)) {
      const key = `m:${m.key}`;
      wanted.push([key, () => h('h2', { class: 'tl-month', style: { top: `${m.top}px` } }, monthTitle(m.key)), m.top]);
      if (!m.data || m.stale) need.push(m);
      if (!m.data) {
        const skeletonKey = `s:${m.key}:${m.height}`;
        wanted.push([skeletonKey, () => h('div', {
          class: `tl-skeleton${m.error ? ' error' : ''}`,
          style: { top: `${m.top + MONTH_HEADER}px`, height: `${m.height - MONTH_HEADER - 16}px` },
        }, m.error ? `Could not load this month: ${m.error}` : ''), m.top + MONTH_HEADER]);
        continue;
      }
      m.layout.days.forEach((day, d) => {
        const dayTop = m.top + day.top;
        const lastRow = day.rows[day.rows.length - 1];
        if (dayTop > to || m.top + lastRow.top + lastRow.height < from) return;
        wanted.push([`d:${m.key}:${m.version}:${d}`, () => h('h3', { class: 'tl-day', style: { top: `${dayTop}px` } }, dayTitle(day.date)), dayTop]);
        day.rows.forEach((row, r) => {
          const top = m.top + row.top;
          if (top > to || top + row.height < from) return;
          wanted.push([`r:${m.key}:${m.version}:${d}:${r}:${width}`, () => h('div', {
            class: 'tl-row', role: 'list', style: { top: `${top}px`, height: `${row.height}px` },
          }, row.items.map((item) => {
            const t = tile(m, item.index, item, row);
            t.setAttribute('role', 'listitem');
            return t;
          })), top]);
        });
      });
    }
    wanted.sort((a, b) => a[2] - b[2]);
    const keep = new Set(wanted.map(([key]) => key));
    for (const [key, node] of rendered) {
      if (!keep.has(key)) {
        node.remove();
        rendered.delete(key);
      }
    }
    // Insert in visual order so Tab moves through photos in the order they are shown.
    let cursor = canvas.firstChild;
    for (const [key, build, top] of wanted) {
      let node = rendered.get(key);
      if (!node) {
        node = build();
        rendered.set(key, node);
      }
      // Months above may have changed height since this node was built: place it again.
      if (node.style.top !== `${top}px`) node.style.top = `${top}px`;
      if (node === cursor) cursor = cursor.nextSibling;
      else canvas.insertBefore(node, cursor);
    }
    updateScrubber();
    clearTimeout(loadTimer);
    if (need.length) loadTimer = setTimeout(() => need.forEach(loadMonth), 40);
  }

  // Scrubber: the track maps linearly onto the content height, so a year with more photos is longer.
  function trackHeight() { return scrubber.clientHeight || 1; }

  function drawScrubber() {
    const th = trackHeight();
    let lastLabel = -Infinity;
    let lastYear = null;
    const labels = [];
    for (const m of months) {
      const year = m.key.slice(0, 4);
      if (year === lastYear) continue;
      lastYear = year;
      const y = (m.top / (total || 1)) * th;
      if (y - lastLabel < 18) continue;
      lastLabel = y;
      labels.push(h('span', { class: 'tl-year', style: { top: `${y}px` } }, year));
    }
    mount(track, labels);
    scrubber.setAttribute('aria-valuemax', String(Math.max(0, months.length - 1)));
  }

  function currentMonthIndex() {
    const y = scroller.scrollTop + 1;
    const i = months.findIndex((m) => m.top + m.height > y);
    return i < 0 ? months.length - 1 : i;
  }

  function updateScrubber() {
    if (!months.length) return;
    const i = currentMonthIndex();
    marker.style.top = `${(scroller.scrollTop / (total || 1)) * trackHeight()}px`;
    scrubber.setAttribute('aria-valuenow', String(i));
    scrubber.setAttribute('aria-valuetext', monthTitle(months[i].key));
  }

  function monthAt(clientY) {
    const rect = scrubber.getBoundingClientRect();
    const y = Math.min(Math.max(0, clientY - rect.top), rect.height);
    const offset = (y / rect.height) * total;
    const m = months.find((x) => x.top + x.height > offset) || months[months.length - 1];
    return { m, offset };
  }

  function goToMonth(i) {
    const m = months[Math.max(0, Math.min(months.length - 1, i))];
    if (m) scroller.scrollTop = m.top;
  }

  let dragging = false;
  scrubber.addEventListener('pointerdown', (e) => {
    if (!months.length) return;
    dragging = true;
    scrubber.setPointerCapture(e.pointerId);
    scroller.scrollTop = monthAt(e.clientY).offset;
  });
  scrubber.addEventListener('pointermove', (e) => {
    if (!months.length) return;
    const { m, offset } = monthAt(e.clientY);
    hover.hidden = false;
    hover.textContent = monthTitle(m.key);
    hover.style.top = `${e.clientY - scrubber.getBoundingClientRect().top}px`;
    if (dragging) scroller.scrollTop = offset;
  });
  scrubber.addEventListener('pointerup', () => { dragging = false; });
  scrubber.addEventListener('pointerleave', () => { if (!dragging) hover.hidden = true; });
  scrubber.addEventListener('keydown', (e) => {
    const i = currentMonthIndex();
    const yearStep = (dir) => {
      const year = Number(months[i].key.slice(0, 4)) - dir;
      const j = months.findIndex((m) => Number(m.key.slice(0, 4)) <= year);
      return j < 0 ? months.length - 1 : j;
    };
    const moves = {
      ArrowDown: i + 1, ArrowRight: i + 1, ArrowUp: i - 1, ArrowLeft: i - 1,
      PageDown: yearStep(1), PageUp: Math.max(0, months.findIndex((m) => m.key.slice(0, 4) === String(Number(months[i].key.slice(0, 4)) + 1))),
      Home: 0, End: months.length - 1,
    };
    if (!(e.key in moves)) return;
    e.preventDefault();
    goToMonth(moves[e.key]);
  });

  scroller.addEventListener('scroll', scheduleRender, { passive: true });
  const resize = new ResizeObserver(() => { drawScrubber(); scheduleRender(); });
  resize.observe(scroller);

  /**
   * Reload the month list. Every loaded month is fetched again (when next in view), or with
   * `only`, just the months in it and those whose count changed: a live update touches one or
   * two months, and the rest keep their rows.
   */
  async function refresh({ only = null } = {}) {
    status.textContent = months.length ? '' : 'Loading…';
    let buckets;
    try {
      buckets = await source.buckets();
    } catch (err) {
      status.textContent = `Could not load the timeline: ${err.message}`;
      status.classList.add('error');
      return;
    }
    if (destroyed) return;
    const old = new Map(months.map((m) => [m.key, m]));
    months = buckets.map(({ timeBucket, count }) => {
      const key = timeBucket.slice(0, 10);
      const prev = old.get(key);
      if (prev && prev.data) {
        const stale = prev.stale || !only || only.has(key) || prev.count !== count;
        return stale ? { ...prev, count, stale: true, loading: false } : prev;
      }
      return { key, count, top: 0, height: 0, data: null, version: 0 };
    });
    status.textContent = months.length ? '' : (options.emptyText || 'Nothing here yet.');
    status.classList.toggle('empty', !months.length);
    el.classList.toggle('is-empty', !months.length);
    width = canvas.clientWidth || width;
    relayout();
    drawScrubber();
    // Rows of refreshed months are rebuilt when their new data arrives (the version changes).
    render();
  }

  /**
   * Something changed on the server (a live event): `ids` of assets it touched and `dates`
   * (localDateTime) where they are now. Refreshes the month list and only the months holding
   * those ids or dates, or whose count changed; `all` refreshes every loaded month.
   */
  function changed({ ids = [], dates = [], all = false } = {}) {
    if (all) return refresh();
    const only = new Set(dates.filter(Boolean).map((d) => `${d.slice(0, 7)}-01`));
    const wanted = new Set(ids);
    for (const m of months) {
      if (m.data && !only.has(m.key) && m.data.id.some((id) => wanted.has(id))) only.add(m.key);
    }
    return refresh({ only });
  }

  /** The asset after (dir=1) or before (dir=-1) `id` in timeline order, loading months as needed. */
  async function neighbour(id, dir) {
    const mi = months.findIndex((m) => m.data && m.data.id.includes(id));
    if (mi < 0) return null;
    const index = months[mi].data.id.indexOf(id) + dir;
    if (index >= 0 && index < months[mi].data.id.length) return months[mi].data.id[index];
    for (let j = mi + dir; j >= 0 && j < months.length; j += dir) {
      const m = months[j];
      if (!m.data) await loadMonth(m);
      if (m.data && m.data.id.length) return dir > 0 ? m.data.id[0] : m.data.id[m.data.id.length - 1];
    }
    return null;
  }

  function focusAsset(id) {
    const link = canvas.querySelector(`.tile-link[data-id="${CSS.escape(id)}"]`);
    if (link) link.focus({ preventScroll: false });
  }

  function clearSelection() {
    selection.clear();
    showSelection();
  }

  function destroy() {
    destroyed = true;
    resize.disconnect();
    cancelAnimationFrame(frame);
    clearTimeout(loadTimer);
  }

  function stats() {
    return { months: months.length, loaded: months.filter((m) => m.data).length, nodes: canvas.getElementsByTagName('*').length, total };
  }

  refresh();
  return { el, refresh, changed, neighbour, focusAsset, clearSelection, destroy, stats, scroller };
}
