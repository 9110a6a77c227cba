import type { FleetCounts } from '../../stats.js';
import type { CountReport, StoreMember } from '../../store.js';
import { asNumber, MAX_NAME_LENGTH, parseReply, type Reply } from './protocol.js';

/** Far above any count a window or run holds. */
const MAX_COUNT = 2 ** 40;
const MAX_MS = 2 ** 47;

/** A counting script's reply: the record, and the fleet's counts after the report. */
export interface CountReply extends Reply {
  readonly counts: FleetCounts;
}

const isCount = (x: unknown): x is number => typeof x === 'number' && Number.isInteger(x) && x >= 0 && x <= MAX_COUNT;

function countsOf(raw: unknown[]): FleetCounts | undefined {
  const [calls, failures, slowCalls, instances] = raw.map(asNumber);
  if (!isCount(calls) || !isCount(failures) || !isCount(slowCalls) || !isCount(instances)) return undefined;
  return { calls, failures, slowCalls, instances };
}

/** Parses the reply of the `run` and `window` operations; throws on anything else (a store error). */
export function parseCountReply(raw: unknown): CountReply {
  const reply = parseReply(raw);
  const counts = Array.isArray(raw) && raw.length === 12 ? countsOf(raw.slice(8)) : undefined;
  if (counts === undefined) throw new TypeError('tripswitch/redis: unexpected script reply');
  return { ...reply, counts };
}

/** Parses a channel message telling that the fleet started or stopped counting failures; undefined for anything else. */
export function parseCountMessage(message: unknown): { name: string; counts: FleetCounts } | undefined {
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
  if (!Array.isArray(o.k) || o.k.length !== 4) return undefined;
  const counts = countsOf(o.k);
  return counts && { name: o.n, counts };
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
  const { calls, failures, slowCalls, keepMs, minimumCalls, failureRate, slowCallRate, retryAfterMs } = report;
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
    ],
  ];
}

/** Hands a member the fleet's counts; nothing may escape into the store. */
export function tell(member: StoreMember, counts: FleetCounts): void {
  try {
    member.fleetCounts?.(counts, counts.failures > 0 || counts.slowCalls > 0);
  } catch {
    // The breaker reports its own listeners' errors.
  }
}
