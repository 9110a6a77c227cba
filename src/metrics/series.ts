import { type Reading, STATES } from './sources.js';

/** @internal Gives one point of a series: its own labels and its value. */
export type Emit = (labels: Record<string, string>, value: number) => void;

/** @internal One series, under its Prometheus and its OpenTelemetry name. */
export interface Series {
  /** The Prometheus name, after the prefix. */
  readonly prom: string;
  /** The OpenTelemetry instrument name. */
  readonly otel: string;
  readonly type: 'gauge' | 'counter' | 'upDownCounter';
  /** The OpenTelemetry unit (UCUM; none for the 1-or-0 series); Prometheus names carry theirs. */
  readonly unit: string;
  readonly help: string;
  /** Exported only when some source uses a store. */
  readonly store?: true;
  readonly points: (reading: Reading, emit: Emit) => void;
}

type Stats = Reading['breakers'][number]['stats'];
/** The store series are only made when some source uses a store: then the reading has one. */
type Store = NonNullable<Reading['store']>;

const perBreaker =
  (value: (stats: Stats) => number): Series['points'] =>
  (reading, emit) => {
    for (const { name, stats } of reading.breakers) emit({ name }, value(stats));
  };

/** @internal Every series read at collection time, in the order they are exported. */
export const SERIES: readonly Series[] = [
  {
    prom: 'state',
    otel: 'tripswitch.state',
    type: 'gauge',
    unit: '',
    help: "1 for the breaker's current state, 0 for the other four (a summed registry: its keys in each state).",
    points: (reading, emit) => {
      for (const { name, stats, states } of reading.breakers) {
        for (const state of STATES) emit({ name, state }, states ? states[state] : stats.state === state ? 1 : 0);
      }
    },
  },
  {
    prom: 'calls_total',
    otel: 'tripswitch.calls',
    type: 'counter',
    unit: '{call}',
    help: 'Calls let through, by outcome (success, failure, ignored).',
    points: (reading, emit) => {
      for (const { name, stats } of reading.breakers) {
        emit({ name, outcome: 'success' }, stats.totals.successes);
        emit({ name, outcome: 'failure' }, stats.totals.failures);
        emit({ name, outcome: 'ignored' }, stats.totals.ignored);
      }
    },
  },
  {
    prom: 'rejected_calls_total',
    otel: 'tripswitch.rejected_calls',
    type: 'counter',
    unit: '{call}',
    help: 'Calls turned away by the breaker.',
    points: perBreaker((stats) => stats.totals.rejected),
  },
  {
    prom: 'timeouts_total',
    otel: 'tripswitch.timeouts',
    type: 'counter',
    unit: '{call}',
    help: 'Calls that ran out of time (also counted as failures).',
    points: perBreaker((stats) => stats.totals.timeouts),
  },
  {
    prom: 'transitions_total',
    otel: 'tripswitch.transitions',
    type: 'counter',
    unit: '{transition}',
    help: 'State changes, from one state to another (those made elsewhere in the fleet included).',
    points: (reading, emit) => {
      for (const [name, from, to, count] of reading.transitions) emit({ name, from, to }, count);
    },
  },
  {
    prom: 'failure_rate',
    otel: 'tripswitch.failure_rate',
    type: 'gauge',
    unit: '1',
    help: 'Failures / calls over the window, 0 to 1.',
    points: perBreaker((stats) => stats.window.failureRate),
  },
  {
    prom: 'slow_call_rate',
    otel: 'tripswitch.slow_call_rate',
    type: 'gauge',
    unit: '1',
    help: 'Slow calls / calls over the window, 0 to 1.',
    points: perBreaker((stats) => stats.window.slowCallRate),
  },
  {
    prom: 'window_calls',
    otel: 'tripswitch.window_calls',
    type: 'gauge',
    unit: '{call}',
    help: 'Calls counted in the window.',
    points: perBreaker((stats) => stats.window.calls),
  },
  {
    prom: 'in_flight_calls',
    otel: 'tripswitch.in_flight_calls',
    type: 'upDownCounter',
    unit: '{call}',
    help: 'Calls let through and still running.',
    points: perBreaker((stats) => stats.inFlight),
  },
  {
    prom: 'retry_after_seconds',
    otel: 'tripswitch.retry_after',
    type: 'gauge',
    unit: 's',
    help: 'Seconds until a call may be let through: 0 when one may be now, +Inf when isolated.',
    points: perBreaker((stats) => stats.retryAfterMs / 1000),
  },
  ...(
    [
      [
        'calls',
        'calls',
        '{call}',
        "Calls in the fleet's window (consecutive mode: its run of failures), as this process last learnt it.",
      ],
      ['failures', 'failures', '{call}', "Failures in the fleet's window or run, as this process last learnt it."],
      ['slow_calls', 'slow_calls', '{call}', "Slow calls in the fleet's window, as this process last learnt it."],
      ['instances', 'instances', '{instance}', 'Processes whose figures make up the fleet counts.'],
    ] as const
  ).map(
    ([prom, otel, unit, help]): Series => ({
      prom: `fleet_${prom}`,
      otel: `tripswitch.fleet.${otel}`,
      type: 'gauge',
      unit,
      help: `Counting across the fleet: ${help.charAt(0).toLowerCase()}${help.slice(1)}`,
      store: true,
      points: (reading, emit) => {
        for (const { name, stats } of reading.breakers) {
          const fleet = stats.fleet;
          if (fleet !== undefined) emit({ name }, fleet[prom === 'slow_calls' ? 'slowCalls' : prom]);
        }
      },
    }),
  ),
  {
    prom: 'store_available',
    otel: 'tripswitch.store.available',
    type: 'gauge',
    unit: '',
    help: 'Whether the store (every store, when there are several) answers: 1 or 0.',
    store: true,
    points: (reading, emit) => emit({}, (reading.store as Store).available ? 1 : 0),
  },
  {
    prom: 'store_errors_total',
    otel: 'tripswitch.store.errors',
    type: 'counter',
    unit: '{error}',
    help: 'Store operations that failed or timed out (summed over the stores).',
    store: true,
    points: (reading, emit) => emit({}, (reading.store as Store).errors),
  },
  {
    prom: 'store_reports_total',
    otel: 'tripswitch.store.reports',
    type: 'counter',
    unit: '{report}',
    help: 'Count reports sent to the fleet by stores counting across it (summed over the stores).',
    store: true,
    points: (reading, emit) => emit({}, reading.reports),
  },
];

/** @internal The call-duration histogram (with `durations: true`). */
export const DURATION = {
  prom: 'call_duration_seconds',
  otel: 'tripswitch.call.duration',
  unit: 's',
  help: 'How long calls took, in seconds, by outcome (success, failure).',
  /** Upper bounds in seconds: from 5 ms to 10 s, prom-client's defaults. */
  buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10] as number[],
} as const;
