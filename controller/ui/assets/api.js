// The dashboard's client of the JSON API: every call carries the session cookie and the
// CSRF token; a problem answer becomes an ApiError with Slipway's code and message.
import { el } from './dom.js';

const csrf = document.querySelector('meta[name="csrf-token"]')?.content ?? '';

/** An error the API answered with: Slipway's code and message. */
export class ApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

/** Calls the API; a problem answer throws an ApiError, a lost session goes to sign-in. */
export async function api(method, path, body) {
  const headers = { accept: 'application/json', 'x-csrf-token': csrf };
  if (body !== undefined) headers['content-type'] = 'application/json';
  let response;
  try {
    response = await fetch(`/api/v1${path}`, { method, headers, credentials: 'same-origin', body: body === undefined ? undefined : JSON.stringify(body) });
  } catch (error) {
    throw new ApiError(0, 'network_error', `the server could not be reached (${error.message})`);
  }
  if (response.status === 401) {
    location.assign(`/ui/login?next=${encodeURIComponent(location.pathname + location.search)}`);
    throw new ApiError(401, 'unauthorized', 'the session has ended; sign in again');
  }
  const text = await response.text();
  const json = text ? JSON.parse(text) : undefined;
  if (!response.ok) throw new ApiError(response.status, json?.code ?? 'http_' + response.status, json?.detail ?? response.statusText);
  return json;
}

/** Shows an error with its code in the alert region; nothing fails silently. */
export function showError(error) {
  const box = document.getElementById('errors');
  const code = error instanceof ApiError ? error.code : 'script_error';
  const line = el('p', {}, el('code', {}, code), `: ${error.message}`);
  box.replaceChildren(line);
}
export function clearError() {
  document.getElementById('errors')?.replaceChildren();
}

/** Runs `task` now and every `ms` until the page goes away; a failure shows once per change. */
export function poll(ms, task) {
  let last = '';
  const tick = async () => {
    try {
      await task();
      if (last) clearError();
      last = '';
    } catch (error) {
      if (error.message !== last) showError(error);
      last = error.message;
    }
    setTimeout(tick, ms);
  };
  tick();
}

/** Streams an NDJSON log into `pre` until `signal` aborts; `paused()` holds lines back. */
export async function streamLog(path, pre, signal, paused = () => false) {
  const response = await fetch(`/api/v1${path}`, { headers: { accept: 'application/x-ndjson', 'x-csrf-token': csrf }, signal, credentials: 'same-origin' });
  if (!response.ok) {
    const json = await response.json().catch(() => ({}));
    throw new ApiError(response.status, json.code ?? 'http_' + response.status, json.detail ?? response.statusText);
  }
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  let rest = '';
  const held = [];
  const show = (line) => {
    const atEnd = pre.scrollTop + pre.clientHeight >= pre.scrollHeight - 4;
    pre.append(el('span', { class: line.stream }, `${line.source ? `[${line.source}] ` : ''}${line.text}\n`));
    if (atEnd) pre.scrollTop = pre.scrollHeight;
  };
  pre.flush = () => { while (held.length) show(held.shift()); };
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    rest += value;
    const lines = rest.split('\n');
    rest = lines.pop();
    for (const text of lines) {
      if (!text.trim()) continue;
      const line = JSON.parse(text);
      if (paused()) held.push(line);
      else show(line);
    }
  }
}
