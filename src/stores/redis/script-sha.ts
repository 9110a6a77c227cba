import { SCRIPT } from './lua.js';

let digest: Promise<string> | undefined;

/**
 * The script's SHA-1, for EVALSHA, computed once with Web Crypto: the stores import no
 * runtime module, so the REST store runs on workerd without Node's compatibility layer.
 */
export function scriptSha(): Promise<string> {
  digest ??= globalThis.crypto.subtle
    .digest('SHA-1', new TextEncoder().encode(SCRIPT))
    .then((hash) => Array.from(new Uint8Array(hash), (b) => b.toString(16).padStart(2, '0')).join(''));
  return digest;
}
