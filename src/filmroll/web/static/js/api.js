// The only place that talks HTTP: Immich's public API under /api, with the session cookie.

export class ApiError extends Error {
  constructor(status, body) {
    const message = body && body.message
      ? (Array.isArray(body.message) ? body.message.join('; ') : String(body.message))
      : `Request failed (${status})`;
    super(message);
    this.status = status;
    this.body = body;
  }
}

/** Called when any request answers 401, so the app can send the person to the login page. */
let onUnauthorized = () => {};
export function setUnauthorizedHandler(fn) { onUnauthorized = fn; }

/** Query string from an object, leaving out undefined and null values. */
export function query(params = {}) {
  const qs = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (v === undefined || v === null || v === '') continue;
    qs.set(k, String(v));
  }
  const s = qs.toString();
  return s ? `?${s}` : '';
}

/** A JSON request; resolves to the parsed body (null for 204) and throws ApiError otherwise. */
export async function api(method, path, body, { quiet401 = false, signal } = {}) {
  const init = { method, credentials: 'same-origin', headers: { accept: 'application/json' }, signal };
  if (body !== undefined) {
    init.headers['content-type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  let resp;
  try {
    resp = await fetch(`/api${path}`, init);
  } catch (err) {
    if (err.name === 'AbortError') throw err;
    throw new ApiError(0, { message: 'The server could not be reached. Check your connection and try again.' });
  }
  const text = await resp.text();
  let data = null;
  if (text) {
    try { data = JSON.parse(text); } catch { data = { message: text }; }
  }
  if (!resp.ok) {
    if (resp.status === 401 && !quiet401) onUnauthorized();
    throw new ApiError(resp.status, data);
  }
  return data;
}

export const get = (path, opts) => api('GET', path, undefined, opts);
export const post = (path, body, opts) => api('POST', path, body, opts);
export const put = (path, body, opts) => api('PUT', path, body, opts);
export const patch = (path, body, opts) => api('PATCH', path, body, opts);
export const del = (path, body, opts) => api('DELETE', path, body, opts);

/** URLs of an asset's files; `key` adds a shared-link key for people without an account. */
export function thumbnailUrl(id, size = 'thumbnail', key) {
  return `/api/assets/${id}/thumbnail${query({ size, key })}`;
}
export function originalUrl(id, key) { return `/api/assets/${id}/original${query({ key })}`; }
export function playbackUrl(id, key) { return `/api/assets/${id}/video/playback${query({ key })}`; }

/** Base64 of a SHA-1 digest, what `x-immich-checksum` carries; null where Web Crypto is missing. */
async function sha1Base64(file) {
  if (!globalThis.crypto || !crypto.subtle) return null;
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-1', await file.arrayBuffer()));
  let s = '';
  for (const b of digest) s += String.fromCharCode(b);
  return btoa(s);
}

const CHECKSUM_LIMIT = 100 * 1024 * 1024;

/**
 * Upload one file as Immich's web app does (multipart `assetData` plus device fields). XHR, not
 * fetch, because only XHR reports upload progress. Resolves to {id, status: 'created'|'duplicate'}.
 */
export async function uploadAsset(file, { onProgress, signal } = {}) {
  const checksum = file.size <= CHECKSUM_LIMIT ? await sha1Base64(file).catch(() => null) : null;
  const modified = new Date(file.lastModified || Date.now()).toISOString();
  const form = new FormData();
  form.append('deviceAssetId', `web-${file.name}-${file.lastModified}`);
  form.append('deviceId', 'WEB');
  form.append('fileCreatedAt', modified);
  form.append('fileModifiedAt', modified);
  form.append('isFavorite', 'false');
  form.append('duration', '0:00:00.000000');
  form.append('filename', file.name);
  form.append('assetData', file, file.name);
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', '/api/assets');
    xhr.withCredentials = true;
    xhr.setRequestHeader('accept', 'application/json');
    if (checksum) xhr.setRequestHeader('x-immich-checksum', checksum);
    xhr.upload.onprogress = (e) => { if (e.lengthComputable && onProgress) onProgress(e.loaded, e.total); };
    xhr.onload = () => {
      let data = null;
      try { data = JSON.parse(xhr.responseText); } catch { data = { message: xhr.responseText }; }
      if (xhr.status >= 200 && xhr.status < 300) resolve(data);
      else {
        if (xhr.status === 401) onUnauthorized();
        reject(new ApiError(xhr.status, data));
      }
    };
    xhr.onerror = () => reject(new ApiError(0, { message: 'Network error: the upload was interrupted.' }));
    xhr.onabort = () => reject(new ApiError(0, { message: 'Upload cancelled.' }));
    if (signal) signal.addEventListener('abort', () => xhr.abort());
    xhr.send(form);
  });
}
