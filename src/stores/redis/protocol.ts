import type { CloseReason, OpenReason } from '../../events.js';
import type { FleetState, Transition } from '../../store.js';
import { sha256 } from './sha256.js';

/** The longest name a message carries as it is (UTF-16 units); longer names travel as a digest ({@link wireName}). */
export const MAX_NAME_LENGTH = 16_384;
const MAX_MESSAGE_LENGTH = 4 * MAX_NAME_LENGTH;
const MAX_INSTANCE_LENGTH = 256;
/** Far above any open period a timer accepts, and below 2^53. */
const MAX_MS = 2 ** 47;
const MAX_ATTEMPT = 2 ** 31;

const STATES: ReadonlySet<string> = new Set(['closed', 'open', 'isolated', 'disabled']);
const REASONS: ReadonlySet<string> = new Set([
  'failures',
  'failureRate',
  'slowCallRate',
  'probeFailed',
  'manual',
  'probesSucceeded',
]);

/**
 * Escapes a breaker name for use inside a key: every UTF-16 unit outside `[A-Za-z0-9@*_+-./]`
 * becomes `%XX` (below 256) or `%uXXXX`, as `escape()` does. The result has no `{`, `}` or `:`,
 * so a name can neither leave its hash tag nor its key; the empty name becomes `%`, which no
 * other name produces.
 */
export function encodeName(name: string): string {
  if (name === '') return '%';
  return name.replace(/[^A-Za-z0-9@*_+\-./]/g, (c) => {
    const code = c.charCodeAt(0);
    return code < 256 ? `%${code.toString(16).padStart(2, '0')}` : `%u${code.toString(16).padStart(4, '0')}`;
  });
}

/**
 * The name of a breaker in keys, messages and the index: the name itself, or for a name
 * longer than {@link MAX_NAME_LENGTH} `#` and its SHA-256, so that messages stay small.
 */
export const wireName = (name: string): string => (name.length <= MAX_NAME_LENGTH ? name : `#${sha256(name)}`);

/**
 * The record, votes and leases keys of one wire name, then the run and reports of counting
 * across the fleet: one hash tag, so one Cluster slot.
 */
export function keysOf(prefix: string, name: string): [string, string, string, string, string] {
  const base = `${prefix}{${encodeName(name)}}`;
  return [`${base}:s`, `${base}:votes`, `${base}:leases`, `${base}:run`, `${base}:reports`];
}

/** The keys of the store's own operations (health check, index of names not closed): a tag no name produces. */
export function storeKeysOf(prefix: string): [string, string, string] {
  const base = `${prefix}{~}`;
  return [`${base}:s`, `${base}:index`, `${base}:leases`];
}

/**
 * The channel every store of a prefix publishes on, namespaced as the keys are: the client's
 * own key prefix (ioredis `keyPrefix`) first, and the database when it is not 0 (pub/sub
 * ignores databases, so two apps on two databases would otherwise hear each other).
 */
export const channelOf = (prefix: string, database = 0): string => `${prefix}events${database === 0 ? '' : `:db${database}`}`;

/** A fleet state announced on the channel, validated. */
export interface Announcement {
  readonly name: string;
  readonly fleet: FleetState;
}

const isCount = (x: unknown, max: number, min = 0): x is number =>
  typeof x === 'number' && Number.isInteger(x) && x >= min && x <= max;
const isText = (x: unknown, max: number): x is string => typeof x === 'string' && x.length > 0 && x.length <= max;

function fleetOf(
  state: unknown,
  epoch: unknown,
  retryAfterMs: unknown,
  attempt: unknown,
  instance: unknown,
  reason: unknown,
): FleetState | undefined {
  if (typeof state !== 'string' || !STATES.has(state)) return undefined;
  if (!isCount(epoch, Number.MAX_SAFE_INTEGER) || !isCount(retryAfterMs, MAX_MS) || !isCount(attempt, MAX_ATTEMPT, 1)) {
    return undefined;
  }
  if (!(instance === '' || isText(instance, MAX_INSTANCE_LENGTH))) return undefined;
  if (!(reason === undefined || reason === '' || (typeof reason === 'string' && REASONS.has(reason)))) return undefined;
  return {
    state: state as FleetState['state'],
    epoch,
    retryAfterMs: state === 'open' ? retryAfterMs : 0,
    attempt,
    instance,
    reason: reason === '' || reason === undefined ? undefined : (reason as OpenReason | CloseReason),
  };
}

/** Parses a channel message; undefined for anything malformed, of another version, or too large. */
export function parseMessage(message: unknown): Announcement | undefined {
  if (typeof message !== 'string' || message.length > MAX_MESSAGE_LENGTH) return undefined;
  let m: unknown;
  try {
    m = JSON.parse(message);
  } catch {
    return undefined;
  }
  if (typeof m !== 'object' || m === null || Array.isArray(m)) return undefined;
  const o = m as Record<string, unknown>;
  if (o.v !== 1 || typeof o.n !== 'string' || o.n.length > MAX_NAME_LENGTH || !isText(o.i, MAX_INSTANCE_LENGTH)) {
    return undefined;
  }
  if (o.e === 0) return undefined;
  const fleet = fleetOf(o.s, o.e, o.r, o.a, o.i, o.w);
  return fleet && { name: o.n, fleet };
}

/** A script's reply: the record after the operation, whether a lease was granted, and the server's time. */
export interface Reply {
  readonly fleet: FleetState;
  readonly granted: boolean;
  /** The server's time (ms) when the script ran. */
  readonly now: number;
}

export const asNumber = (x: unknown): unknown => (typeof x === 'string' && /^\d{1,16}$/.test(x) ? Number(x) : x);

/** Parses the script's reply; throws on anything else (it then counts as a store error). */
export function parseReply(reply: unknown): Reply {
  if (Array.isArray(reply) && (reply.length === 8 || reply.length === 13)) {
    const [state, epoch, left, attempt, instance, reason, granted, now] = reply as unknown[];
    const fleet = fleetOf(state, asNumber(epoch), asNumber(left), asNumber(attempt), instance, reason);
    const time = asNumber(now);
    // A client that deserializes replies may hand the integer back as text.
    const lease = asNumber(granted);
    if (fleet && (lease === 0 || lease === 1) && typeof time === 'number') return { fleet, granted: lease === 1, now: time };
  }
  throw new TypeError('tripswitch/redis: unexpected script reply');
}

/**
 * The reply of the `names` operation: the index's names (not closed in the fleet), each with
 * the epoch it is listed at (as Redis holds it, for pruning it), and the server's time.
 */
export function parseNames(reply: unknown): { names: string[]; epochs: string[]; now: number } {
  if (Array.isArray(reply) && reply.length === 2 && Array.isArray(reply[0])) {
    const now = asNumber(reply[1]);
    const flat = reply[0] as unknown[];
    const names: string[] = [];
    const epochs: string[] = [];
    for (let i = 0; i < flat.length; i += 2) {
      const [name, epoch] = [flat[i], flat[i + 1]];
      if (typeof name === 'string' && name.length <= MAX_NAME_LENGTH + 1 && typeof epoch === 'string' && epoch.length <= 20) {
        names.push(name);
        epochs.push(epoch);
      }
    }
    if (typeof now === 'number') return { names, epochs, now };
  }
  throw new TypeError('tripswitch/redis: unexpected script reply');
}

/** The script's arguments for a transition, after op, channel, name and instance. */
export function transitionArgs(t: Transition): string[] {
  const ms = Math.min(MAX_MS, Math.max(0, Math.round(t.retryAfterMs) || 0));
  const attempt = Math.min(MAX_ATTEMPT, Math.max(1, Math.floor(t.attempt) || 1));
  return [t.state, t.reason ?? '', String(ms), String(attempt)];
}
