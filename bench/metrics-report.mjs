// The `metrics` section of docs/benchmarks.md, from bench/metrics.mjs's result.

const table = (head, rows) =>
  [`| ${head.join(' | ')} |`, `| ${head.map(() => '---').join(' | ')} |`, ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n');

export function renderMetrics(r, env) {
  const calls = r.rows.map((row) => {
    const ratio = row.ratios.plain;
    return [
      row.label,
      `${row.ns.toFixed(0)} ns`,
      `${ratio.median.toFixed(2)}x`,
      `${ratio.min.toFixed(2)}–${ratio.max.toFixed(2)}`,
    ];
  });
  const { breakers, scrapes, prometheus, opentelemetry } = r.scrape;
  const ms = (s) => `${s.ms.toFixed(0)} ms`;
  const spread = (s) => `${s.min.toFixed(0)}–${s.max.toFixed(0)} ms`;
  const collections = [
    [
      'prom-client `register.metrics()`',
      ms(prometheus),
      spread(prometheus),
      `${(prometheus.size / 2 ** 20).toFixed(1)} MiB of text`,
    ],
    [
      'OpenTelemetry SDK `reader.collect()`',
      ms(opentelemetry),
      spread(opentelemetry),
      `${opentelemetry.size.toLocaleString('en')} points`,
    ],
  ];
  return [
    '### Metrics',
    '',
    `Measured ${env.date} with Node ${env.node} (V8 ${env.v8}) on ${env.cores} cores.`,
    `A successful call through a closed consecutive breaker, collected by \`collectMetrics\` or not; median over ${r.rounds} interleaved rounds, each ratio divided by the uncollected call of the same round. Then one collection of a registry of ${breakers.toLocaleString('en')} breakers (a tenth open, a tenth with a call in flight): median of ${scrapes}, after gc().`,
    '',
    table(['case', 'per call', 'vs not collected', 'range'], calls),
    '',
    table([`one collection, ${breakers.toLocaleString('en')} breakers`, 'median', 'range', 'output'], collections),
    ...(r.cardinalities
      ? [
          '',
          'A registry of 1,000 keys with `durations: true` (a tenth open), exported three ways: series in one scrape, its text, and the median time of a scrape.',
          '',
          table(
            ['registry exported', 'series', 'text', 'scrape'],
            r.cardinalities.map((c) => [
              c.label,
              c.series.toLocaleString('en'),
              `${(c.bytes / 1024).toFixed(0)} KiB`,
              `${c.ms.toFixed(1)} ms`,
            ]),
          ),
        ]
      : []),
  ].join('\n');
}
