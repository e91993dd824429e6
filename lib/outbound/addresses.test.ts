import { describe, expect, it } from "vitest";
import { hostListMatches, isBlockedAddress, parseHostList } from "./addresses";

describe("isBlockedAddress", () => {
  it.each([
    "169.254.169.254", // cloud metadata
    "10.0.0.1",
    "10.255.255.255",
    "172.16.0.1",
    "172.31.255.255",
    "192.168.1.1",
    "127.0.0.1",
    "127.255.255.254",
    "0.0.0.0",
    "100.64.0.1", // CGNAT
    "224.0.0.1", // multicast
    "239.255.255.250",
    "255.255.255.255",
    "::1",
    "[::1]",
    "::",
    "::ffff:127.0.0.1",
    "[::ffff:7f00:1]",
    "::ffff:169.254.169.254",
    "::ffff:10.0.0.1",
    "64:ff9b::7f00:1", // NAT64 of 127.0.0.1
    "2002:7f00:1::", // 6to4 of 127.0.0.1
    "0x7f000001",
    "2130706433",
    "0177.0.0.1",
    "127.1",
    "0x7f.1",
    "017700000001",
    "fe80::1",
    "[fe80::1%25eth0]",
    "fc00::1",
    "fd12:3456::1",
    "ff02::1", // multicast
    "not-an-ip",
  ])("refuses %s", (address) => {
    expect(isBlockedAddress(address)).toBe(true);
  });

  it.each(["93.184.215.14", "8.8.8.8", "172.32.0.1", "192.169.0.1", "11.0.0.1", "2606:4700::1111", "::ffff:8.8.8.8"])("lets %s through", (address) => {
    expect(isBlockedAddress(address)).toBe(false);
  });
});

describe("host lists", () => {
  it("matches a host, a host:port and a CIDR range", () => {
    const list = parseHostList(["hooks.internal", "127.0.0.1:8080", "10.1.0.0/16", " ", "[::1]"]);
    expect(hostListMatches(list, "hooks.internal", 443)).toBe(true);
    expect(hostListMatches(list, "127.0.0.1", 8080)).toBe(true);
    expect(hostListMatches(list, "127.0.0.1", 8081)).toBe(false);
    expect(hostListMatches(list, "svc", 80, "10.1.2.3")).toBe(true);
    expect(hostListMatches(list, "svc", 80, "10.2.0.1")).toBe(false);
    expect(hostListMatches(list, "::1", 80)).toBe(true);
  });
});
