/**
 * OTLP trace export requests (opentelemetry/proto/collector/trace/v1), decoded from
 * protobuf or from OTLP/JSON into one shape. The protobuf reader covers exactly the
 * fields Gatehouse maps (wire types varint, fixed64, length-delimited, fixed32); unknown
 * fields are skipped, as protobuf requires.
 */
import { setOwn } from "../set-own";
import { MAX_JSON_DEPTH } from "@/lib/json/storable";

export type OtlpValue = string | number | boolean | null | OtlpValue[] | { [key: string]: OtlpValue };

export type OtlpSpan = {
  traceId: string; // lowercase hex
  spanId: string;
  parentSpanId: string | null;
  name: string;
  kind: number;
  startNs: bigint;
  endNs: bigint;
  attributes: Record<string, OtlpValue>;
  statusCode: number; // 0 unset, 1 ok, 2 error
  statusMessage: string;
  events: { name: string; timeNs: bigint; attributes: Record<string, OtlpValue> }[];
  resource: Record<string, OtlpValue>;
  scope: { name: string; version: string };
};

export class OtlpDecodeError extends Error {}

// ---------- protobuf wire format ----------

class Reader {
  pos = 0;
  constructor(
    private readonly buf: Uint8Array,
    private readonly end = buf.length,
  ) {}

  get done() {
    return this.pos >= this.end;
  }

  varint(): bigint {
    let result = 0n;
    let shift = 0n;
    for (;;) {
      if (this.pos >= this.end) throw new OtlpDecodeError("truncated varint");
      const byte = this.buf[this.pos++]!;
      result |= BigInt(byte & 0x7f) << shift;
      if (!(byte & 0x80)) return result;
      shift += 7n;
      if (shift > 70n) throw new OtlpDecodeError("varint too long");
    }
  }

  int(): number {
    return Number(this.varint());
  }

  fixed64(): bigint {
    if (this.pos + 8 > this.end) throw new OtlpDecodeError("truncated fixed64");
    const view = new DataView(this.buf.buffer, this.buf.byteOffset + this.pos, 8);
    this.pos += 8;
    return view.getBigUint64(0, true);
  }

  double(): number {
    if (this.pos + 8 > this.end) throw new OtlpDecodeError("truncated double");
    const view = new DataView(this.buf.buffer, this.buf.byteOffset + this.pos, 8);
    this.pos += 8;
    return view.getFloat64(0, true);
  }

  bytes(): Uint8Array {
    const length = this.int();
    if (length < 0 || this.pos + length > this.end) throw new OtlpDecodeError("truncated bytes");
    const out = this.buf.subarray(this.pos, this.pos + length);
    this.pos += length;
    return out;
  }

  string(): string {
    return new TextDecoder().decode(this.bytes());
  }

  /** A nested message: a reader over its bytes. */
  sub(): Reader {
    const bytes = this.bytes();
    return new Reader(bytes);
  }

  tag(): { field: number; wire: number } {
    const key = this.int();
    return { field: key >>> 3, wire: key & 7 };
  }

  skip(wire: number) {
    if (wire === 0) this.varint();
    else if (wire === 1) this.pos += 8;
    else if (wire === 2) this.bytes();
    else if (wire === 5) this.pos += 4;
    else throw new OtlpDecodeError(`unsupported wire type ${wire}`);
    if (this.pos > this.end) throw new OtlpDecodeError("truncated field");
  }
}

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString("hex");

/** Attribute values nested deeper are refused while decoding: the walks after this one recurse. */
function checkDepth(depth: number) {
  if (depth > MAX_JSON_DEPTH) throw new OtlpDecodeError(`attribute values nested deeper than ${MAX_JSON_DEPTH} levels`);
}

function readAnyValue(r: Reader, depth = 1): OtlpValue {
  checkDepth(depth);
  let value: OtlpValue = null;
  while (!r.done) {
    const { field, wire } = r.tag();
    if (field === 1 && wire === 2) value = r.string();
    else if (field === 2 && wire === 0) value = r.varint() !== 0n;
    else if (field === 3 && wire === 0) value = Number(BigInt.asIntN(64, r.varint()));
    else if (field === 4 && wire === 1) value = r.double();
    else if (field === 5 && wire === 2) {
      const list: OtlpValue[] = [];
      const a = r.sub();
      while (!a.done) {
        const t = a.tag();
        if (t.field === 1 && t.wire === 2) list.push(readAnyValue(a.sub(), depth + 1));
        else a.skip(t.wire);
      }
      value = list;
    } else if (field === 6 && wire === 2) {
      const kv: Record<string, OtlpValue> = {};
      const l = r.sub();
      while (!l.done) {
        const t = l.tag();
        if (t.field === 1 && t.wire === 2) {
          const [k, v] = readKeyValue(l.sub(), depth + 1);
          setOwn(kv, k, v);
        } else l.skip(t.wire);
      }
      value = kv;
    } else if (field === 7 && wire === 2) value = Buffer.from(r.bytes()).toString("base64");
    else r.skip(wire);
  }
  return value;
}

function readKeyValue(r: Reader, depth = 1): [string, OtlpValue] {
  let key = "";
  let value: OtlpValue = null;
  while (!r.done) {
    const { field, wire } = r.tag();
    if (field === 1 && wire === 2) key = r.string();
    else if (field === 2 && wire === 2) value = readAnyValue(r.sub(), depth);
    else r.skip(wire);
  }
  return [key, value];
}

function readSpan(r: Reader, resource: Record<string, OtlpValue>, scope: OtlpSpan["scope"]): OtlpSpan {
  const span: OtlpSpan = {
    traceId: "", spanId: "", parentSpanId: null, name: "", kind: 0, startNs: 0n, endNs: 0n, attributes: {},
    statusCode: 0, statusMessage: "", events: [], resource, scope,
  };
  while (!r.done) {
    const { field, wire } = r.tag();
    if (field === 1 && wire === 2) span.traceId = hex(r.bytes());
    else if (field === 2 && wire === 2) span.spanId = hex(r.bytes());
    else if (field === 4 && wire === 2) span.parentSpanId = hex(r.bytes()) || null;
    else if (field === 5 && wire === 2) span.name = r.string();
    else if (field === 6 && wire === 0) span.kind = r.int();
    else if (field === 7 && wire === 1) span.startNs = r.fixed64();
    else if (field === 8 && wire === 1) span.endNs = r.fixed64();
    else if (field === 9 && wire === 2) {
      const [k, v] = readKeyValue(r.sub());
      setOwn(span.attributes, k, v);
    } else if (field === 11 && wire === 2) {
      const e = r.sub();
      const event = { name: "", timeNs: 0n, attributes: {} as Record<string, OtlpValue> };
      while (!e.done) {
        const t = e.tag();
        if (t.field === 1 && t.wire === 1) event.timeNs = e.fixed64();
        else if (t.field === 2 && t.wire === 2) event.name = e.string();
        else if (t.field === 3 && t.wire === 2) {
          const [k, v] = readKeyValue(e.sub());
          setOwn(event.attributes, k, v);
        } else e.skip(t.wire);
      }
      span.events.push(event);
    } else if (field === 15 && wire === 2) {
      const s = r.sub();
      while (!s.done) {
        const t = s.tag();
        if (t.field === 2 && t.wire === 2) span.statusMessage = s.string();
        else if (t.field === 3 && t.wire === 0) span.statusCode = s.int();
        else s.skip(t.wire);
      }
    } else r.skip(wire);
  }
  return span;
}

function readAttributesMessage(r: Reader): Record<string, OtlpValue> {
  const attributes: Record<string, OtlpValue> = {};
  while (!r.done) {
    const { field, wire } = r.tag();
    if (field === 1 && wire === 2) {
      const [k, v] = readKeyValue(r.sub());
      setOwn(attributes, k, v);
    } else r.skip(wire);
  }
  return attributes;
}

/** ExportTraceServiceRequest in protobuf. */
export function decodeProtobuf(buf: Uint8Array): OtlpSpan[] {
  const spans: OtlpSpan[] = [];
  const r = new Reader(buf);
  while (!r.done) {
    const { field, wire } = r.tag();
    if (field !== 1 || wire !== 2) {
      r.skip(wire);
      continue;
    }
    const rs = r.sub(); // ResourceSpans
    let resource: Record<string, OtlpValue> = {};
    const scopeSpans: Reader[] = [];
    while (!rs.done) {
      const t = rs.tag();
      if (t.field === 1 && t.wire === 2) resource = readAttributesMessage(rs.sub());
      else if (t.field === 2 && t.wire === 2) scopeSpans.push(rs.sub());
      else rs.skip(t.wire);
    }
    for (const ss of scopeSpans) {
      const scope = { name: "", version: "" };
      const spanReaders: Reader[] = [];
      while (!ss.done) {
        const t = ss.tag();
        if (t.field === 1 && t.wire === 2) {
          const s = ss.sub();
          while (!s.done) {
            const u = s.tag();
            if (u.field === 1 && u.wire === 2) scope.name = s.string();
            else if (u.field === 2 && u.wire === 2) scope.version = s.string();
            else s.skip(u.wire);
          }
        } else if (t.field === 2 && t.wire === 2) spanReaders.push(ss.sub());
        else ss.skip(t.wire);
      }
      for (const s of spanReaders) spans.push(readSpan(s, resource, scope));
    }
  }
  return spans;
}

// ---------- OTLP/JSON ----------

type JsonAny = {
  stringValue?: string; boolValue?: boolean; intValue?: string | number; doubleValue?: number;
  arrayValue?: { values?: JsonAny[] }; kvlistValue?: { values?: JsonKv[] }; bytesValue?: string;
};
type JsonKv = { key: string; value?: JsonAny };

function jsonValue(v: JsonAny | undefined, depth = 1): OtlpValue {
  checkDepth(depth);
  if (!v) return null;
  if (v.stringValue !== undefined) return v.stringValue;
  if (v.boolValue !== undefined) return v.boolValue;
  if (v.intValue !== undefined) return Number(v.intValue);
  if (v.doubleValue !== undefined) return Number(v.doubleValue);
  if (v.arrayValue) return (v.arrayValue.values ?? []).map((item) => jsonValue(item, depth + 1));
  if (v.kvlistValue) return jsonAttributes(v.kvlistValue.values, depth + 1);
  if (v.bytesValue !== undefined) return v.bytesValue;
  return null;
}

function jsonAttributes(list: JsonKv[] | undefined, depth = 1): Record<string, OtlpValue> {
  const out: Record<string, OtlpValue> = {};
  for (const kv of list ?? []) if (kv && typeof kv.key === "string") setOwn(out, kv.key, jsonValue(kv.value, depth));
  return out;
}

/** OTLP/JSON ids are hex; some producers send base64 (the protobuf JSON mapping): accept both. */
function jsonId(value: unknown, bytes: number): string {
  if (typeof value !== "string" || value === "") return "";
  if (new RegExp(`^[0-9a-fA-F]{${bytes * 2}}$`).test(value)) return value.toLowerCase();
  const decoded = Buffer.from(value, "base64");
  if (decoded.length === bytes) return decoded.toString("hex");
  throw new OtlpDecodeError(`not a ${bytes}-byte id: ${value.slice(0, 40)}`);
}

const nanos = (v: unknown) => {
  try {
    return BigInt(typeof v === "number" ? Math.trunc(v) : typeof v === "string" && v !== "" ? v : 0);
  } catch {
    throw new OtlpDecodeError(`not a time in nanoseconds: ${String(v).slice(0, 40)}`);
  }
};

/** ExportTraceServiceRequest in OTLP/JSON (lowerCamelCase fields, hex ids). */
export function decodeJson(body: unknown): OtlpSpan[] {
  if (!body || typeof body !== "object") throw new OtlpDecodeError("the body is not a JSON object");
  const spans: OtlpSpan[] = [];
  const resourceSpans = (body as { resourceSpans?: unknown }).resourceSpans;
  if (resourceSpans !== undefined && !Array.isArray(resourceSpans)) throw new OtlpDecodeError("resourceSpans must be an array");
  for (const rs of (resourceSpans ?? []) as { resource?: { attributes?: JsonKv[] }; scopeSpans?: unknown[] }[]) {
    const resource = jsonAttributes(rs?.resource?.attributes);
    for (const ss of (rs?.scopeSpans ?? []) as { scope?: { name?: string; version?: string }; spans?: unknown[] }[]) {
      const scope = { name: ss?.scope?.name ?? "", version: ss?.scope?.version ?? "" };
      for (const raw of (ss?.spans ?? []) as Record<string, unknown>[]) {
        const status = (raw.status ?? {}) as { code?: number | string; message?: string };
        const code = typeof status.code === "string" ? { STATUS_CODE_OK: 1, STATUS_CODE_ERROR: 2 }[status.code] ?? 0 : (status.code ?? 0);
        spans.push({
          traceId: jsonId(raw.traceId, 16),
          spanId: jsonId(raw.spanId, 8),
          parentSpanId: jsonId(raw.parentSpanId, 8) || null,
          name: typeof raw.name === "string" ? raw.name : "",
          kind: typeof raw.kind === "number" ? raw.kind : 0,
          startNs: nanos(raw.startTimeUnixNano),
          endNs: nanos(raw.endTimeUnixNano),
          attributes: jsonAttributes(raw.attributes as JsonKv[] | undefined),
          statusCode: code,
          statusMessage: status.message ?? "",
          events: ((raw.events ?? []) as { name?: string; timeUnixNano?: unknown; attributes?: JsonKv[] }[]).map((e) => ({
            name: e.name ?? "",
            timeNs: nanos(e.timeUnixNano),
            attributes: jsonAttributes(e.attributes),
          })),
          resource,
          scope,
        });
      }
    }
  }
  return spans;
}

/** ExportTraceServiceResponse: empty on full success, else partial_success (field 1). */
export function encodeProtobufResponse(rejected: number, message: string): Uint8Array {
  if (rejected === 0) return new Uint8Array();
  const varint = (n: number) => {
    const out: number[] = [];
    let v = n;
    while (v > 0x7f) {
      out.push((v & 0x7f) | 0x80);
      v = Math.floor(v / 128);
    }
    out.push(v);
    return out;
  };
  const text = [...new TextEncoder().encode(message)];
  const inner = [0x08, ...varint(rejected), 0x12, ...varint(text.length), ...text];
  return new Uint8Array([0x0a, ...varint(inner.length), ...inner]);
}
