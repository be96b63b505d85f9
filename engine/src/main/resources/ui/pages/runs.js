// The runs: filters (template, status, tenant, start, a parameter), the tenants' shares when
// slots or quotas are set, and one row per run.
import {h, show} from '../lib/dom.js';
import {get} from '../lib/api.js';
import {ms} from '../lib/format.js';

const STATUSES = ['QUEUED', 'RUNNING', 'SUCCEEDED', 'FAILED', 'CANCELLED'];
const SINCE = [['1h', 'last hour'], ['24h', 'last day'], ['7d', 'last 7 days'], ['30d', 'last 30 days']];

export async function runsPage(main, query) {
  const q = new URLSearchParams(query);
  const [runs, templates, slots] = await Promise.all([get('/api/runs?' + q), get('/api/templates'), get('/api/tenants')]);
  const option = (value, label, key) => h('option', {value, selected: q.get(key) === value}, label);
  const filter = h('form', {id: 'filter', class: 'filters', onsubmit: e => e.preventDefault()},
    h('label', {}, 'template ', h('select', {name: 'template'}, option('', 'any', 'template'),
      (Array.isArray(templates) ? templates : []).map(t => option(t.name, t.name, 'template')))),
    h('label', {}, 'status ', h('select', {name: 'status'}, option('', 'any', 'status'), STATUSES.map(v => option(v, v, 'status')))),
    h('label', {}, 'tenant ', h('input', {name: 'tenant', size: 12, value: q.get('tenant') || ''})),
    h('label', {}, 'started ', h('select', {name: 'since'}, option('', 'any time', 'since'), SINCE.map(([v, l]) => option(v, l, 'since')))),
    h('label', {}, 'parameter ', h('input', {name: 'param', size: 16, placeholder: 'name=value', value: q.get('param') || ''})));
  filter.addEventListener('change', () => {
    const f = new URLSearchParams(new FormData(filter));
    [...f.keys()].forEach(k => { if (!f.get(k)) f.delete(k); });
    location.hash = '#/?' + f;
  });
  const list = runs.error ? [] : runs;
  show(main, h('h1', {}, 'Runs'), filter,
    runs.error ? h('p', {class: 'status FAILED', role: 'alert'}, runs.error) : null,
    tenants(slots),
    h('table', {class: 'list'},
      h('thead', {}, h('tr', {}, ['run', 'template', 'tenant', 'status', 'started', 'duration'].map(c => h('th', {scope: 'col'}, c)))),
      h('tbody', {}, list.map(r => h('tr', {class: 'run', 'data-id': r.runId},
        h('td', {}, h('a', {href: '#/runs/' + encodeURIComponent(r.runId)}, r.runId)),
        h('td', {}, h('a', {href: '#/templates/' + encodeURIComponent(r.template)}, r.template), ` v${r.templateVersion}`),
        h('td', {}, r.tenant),
        h('td', {class: `status ${r.status}`}, r.status + (r.fromHistory ? ' (history)' : '')),
        h('td', {}, r.createdAt),
        h('td', {}, r.durationMs != null ? ms(r.durationMs) : '')))),
    list.length ? null : h('p', {class: 'empty'}, 'No runs match.')));
  main.querySelectorAll('tr.run').forEach(tr => tr.addEventListener('click', e => {
    if (!e.target.closest('a')) location.hash = '#/runs/' + encodeURIComponent(tr.dataset.id);
  }));
}

function tenants(slots) {
  if (!slots || !slots.tenants) return null;
  const quotas = slots.tenants.some(t => t.maxRuns > 0 || t.runsQueued > 0);
  if (!(slots.capacity > 0 || quotas)) return null;
  const cols = ['tenant', 'runs', 'queued', 'max runs', 'jobs', 'queued', 'weight', 'max jobs', `share of ${slots.running}/${slots.capacity} slots`, 'share, last minute'];
  return h('table', {id: 'tenants', class: 'list'},
    h('thead', {}, h('tr', {}, cols.map(c => h('th', {scope: 'col'}, c)))),
    h('tbody', {}, slots.tenants.map(t => h('tr', {}, [t.tenant, t.runsRunning, t.runsQueued, t.maxRuns || '-', t.running,
      t.queued, t.weight, t.maxJobs || '-', `${Math.round(100 * t.share)}%`,
      `${Math.round(100 * t.shareLastMinute)}% (${t.slotsLastMinute} slots)`].map(v => h('td', {}, v))))));
}
