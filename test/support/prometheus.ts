/**
 * Reads Prometheus' text exposition format (what GET /metrics answers) into samples, so tests
 * can compare a metric before and after something happened.
 */
export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export interface Scrape {
  text: string;
  samples: Sample[];
  /** The sum of the samples with this name whose labels include `labels` (0 when none). */
  value(name: string, labels?: Record<string, string>): number;
  /** Metric names that have a `# HELP` line. */
  helped: Set<string>;
}

export function parsePrometheus(text: string): Scrape {
  const samples: Sample[] = [];
  const helped = new Set<string>();
  for (const line of text.split('\n')) {
    const help = /^# HELP (\S+) \S/.exec(line);
    if (help) helped.add(help[1]!);
    const match = /^([A-Z_:][\w:]*)(?:\{(.*)\})?\s+(\S+)$/i.exec(line);
    if (!match) continue;
    const labels: Record<string, string> = {};
    for (const label of (match[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) labels[label[1]!] = label[2]!;
    samples.push({ name: match[1]!, labels, value: Number(match[3]) });
  }
  return {
    text,
    samples,
    helped,
    value(name, wanted = {}) {
      const found = samples.filter((sample) => sample.name === name && Object.entries(wanted).every(([key, value]) => sample.labels[key] === value));
      return found.reduce((sum, sample) => sum + sample.value, 0);
    },
  };
}

export async function scrape(url: string): Promise<Scrape> {
  const response = await fetch(url);
  if (response.status !== 200) throw new Error(`GET ${url} answered ${response.status}`);
  return parsePrometheus(await response.text());
}
