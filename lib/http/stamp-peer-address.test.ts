import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, expect, it } from "vitest";
import { PEER_HEADER } from "./client-address";
import { stampPeerAddress } from "./stamp-peer-address";

stampPeerAddress();
const server = createServer((req, res) => res.end(String(req.headers[PEER_HEADER])));
afterAll(() => new Promise((resolve) => server.close(resolve)));

it("stamps the TCP peer on every request, replacing what the client sent under that name", async () => {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  const res = await fetch(`http://127.0.0.1:${port}/`, { headers: { [PEER_HEADER]: "6.6.6.6", "x-forwarded-for": "6.6.6.6" } });
  expect(await res.text()).toBe("127.0.0.1");
});
