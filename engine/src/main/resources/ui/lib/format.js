/** A duration in milliseconds as people read it. */
export const ms = d => d == null || isNaN(d) ? '' : d < 1000 ? `${Math.round(d)} ms` : `${(d / 1000).toFixed(1)} s`;

/** An ISO instant as local date and time, to the second. */
export const when = iso => {
  if (!iso) return '';
  const d = new Date(iso);
  return isNaN(d) ? String(iso) : d.toLocaleString(undefined, {dateStyle: 'medium', timeStyle: 'medium'});
};
