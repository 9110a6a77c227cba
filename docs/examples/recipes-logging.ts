import { createBreaker } from 'tripswitch';

// The part of pino's (or bunyan's) API used here: `logger.info(object, message)`.
export interface Logger {
  info(fields: object, message: string): void;
  warn(fields: object, message: string): void;
}

export function logStateChanges(breaker: ReturnType<typeof createBreaker>, logger: Logger): () => void {
  const off = [
    breaker.on('open', ({ name, reason, retryAfterMs }) => logger.warn({ breaker: name, reason, retryAfterMs }, 'circuit open')),
    breaker.on('halfOpen', ({ name }) => logger.info({ breaker: name }, 'circuit half-open: probing')),
    breaker.on('close', ({ name, reason }) => logger.info({ breaker: name, reason }, 'circuit closed')),
    breaker.on('callbackError', ({ name, callback, error }) =>
      logger.warn({ breaker: name, callback, err: error }, 'callback threw'),
    ),
  ];
  return () => {
    for (const unsubscribe of off) unsubscribe();
  };
}

const consoleLogger: Logger = {
  info: (fields, message) => console.log(message, fields),
  warn: (fields, message) => console.warn(message, fields),
};
const breaker = createBreaker({ name: 'search' });
const stop = logStateChanges(breaker, consoleLogger);
breaker.open(); // circuit open { breaker: 'search', reason: 'manual', retryAfterMs: 30000 }
stop();
