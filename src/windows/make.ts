import type { WindowSpec } from '../options.js';
import { SinceClose } from './consecutive.js';
import { CountWindow } from './count.js';
import { TimeWindow } from './time.js';
import type { Window } from './window.js';

/** @internal An empty window of the kind `spec` describes. */
export function makeWindow(spec: WindowSpec): Window {
  return spec.kind === 'consecutive'
    ? new SinceClose()
    : spec.kind === 'count'
      ? new CountWindow(spec.size)
      : new TimeWindow(spec.durationMs, spec.buckets);
}
