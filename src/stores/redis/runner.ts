import type { FleetState } from '../../store.js';
import { SCRIPT } from './lua.js';
import { parseNames, parseReply, type Reply, storeKeysOf } from './protocol.js';
import { scriptSha } from './script-sha.js';
import { type Shim, within } from './shim.js';

const isNoScript = (error: unknown): boolean =>
  typeof (error as { message?: unknown } | null)?.message === 'string' &&
  (error as { message: string }).message.includes('NOSCRIPT');

/**
 * Whether a failure is a late reply: none within the deadline, or a command Redis ran after
 * it (`LATE`). One late reply says little of Redis's health (a slow script, a busy moment):
 * the store checks before it calls Redis unavailable. Any other error is an answer.
 */
export const isLate = (error: unknown): boolean => {
  const message = (error as { message?: unknown } | null)?.message;
  // The first: how `within` words a deadline passed.
  return typeof message === 'string' && (message.startsWith('tripswitch/redis: no reply within') || message.startsWith('LATE '));
};

/** The process's monotonic clock, in milliseconds. */
const monotonic = (): number => performance.now();

/**
 * Runs the store's script within `timeoutMs`. Every command that writes carries a deadline on
 * the server's clock, past which the script refuses to act: a command the store has given up
 * on (and may have superseded since) never takes effect, however late Redis runs it. The
 * deadline is this process's time of sending plus `timeoutMs`, moved onto the server's clock
 * by the offset learnt from the last reply, which errs on the early side (the server read its
 * time before the reply arrived).
 */
export class Runner {
  /** Server time minus monotonic time, from the last reply; undefined before the first. */
  private offset: number | undefined;
  /** The health check in flight: at most one at a time. */
  private pinging: Promise<unknown> | undefined;
  private readonly storeKeys: string[];

  constructor(
    private readonly shim: Shim,
    private readonly channel: string,
    private readonly instanceId: string,
    private readonly timeoutMs: number,
    prefix: string,
  ) {
    this.storeKeys = storeKeysOf(prefix);
  }

  /** Runs `op` on the keys of one name. Writes (all but `read`) carry the deadline. */
  run<R extends Reply = Reply>(
    keys: string[],
    name: string,
    op: string,
    args: string[],
    parse: (raw: unknown) => R = parseReply as (raw: unknown) => R,
  ): Promise<R> {
    const sent =
      op === 'read'
        ? this.send(keys, [op, this.channel, name, this.instanceId, '0', ...args])
        : (this.offset === undefined ? this.ping() : Promise.resolve(true)).then(() =>
            this.send(keys, [op, this.channel, name, this.instanceId, this.deadline(), ...args]),
          );
    return within(sent, this.timeoutMs).then((raw) => this.learn(parse(raw)));
  }

  /** The names the index lists as not closed in the fleet, each with the epoch it is listed at. */
  names(): Promise<Map<string, string>> {
    const [, index] = this.storeKeys;
    return within(this.send([index], ['names', this.channel, '', this.instanceId, '0']), this.timeoutMs).then((raw) => {
      const { names, epochs, now } = parseNames(raw);
      this.offset = now - monotonic();
      return new Map(names.map((name, i) => [name, epochs[i]]));
    });
  }

  /**
   * Records a fleet state of `name` in the index (newest epoch wins; closed names leave it).
   * `seen`: the epoch the index listed `name` at, which a closed state removes whatever its
   * own epoch (a record that expired or was lost reads as closed at epoch 0).
   */
  index(name: string, fleet: FleetState, seen?: string): Promise<void> {
    const [, index] = this.storeKeys;
    const args = ['index', this.channel, name, this.instanceId, this.deadline(), String(fleet.epoch), fleet.state];
    if (seen !== undefined) args.push(seen);
    return within(this.send([index], args), this.timeoutMs).then(() => undefined);
  }

  /** A health check: resolves true when Redis answered within the deadline. Never rejects. */
  ping(): Promise<boolean> {
    if (this.pinging) return Promise.resolve(false);
    const [record, , leases] = this.storeKeys;
    const current = within(this.send([record, record, leases], ['read', this.channel, '', this.instanceId, '0']), this.timeoutMs);
    // One check at a time, until its answer or its deadline: a reply lost with a dead connection
    // (the store's connection queues nothing) never blocks the next check.
    this.pinging = current;
    const clear = () => {
      if (this.pinging === current) this.pinging = undefined;
    };
    current.then(clear, clear);
    return current
      .then((raw) => this.learn(parseReply(raw)))
      .then(
        () => true,
        () => false,
      );
  }

  private deadline(): string {
    return this.offset === undefined ? '1' : String(Math.floor(monotonic() + this.offset + this.timeoutMs));
  }

  private learn<R extends Reply>(reply: R): R {
    this.offset = reply.now - monotonic();
    return reply;
  }

  /** Runs the script; a server that lost its script cache gets it again with EVAL. */
  private send(keys: string[], argv: string[]): Promise<unknown> {
    return Promise.resolve()
      .then(scriptSha)
      .then((sha) => this.shim.evalsha(sha, keys, argv))
      .catch((error: unknown) => {
        if (isNoScript(error)) return this.shim.eval(SCRIPT, keys, argv);
        throw error;
      });
  }
}
