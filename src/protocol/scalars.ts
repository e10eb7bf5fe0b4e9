/** Text forms of the models' scalar types, shared by the codecs. */

const INT32 = { min: -2147483648n, max: 2147483647n };
const INT64 = { min: -9223372036854775808n, max: 9223372036854775807n };

/**
 * Integer text as Coral (Java) reads it: optional sign, decimal digits, within the type's range
 * (`+900` and `0900` are 900; `900.0`, `abc` and 2147483648 for an integer are refused).
 */
export function parseIntegerText(text: string, type: 'integer' | 'long'): number | undefined {
  if (!/^[+-]?\d+$/.test(text)) return undefined;
  const big = BigInt(text.startsWith('+') ? text.slice(1) : text);
  const range = type === 'integer' ? INT32 : INT64;
  if (big < range.min || big > range.max) return undefined;
  return Number(big);
}

export function parseFloatText(text: string): number | undefined {
  if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(text)) return undefined;
  return Number(text);
}

export function parseBooleanText(text: string): boolean | undefined {
  const t = text.toLowerCase();
  return t === 'true' ? true : t === 'false' ? false : undefined;
}

const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:?\d{2})$/i;

/** ISO 8601 (what both SDKs send in awsQuery) or epoch seconds. */
export function parseTimestampText(text: string): Date | undefined {
  if (ISO.test(text)) {
    const d = new Date(text.toUpperCase().replace(/([+-]\d{2})(\d{2})$/, '$1:$2'));
    return Number.isNaN(d.getTime()) ? undefined : d;
  }
  if (/^[+-]?\d+(\.\d+)?$/.test(text)) return fromEpochSeconds(Number(text));
  return undefined;
}

export function fromEpochSeconds(seconds: number): Date | undefined {
  const d = new Date(Math.round(seconds * 1000));
  return Number.isNaN(d.getTime()) ? undefined : d;
}

/** awsQuery/XML timestamps: ISO 8601 at second precision with `Z`, as IAM and STS send them. */
export { isoSeconds } from '../domain/clock.js';

/** awsJson timestamps: epoch seconds (fractional only when the date has milliseconds). */
export function epochSeconds(d: Date): number {
  return d.getTime() / 1000;
}

export function parseBase64(text: string): Uint8Array | undefined {
  const t = text.replace(/\s+/g, '');
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(t) || t.length % 4 === 1) return undefined;
  return new Uint8Array(Buffer.from(t, 'base64'));
}

export function toBase64(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
}

/** Coerces an output value to a Date: a Date, ISO text or epoch milliseconds. */
export function asDate(value: unknown): Date | undefined {
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? undefined : value;
  if (typeof value === 'string') {
    const d = new Date(value);
    return Number.isNaN(d.getTime()) ? undefined : d;
  }
  if (typeof value === 'number') return new Date(value);
  return undefined;
}
