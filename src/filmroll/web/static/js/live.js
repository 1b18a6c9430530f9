// Live updates: the socket.io connection Immich's apps keep open at /api/socket.io. The server sends
// the signed-in user's asset events there (uploads, edits, trash, restore, deletes, stacks), so
// pages change when the same person works on another device, without a reload. Authenticated by
// the session cookie like every API call; websocket transport only, as Immich's apps connect.
// `<html data-live>` says whether the connection is up ('connected', 'disconnected', 'off').

const CLIENT = '../vendor/socket.io-client/socket.io.esm.min.js';

/** The events pages may listen to; `reconnect` is ours: events may have been missed meanwhile. */
export const ASSET_EVENTS = [
  'on_upload_success', 'on_asset_update', 'on_asset_trash', 'on_asset_restore',
  'on_asset_delete', 'on_asset_hidden', 'on_asset_stack_update',
];

const listeners = new Set();
let socket = null;
let generation = 0;
let onSessionEnded = () => {};

/** Called once when the server says this browser's session was deleted (logged out elsewhere). */
export function setSessionEndedHandler(fn) { onSessionEnded = fn; }

/** fn(name, data) for every asset event and `reconnect`; returns the function that unsubscribes. */
export function onLive(fn) {
  listeners.add(fn);
  return () => listeners.delete(fn);
}

function dispatch(name, data) {
  for (const fn of [...listeners]) {
    try { fn(name, data); } catch (err) { console.warn('live update handler failed', err); }
  }
}

/** Open the connection (once; again after `stopLive`). Never throws: live updates are a bonus. */
export async function startLive() {
  if (socket) return;
  const mine = ++generation;
  let io;
  try {
    ({ io } = await import(CLIENT));
  } catch (err) {
    console.warn('live updates unavailable', err);
    return;
  }
  if (mine !== generation || socket) return; // stopped or started again while loading
  socket = io({ path: '/api/socket.io', transports: ['websocket'], withCredentials: true });
  let connectedBefore = false;
  socket.on('connect', () => {
    document.documentElement.dataset.live = 'connected';
    if (connectedBefore) dispatch('reconnect');
    connectedBefore = true;
  });
  socket.on('disconnect', () => { document.documentElement.dataset.live = 'disconnected'; });
  for (const name of ASSET_EVENTS) socket.on(name, (data) => dispatch(name, data));
  socket.on('on_session_delete', () => {
    stopLive();
    onSessionEnded();
  });
}

/** Close the connection (logging out: the server closes it anyway once the session is gone). */
export function stopLive() {
  generation += 1;
  if (!socket) return;
  const s = socket;
  socket = null;
  s.removeAllListeners();
  s.disconnect();
  document.documentElement.dataset.live = 'off';
}
