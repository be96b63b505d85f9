// The web UI: a hash router over the pages. #/ runs, #/runs/<id> one run, #/templates the
// templates, #/templates/<name> one template, #/templates/<name>/edit and #/templates/new the
// designer.
// A page's module is fetched when the page is first shown: the runs list needs neither the graph
// layout's callers nor the YAML library the designer brings.
import {h, show} from './lib/dom.js';

const runsPage = (...a) => import('./pages/runs.js').then(m => m.runsPage(...a));
const runPage = (...a) => import('./pages/run.js').then(m => m.runPage(...a));
const templatesPage = (...a) => import('./pages/templates.js').then(m => m.templatesPage(...a));
const templatePage = (...a) => import('./pages/templates.js').then(m => m.templatePage(...a));
const designerPage = (...a) => import('./pages/designer.js').then(m => m.designerPage(...a));

const main = document.getElementById('main');
let leaving = [];

/** What a page registers to undo when the route changes (event streams, timers). */
const page = {onLeave: f => leaving.push(f)};

function route() {
  leaving.forEach(f => f());
  leaving = [];
  const [path, query = ''] = location.hash.replace(/^#/, '').split('?');
  const parts = path.split('/').filter(Boolean).map(decodeURIComponent);
  document.querySelectorAll('header nav a').forEach(a =>
    a.setAttribute('aria-current', (parts[0] || 'runs') === a.dataset.section ? 'page' : 'false'));
  let shown;
  if (parts[0] === 'runs' && parts[1]) shown = runPage(main, parts[1], page);
  else if (parts[0] === 'templates' && parts[1] === 'new') shown = designerPage(main, null, query, page);
  else if (parts[0] === 'templates' && parts[1] && parts[2] === 'edit') shown = designerPage(main, parts[1], query, page);
  else if (parts[0] === 'templates' && parts[1]) shown = templatePage(main, parts[1], query);
  else if (parts[0] === 'templates') shown = templatesPage(main);
  else shown = runsPage(main, query);
  document.title = 'Baton · ' + (parts.length ? parts.join(' / ') : 'runs');
  Promise.resolve(shown).catch(e => show(main, h('p', {role: 'alert', class: 'status FAILED'}, 'This page failed: ' + e.message)));
}

window.addEventListener('hashchange', route);
route();
