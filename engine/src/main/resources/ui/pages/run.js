// One run: its status and only the actions that apply to it, what its waiting steps wait for
// (approvals with Approve / Reject), its graph, child runs, its artifacts, a job's detail and the timeline,
// kept current from the run's event stream.
import {h, show, byId} from '../lib/dom.js';
import {get, post, enc} from '../lib/api.js';
import {dag} from '../components/dag.js';
import {fold, timeline} from '../components/timeline.js';
import {artifactsTable} from '../components/artifacts.js';

const EVENTS = ['RUN_STARTED', 'JOB_DISPATCHED', 'JOB_SUCCEEDED', 'JOB_FAILED', 'JOB_SKIPPED', 'JOB_RETRYING', 'JOB_CANCELLED',
  'RUN_SUCCEEDED', 'RUN_FAILED', 'RUN_CANCELLED', 'RUN_RETRIED', 'JOB_WAITING', 'RUN_PAUSED', 'RUN_RESUMED', 'RUN_SLA_MISSED',
  'JOB_SLA_MISSED', 'JOB_CACHED'];
const FINAL = new Set(['RUN_SUCCEEDED', 'RUN_FAILED', 'RUN_CANCELLED']);

/** The actions the API would accept now: cancel a run not ended, retry a failed one, pause or resume a running one. */
export function actions(run, id) {
  const going = run.status === 'RUNNING' || run.status === 'QUEUED';
  const act = (label, path) => h('button', {id: label.toLowerCase(), type: 'button', onclick: () => command(`/api/runs/${enc(id)}/${path}`)}, label);
  return [going ? act('Cancel', 'cancel') : null, run.status === 'FAILED' ? act('Retry', 'retry') : null,
    run.status === 'RUNNING' ? h('button', {id: 'pause', type: 'button', onclick: () => command(`/api/runs/${enc(id)}/${run.paused ? 'resume' : 'pause'}`)}, run.paused ? 'Resume' : 'Pause') : null];
}

/** POSTs a command; a refusal (409, 400) is shown, not lost. */
async function command(path, body) {
  const r = await post(path, body);
  const answer = byId('answer');
  if (answer) answer.textContent = r.httpStatus < 300 ? '' : r.error;
}

export async function runPage(main, id, page) {
  let selected = null;
  const draw = async () => {
    const run = await get('/api/runs/' + enc(id));
    if (run.error) { show(main, h('p', {role: 'alert'}, run.error)); return; }
    let template = await get(`/api/templates/${enc(run.template)}?version=${run.templateVersion}`);
    if (!template.dag) template = await get('/api/templates/' + enc(run.template)); // its version has left the store
    const nodes = template.dag ? template.dag.nodes : [], edges = template.dag ? template.dag.edges : [];
    const waits = Object.values(run.jobs).filter(j => j.awaiting && j.status === 'RUNNING');
    const detail = h('div', {id: 'detail', 'aria-live': 'polite'}, 'Select a job for its attempts, outputs, exit code and error.');
    const pick = job => { selected = job; detail.textContent = jobDetail(nodes, run.jobs[job], job); };
    show(main,
      h('h2', {}, id, ' ', h('span', {class: `status ${run.status}`}, run.status + (run.paused ? ' · PAUSED' : ''))),
      h('p', {class: 'meta'}, h('a', {href: '#/templates/' + enc(run.template)}, run.template), ` v${run.templateVersion} · tenant ${run.tenant || 'default'} · started ${run.createdAt}${run.detail ? ' · ' + run.detail : ''} · `,
        h('span', {id: 'trace', title: "the run's OpenTelemetry trace id"}, 'trace ' + (run.traceId || ''))),
      run.fromHistory ? h('p', {id: 'history'}, 'from the run history: this run has left Redis; its summary was kept when it ended') : null,
      run.parent ? h('p', {id: 'parent'}, 'child of ', h('a', {href: '#/runs/' + enc(run.parent.runId)}, run.parent.runId),
        ` (job ${run.parent.job}${run.parent.item != null ? '[' + run.parent.item + ']' : ''}, attempt ${run.parent.attempt})`) : null,
      h('p', {id: 'actions'}, actions(run, id)),
      waits.map(j => waitPanel(id, j)),
      h('p', {id: 'answer', role: 'status'}),
      h('div', {id: 'dag', class: 'canvas'}, dag({nodes, edges, states: run.jobs, children: run.children, onSelect: pick, selected})),
      (run.children || []).length ? h('table', {id: 'children', class: 'list'},
        h('thead', {}, h('tr', {}, ['child run', 'job', 'status', 'jobs ended'].map(c => h('th', {scope: 'col'}, c)))),
        h('tbody', {}, run.children.map(c => h('tr', {},
          h('td', {}, h('a', {href: '#/runs/' + enc(c.runId)}, c.runId)),
          h('td', {}, c.job + (c.item != null ? '[' + c.item + ']' : '')),
          h('td', {class: `status ${c.status}`}, c.status),
          h('td', {}, `${c.jobsEnded}/${c.jobs}`))))) : null,
      artifactsTable(id, run),
      detail,
      h('div', {id: 'timeline'}));
    if (selected) pick(selected);
  };
  await draw();
  const attempts = new Map();
  let pending = null;
  const redraw = () => {
    if (!pending) pending = setTimeout(async () => { pending = null; await draw(); const el = byId('timeline'); if (el) timeline(el, attempts); }, 200);
  };
  const source = new EventSource(`/api/runs/${enc(id)}/events`);
  page.onLeave(() => source.close());
  EVENTS.forEach(t => source.addEventListener(t, m => {
    fold(attempts, JSON.parse(m.data));
    if (FINAL.has(t)) source.close(); // the stream ends with the run
    redraw();
  }));
}

/** A job's panel: what the step calls, the HTTP status or the service's reply, then its state. */
function jobDetail(nodes, j, name) {
  const n = nodes.find(x => x.id === name) || {};
  const head = [`${name}: ${n.kind || 'step'} · ${n.calls || ''}`];
  if (j && n.kind === 'http' && j.exitCode != null) head.push(`HTTP status ${j.exitCode}`);
  if (j && n.kind === 'service' && j.status === 'SUCCEEDED') head.push(`service replied: ${JSON.stringify(j.outputs || {})}`);
  return head.join('\n') + '\n\n' + JSON.stringify(j || {status: 'PENDING'}, null, 2);
}

/** A waiting step: what it waits for; for an approval, its inputs and Approve / Reject. */
function waitPanel(id, j) {
  const a = j.awaiting, until = a.until ? ` · times out ${a.until}` : '';
  if (a.topic) return h('p', {class: 'wait'}, `${j.name} WAITING for an event on ${a.topic} with key ${a.key}${until}`);
  const form = h('form', {class: 'approval wait', 'data-job': j.name, 'data-attempt': j.attempt},
    h('p', {}, `${j.name} WAITING for approval${a.prompt ? ': ' + a.prompt : ''}${until}`),
    a.inputs.map(i => h('label', {}, i + ' ', h('input', {'data-input': i, name: i}))),
    h('button', {type: 'submit', name: 'decision', value: 'approve', id: 'approve-' + j.name}, 'Approve'),
    h('button', {type: 'submit', name: 'decision', value: 'reject', id: 'reject-' + j.name}, 'Reject'));
  form.addEventListener('submit', e => {
    e.preventDefault();
    const inputs = {};
    form.querySelectorAll('input[data-input]').forEach(i => inputs[i.dataset.input] = i.value);
    command(`/api/runs/${enc(id)}/jobs/${enc(j.name)}/${e.submitter.value}`, {attempt: Number(j.attempt), inputs});
  });
  return form;
}
