// Differences between two texts, line by line (longest common subsequence), and between two
// templates' graphs (jobs added, removed, changed).

/** [{op: ' ' | '-' | '+', line}] turning {@code a} into {@code b}. */
export function lineDiff(a, b) {
  const x = a.split('\n'), y = b.split('\n');
  const n = x.length, m = y.length;
  if (n * m > 4_000_000) return [...x.map(line => ({op: '-', line})), ...y.map(line => ({op: '+', line}))];
  const lcs = Array.from({length: n + 1}, () => new Uint32Array(m + 1));
  for (let i = n - 1; i >= 0; i--) for (let j = m - 1; j >= 0; j--)
    lcs[i][j] = x[i] === y[j] ? lcs[i + 1][j + 1] + 1 : Math.max(lcs[i + 1][j], lcs[i][j + 1]);
  const out = [];
  let i = 0, j = 0;
  while (i < n && j < m) {
    if (x[i] === y[j]) { out.push({op: ' ', line: x[i]}); i++; j++; }
    else if (lcs[i + 1][j] >= lcs[i][j + 1]) out.push({op: '-', line: x[i++]});
    else out.push({op: '+', line: y[j++]});
  }
  while (i < n) out.push({op: '-', line: x[i++]});
  while (j < m) out.push({op: '+', line: y[j++]});
  return out;
}

/** {job: 'added' | 'removed' | 'changed'} between two templates' jobs (plain data, by name). */
export function jobChanges(before, after) {
  const a = byName(before), b = byName(after), out = {};
  for (const [name, job] of b) out[name] = !a.has(name) ? 'added' : JSON.stringify(a.get(name)) !== JSON.stringify(job) ? 'changed' : null;
  for (const name of a.keys()) if (!b.has(name)) out[name] = 'removed';
  Object.keys(out).forEach(k => { if (!out[k]) delete out[k]; });
  return out;
}

const byName = t => new Map(((t && t.jobs) || []).filter(j => j && typeof j === 'object').map(j => [String(j.name), j]));
