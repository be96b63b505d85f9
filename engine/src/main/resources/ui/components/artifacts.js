// A run's artifacts: each job's stored files with size, hash and producing attempt, a download
// through the API, and a preview of the first lines of text (shown as text, never as markup).
import {h} from '../lib/dom.js';
import {enc} from '../lib/api.js';

const PREFIX = 'artifact:';
const PREVIEW_BYTES = 4096, PREVIEW_LINES = 20;

/** Every artifact the run's jobs stored: {job, name, size, sha256, attempt, uri}. */
export function artifactsOf(run) {
  const out = [];
  for (const [job, j] of Object.entries(run.jobs || {})) {
    for (const [key, value] of Object.entries(j.outputs || {})) {
      if (!key.startsWith(PREFIX)) continue;
      try {
        const a = JSON.parse(value), name = key.slice(PREFIX.length);
        // a fan-out job's: one file per instance
        const each = Array.isArray(a) ? a.map((one, item) => ({...one, item})) : [a];
        for (const one of each) {
          if (!one) continue;
          out.push({job, name, item: one.item, size: one.size, sha256: one.sha256 || '', attempt: one.attempt, uri: one.uri});
        }
      } catch (e) { /* not a reference: nothing to list */ }
    }
  }
  return out;
}

const path = (runId, a) => `/api/runs/${enc(runId)}/artifacts/${enc(a.job)}/${enc(a.name)}`;
const itemQuery = a => a.item == null ? '' : `item=${a.item}`;

const size = n => n == null ? '' : n < 1024 ? `${n} B` : n < 1048576 ? `${(n / 1024).toFixed(1)} KiB` : `${(n / 1048576).toFixed(1)} MiB`;

/** The first lines of an artifact as text, or why there is none to show. */
async function preview(runId, a, into) {
  const r = await fetch(`${path(runId, a)}?head=${PREVIEW_BYTES}${a.item == null ? '' : '&' + itemQuery(a)}`);
  if (!r.ok) { into.textContent = (await r.json().catch(() => ({}))).error || `HTTP ${r.status}`; return; }
  const bytes = new Uint8Array(await r.arrayBuffer());
  let text;
  try {
    // A cut may split the last character: decode what is whole.
    text = new TextDecoder('utf-8', {fatal: true}).decode(bytes.length === PREVIEW_BYTES ? bytes.slice(0, bytes.length - 3) : bytes);
  } catch (e) {
    into.textContent = `not text (${size(a.size)}): download it to see it`;
    return;
  }
  const lines = text.split('\n').slice(0, PREVIEW_LINES);
  const more = a.size > bytes.length || text.split('\n').length > PREVIEW_LINES;
  into.textContent = lines.join('\n') + (more ? '\n…' : '');
}

/** The table of the run's artifacts; null when it stored none. */
export function artifactsTable(runId, run) {
  const all = artifactsOf(run);
  if (!all.length) return null;
  const shown = h('pre', {id: 'artifact-preview', class: 'preview', 'aria-live': 'polite'});
  return h('section', {id: 'artifacts'},
    h('h3', {}, 'Artifacts'),
    h('table', {class: 'list'},
      h('thead', {}, h('tr', {}, ['job', 'artifact', 'size', 'sha256', 'attempt', ''].map(c => h('th', {scope: 'col'}, c)))),
      h('tbody', {}, all.map(a => h('tr', {'data-artifact': a.job + '/' + a.name + (a.item == null ? '' : `[${a.item}]`)},
        h('td', {}, a.job + (a.item == null ? '' : `[${a.item}]`)),
        h('td', {}, a.name),
        h('td', {title: `${a.size} bytes`}, size(a.size)),
        h('td', {title: a.sha256}, h('code', {}, a.sha256.slice(0, 12))),
        h('td', {}, a.attempt || ''),
        h('td', {},
          h('a', {href: path(runId, a) + (a.item == null ? '' : '?' + itemQuery(a)), download: a.name}, 'Download'), ' ',
          h('button', {type: 'button', class: 'preview-button', onclick: () => preview(runId, a, shown)}, 'Preview')))))),
    shown);
}
