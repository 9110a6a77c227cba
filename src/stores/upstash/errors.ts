/** The client's echo of the command it sent, which `@upstash/redis` appends to an endpoint's error. */
const ECHO = /,?\s*command was:[\s\S]*$/;

/**
 * The error the store reports for a failed request: the endpoint's or the network's message
 * (and its cause's, as `ECONNREFUSED`), with the client's echo of the command and the token
 * removed. The original is not kept (its message holds the echo).
 */
export function cleanError(error: unknown, token: string | undefined): Error {
  const messageOf = (e: unknown): string => (e instanceof Error ? e.message : String(e));
  let message = messageOf(error);
  const cause = error instanceof Error ? (error as { cause?: unknown }).cause : undefined;
  if (cause !== undefined && cause !== null) message += ` (${messageOf(cause)})`;
  message = message.replace(ECHO, '').replace(/Bearer\s+\S+/gi, 'Bearer [redacted]');
  if (token !== undefined && token.length > 0) message = message.split(token).join('[redacted]');
  const clean = new Error(`tripswitch/upstash: ${message.replace(/^tripswitch\/redis: /, '')}`);
  if (error instanceof Error && error.name !== 'Error') clean.name = error.name;
  return clean;
}
