import { BlockList, isIP } from "node:net";

/**
 * Which addresses a server-side request may never reach (issue 13, SSRF): loopback,
 * RFC 1918, link-local (where cloud metadata lives), CGNAT, multicast, unspecified,
 * reserved and documentation ranges, and the IPv6 forms that embed or translate to an IPv4
 * address. BlockList also matches IPv4-mapped IPv6 (::ffff:127.0.0.1) against the IPv4 rules.
 */
const blocked = new BlockList();
for (const [network, prefix] of [
  ["0.0.0.0", 8], // "this network", 0.0.0.0 reaches the local host
  ["10.0.0.0", 8],
  ["100.64.0.0", 10], // CGNAT
  ["127.0.0.0", 8],
  ["169.254.0.0", 16], // link-local, cloud metadata
  ["172.16.0.0", 12],
  ["192.0.0.0", 24],
  ["192.0.2.0", 24],
  ["192.88.99.0", 24],
  ["192.168.0.0", 16],
  ["198.18.0.0", 15],
  ["198.51.100.0", 24],
  ["203.0.113.0", 24],
  ["224.0.0.0", 4], // multicast
  ["240.0.0.0", 4], // reserved and broadcast
] as const) {
  blocked.addSubnet(network, prefix, "ipv4");
}
for (const [network, prefix] of [
  ["::", 96], // unspecified, loopback and IPv4-compatible
  ["64:ff9b::", 96], // NAT64: translates to any IPv4 address
  ["64:ff9b:1::", 48],
  ["100::", 64],
  ["2001::", 32], // Teredo
  ["2001:db8::", 32],
  ["2002::", 16], // 6to4: embeds an IPv4 address
  ["fc00::", 7], // unique local
  ["fe80::", 10], // link-local
  ["fec0::", 10], // site-local
  ["ff00::", 8], // multicast
] as const) {
  blocked.addSubnet(network, prefix, "ipv6");
}

/** An IP literal as the WHATWG URL parser reads it (0x7f000001, 2130706433, 0177.0.0.1 → 127.0.0.1), brackets removed; undefined for a name. */
export function ipLiteral(host: string): string | undefined {
  let hostname: string;
  try {
    hostname = new URL(`http://${host.includes(":") && !host.startsWith("[") ? `[${host}]` : host}/`).hostname;
  } catch {
    return undefined;
  }
  const bare = hostname.startsWith("[") ? hostname.slice(1, -1) : hostname;
  return isIP(bare) ? bare : undefined;
}

/** True when a request must not connect to `address` (an IP, in any encoding the URL parser accepts). */
export function isBlockedAddress(address: string): boolean {
  const ip = ipLiteral(address);
  if (!ip) return true; // not an address at all: refuse rather than guess
  return blocked.check(ip, isIP(ip) === 6 ? "ipv6" : "ipv4");
}

/** A parsed OUTBOUND_ALLOW_HOSTS / allowedHosts list: names (host or host:port) and CIDR ranges. */
export type HostList = { names: Set<string>; ranges: BlockList };

export function parseHostList(entries: readonly string[]): HostList {
  const names = new Set<string>();
  const ranges = new BlockList();
  for (const raw of entries) {
    const entry = raw.trim().toLowerCase();
    if (!entry) continue;
    const cidr = /^(.+)\/(\d{1,3})$/.exec(entry);
    const network = cidr?.[1] ? ipLiteral(cidr[1]) : undefined;
    if (cidr && network) {
      const family = isIP(network) === 6 ? "ipv6" : "ipv4";
      const prefix = Number(cidr[2]);
      if (prefix <= (family === "ipv6" ? 128 : 32)) ranges.addSubnet(network, prefix, family);
    } else {
      names.add(entry.replace(/^\[(.*)\](:\d+)?$/, "$1$2"));
    }
  }
  return { names, ranges };
}

/** Whether `host` (lower case, no brackets) at `port` is named in the list, or its address `ip` is in one of its ranges. */
export function hostListMatches(list: HostList, host: string, port: number, ip?: string): boolean {
  if (list.names.has(host) || list.names.has(`${host}:${port}`)) return true;
  if (!ip) return false;
  return list.ranges.check(ip, isIP(ip) === 6 ? "ipv6" : "ipv4");
}
