/** Text as the HTML report prints it: escaped, durations, minutes and SVG coordinates. */

export function escapeHtml(value: string): string {
  return value
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&#39;');
}

export function duration(seconds: number): string {
  const s = Math.abs(seconds);
  if (s < 100) return `${seconds.toFixed(1)} s`;
  if (s < 6000) return `${(seconds / 60).toFixed(1)} min`;
  return `${(seconds / 3600).toFixed(1)} h`;
}

/** Minutes since the first vend, as printed on the axis, tables and titles. */
export function minutes(seconds: number): string {
  return `${(seconds / 60).toFixed(2)} min`;
}

export function tickLabel(value: number): string {
  return String(Number(value.toFixed(2)));
}

/** A coordinate or percentage rounded to one decimal, to keep the SVG short. */
export const n = (value: number) => Number(value.toFixed(1));
