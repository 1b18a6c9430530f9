// Pure layout of the timeline: months split into local days, days into justified rows.

export const GAP = 4;
export const MONTH_HEADER = 56;
export const DAY_HEADER = 40;
export const MONTH_GAP = 16;

/** Row height for a container width: smaller on phones so several photos fit on a row. */
export function rowHeightFor(width) {
  return width < 600 ? 110 : width < 1000 ? 170 : 220;
}

/** The local calendar day an asset was taken, from its UTC time and the offset it was taken at. */
export function localDate(fileCreatedAt, offsetHours) {
  const t = new Date(fileCreatedAt).getTime() + (offsetHours || 0) * 3600_000;
  return new Date(t).toISOString().slice(0, 10);
}

/** Guess a month's height before its assets are loaded; corrected once they are. */
export function estimateMonthHeight(count, width) {
  const rowH = rowHeightFor(width);
  const perRow = Math.max(1, Math.floor(width / (rowH * 1.25)));
  const days = Math.min(count, Math.max(1, Math.round(count / 12)));
  const rows = Math.ceil(count / perRow) + Math.max(0, days - 1) * 0.5;
  return MONTH_HEADER + days * DAY_HEADER + rows * (rowH + GAP) + MONTH_GAP;
}

/**
 * Lay out one loaded month. `bucket` is the columnar TimeBucketAssetResponseDto. Returns
 * {height, days: [{date, top, rows: [{top, height, items: [{index, left, width}]}]}]}, positions
 * relative to the month's top.
 */
export function layoutMonth(bucket, width) {
  const rowH = rowHeightFor(width);
  const n = bucket.id.length;
  const days = [];
  let current = null;
  for (let i = 0; i < n; i++) {
    const date = localDate(bucket.fileCreatedAt[i], bucket.localOffsetHours[i]);
    if (!current || current.date !== date) {
      current = { date, indexes: [] };
      days.push(current);
    }
    current.indexes.push(i);
  }
  let y = MONTH_HEADER;
  const out = [];
  for (const day of days) {
    const top = y;
    y += DAY_HEADER;
    const rows = [];
    let row = [];
    let rowWidth = 0;
    const flush = (last) => {
      if (!row.length) return;
      const gaps = GAP * (row.length - 1);
      // A full row is scaled to the exact width; the day's last row keeps its natural size.
      const scale = last && rowWidth + gaps < width ? 1 : (width - gaps) / rowWidth;
      const height = Math.max(40, Math.floor(rowH * scale));
      let left = 0;
      const items = row.map(({ index, w }) => {
        const itemWidth = Math.floor(w * scale);
        const item = { index, left, width: itemWidth };
        left += itemWidth + GAP;
        return item;
      });
      rows.push({ top: y, height, items });
      y += height + GAP;
      row = [];
      rowWidth = 0;
    };
    for (const index of day.indexes) {
      const ratio = Math.min(3, Math.max(0.5, Number(bucket.ratio[index]) || 1));
      const w = ratio * rowH;
      if (row.length && rowWidth + w + GAP * row.length > width) flush(false);
      row.push({ index, w });
      rowWidth += w;
    }
    flush(true);
    out.push({ date: day.date, top, rows });
  }
  return { height: y + MONTH_GAP, days: out };
}
