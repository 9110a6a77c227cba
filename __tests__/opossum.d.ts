// The part of opossum 10's API the comparison tests use (opossum ships no type declarations).
declare module 'opossum' {
  export default class CircuitBreaker<A extends unknown[] = unknown[], R = unknown> {
    constructor(action: (...args: A) => Promise<R>, options?: Record<string, unknown>);
    fire(...args: A): Promise<R>;
    readonly opened: boolean;
    shutdown(): void;
  }
}
