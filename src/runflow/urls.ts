import { lookup as systemLookup } from 'node:dns';
import type { LookupFunction } from 'node:net';
import { RunflowError } from './errors';

/** Resolves a host name to its addresses (the system's resolver by default; tests give their own). */
export type HostResolver = (hostname: string) => Promise<readonly { address: string; family: number }[]>;

const systemResolver: HostResolver = (hostname) =>
  new Promise((resolve, reject) => systemLookup(hostname, { all: true }, (err, addresses) => (err ? reject(err) : resolve(addresses))));

/** A name that resolved into this machine or a private network, refused before connecting. */
export class PrivateAddressError extends Error {
  constructor(
    readonly hostname: string,
    readonly address: string,
  ) {
    super(`${hostname} resolves to ${address}, inside a private network`);
  }
}

/**
 * A `lookup` for sockets that refuses a name resolving into this machine or a private network
 * (cloud metadata at 169.254.169.254 included): checked on the addresses connected to, so a name
 * cannot pass as public and then point inside (DNS rebinding).
 */
export function publicOnlyLookup(resolve: HostResolver = systemResolver): LookupFunction {
  return (hostname, options, callback) => {
    resolve(hostname).then(
      (addresses) => {
        const inside = addresses.find((a) => isPrivateHost(a.address));
        const done = callback as (err: Error | null, address?: unknown, family?: number) => void;
        if (inside) done(new PrivateAddressError(hostname, inside.address));
        else if (addresses.length === 0) done(Object.assign(new Error(`${hostname} has no address`), { code: 'ENOTFOUND' }));
        else if (options.all) done(null, addresses);
        else done(null, addresses[0].address, addresses[0].family);
      },
      (err: NodeJS.ErrnoException) => callback(err, '', 0),
    );
  };
}

/** Whether a URL host is this machine (127.0.0.0/8, ::1, localhost), where plain http cannot be snooped. */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  if (host === 'localhost' || host.endsWith('.localhost') || host === '::1') return true;
  return /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

/** Parses a URL that may only be https, or http to loopback; `what` names it in the error. */
export function requireSecureUrl(raw: string | URL, what: string): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new RunflowError('insecure_url', `The ${what} is not a valid URL.`);
  }
  if (url.protocol === 'https:' || (url.protocol === 'http:' && isLoopbackHost(url.hostname))) return url;
  throw new RunflowError('insecure_url', `The ${what} must use https (plain http is only allowed to this machine); refusing ${url.protocol}//${url.host}.`);
}

/**
 * Whether a host is a literal address this machine or its private network answers: loopback,
 * RFC 1918, link-local (cloud metadata at 169.254.169.254), carrier-grade NAT, unspecified, IPv6
 * unique-local and link-local, and IPv4-mapped forms of those. Names are not resolved here.
 */
export function isPrivateHost(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  if (isLoopbackHost(host)) return true;
  const v4 = /^(\d{1,3})\.(\d{1,3})\.\d{1,3}\.\d{1,3}$/.exec(host);
  if (v4) {
    const [a, b] = [Number(v4[1]), Number(v4[2])];
    return (
      a === 0 ||
      a === 10 ||
      a === 127 ||
      (a === 169 && b === 254) ||
      (a === 172 && b >= 16 && b <= 31) ||
      (a === 192 && b === 168) ||
      (a === 100 && b >= 64 && b <= 127)
    );
  }
  if (!host.includes(':')) return false;
  // The URL parser writes IPv4-mapped addresses as ::ffff:hhhh:hhhh.
  const mapped = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(host);
  if (mapped) {
    const hi = parseInt(mapped[1], 16);
    const lo = parseInt(mapped[2], 16);
    return isPrivateHost(`${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`);
  }
  return host === '::' || /^f[cd][0-9a-f]{0,2}:/.test(host) || /^fe[89ab][0-9a-f]?:/.test(host);
}

/**
 * The target of a redirect from `from`: it must pass `requireSecureUrl`, and may not lead from a
 * public host into this machine or a private network (a signed link must not be able to make the
 * extension fetch from inside the user's network).
 */
export function requireSafeRedirect(from: URL, location: string, what: string): URL {
  let target: URL;
  try {
    target = new URL(location, from);
  } catch {
    throw new RunflowError('insecure_url', `The ${what} redirected to an address that is not a valid URL.`);
  }
  const url = requireSecureUrl(target, `${what} (after a redirect)`);
  if (isPrivateHost(url.hostname) && !isPrivateHost(from.hostname)) {
    throw new RunflowError('insecure_url', `The ${what} redirected into a private network (${url.host}); refusing it.`);
  }
  return url;
}
