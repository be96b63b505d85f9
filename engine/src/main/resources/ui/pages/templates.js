// The templates: every template with its latest version and who applied it when; one template's
// versions, any version drawn beside its YAML, and the difference between two versions, drawn
// and as text.
import {h, show} from '../lib/dom.js';
import {get, enc} from '../lib/api.js';
import {when} from '../lib/format.js';
import {dag} from '../components/dag.js';
import {lineDiff, jobChanges} from '../lib/diff.js';

export async function templatesPage(main) {
  const list = await get('/api/templates');
  const rows = Array.isArray(list) ? list : [];
  show(main,
    h('div', {class: 'page-head'}, h('h1', {}, 'Templates'), h('a', {class: 'button primary', href: '#/templates/new', id: 'new-template'}, 'New template')),
    list.error ? h('p', {role: 'alert', class: 'status FAILED'}, list.error) : null,
    h('table', {class: 'list', id: 'templates'},
      h('thead', {}, h('tr', {}, ['template', 'version', 'description', 'applied by', 'applied'].map(c => h('th', {scope: 'col'}, c)))),
      h('tbody', {}, rows.map(t => h('tr', {'data-template': t.name},
        h('td', {}, h('a', {href: '#/templates/' + enc(t.name)}, t.name)),
        h('td', {}, 'v' + t.version), h('td', {}, t.description || ''),
        h('td', {}, t.appliedBy || ''), h('td', {}, when(t.appliedAt)))))),
    rows.length ? null : h('p', {class: 'empty'}, 'No templates yet: apply one with `baton templates apply`, or make a new one here.'));
}

/** One template: {@code query} may name a version and another to compare it with. */
export async function templatePage(main, name, query) {
  const q = new URLSearchParams(query);
  const versions = await get(`/api/templates/${enc(name)}/versions`);
  if (!Array.isArray(versions)) { show(main, h('p', {role: 'alert'}, versions.error)); return; }
  const version = Number(q.get('version')) || versions[0].version;
  const other = Number(q.get('compare')) || null;
  const [t, before] = await Promise.all([
    get(`/api/templates/${enc(name)}?version=${version}`),
    other ? get(`/api/templates/${enc(name)}?version=${other}`) : null]);
  if (t.error) { show(main, h('p', {role: 'alert'}, t.error)); return; }
  const go = (v, c) => { location.hash = `#/templates/${enc(name)}?version=${v}${c ? '&compare=' + c : ''}`; };
  const pickVersion = h('select', {id: 'version', 'aria-label': 'version', onchange: e => go(e.target.value, other)},
    versions.map(v => h('option', {value: v.version, selected: v.version === version}, `v${v.version}`)));
  const pickCompare = h('select', {id: 'compare', 'aria-label': 'compare with version', onchange: e => go(version, e.target.value)},
    h('option', {value: ''}, 'nothing'), versions.filter(v => v.version !== version).map(v =>
      h('option', {value: v.version, selected: v.version === other}, `v${v.version}`)));
  let changes = {};
  if (before && !before.error) {
    // the YAML library only when two versions are compared: a template's page opens without it
    const {TemplateDoc} = await import('../lib/template-doc.js');
    changes = jobChanges(new TemplateDoc(before.yaml).value(), new TemplateDoc(t.yaml).value());
  }
  const drawing = dag({nodes: t.dag.nodes, edges: t.dag.edges});
  Object.entries(changes).forEach(([job, change]) => {
    const g = drawing.querySelector(`g.job[data-job="${CSS.escape(job)}"]`);
    if (g) g.setAttribute('data-change', change);
  });
  show(main,
    h('div', {class: 'page-head'}, h('h1', {}, t.name, ' ', h('span', {class: 'version'}, 'v' + t.version)),
      h('span', {class: 'actions'},
        h('a', {class: 'button', href: `#/templates/${enc(name)}/edit`, id: 'edit'}, 'Edit as new version'),
        h('a', {class: 'button primary', href: `#/templates/${enc(name)}/edit?run=1`, id: 'run'}, 'Run'))),
    h('p', {class: 'meta'}, [t.description, t.appliedBy && `applied by ${t.appliedBy}${t.appliedAt ? ' on ' + when(t.appliedAt) : ''}`].filter(Boolean).join(' · ')),
    h('p', {class: 'filters'}, h('label', {}, 'version ', pickVersion), h('label', {}, 'compare with ', pickCompare)),
    h('table', {class: 'list compact', id: 'versions'},
      h('thead', {}, h('tr', {}, ['version', 'applied by', 'applied'].map(c => h('th', {scope: 'col'}, c)))),
      h('tbody', {}, versions.map(v => h('tr', {'aria-current': v.version === version ? 'true' : null},
        h('td', {}, h('a', {href: `#/templates/${enc(name)}?version=${v.version}`}, 'v' + v.version)),
        h('td', {}, v.appliedBy || 'not recorded'), h('td', {}, when(v.appliedAt)))))),
    other ? diffView(before, t, changes) : null,
    h('div', {class: 'split'},
      h('section', {class: 'canvas', 'aria-label': 'the jobs as a graph'}, drawing),
      h('section', {'aria-label': 'the YAML'}, yamlView(t.yaml))));
}

function yamlView(text) {
  return h('ol', {class: 'yaml', id: 'yaml-view'}, (text || '').split('\n').map(line => h('li', {}, h('code', {}, line || ' '))));
}

function diffView(before, after, changes) {
  if (!before || before.error) return h('p', {role: 'alert'}, before ? before.error : '');
  const lines = lineDiff(before.yaml || '', after.yaml || '');
  const names = Object.entries(changes);
  return h('section', {id: 'diff', 'aria-label': `changes from v${before.version} to v${after.version}`},
    h('h2', {}, `Changes from v${before.version} to v${after.version}`),
    h('p', {id: 'job-changes'}, names.length ? names.map(([j, c]) => h('span', {class: 'change ' + c}, `${j} ${c}`)) : 'No job changed.'),
    h('pre', {class: 'diff'}, lines.filter((l, i) => l.op !== ' ' || near(lines, i)).map(l =>
      h('span', {class: l.op === '+' ? 'added' : l.op === '-' ? 'removed' : 'same'}, `${l.op} ${l.line}\n`))));
}

/** A line kept for context: within two lines of a change. */
const near = (lines, i) => lines.slice(Math.max(0, i - 2), i + 3).some(l => l.op !== ' ');
