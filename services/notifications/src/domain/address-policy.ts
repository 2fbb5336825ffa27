/**
 * Which IP addresses a webhook may connect to (SSRF protection). A delivery URL whose host is,
 * or resolves to, an address in one of these ranges is refused unless private targets are
 * allowed (`PORTICO_WEBHOOK_ALLOW_PRIVATE=true`, local development and tests).
 *
 * Ranges: IANA IPv4/IPv6 Special-Purpose Address Registries (RFC 6890 and updates) — RFC 1122
 * "this network", RFC 1918 private, RFC 6598 CGNAT, RFC 3927 / RFC 4291 link-local, RFC 4193
 * unique-local, multicast, documentation and benchmarking ranges — plus IPv6 forms that embed an
 * IPv4 address (IPv4-mapped `::ffff:0:0/96`, NAT64 `64:ff9b::/96`, 6to4 `2002::/16`), which are
 * judged by the IPv4 address inside.
 */
import { isIPv4, isIPv6 } from 'node:net';

export type ForbiddenReason =
  | 'unspecified'
  | 'loopback'
  | 'private'
  | 'link_local'
  | 'unique_local'
  | 'cgnat'
  | 'multicast'
  | 'reserved'
  | 'documentation'
  | 'not_an_ip';

type V4Range = [base: number, bits: number, reason: ForbiddenReason];

const v4 = (a: string): number => a.split('.').reduce((n, o) => n * 256 + Number(o), 0);

const V4_RANGES: V4Range[] = [
  [v4('0.0.0.0'), 8, 'unspecified'],
  [v4('10.0.0.0'), 8, 'private'],
  [v4('100.64.0.0'), 10, 'cgnat'],
  [v4('127.0.0.0'), 8, 'loopback'],
  [v4('169.254.0.0'), 16, 'link_local'],
  [v4('172.16.0.0'), 12, 'private'],
  [v4('192.0.0.0'), 24, 'reserved'],
  [v4('192.0.2.0'), 24, 'documentation'],
  [v4('192.88.99.0'), 24, 'reserved'],
  [v4('192.168.0.0'), 16, 'private'],
  [v4('198.18.0.0'), 15, 'reserved'],
  [v4('198.51.100.0'), 24, 'documentation'],
  [v4('203.0.113.0'), 24, 'documentation'],
  [v4('224.0.0.0'), 4, 'multicast'],
  [v4('240.0.0.0'), 4, 'reserved'],
];

function inV4Range(addr: number, base: number, bits: number): boolean {
  const size = 2 ** (32 - bits);
  return addr >= base && addr < base + size;
}

function classifyV4(addr: number): ForbiddenReason | null {
  for (const [base, bits, reason] of V4_RANGES) if (inV4Range(addr, base, bits)) return reason;
  return null;
}

/** Eight 16-bit groups of an IPv6 address (zone index dropped), or null if it is not one. */
export function ipv6Groups(address: string): number[] | null {
  const a = address.replace(/%.*$/, '');
  if (!isIPv6(a)) return null;
  let text = a;
  const groupsTail: number[] = [];
  const v4tail = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (v4tail) {
    const n = v4(v4tail[1]!);
    groupsTail.push(Math.floor(n / 65536), n % 65536);
    text = text.slice(0, -v4tail[1]!.length);
    if (text.endsWith(':') && !text.endsWith('::')) text = text.slice(0, -1);
  }
  const [head, tail] = text.includes('::') ? text.split('::') : [text, undefined];
  const parse = (s: string | undefined) =>
    s
      ? s
          .split(':')
          .filter((x) => x !== '')
          .map((x) => parseInt(x, 16))
      : [];
  const h = parse(head);
  const t = [...parse(tail), ...groupsTail];
  if (tail === undefined && !text.includes('::')) return [...h, ...groupsTail];
  const zeros = 8 - h.length - t.length;
  return [...h, ...Array<number>(zeros).fill(0), ...t];
}

function classifyV6(g: number[]): ForbiddenReason | null {
  const [g0, g1, g2, g3, g4, g5, g6, g7] = g as [
    number,
    number,
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const v4At = (hi: number, lo: number) => hi * 65536 + lo;
  const firstFive = g0 === 0 && g1 === 0 && g2 === 0 && g3 === 0 && g4 === 0;
  if (firstFive && g5 === 0 && g6 === 0 && g7 === 0) return 'unspecified';
  if (firstFive && g5 === 0 && g6 === 0 && g7 === 1) return 'loopback';
  // IPv4-mapped ::ffff:a.b.c.d — judged by the IPv4 address (a mapped public address is fine).
  if (firstFive && g5 === 0xffff) return classifyV4(v4At(g6, g7));
  // IPv4-compatible ::a.b.c.d (deprecated, RFC 4291 §2.5.5.1) and IPv4-translated ::ffff:0:a.b.c.d
  if (firstFive && g5 === 0) return 'reserved';
  if (g0 === 0 && g1 === 0 && g2 === 0 && g3 === 0 && g4 === 0xffff && g5 === 0) return 'reserved';
  // NAT64 well-known prefix 64:ff9b::/96 (RFC 6052) embeds the IPv4 destination.
  if (g0 === 0x64 && g1 === 0xff9b && g2 === 0 && g3 === 0 && g4 === 0 && g5 === 0)
    return classifyV4(v4At(g6, g7));
  if (g0 === 0x64 && g1 === 0xff9b && g2 === 1) return 'reserved'; // local-use NAT64 (RFC 8215)
  // 6to4 2002:AABB:CCDD::/48 (RFC 3056) embeds an IPv4 address in groups 1–2.
  if (g0 === 0x2002) return classifyV4(v4At(g1, g2));
  if (g0 === 0x2001 && g1 === 0) return 'reserved'; // Teredo (obfuscated IPv4 inside)
  if (g0 === 0x2001 && g1 === 0xdb8) return 'documentation';
  if (g0 === 0x100 && g1 === 0 && g2 === 0 && g3 === 0) return 'reserved'; // discard-only 100::/64
  if ((g0 & 0xfe00) === 0xfc00) return 'unique_local';
  if ((g0 & 0xffc0) === 0xfe80) return 'link_local';
  if ((g0 & 0xffc0) === 0xfec0) return 'private'; // deprecated site-local
  if ((g0 & 0xff00) === 0xff00) return 'multicast';
  return null;
}

/** Why `address` (an IP literal) may not be a webhook target, or null when it is public. */
export function forbiddenReason(address: string): ForbiddenReason | null {
  if (isIPv4(address)) return classifyV4(v4(address));
  const groups = ipv6Groups(address);
  if (groups && groups.length === 8) return classifyV6(groups);
  return 'not_an_ip';
}

export function describeReason(reason: ForbiddenReason): string {
  switch (reason) {
    case 'unspecified':
      return 'an unspecified address';
    case 'loopback':
      return 'a loopback address';
    case 'private':
      return 'a private address';
    case 'link_local':
      return 'a link-local address';
    case 'unique_local':
      return 'a unique-local address';
    case 'cgnat':
      return 'a carrier-grade NAT address';
    case 'multicast':
      return 'a multicast address';
    case 'documentation':
      return 'a documentation-only address';
    case 'reserved':
      return 'a reserved address';
    case 'not_an_ip':
      return 'not an IP address';
  }
}
