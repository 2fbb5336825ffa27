/**
 * `/metrics` with worker threads: each worker renders its own metrics and the main thread
 * merges them into one exposition. Counters and histograms (buckets, sums, counts) are summed
 * series by series, so a scrape reads as one gateway. Gauges describe one worker's view (an
 * instance's health, the store being ready) and are not additive: each keeps a
 * `worker="<id>"` label.
 */

interface Family {
  help: string;
  type: string;
  series: Map<string, number>;
}

function withWorkerLabel(series: string, worker: number): string {
  const brace = series.indexOf('{');
  if (brace === -1) return `${series}{worker="${worker}"}`;
  const inner = series.slice(brace + 1, -1);
  return `${series.slice(0, brace)}{worker="${worker}"${inner ? ',' + inner : ''}}`;
}

/** Merges the text expositions of workers `[id, text]` into one. */
export function mergeMetrics(texts: [number, string][]): string {
  const families = new Map<string, Family>();
  for (const [worker, text] of texts) {
    let family: Family | undefined;
    for (const line of text.split('\n')) {
      if (line === '') continue;
      if (line.startsWith('# HELP ')) {
        const rest = line.slice(7);
        const name = rest.slice(0, rest.indexOf(' '));
        family = families.get(name);
        if (!family) families.set(name, (family = { help: line, type: '', series: new Map() }));
        continue;
      }
      if (line.startsWith('# TYPE ')) {
        if (family) family.type = line;
        continue;
      }
      if (line.startsWith('#') || !family) continue;
      const space = line.lastIndexOf(' ');
      let series = line.slice(0, space);
      const value = Number(line.slice(space + 1));
      if (family.type.endsWith(' gauge')) series = withWorkerLabel(series, worker);
      family.series.set(series, (family.series.get(series) ?? 0) + value);
    }
  }
  const out: string[] = [];
  for (const f of families.values()) {
    out.push(f.help, f.type);
    for (const [series, value] of f.series) out.push(`${series} ${value}`);
  }
  return out.join('\n') + '\n';
}
