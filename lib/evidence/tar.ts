/**
 * A minimal ustar writer (POSIX.1-1988): regular files only, names up to 100 bytes,
 * sizes past 8 GiB in the GNU base-256 form. Written by hand so the bundle needs no
 * dependency and scripts/verify-evidence.mjs can read it with node: modules only.
 */
import { createReadStream } from "node:fs";
import type { Writable } from "node:stream";
import { drained } from "./data-file";

const BLOCK = 512;

function octal(value: number, width: number): string {
  return value.toString(8).padStart(width - 1, "0") + "\0";
}

export function tarHeader(name: string, size: number, mtime: Date): Buffer {
  const header = Buffer.alloc(BLOCK, 0);
  const nameBytes = Buffer.from(name, "utf8");
  if (nameBytes.length > 100) throw new Error(`tar: name too long: ${name}`);
  nameBytes.copy(header, 0);
  header.write(octal(0o644, 8), 100, "ascii");
  header.write(octal(0, 8), 108, "ascii");
  header.write(octal(0, 8), 116, "ascii");
  if (size < 8 ** 11) header.write(octal(size, 12), 124, "ascii");
  else {
    // GNU base-256: high bit set, big-endian value in the remaining bytes.
    header[124] = 0x80;
    let v = BigInt(size);
    for (let i = 135; i > 124; i--) {
      header[i] = Number(v & 0xffn);
      v >>= 8n;
    }
  }
  header.write(octal(Math.floor(mtime.getTime() / 1000), 12), 136, "ascii");
  header.write("        ", 148, "ascii"); // checksum field counts as spaces
  header.write("0", 156, "ascii");
  header.write("ustar\0", 257, "ascii");
  header.write("00", 263, "ascii");
  header.write("gatehouse", 265, "ascii");
  header.write("gatehouse", 297, "ascii");
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += header[i]!;
  header.write(sum.toString(8).padStart(6, "0") + "\0 ", 148, "ascii");
  return header;
}

function write(out: Writable, chunk: Buffer): Promise<void> {
  return out.write(chunk) ? Promise.resolve() : drained(out);
}

/** Streams files into `out` as one tar archive (then two zero blocks); ends nothing. */
export async function writeTar(out: Writable, files: { name: string; path: string; size: number }[], mtime: Date) {
  for (const file of files) {
    await write(out, tarHeader(file.name, file.size, mtime));
    let written = 0;
    for await (const chunk of createReadStream(file.path, { highWaterMark: 1 << 20 })) {
      written += (chunk as Buffer).length;
      await write(out, chunk as Buffer);
    }
    if (written !== file.size) throw new Error(`tar: ${file.name} changed size while archiving`);
    const pad = (BLOCK - (file.size % BLOCK)) % BLOCK;
    if (pad) await write(out, Buffer.alloc(pad, 0));
  }
  await write(out, Buffer.alloc(BLOCK * 2, 0));
}
