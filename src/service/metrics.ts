// Counters and gauges, rendered in Prometheus' text format at /metrics.
const NO_LABELS: Record<string, string> = Object.freeze({});

export class Metrics {
  private readonly counters = new Map<string, { help: string; values: Map<string, number> }>();
  private readonly gauges = new Map<string, { help: string; read: () => number }>();
  private readonly labelled = new Map<string, { help: string; read: () => [Record<string, string>, number][] }>();

  counter(name: string, help: string): (labels?: Record<string, string>, by?: number) => void {
    const entry = { help, values: new Map<string, number>() };
    this.counters.set(name, entry);
    // Label sets passed as constants (the proxy's, on every request) are rendered once.
    const rendered = new WeakMap<Record<string, string>, string>();
    return (labels = NO_LABELS, by = 1) => {
      let key = rendered.get(labels);
      if (key === undefined) {
        key = Object.entries(labels)
          .map(([k, v]) => `${k}="${v.replace(/["\\\n]/g, '_')}"`)
          .join(',');
        rendered.set(labels, key);
      }
      entry.values.set(key, (entry.values.get(key) ?? 0) + by);
    };
  }

  gauge(name: string, help: string, read: () => number): void {
    this.gauges.set(name, { help, read });
  }

  /** A gauge with labels: read() gives each label set and its value. */
  labelledGauge(name: string, help: string, read: () => [Record<string, string>, number][]): void {
    this.labelled.set(name, { help, read });
  }

  render(): string {
    const out: string[] = [];
    for (const [name, { help, values }] of this.counters) {
      out.push(`# HELP ${name} ${help}`, `# TYPE ${name} counter`);
      if (values.size === 0) out.push(`${name} 0`);
      for (const [key, v] of values) out.push(`${name}${key ? `{${key}}` : ''} ${v}`);
    }
    for (const [name, { help, read }] of this.gauges) {
      out.push(`# HELP ${name} ${help}`, `# TYPE ${name} gauge`, `${name} ${read()}`);
    }
    for (const [name, { help, read }] of this.labelled) {
      out.push(`# HELP ${name} ${help}`, `# TYPE ${name} gauge`);
      for (const [labels, v] of read()) {
        const key = Object.entries(labels).map(([k, val]) => `${k}="${val.replace(/["\\\n]/g, '_')}"`).join(',');
        out.push(`${name}{${key}} ${v}`);
      }
    }
    return out.join('\n') + '\n';
  }
}

/** The service's own metrics. */
export function serviceMetrics(m = new Metrics()) {
  return {
    registry: m,
    spawns: m.counter('transferctl_serve_spawns_total', 'Notebook containers started'),
    spawnFailures: m.counter('transferctl_serve_spawn_failures_total', 'Notebook containers that failed to start'),
    spawnSeconds: m.counter('transferctl_serve_spawn_seconds_total', 'Seconds spent starting notebook containers (divide by spawns_total)'),
    handouts: m.counter('transferctl_serve_handouts_total', 'Notebooks handed to visitors, by how (warm or waited)'),
    culled: m.counter('transferctl_serve_culled_total', 'Visitor notebooks removed, by reason'),
    proxied: m.counter('transferctl_serve_proxy_requests_total', 'Requests and WebSocket upgrades proxied to notebooks, by kind'),
    proxyErrors: m.counter('transferctl_serve_proxy_errors_total', 'Proxied requests that failed to reach a notebook'),
  };
}

export type ServiceMetrics = ReturnType<typeof serviceMetrics>;
