/**
 * SSRF protection for webhook targets. A URL is checked when it is registered (so the user hears
 * about a bad one at once) and again at every connection: the HTTP agent resolves the host with
 * `guardedLookup`, which refuses forbidden addresses and hands the socket only the addresses it
 * checked — a DNS answer that changes between check and connect (rebinding) cannot slip through.
 */
import dns from 'node:dns';
import { isIP, type LookupFunction } from 'node:net';
import { describeReason, forbiddenReason } from '../domain/address-policy.ts';

export class ForbiddenTargetError extends Error {
  readonly code = 'EFORBIDDENTARGET';
}

/** Host part of a URL as an address literal (IPv6 without brackets), or null for a name. */
function literalHost(url: URL): string | null {
  const h = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
  return isIP(h) ? h : null;
}

/**
 * Problems with a URL that do not need DNS: scheme, credentials, and a literal address in a
 * forbidden range. Returns a message, or null.
 */
export function staticProblem(raw: string, allowPrivate: boolean): string | null {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return 'must be an absolute http or https URL';
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return 'must use http or https';
  if (url.username || url.password) return 'must not contain credentials';
  if (!url.hostname) return 'must name a host';
  const literal = literalHost(url);
  if (literal && !allowPrivate) {
    const reason = forbiddenReason(literal);
    if (reason) return `points to ${describeReason(reason)} (${literal}); only public addresses are allowed`;
  }
  return null;
}

/** Full check at registration: also resolves the host and refuses it if any address is forbidden. */
export async function targetProblem(raw: string, allowPrivate: boolean): Promise<string | null> {
  const problem = staticProblem(raw, allowPrivate);
  if (problem || allowPrivate) return problem;
  const url = new URL(raw);
  if (literalHost(url)) return null;
  let addresses: dns.LookupAddress[];
  try {
    addresses = await dns.promises.lookup(url.hostname, { all: true });
  } catch {
    return `host ${url.hostname} does not resolve`;
  }
  for (const a of addresses) {
    const reason = forbiddenReason(a.address);
    if (reason)
      return `host ${url.hostname} resolves to ${describeReason(reason)} (${a.address}); only public addresses are allowed`;
  }
  return null;
}

/** A `lookup` for net/tls.connect that refuses forbidden addresses and pins the checked ones. */
export const guardedLookup: LookupFunction = (hostname, options, callback) => {
  dns.lookup(hostname, { ...options, all: true }, (err, addresses) => {
    if (err) return callback(err, '', 0);
    const list = addresses as unknown as dns.LookupAddress[];
    for (const a of list) {
      const reason = forbiddenReason(a.address);
      if (reason)
        return callback(
          new ForbiddenTargetError(`${hostname} resolves to ${describeReason(reason)} (${a.address})`),
          '',
          0,
        );
    }
    if (list.length === 0)
      return callback(Object.assign(new Error(`${hostname} has no addresses`), { code: 'ENOTFOUND' }), '', 0);
    if (options.all) return (callback as unknown as (e: null, a: dns.LookupAddress[]) => void)(null, list);
    return callback(null, list[0]!.address, list[0]!.family);
  });
};
