/** @internal How long a page's token is accepted, in milliseconds: a day. */
const TOKEN_TTL_MS = 24 * 60 * 60 * 1000;

const encoder = new TextEncoder();

const base64url = (bytes: Uint8Array): string =>
  btoa(String.fromCharCode(...bytes))
    .replace(/\+/g, '-')
    .replace(/\//g, '_')
    .replace(/=+$/, '');

/**
 * @internal Per-page tokens for the controls: `<issued at>.<random>.<HMAC of both>`, signed
 * with a key made for this dashboard alone, so that nothing is kept per page. The key is made
 * when the first page asks for a token.
 */
export class Tokens {
  private key: Promise<CryptoKey> | undefined;

  private sign(text: string): Promise<string> {
    this.key ??= crypto.subtle.generateKey({ name: 'HMAC', hash: 'SHA-256' }, false, ['sign']) as Promise<CryptoKey>;
    return this.key
      .then((key) => crypto.subtle.sign('HMAC', key, encoder.encode(text)))
      .then((mac) => base64url(new Uint8Array(mac)));
  }

  /** A fresh token for one page. */
  async issue(now = Date.now()): Promise<string> {
    const body = `${now.toString(36)}.${base64url(crypto.getRandomValues(new Uint8Array(16)))}`;
    return `${body}.${await this.sign(body)}`;
  }

  /** Whether `token` was issued by `issue` less than a day ago. */
  async check(token: string | null, now = Date.now()): Promise<boolean> {
    if (token === null || this.key === undefined) return false;
    const match = /^([0-9a-z]{1,12})\.([\w-]{22})\.([\w-]{43})$/.exec(token);
    if (match === null) return false;
    const issued = Number.parseInt(match[1], 36);
    if (!(now - issued < TOKEN_TTL_MS && issued <= now)) return false;
    const expected = await this.sign(`${match[1]}.${match[2]}`);
    // Same length by the pattern; compared in full whatever differs.
    let diff = 0;
    for (let i = 0; i < expected.length; i++) diff |= expected.charCodeAt(i) ^ match[3].charCodeAt(i);
    return diff === 0;
  }
}

/** @internal A nonce for one response's Content-Security-Policy. */
export const nonce = (): string => base64url(crypto.getRandomValues(new Uint8Array(18)));
