import type { FleetCounts } from '../../stats.js';
import type { CountReport, StoreMember } from '../../store.js';
import { asNumber, MAX_NAME_LENGTH, parseReply, type Reply } from './protocol.js';

/** Far above any count a window or run holds. */
const MAX_COUNT = 2 ** 40;
const MAX_MS = 2 ** 47;

/** A counting script's reply: the record, the fleet's counts after the report, and whether it wants every outcome. */
export interface CountReply extends Reply {
  readonly counts: FleetCounts;
  readonly counting: boolean;
}

/** What the fleet tells of a name's counts: the counts, and whether it wants every outcome from the process. */
export interface Told {
  readonly counts: FleetCounts;
  readonly counting: boolean;
}

const isCount = (x: unknown): x is number => typeof x === 'number' && Number.isInteger(x) && x >= 0 && x <= MAX_COUNT;

function countsOf(raw: unknown[]): Told | undefined {
  const [calls, failures, slowCalls, instances, counting] = raw.map(asNumber);
  if (!isCount(calls) || !isCount(failures) || !isCount(slowCalls) || !isCount(instances)) return undefined;
  if (counting !== 0 && counting !== 1) return undefined;
  return { counts: { calls, failures, slowCalls, instances }, counting: counting === 1 };
}

/** Parses the reply of the `run` and `window` operations; throws on anything else (a store error). */
export function parseCountReply(raw: unknown): CountReply {
  const reply = parseReply(raw);
  const told = Array.isArray(raw) && raw.length === 13 ? countsOf(raw.slice(8)) : undefined;
  if (told === undefined) throw new TypeError('tripswitch/redis: unexpected script reply');
  return { ...reply, ...told };
}

/** Parses a channel message telling that the fleet started or stopped counting failures; undefined for anything else. */
export function parseCountMessage(message: unknown): (Told & { name: string }) | undefined {
  if (typeof message !== 'string' || message.length > 2 * MAX_NAME_LENGTH || !message.includes('"k":')) return undefined;
  let m: unknown;
  try {
    m = JSON.parse(message);
  } catch {
    return undefined;
  }
  const o = m as { v?: unknown; n?: unknown; k?: unknown } | null;
  if (typeof o !== 'object' || o === null || o.v !== 1 || typeof o.n !== 'string' || o.n.length > MAX_NAME_LENGTH) {
    return undefined;
  }
  if (!Array.isArray(o.k) || o.k.length !== 5) return undefined;
  const told = countsOf(o.k);
  return told && { name: o.n, ...told };
}

const ms = (x: number): string => String(Math.min(MAX_MS, Math.max(1, Math.round(x) || 1)));
const count = (x: number): string => String(Math.min(MAX_COUNT, Math.max(0, Math.floor(x) || 0)));
const rate = (x: number): string => String(Number.isFinite(x) ? Math.max(0, x) : 2);

/** The operation and its arguments (after op, channel, name, instance, deadline) for a report. */
export function countArgs(report: CountReport, quorum: number): [op: string, args: string[]] {
  const attempt = String(Math.min(2 ** 31, Math.max(1, Math.floor(report.attempt) || 1)));
  if (report.kind === 'run') {
    const { lead, reset, tail, threshold, retryAfterMs, keepMs } = report;
    return [
      'run',
      [count(lead), reset ? '1' : '0', count(tail), count(threshold), ms(retryAfterMs), attempt, String(quorum), ms(keepMs)],
    ];
  }
  const { calls, failures, slowCalls, keepMs, minimumCalls, failureRate, slowCallRate, retryAfterMs, periodMs } = report;
  return [
    'window',
    [
      count(calls),
      count(failures),
      count(slowCalls),
      ms(keepMs),
      count(minimumCalls),
      rate(failureRate),
      rate(slowCallRate),
      ms(retryAfterMs),
      attempt,
      String(quorum),
      ms(periodMs),
    ],
  ];
}

/** Hands a member what the fleet told of its counts; nothing may escape into the store. */
export function tell(member: StoreMember, told: Told): void {
  try {
    member.fleetCounts?.(told.counts, told.counting);
  } catch {
    // The breaker reports its own listeners' errors.
  }
}
