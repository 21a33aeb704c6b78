/** One sample of a scrape in Prometheus's text format. */
export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** A scrape, parsed: every sample, and what `# TYPE` says each metric is. */
export class Scrape {
  private constructor(
    readonly text: string,
    readonly samples: Sample[],
    readonly types: Map<string, string>,
  ) {}

  /** Parses the text format (version 0.0.4): comments, then `name{label="value",…} value` lines. */
  static parse(text: string): Scrape {
    const samples: Sample[] = [];
    const types = new Map<string, string>();
    for (const line of text.split('\n')) {
      if (line === '') continue;
      const type = /^# TYPE (\S+) (\S+)$/.exec(line);
      if (type) types.set(type[1], type[2]);
      if (line.startsWith('#')) continue;
      const sample = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
      if (!sample) throw new Error(`Not a sample line: ${line}`);
      const labels: Record<string, string> = {};
      for (const [, name, value] of (sample[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) {
        labels[name] = value.replace(/\\(.)/g, (_escape, char: string) => (char === 'n' ? '\n' : char));
      }
      samples.push({ name: sample[1], labels, value: Number(sample[3]) });
    }
    return new Scrape(text, samples, types);
  }

  /** The samples of one metric (`matrix_3pid_http_requests_total`, or a histogram's `…_bucket`), matching `labels`. */
  find(name: string, labels: Record<string, string> = {}): Sample[] {
    return this.samples.filter((sample) => sample.name === name && Object.entries(labels).every(([key, value]) => sample.labels[key] === value));
  }

  /** The value of the one sample of `name` with exactly these labels; 0 when there is none. */
  value(name: string, labels: Record<string, string> = {}): number {
    const found = this.samples.filter((sample) => sample.name === name && sameLabels(sample.labels, labels));
    if (found.length > 1) throw new Error(`${name} ${JSON.stringify(labels)} is ${found.length} samples`);
    return found[0]?.value ?? 0;
  }

  /**
   * How each sample whose name starts with `prefix` moved since `before`, by its key
   * (`name{a="1",b="2"}`, labels sorted); samples that did not move are left out.
   */
  changesSince(before: Scrape, prefix: string): Map<string, number> {
    const earlier = new Map(before.samples.map((sample) => [keyOf(sample), sample.value]));
    const changes = new Map<string, number>();
    for (const sample of this.samples) {
      if (!sample.name.startsWith(prefix)) continue;
      const change = sample.value - (earlier.get(keyOf(sample)) ?? 0);
      if (change !== 0) changes.set(keyOf(sample), change);
    }
    return changes;
  }
}

/** `name{a="1",b="2"}`, labels sorted, as changesSince keys samples. */
export function keyOf(sample: { name: string; labels: Record<string, string> }): string {
  const labels = Object.entries(sample.labels)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([name, value]) => `${name}=${JSON.stringify(value)}`);
  return labels.length > 0 ? `${sample.name}{${labels.join(',')}}` : sample.name;
}

function sameLabels(a: Record<string, string>, b: Record<string, string>): boolean {
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((key) => a[key] === b[key]);
}
