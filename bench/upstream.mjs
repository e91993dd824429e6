// The gateway bench's upstream: a bare node:http handler that answers every request with a
// small JSON refund (what a fast tool API looks like). Run: node bench/upstream.mjs <port>.
import { createServer } from "node:http";

let n = 0;
createServer((req, res) => {
  req.resume();
  req.on("end", () => {
    const body = JSON.stringify({ id: `re_${++n}`, object: "refund", amount: 500, status: "succeeded" });
    res.writeHead(201, { "content-type": "application/json", "content-length": Buffer.byteLength(body) });
    res.end(body);
  });
}).listen(Number(process.argv[2]), "127.0.0.1");
