/** Test helpers: unpack a bundle, change it, pack it again (to prove the verifier notices). */
import { createHash, generateKeyPairSync, type KeyObject } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { gunzipSync, gzipSync } from "node:zlib";
import { manifestText, type SignedManifest } from "@/lib/evidence/format";
import { keyIdOf, publicJwkOf, signText } from "@/lib/evidence/keys";
import { tarHeader } from "@/lib/evidence/tar";

export type Bundle = { prefix: string; files: Map<string, Buffer> };

export function readBundle(file: string): Bundle {
  const tar = gunzipSync(readFileSync(file));
  const files = new Map<string, Buffer>();
  let prefix = "";
  for (let at = 0; at + 512 <= tar.length; ) {
    const header = tar.subarray(at, at + 512);
    if (header.every((b) => b === 0)) break;
    const name = header.toString("utf8", 0, 100).replace(/\0.*$/s, "");
    const size = parseInt(header.toString("ascii", 124, 136).replace(/\0.*$/s, ""), 8);
    [prefix] = name.split("/") as [string];
    files.set(name.split("/")[1]!, Buffer.from(tar.subarray(at + 512, at + 512 + size)));
    at += 512 + Math.ceil(size / 512) * 512;
  }
  return { prefix, files };
}

export function writeBundle(file: string, bundle: Bundle) {
  const parts: Buffer[] = [];
  for (const [name, data] of bundle.files) {
    parts.push(tarHeader(`${bundle.prefix}/${name}`, data.length, new Date(0)), data, Buffer.alloc((512 - (data.length % 512)) % 512));
  }
  parts.push(Buffer.alloc(1024));
  writeFileSync(file, gzipSync(Buffer.concat(parts), { level: 3 }));
}

export const manifestOf = (bundle: Bundle) => JSON.parse(bundle.files.get("manifest.json")!.toString("utf8")) as SignedManifest;

/** Recomputes the manifest's file hashes, sizes and row counts and signs it with `key`. */
export function resign(bundle: Bundle, key: { kid: string; privateKey: KeyObject; publicJwk?: Record<string, unknown> }, edit?: (m: SignedManifest) => void) {
  const { signature: _old, ...manifest } = manifestOf(bundle);
  for (const f of manifest.files) {
    const data = bundle.files.get(f.path)!;
    f.sha256 = createHash("sha256").update(data).digest("hex");
    f.bytes = data.length;
    const lines = data.toString("utf8").split("\n").filter(Boolean).length;
    f.rows = f.path.endsWith(".csv") ? lines - 1 : lines;
  }
  manifest.signing = { alg: "Ed25519", keyId: key.kid };
  if (key.publicJwk) manifest.keys = [...manifest.keys.filter((k) => k.kid !== key.kid), key.publicJwk];
  edit?.(manifest as SignedManifest);
  const signed = { ...manifest, signature: { alg: "Ed25519" as const, keyId: key.kid, value: signText(key.privateKey, manifestText(manifest)) } };
  bundle.files.set("manifest.json", Buffer.from(`${JSON.stringify(signed, null, 2)}\n`));
}

/** A key that is not the instance's: an attacker's. */
export function attackerKey() {
  const { publicKey, privateKey } = generateKeyPairSync("ed25519");
  return { kid: keyIdOf(publicKey), privateKey, publicJwk: publicJwkOf(publicKey) };
}

/** Lines of a bundle file, edited by `fn`. */
export function editLines(bundle: Bundle, name: string, fn: (lines: string[]) => string[]) {
  const lines = bundle.files.get(name)!.toString("utf8").split("\n").filter(Boolean);
  bundle.files.set(name, Buffer.from(fn(lines).map((l) => `${l}\n`).join("")));
}
