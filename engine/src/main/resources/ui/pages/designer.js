// The designer: a template as a drawing and as YAML, one document. Add jobs from the palette,
// connect them by dragging from a box's port, rename and delete them, edit a job's fields in a
// form from the template schema, or type in the YAML pane: each side shows the other's change at
// once. The server validates as you go (the code apply runs) and pins each error to its box,
// field and line. Apply publishes the next version; Run asks for the params and follows the run.
import {h, show, byId} from '../lib/dom.js';
import {get, post, enc} from '../lib/api.js';
import {dag} from '../components/dag.js';
import {jobForm} from '../components/job-form.js';
import {TemplateDoc, KINDS} from '../lib/template-doc.js';
import {LineCounter, parseDocument, isMap} from '../vendor/yaml/index.js';

let schema = null;

const BLANK = `# A new template: add jobs from the palette, connect them by dragging from a box's port.
name: new-template
version: 1
description: ""
jobs:
`;

export async function designerPage(main, name, query, page) {
  schema = schema || await get('/api/schemas/template.json');
  let first = new TemplateDoc(BLANK), latest = 0;
  if (name) {
    const t = await get('/api/templates/' + enc(name));
    if (t.error) { show(main, h('p', {role: 'alert'}, t.error)); return; }
    latest = t.version;
    first = new TemplateDoc(t.yaml);
    first.doc.set('version', t.version + 1); // editing makes the next version
  }
  const text = first.toString();
  const state = {doc: first, good: null, selected: null, errors: [], validated: 0};
  state.good = state.doc.ok ? state.doc : null;

  const yaml = h('textarea', {id: 'yaml', class: 'yaml-pane', spellcheck: 'false', 'aria-label': 'the template as YAML',
    'aria-describedby': 'yaml-error errors', rows: 30});
  yaml.value = text;
  const canvas = h('section', {id: 'canvas', class: 'canvas', 'aria-label': 'the jobs as a graph'});
  const inspector = h('aside', {id: 'inspector', class: 'inspector', 'aria-label': 'the selected job'});
  const errorList = h('ul', {id: 'errors', class: 'errors', 'aria-live': 'polite'});
  const yamlError = h('p', {id: 'yaml-error', class: 'yaml-error', role: 'alert'});
  const status = h('span', {id: 'validation', class: 'validation', role: 'status'});
  const palette = h('nav', {class: 'palette', 'aria-label': 'add a job'}, h('h3', {}, 'Add a step'),
    Object.keys(KINDS).map(k => h('button', {type: 'button', id: 'add-' + k, 'data-kind': k, onclick: () => edit(d => { state.selected = d.addJob(k); })}, k)));

  const title = () => { const v = state.good ? state.good.value() : {}; return `${v.name || 'template'} v${v.version ?? ''}`; };
  const heading = h('h1', {id: 'designer-title'}, title());
  show(main,
    h('div', {class: 'page-head'}, heading,
      h('span', {class: 'actions'}, status,
        h('button', {type: 'button', id: 'apply', class: 'primary', onclick: apply}, 'Apply'),
        h('button', {type: 'button', id: 'run-template', onclick: () => runForm(main, state)}, 'Run'))),
    h('p', {class: 'meta'}, name ? `Editing ${name} as version ${latest + 1}: applying publishes it; runs in flight keep their version.` : 'A new template.'),
    h('p', {id: 'answer', role: 'status'}),
    h('div', {class: 'designer'}, palette, canvas, inspector),
    yamlError, errorList,
    h('section', {class: 'yaml-section'}, h('h2', {}, 'YAML'), yaml));

  /** Draws the last document that parsed, with the errors pinned to their boxes. */
  function draw() {
    heading.textContent = title();
    const doc = state.good;
    if (!doc) { show(canvas, h('p', {class: 'empty'}, 'The YAML does not parse yet.')); return; }
    const g = doc.graph();
    show(canvas, dag({nodes: g.nodes, edges: g.edges, errors: pinned(doc), selected: state.selected,
      onSelect: job => { state.selected = job; draw(); }, onConnect: (a, b) => edit(d => d.connect(a, b))}));
    performance.mark('baton-drawn'); // the first one: how long the designer took to open
    drawInspector();
  }

  function drawInspector() {
    const doc = state.good;
    if (!doc) { show(inspector); return; }
    if (!state.selected || !doc.names().includes(state.selected)) {
      show(inspector, templateForm(doc, (key, value) => edit(d => d.setTop(key, value))),
        h('p', {class: 'hint'}, 'Select a job to edit its fields.'));
      return;
    }
    const job = state.selected;
    show(inspector, jobForm(schema, doc, job, (path, value, rename) => edit(d => {
      if (rename) { if (value && value !== job) { d.rename(job, value); state.selected = value; } }
      else d.setField(job, path, value);
    })), h('button', {type: 'button', id: 'delete-job', class: 'danger', onclick: () => edit(d => { d.removeJob(job); state.selected = null; })}, `Delete ${job}`),
    h('ul', {class: 'errors'}, state.errors.filter(e => jobOf(doc, e) === job).map(e => h('li', {'data-field': e.field}, `${e.field}: ${e.message}`))));
    // each error's field in the form: jobs[2].retry.limit marks the input data-field="retry.limit"
    for (const e of state.errors.filter(x => jobOf(doc, x) === job)) {
      const field = (e.field || '').replace(/^jobs\[\d+\]\.?/, '').replace(/\[\d+\]/g, '');
      const input = field && inspector.querySelector(`[data-field="${CSS.escape(field)}"]`);
      if (input) { input.setAttribute('aria-invalid', 'true'); input.title = e.message; }
    }
  }

  /** {job: [messages]} of the last validation. */
  function pinned(doc) {
    const out = {};
    for (const e of state.errors) { const j = jobOf(doc, e); if (j) (out[j] = out[j] || []).push(`${e.field}: ${e.message}`); }
    return out;
  }

  /** A drawing edit: made to the document, then the YAML pane shows it. */
  function edit(change) {
    if (!state.doc.ok) { yamlError.textContent = 'Fix the YAML first: the drawing shows its last version that parsed.'; return; }
    const doc = state.good;
    change(doc);
    yaml.value = doc.toString();
    state.doc = doc;
    changed();
  }

  /** The YAML pane changed: parse it; invalid YAML shows the parser's error and keeps the last good drawing. */
  let typing = null;
  yaml.addEventListener('input', () => {
    clearTimeout(typing);
    typing = setTimeout(() => {
      const doc = new TemplateDoc(yaml.value);
      state.doc = doc;
      if (doc.ok) state.good = doc;
      changed();
    }, 150);
  });

  let validating = null;
  function changed() {
    const err = state.doc.error;
    yamlError.textContent = err ? `YAML error at line ${lineOf(err)}: ${err.message.split('\n')[0]}` : '';
    draw();
    clearTimeout(validating);
    validating = setTimeout(validate, 250);
  }

  async function validate() {
    if (!state.doc.ok) return;
    const n = ++state.validated;
    status.textContent = 'checking…';
    const r = await post('/api/templates/validate', {yaml: yaml.value});
    if (n !== state.validated) return; // a newer check is on its way
    state.errors = r.errors || [];
    status.textContent = r.httpStatus === 200 ? 'valid' : r.errors ? `${r.errors.length} error(s)` : r.error || '';
    status.dataset.valid = String(r.httpStatus === 200);
    show(errorList, state.errors.map(e => h('li', {'data-line': e.line, 'data-field': e.field},
      h('button', {type: 'button', class: 'link', onclick: () => goToLine(yaml, e.line)}, `line ${e.line}`), ` ${e.field}: ${e.message}`)));
    draw();
  }

  async function apply() {
    const r = await post('/api/templates', {yaml: yaml.value});
    const answer = byId('answer');
    if (r.httpStatus === 201) {
      answer.textContent = `Applied ${r.name} v${r.version}.`;
      latest = r.version;
      state.applied = r;
      return;
    }
    state.errors = r.errors || [];
    answer.textContent = r.errors ? `Not applied: ${r.errors.length} error(s).` : `Not applied: ${r.error}`;
    show(errorList, state.errors.map(e => h('li', {'data-line': e.line, 'data-field': e.field}, `line ${e.line} ${e.field}: ${e.message}`)));
    draw();
  }

  page.onLeave(() => { clearTimeout(typing); clearTimeout(validating); });
  draw();
  validate();
  if (new URLSearchParams(query).get('run')) runForm(main, state);
}

/** The template's own fields: name, description and params (NAME, or NAME=default, one per line). */
function templateForm(doc, set) {
  const v = doc.value();
  const params = Object.entries(v.params || {}).map(([p, spec]) => spec && spec.default != null ? `${p}=${spec.default}` : p).join('\n');
  return h('form', {id: 'template-form', class: 'job-form', 'aria-label': 'the template', onsubmit: e => e.preventDefault()},
    h('h3', {}, 'Template'),
    h('label', {class: 'field'}, h('span', {}, 'name'),
      h('input', {id: 'template-name', value: v.name || '', onchange: e => set('name', e.target.value.trim())})),
    h('label', {class: 'field'}, h('span', {}, 'description'),
      h('input', {id: 'template-description', value: v.description || '', onchange: e => set('description', e.target.value)})),
    h('label', {class: 'field'}, h('span', {}, 'params'),
      h('textarea', {id: 'template-params', rows: 3, placeholder: 'NAME (required) or NAME=default, one per line',
        onchange: e => set('params', paramsOf(e.target.value))}, params)));
}

function paramsOf(text) {
  const out = {};
  for (const line of text.split('\n').map(l => l.trim()).filter(Boolean)) {
    const i = line.indexOf('=');
    if (i < 0) out[line] = {required: true};
    else out[line.slice(0, i).trim()] = {default: line.slice(i + 1)};
  }
  return out;
}

/** The job an error concerns: by its field (jobs[2].command) or else by its line. */
function jobOf(doc, e) {
  const m = /^jobs\[(\d+)\]/.exec(e.field || '');
  const names = doc.names();
  if (m) return names[Number(m[1])] || null;
  if (!e.line) return null;
  const lc = new LineCounter();
  const parsed = parseDocument(doc.toString(), {lineCounter: lc});
  const jobs = parsed.get('jobs', true);
  if (!jobs || !jobs.items) return null;
  const hit = jobs.items.find(j => isMap(j) && j.range && lc.linePos(j.range[0]).line <= e.line && e.line <= lc.linePos(j.range[2]).line);
  return hit ? String(hit.get('name')) : null;
}

function lineOf(err) {
  return err.linePos && err.linePos[0] ? err.linePos[0].line : '?';
}

function goToLine(textarea, line) {
  const lines = textarea.value.split('\n');
  const start = lines.slice(0, line - 1).reduce((n, l) => n + l.length + 1, 0);
  textarea.focus();
  textarea.setSelectionRange(start, start + (lines[line - 1] || '').length);
}

/** A form for the template's params; Start begins a run of the applied template and follows it. */
function runForm(main, state) {
  const doc = state.good;
  if (!doc) return;
  const v = doc.value(), params = v.params || {};
  const dialog = h('dialog', {id: 'run-dialog', 'aria-label': 'run ' + v.name},
    h('form', {method: 'dialog', id: 'run-form'},
      h('h2', {}, `Run ${v.name}`),
      Object.entries(params).map(([p, spec]) => h('label', {class: 'field'}, h('span', {}, p + (spec && spec.required ? ' (required)' : '')),
        h('input', {name: p, 'data-param': p, value: spec && spec.default != null ? spec.default : '', required: !!(spec && spec.required)}))),
      Object.keys(params).length ? null : h('p', {}, 'This template has no params.'),
      h('p', {id: 'run-answer', role: 'alert'}),
      h('button', {type: 'submit', id: 'start-run', class: 'primary', value: 'start'}, 'Start'),
      h('button', {type: 'button', onclick: () => dialog.close()}, 'Cancel')));
  dialog.querySelector('form').addEventListener('submit', async e => {
    e.preventDefault();
    const values = {};
    dialog.querySelectorAll('input[data-param]').forEach(i => { if (i.value !== '') values[i.dataset.param] = i.value; });
    const r = await post('/api/runs', {template: v.name, params: values});
    if (r.runId) { dialog.close(); location.hash = '#/runs/' + enc(r.runId); }
    else byId('run-answer').textContent = r.error || 'the run was not started';
  });
  main.append(dialog);
  dialog.showModal();
}
