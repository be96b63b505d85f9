// A run's attempts as a Gantt chart (grey: waiting for a runtime after dispatch; then running)
// and each attempt's log, folded from the run's events as they arrive.
import {h, s, show} from '../lib/dom.js';
import {ms} from '../lib/format.js';

const ENDS = {JOB_SUCCEEDED: 'SUCCEEDED', JOB_FAILED: 'FAILED', JOB_RETRYING: 'RETRYING', JOB_CANCELLED: 'CANCELLED', JOB_CACHED: 'CACHED'};

/** Folds one run event into the attempt it concerns: when dispatched, started, ended, its log. */
export function fold(attempts, e) {
  if (!e.job || e.attempt == null) return;
  const key = `${e.job}${e.item != null ? '[' + e.item + ']' : ''} #${e.attempt}`;
  const a = attempts.get(key) || {key, job: e.job, item: e.item, attempt: e.attempt, status: 'RUNNING'};
  attempts.set(key, a);
  if (e.type === 'JOB_DISPATCHED') a.dispatchedAt = Date.parse(e.occurredAt);
  if (ENDS[e.type]) {
    a.status = ENDS[e.type];
    a.endedAt = Date.parse(e.occurredAt);
    a.dispatchedAt = a.dispatchedAt || a.endedAt;
    if (e.startedAt) a.startedAt = Date.parse(e.startedAt);
    a.out = e.outputTail; a.err = e.errorTail; a.detail = e.detail;
  }
}

/** Draws {@code attempts} into {@code el}. */
export function timeline(el, attempts) {
  const rows = [...attempts.values()].filter(a => a.dispatchedAt).sort((x, y) => x.dispatchedAt - y.dispatchedAt);
  if (!rows.length) { show(el); return; }
  const shown = rows.slice(0, 300), now = Date.now();
  const t0 = shown[0].dispatchedAt, t1 = Math.max(...shown.map(a => a.endedAt || now)), span = Math.max(1, t1 - t0);
  const W = 560, L = 170, H = 20, x = t => L + (t - t0) / span * W;
  const bars = shown.map((a, i) => {
    const y = 4 + i * H, started = a.startedAt || a.dispatchedAt, end = a.endedAt || now, wait = started - a.dispatchedAt;
    return s('g', {class: 'attempt', 'data-key': a.key},
      s('text', {x: 4, y: y + 13}, a.key),
      wait > 0 ? s('rect', {class: 'wait-bar', x: x(a.dispatchedAt), y: y + 3, width: Math.max(1, x(started) - x(a.dispatchedAt)), height: H - 8}) : null,
      s('rect', {class: `bar-${a.status}`, x: x(started), y: y + 2, width: Math.max(2, x(end) - x(started)), height: H - 6}),
      s('text', {x: L + W + 8, y: y + 13}, `${a.status} ${ms(end - started)}${wait > 0 ? ' · waited ' + ms(wait) : ''}`));
  });
  let opened = 0; // the first failed attempts' logs are open: what went wrong is what one looks for
  const logs = shown.filter(a => a.out || a.err || a.detail).map(a =>
    h('details', {class: 'log', id: 'log-' + a.key.replace(/[^A-Za-z0-9_-]/g, '_'),
        open: (a.status === 'FAILED' || a.status === 'RETRYING') && opened++ < 3},
      h('summary', {}, `${a.key} · ${a.status}${a.detail ? ' · ' + a.detail : ''}`),
      a.out ? [h('p', {}, 'standard output (its end)'), h('pre', {}, a.out)] : null,
      a.err ? [h('p', {}, 'standard error (its end)'), h('pre', {}, a.err)] : null));
  show(el, h('h3', {}, 'Timeline'),
    h('p', {}, `${rows.length} attempt(s) over ${ms(span)}; grey: waiting for a runtime after dispatch${rows.length > shown.length ? `; the first ${shown.length} shown` : ''}`),
    s('svg', {width: L + W + 320, height: shown.length * H + 8, role: 'img', 'aria-label': 'timeline of attempts'}, bars), logs);
}
