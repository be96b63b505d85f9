// A template's jobs as a graph: boxes laid out by dagre (left to right), edges from dependsOn.
// A box shows the job's name, its kind and, on a run's page, its status; forEach and when are
// marked. In the designer a box has a port on its right: drag from it onto another box to
// connect them.
import {s} from '../lib/dom.js';

const W = 184, H = 56, BIG = 300;

/** The last few layouts, by graph: a redraw of the same graph, or the designer opened from a template's page, lays nothing out again. */
const recent = new Map();
const KEPT = 4;

/** The boxes' positions and the edges' routes, from dagre. */
export function layout(nodes, edges) {
  const key = JSON.stringify([nodes.map(n => n.id), edges.map(e => [e.from, e.to])]);
  let value = recent.get(key);
  if (value) recent.delete(key);
  else value = compute(nodes, edges);
  recent.set(key, value); // the most recent last
  if (recent.size > KEPT) recent.delete(recent.keys().next().value);
  return value;
}

function compute(nodes, edges) {
  const g = new window.dagre.graphlib.Graph();
  // Above a few hundred jobs, the cheaper ranking and no crossing reduction: a 1,000-job graph is
  // laid out in about 0.7 s instead of 1.6 s, with more crossings.
  const big = nodes.length > BIG;
  g.setGraph({rankdir: 'LR', nodesep: 22, ranksep: 56, marginx: 16, marginy: 16, ranker: big ? 'longest-path' : 'tight-tree'});
  g.setDefaultEdgeLabel(() => ({}));
  const ids = new Set(nodes.map(n => n.id));
  nodes.forEach(n => g.setNode(n.id, {width: W, height: H}));
  const shown = edges.filter(e => ids.has(e.from) && ids.has(e.to) && e.from !== e.to);
  shown.forEach(e => g.setEdge(e.from, e.to));
  window.dagre.layout(g, {disableOptimalOrderHeuristic: big});
  const graph = g.graph();
  return {
    width: Math.max(graph.width || 0, W + 32),
    height: Math.max(graph.height || 0, H + 32),
    at: id => { const n = g.node(id); return {x: n.x - W / 2, y: n.y - H / 2}; },
    route: e => g.edge(e.from, e.to).points,
    edges: shown,
  };
}

/**
 * The graph as SVG. {@code o}: nodes [{id, kind, calls, forEach, when, run}], edges [{from, to}],
 * states {job: {status, ...}} (a run's), children (a run's child runs), errors {job: [messages]},
 * selected (a job), onSelect(job), onConnect(from, to) (the designer's).
 */
export function dag(o) {
  const nodes = o.nodes, states = o.states || {}, errors = o.errors || {};
  const l = layout(nodes, o.edges);
  const whenOf = new Map(nodes.map(n => [n.id, n.when]));
  const svg = s('svg', {width: l.width, height: l.height, class: 'dag', role: 'group',
      'aria-label': `${nodes.length} job(s)`},
    s('defs', {}, s('marker', {id: 'arrow', viewBox: '0 0 10 10', refX: 9, refY: 5, markerWidth: 7,
      markerHeight: 7, orient: 'auto-start-reverse'}, s('path', {d: 'M 0 0 L 10 5 L 0 10 z', class: 'arrowhead'}))));
  for (const e of l.edges) {
    const p = l.route(e);
    const d = 'M ' + p.map(q => `${q.x} ${q.y}`).join(' L ');
    svg.append(s('path', {d, class: whenOf.get(e.to) ? 'edge when' : 'edge', 'data-from': e.from,
      'data-to': e.to, 'marker-end': 'url(#arrow)'}));
  }
  for (const n of nodes) {
    const at = l.at(n.id);
    const j = stateOf(states[n.id]);
    const kids = (o.children || []).filter(c => c.job === n.id);
    const child = kids.length === 1 && kids[0].item == null ? ` · child ${kids[0].jobsEnded}/${kids[0].jobs}` : '';
    const count = (j.items != null ? ` ${j.itemsDone}/${j.items}` : (j.attempt > 1 ? ` #${j.attempt}` : '')) + child;
    const problems = errors[n.id] || [];
    const marks = (n.forEach ? ' ⋮' : '') + (n.run ? ' ↳' : '');
    const g = s('g', {class: 'job', 'data-job': n.id, tabindex: 0, role: 'button',
        'aria-label': `${n.id}: ${n.kind || 'step'}${o.states ? ', ' + j.status : ''}${problems.length ? ', ' + problems.length + ' error(s)' : ''}`,
        'aria-pressed': o.selected === n.id ? 'true' : null, 'data-error': problems.length ? 'true' : null},
      s('rect', {class: `box-${j.status}`, x: at.x, y: at.y, width: W, height: H, rx: 6}),
      s('text', {x: at.x + 10, y: at.y + 22, class: 'name'}, clip(n.id, 20) + marks),
      s('title', {}, `${n.kind || ''}: ${n.calls || ''}${n.forEach ? '\nforEach: ' + n.forEach : ''}${n.when ? '\nwhen: ' + n.when : ''}${problems.length ? '\n' + problems.join('\n') : ''}`),
      s('text', {x: at.x + W - 8, y: at.y + 14, class: 'kind', 'text-anchor': 'end'}, n.kind || ''),
      o.states ? s('text', {x: at.x + 10, y: at.y + 42, class: j.status}, j.status + count)
        : s('text', {x: at.x + 10, y: at.y + 42, class: 'detail'}, detail(n)));
    if (problems.length) {
      g.append(s('circle', {class: 'error-badge', cx: at.x + W - 6, cy: at.y + H - 8, r: 8}),
        s('text', {class: 'error-mark', x: at.x + W - 6, y: at.y + H - 4, 'text-anchor': 'middle'}, '!'));
    }
    if (o.onSelect) {
      g.addEventListener('click', () => o.onSelect(n.id));
      g.addEventListener('keydown', ev => { if (ev.key === 'Enter' || ev.key === ' ') { ev.preventDefault(); o.onSelect(n.id); } });
    }
    if (o.onConnect) g.append(port(svg, n.id, at, o.onConnect));
    svg.append(g);
  }
  return svg;
}

function stateOf(j0) {
  const j = j0 || {status: 'PENDING'};
  if (j.awaiting && j.status === 'RUNNING') return {...j, status: 'WAITING'};
  return j.cached ? {...j, status: 'CACHED'} : j;
}

function detail(n) {
  const bits = [];
  if (n.forEach) bits.push('for each');
  if (n.when) bits.push('when …');
  if (n.run) bits.push('runs ' + n.run);
  return bits.join(' · ') || clip(n.calls || '', 26);
}

const clip = (t, n) => t.length > n ? t.slice(0, n - 1) + '…' : t;

/** The right-hand port of a box: drag from it onto another box to make that one depend on this. */
function port(svg, job, at, onConnect) {
  const c = s('circle', {class: 'port', cx: at.x + W, cy: at.y + H / 2, r: 7, 'data-port': job,
    'aria-label': `connect ${job} to a job that depends on it`});
  c.addEventListener('pointerdown', ev => {
    ev.preventDefault();
    ev.stopPropagation();
    const box = svg.getBoundingClientRect();
    const line = s('line', {class: 'edge dragging', x1: at.x + W, y1: at.y + H / 2, x2: at.x + W, y2: at.y + H / 2});
    svg.append(line);
    const move = m => { line.setAttribute('x2', m.clientX - box.left); line.setAttribute('y2', m.clientY - box.top); };
    const up = u => {
      document.removeEventListener('pointermove', move);
      document.removeEventListener('pointerup', up);
      line.remove();
      const target = document.elementFromPoint(u.clientX, u.clientY)?.closest('g.job');
      if (target && target.dataset.job !== job) onConnect(job, target.dataset.job);
    };
    document.addEventListener('pointermove', move);
    document.addEventListener('pointerup', up);
  });
  return c;
}
