// Presigned storage URLs: an HMAC over path + expiry, like an object store's signed links.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

export type SignatureCheck = 'valid' | 'expired' | 'invalid';

export class UrlSigner {
  private readonly secret = randomBytes(32);

  /** `path?expires=…&signature=…`, valid until `expiresAt` (ms since epoch). */
  sign(path: string, expiresAt: number): string {
    const expires = String(Math.floor(expiresAt));
    return `${path}?expires=${expires}&signature=${this.signature(path, expires)}`;
  }

  check(path: string, query: URLSearchParams, now = Date.now()): SignatureCheck {
    const expires = query.get('expires') ?? '';
    const given = Buffer.from(query.get('signature') ?? '', 'hex');
    const expected = Buffer.from(this.signature(path, expires), 'hex');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return 'invalid';
    return now >= Number(expires) ? 'expired' : 'valid';
  }

  private signature(path: string, expires: string): string {
    return createHmac('sha256', this.secret).update(`${path}\n${expires}`).digest('hex');
  }
}
