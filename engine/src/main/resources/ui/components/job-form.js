// A job's fields as a form generated from the template's JSON Schema (/api/schemas/template.json):
// text for strings and durations, a list for enums, numbers, a box per line for lists, NAME=value
// lines for maps, a fieldset for a nested mapping. Secrets are references only: an env line
// NAME=secret:<secret>/<key> becomes {secretRef: {name, key}}.
import {h} from '../lib/dom.js';
import {kindOf} from '../lib/template-doc.js';

/** The fields each kind of step owns; a job shows its own kind's and the common ones. */
const OWNED = {command: ['command'], pod: ['image', 'command', 'kubernetes'], http: ['http'], service: ['service'],
  emit: ['emit'], event: ['wait'], approval: ['wait'], 'sub-workflow': ['run'], sleep: ['sleep']};
const KIND_FIELDS = new Set(Object.values(OWNED).flat());
/** Fields drawn elsewhere (the name heads the form, dependsOn is the graph's edges). */
const ELSEWHERE = new Set(['name', 'dependsOn']);

export function jobForm(schema, doc, name, onChange) {
  const job = doc.value().jobs.find(j => j && j.name === name) || {name};
  const kind = kindOf(job);
  const props = schema.$defs.job.properties;
  const fields = Object.keys(props).filter(f => !ELSEWHERE.has(f) && (!KIND_FIELDS.has(f) || OWNED[kind].includes(f)));
  const set = (path, value) => onChange(path, value);
  return h('form', {id: 'job-form', class: 'job-form', 'aria-label': `fields of ${name}`, onsubmit: e => e.preventDefault()},
    h('h3', {}, `${name} `, h('span', {class: 'kind'}, kind)),
    h('label', {class: 'field'}, h('span', {}, 'name'),
      h('input', {id: 'field-name', 'data-field': 'name', value: name, required: true,
        onchange: e => onChange(['name'], e.target.value.trim(), true)})),
    h('p', {class: 'hint'}, 'Depends on: ', doc.dependencies(name).join(', ') || 'nothing', ' (drag from a box\'s right-hand port to connect)'),
    fields.map(f => input(schema, props[f], [f], doc.field(name, [f]), set)));
}

function resolve(schema, node) {
  let n = node;
  while (n && n.$ref) n = schema.$defs[n.$ref.replace('#/$defs/', '')];
  return {...n, description: node.description || (n && n.description)};
}

function input(schema, node0, path, value, set) {
  const node = resolve(schema, node0);
  const key = path.join('.'), id = 'field-' + path.join('-');
  const label = (...control) => h('label', {class: 'field', for: id}, h('span', {}, path[path.length - 1]),
    ...control, node.description ? h('small', {}, node.description) : null);
  if (path[path.length - 1] === 'env' && path.length === 1) {
    return label(h('textarea', {id, 'data-field': key, rows: 3, placeholder: 'NAME=value or NAME=secret:<secret>/<key>',
      onchange: e => set(path, envOf(e.target.value))}, envText(value)));
  }
  if (node.enum) {
    return label(h('select', {id, 'data-field': key, onchange: e => set(path, e.target.value || undefined)},
      h('option', {value: ''}, ''), node.enum.map(v => h('option', {value: v, selected: value === v}, v))));
  }
  if (node.type === 'object' && node.properties) {
    return h('fieldset', {class: 'nested', 'data-field': key}, h('legend', {}, path[path.length - 1]),
      node.description ? h('small', {}, node.description) : null,
      Object.keys(node.properties).map(p => input(schema, node.properties[p], [...path, p], value ? value[p] : undefined, set)));
  }
  if (node.type === 'object') {
    return label(h('textarea', {id, 'data-field': key, rows: 2, placeholder: 'NAME=value, one per line',
      onchange: e => set(path, mapOf(e.target.value))}, value && typeof value === 'object' ? Object.entries(value).map(([k, v]) => `${k}=${v}`).join('\n') : ''));
  }
  if (node.type === 'array') {
    return label(h('textarea', {id, 'data-field': key, rows: 2, placeholder: 'one per line',
      onchange: e => set(path, listOf(e.target.value, node.items))}, Array.isArray(value) ? value.join('\n') : value ?? ''));
  }
  if (node.type === 'integer' || node.type === 'number') {
    return label(h('input', {id, 'data-field': key, type: 'number', value: value ?? '',
      onchange: e => set(path, e.target.value === '' ? undefined : Number(e.target.value))}));
  }
  if (node.type === 'boolean') {
    return label(h('input', {id, 'data-field': key, type: 'checkbox', checked: value === true, onchange: e => set(path, e.target.checked || undefined)}));
  }
  if (!node.type) { // a mapping or a string: a mapping is edited as JSON
    return label(h('textarea', {id, 'data-field': key, rows: 3, placeholder: 'text, or a JSON object',
      onchange: e => set(path, jsonOrText(e.target.value))}, value && typeof value === 'object' ? JSON.stringify(value, null, 2) : value ?? ''));
  }
  return label(h('input', {id, 'data-field': key, value: value ?? '', onchange: e => set(path, e.target.value)}));
}

function jsonOrText(text) {
  if (/^\s*[{[]/.test(text)) {
    try { return JSON.parse(text); } catch { /* not JSON: kept as the text typed */ }
  }
  return text;
}

const lines = text => text.split('\n').map(l => l.trim()).filter(Boolean);

function listOf(text, items) {
  const out = lines(text);
  const numbers = items && (items.type === 'integer' || (Array.isArray(items.type) && items.type.includes('integer')));
  return numbers ? out.map(v => /^\d+$/.test(v) ? Number(v) : v) : out;
}

function mapOf(text) {
  const out = {};
  for (const l of lines(text)) { const i = l.indexOf('='); if (i > 0) out[l.slice(0, i).trim()] = l.slice(i + 1); }
  return out;
}

function envOf(text) {
  const out = mapOf(text);
  for (const [k, v] of Object.entries(out)) {
    const m = /^secret:([^/]+)\/(.+)$/.exec(v);
    if (m) out[k] = {secretRef: {name: m[1], key: m[2]}};
  }
  return out;
}

function envText(env) {
  if (!env || typeof env !== 'object') return '';
  return Object.entries(env).map(([k, v]) => v && v.secretRef ? `${k}=secret:${v.secretRef.name}/${v.secretRef.key}` : `${k}=${v}`).join('\n');
}
