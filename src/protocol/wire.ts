/** Types shared by the codecs and their callers (the gateway). Nothing here does I/O. */

/** The services Rolecall answers, by SigV4 signing name. */
export type ServiceName = 'iam' | 'sts' | 'cloudtrail' | 'accessanalyzer';

/** One row of a generated error table: what AWS sends for a modeled error code. */
export interface ModeledErrorSpec {
  status: number;
  /** true: `<Type>Sender</Type>` (the client's fault); false: `Receiver`. */
  sender: boolean;
  /** The model's exception shape (the SDKs name their exception classes after it). */
  shape?: string;
}

/**
 * An error to render. `status` and `sender` default to the service's table entry for `code`,
 * else 400 and Sender. `AwsError` from src/domain fits this shape as it is. An absent
 * `message` renders no `<Message>` element (AWS does that for some `MalformedInput` answers).
 */
export interface WireError {
  code: string;
  message?: string | undefined;
  status?: number;
  sender?: boolean;
}

/** Bytes to put on the wire, ready for node:http (`res.writeHead(status, headers).end(body)`). */
export interface WireResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** What decoding a request gives the gateway: a validated input, or the error to answer with. */
export type Decoded<I = Record<string, unknown>> =
  | { ok: true; service: ServiceName; operation: string; input: I }
  | { ok: false; service: ServiceName | undefined; operation?: string; error: WireError };

/** Decoded request parameters of the awsQuery protocol: name -> first value sent. */
export type QueryParams = ReadonlyMap<string, string>;
