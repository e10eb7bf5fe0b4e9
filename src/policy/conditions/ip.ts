/**
 * IpAddress / NotIpAddress: IPv4 or IPv6 CIDR blocks; an address without a prefix is /32 (/128).
 * IPv4 uses a hand-rolled integer fast path; IPv6 parsing is ipaddr.js's.
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html#Conditions_IPAddress
 */
import ipaddr from 'ipaddr.js';
import type { FamilyCompiler } from './types.js';

/** Strict dotted-quad to unsigned 32-bit integer. */
export function ipv4ToInt(s: string): number | undefined {
  let n = 0;
  let octet = -1;
  let dots = 0;
  let digits = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 46) {
      if (octet < 0) return undefined;
      n = n * 256 + octet;
      octet = -1;
      digits = 0;
      dots++;
    } else if (c >= 48 && c <= 57) {
      if (digits > 0 && octet === 0) return undefined; // no leading zeros
      octet = (octet < 0 ? 0 : octet * 10) + (c - 48);
      digits++;
      if (octet > 255) return undefined;
    } else return undefined;
  }
  if (dots !== 3 || octet < 0) return undefined;
  return n * 256 + octet;
}

interface V4Block { v: 4; net: number; mask: number }
interface V6Block { v: 6; range: [ipaddr.IPv6, number] }
type Block = V4Block | V6Block;

function maskOf(bits: number): number {
  return bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0;
}

export function parseCidr(text: string): Block | undefined {
  const s = text.trim();
  const slash = s.indexOf('/');
  const addr = slash < 0 ? s : s.slice(0, slash);
  const bitsText = slash < 0 ? undefined : s.slice(slash + 1);
  if (bitsText !== undefined && !/^\d{1,3}$/.test(bitsText)) return undefined;
  const v4 = ipv4ToInt(addr);
  if (v4 !== undefined) {
    const bits = bitsText === undefined ? 32 : Number(bitsText);
    if (bits > 32) return undefined;
    const mask = maskOf(bits);
    return { v: 4, net: (v4 & mask) >>> 0, mask };
  }
  if (!ipaddr.IPv6.isValid(addr)) return undefined;
  const bits = bitsText === undefined ? 128 : Number(bitsText);
  if (bits > 128) return undefined;
  const ip = ipaddr.IPv6.parse(addr);
  if (ip.isIPv4MappedAddress() && bits >= 96) {
    const mask = maskOf(bits - 96);
    const n = ipv4ToInt(ip.toIPv4Address().toString()) as number;
    return { v: 4, net: (n & mask) >>> 0, mask };
  }
  return { v: 6, range: [ip, bits] };
}

/** A request address: an IPv4 integer, or an IPv6 address (IPv4-mapped ones become IPv4). */
function parseAddress(s: string): number | ipaddr.IPv6 | undefined {
  const v4 = ipv4ToInt(s);
  if (v4 !== undefined) return v4;
  if (!ipaddr.IPv6.isValid(s)) return undefined;
  const ip = ipaddr.IPv6.parse(s);
  if (ip.isIPv4MappedAddress()) return ipv4ToInt(ip.toIPv4Address().toString());
  return ip;
}

export const compileIp: FamilyCompiler = (base, values) => {
  if (base !== 'IpAddress') return { error: base };
  const v4: V4Block[] = [];
  const v6: V6Block[] = [];
  for (const v of values) {
    const b = parseCidr(v);
    if (!b) return { error: v };
    if (b.v === 4) v4.push(b);
    else v6.push(b);
  }
  return (s) => {
    const a = parseAddress(s);
    if (a === undefined) return false;
    if (typeof a === 'number') {
      for (const b of v4) if (((a & b.mask) >>> 0) === b.net) return true;
      return false;
    }
    for (const b of v6) if (a.match(b.range)) return true;
    return false;
  };
};
