// A template's YAML as one editable document (the yaml library keeps comments and key order):
// what the designer draws is read from it, and every drawing edit is made to it.
import {parseDocument, isMap, isSeq, isScalar, visit} from '../vendor/yaml/index.js';

/** The step kinds of the palette: the fields a new job of that kind starts with. */
export const KINDS = {
  command: {command: ['echo', 'hello']},
  pod: {image: 'alpine:3.20', command: ['echo', 'hello']},
  http: {http: {method: 'GET', url: 'https://example.com/'}},
  service: {service: {topic: 'service.requests', value: '{}'}},
  emit: {emit: {topic: 'events', value: '{}'}},
  event: {wait: {event: {topic: 'events', key: 'event.id', match: '${params.id}'}}},
  approval: {wait: {approval: {prompt: 'Go on?'}}},
  'sub-workflow': {run: {template: 'hello'}},
  sleep: {sleep: {for: '10s'}},
};

/** A job's kind, as the server's StepKinds names it. */
export function kindOf(job) {
  if (job.http) return 'http';
  if (job.service) return 'service';
  if (job.emit) return 'emit';
  if (job.sleep) return 'sleep';
  if (job.wait) return job.wait.event ? 'event' : 'approval';
  if (job.run) return 'sub-workflow';
  return job.image ? 'pod' : 'command';
}

function calls(job) {
  if (job.http) return `${job.http.method || 'GET'} ${job.http.url || ''}`;
  if (job.service) return 'asks the service on ' + (job.service.topic || '');
  if (job.emit) return 'emits to ' + (job.emit.topic || '');
  if (job.wait && job.wait.event) return 'waits for an event on ' + (job.wait.event.topic || '');
  if (job.wait) return 'waits for approval';
  if (job.run) return 'runs template ' + (job.run.template || '');
  if (job.sleep) return 'sleeps ' + (job.sleep.for || 'until ' + job.sleep.until);
  return (job.image ? job.image + ': ' : '') + [].concat(job.command || []).join(' ');
}

export class TemplateDoc {
  /** Parses {@code text}; {@code error} holds the parser's first error, if any. */
  constructor(text) {
    this.doc = parseDocument(text, {keepSourceTokens: false});
    this.error = this.doc.errors.length ? this.doc.errors[0] : null;
  }

  get ok() { return !this.error; }

  toString() { return String(this.doc); }

  /** The template as plain data. */
  value() { return this.doc.toJS() || {}; }

  /** The jobs node (a sequence), created when missing. */
  jobsNode() {
    let jobs = this.doc.get('jobs', true);
    if (!isSeq(jobs)) {
      jobs = this.doc.createNode([]);
      this.doc.set('jobs', jobs);
    }
    return jobs;
  }

  jobNode(name) {
    return this.jobsNode().items.find(j => isMap(j) && j.get('name') === name);
  }

  names() {
    return this.jobsNode().items.filter(isMap).map(j => String(j.get('name') ?? ''));
  }

  /** Jobs as boxes and dependencies as edges; a job without dependsOn follows the one before it. */
  graph() {
    const jobs = (this.value().jobs || []).filter(j => j && typeof j === 'object');
    const nodes = [], edges = [];
    jobs.forEach((j, i) => {
      const id = String(j.name ?? `#${i + 1}`);
      nodes.push({id, kind: kindOf(j), calls: calls(j), forEach: j.forEach ? String(j.forEach) : null,
        when: j.when ? String(j.when) : null, run: j.run ? j.run.template : null});
      const deps = Array.isArray(j.dependsOn) ? j.dependsOn : j.dependsOn != null ? [j.dependsOn]
        : i > 0 ? [String(jobs[i - 1].name ?? `#${i}`)] : [];
      deps.forEach(d => edges.push({from: String(d), to: id}));
    });
    return {nodes, edges};
  }

  /** The names a job depends on, as the engine reads them. */
  dependencies(name) {
    return this.graph().edges.filter(e => e.to === name).map(e => e.from);
  }

  /** A new job of {@code kind}, depending on nothing: its name is free ({@code kind}, kind-2...). */
  addJob(kind) {
    const names = new Set(this.names());
    let name = kind, n = 1;
    while (names.has(name)) name = `${kind}-${++n}`;
    const job = this.doc.createNode({name, ...structuredClone(KINDS[kind]), dependsOn: []});
    job.get('dependsOn', true).flow = true;
    flowLists(job);
    this.jobsNode().items.push(job);
    return name;
  }

  /** Removes a job and every reference to it in dependsOn; a job that followed it implicitly now follows nothing. */
  removeJob(name) {
    const items = this.jobsNode().items;
    const i = items.findIndex(j => isMap(j) && j.get('name') === name);
    if (i < 0) return;
    const next = items[i + 1];
    if (isMap(next) && !next.has('dependsOn')) next.set('dependsOn', flow(this.doc.createNode([])));
    items.splice(i, 1);
    for (const j of items.filter(isMap)) {
      const deps = j.get('dependsOn', true);
      if (isSeq(deps)) deps.items = deps.items.filter(d => !(isScalar(d) ? d.value === name : d === name));
      else if (isScalar(deps) && deps.value === name) j.set('dependsOn', flow(this.doc.createNode([])));
    }
  }

  /** Makes {@code to} depend on {@code from} (its other dependencies kept, an implicit one written out). */
  connect(from, to) {
    const job = this.jobNode(to);
    if (!job || from === to || this.dependencies(to).includes(from)) return false;
    const deps = [...this.dependencies(to), from];
    const node = job.get('dependsOn', true);
    if (isSeq(node)) node.items.push(this.doc.createNode(from));
    else job.set('dependsOn', flow(this.doc.createNode(deps)));
    return true;
  }

  /** Removes the dependency of {@code to} on {@code from}. */
  disconnect(from, to) {
    const job = this.jobNode(to);
    if (!job) return;
    job.set('dependsOn', flow(this.doc.createNode(this.dependencies(to).filter(d => d !== from))));
  }

  /** Renames a job; dependsOn entries and ${jobs.<name>...} or jobs.<name>. references follow. */
  rename(from, to) {
    const job = this.jobNode(from);
    if (!job || !to || from === to) return;
    job.set('name', to);
    const ref = new RegExp(`(^|[^A-Za-z0-9_.-])jobs\\.${from.replace(/[.*+?^${}()|[\]\\-]/g, '\\$&')}(?=\\.|$|[^A-Za-z0-9_-])`, 'g');
    visit(this.doc, {
      Pair: (_, pair) => {
        const key = isScalar(pair.key) ? pair.key.value : pair.key;
        if (key === 'dependsOn') {
          if (isSeq(pair.value)) pair.value.items.forEach(d => { if (isScalar(d) && d.value === from) d.value = to; });
          else if (isScalar(pair.value) && pair.value.value === from) pair.value.value = to;
        }
      },
      Scalar: (_, node) => {
        if (typeof node.value === 'string' && node.value.includes('jobs.' + from)) node.value = node.value.replace(ref, `$1jobs.${to}`);
      },
    });
  }

  /** Sets a field of the template itself (name, description, params); an empty value removes it. */
  setTop(key, value) {
    if (value === undefined || value === '' || (typeof value === 'object' && !Object.keys(value).length)) {
      this.doc.delete(key);
      return;
    }
    const node = this.doc.createNode(value);
    if (key === 'params') visit(node, {Map: (i, m) => { if (i !== null) m.flow = true; }});
    this.doc.set(key, node);
  }

  /** A job's field at {@code path} (['retry', 'limit']) as plain data. */
  field(name, path) {
    const job = this.jobNode(name);
    const v = job ? job.getIn(path) : undefined;
    return v && typeof v === 'object' && v.toJSON ? v.toJSON() : v;
  }

  /** Sets a job's field; an empty value removes it. */
  setField(name, path, value) {
    const job = this.jobNode(name);
    if (!job) return;
    if (value === undefined || value === null || value === '' || (typeof value === 'object' && !Object.keys(value).length)) {
      job.deleteIn(path);
      return;
    }
    job.setIn(path, flowLists(this.doc.createNode(value)));
  }
}

const flow = node => { node.flow = true; return node; };

function flowLists(node) {
  visit(node, {Seq: (_, seq) => { seq.flow = true; }});
  return node;
}
