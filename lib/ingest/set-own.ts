/**
 * `obj[key] = value`, except that a "__proto__" key (JSON.parse and protobuf decoding make
 * it an ordinary key) stays a key: assigned, it would replace the object's prototype and the
 * agent's data would silently disappear from what is stored.
 */
export function setOwn(obj: Record<string, unknown>, key: string, value: unknown) {
  if (key === "__proto__") Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
  else obj[key] = value;
}
