// Turns an HTTP request into a validated CloudEvent (binary or structured mode), or an HttpError naming the problem.
import type { IncomingHttpHeaders } from 'node:http';
import { CloudEvent, ValidationError } from 'cloudevents';
import { HttpError, badRequest } from './http-error.ts';
import { MAX_DATA_DEPTH, findTooDeep } from './json-depth.ts';

const STRUCTURED = 'application/cloudevents+json';
const BATCH = 'application/cloudevents-batch+json';
const REQUIRED = ['specversion', 'id', 'source', 'type'] as const;
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

function mediaType(headers: IncomingHttpHeaders): string {
  return (headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
}

function validationDetails(error: ValidationError): string[] {
  const errors = (error as { errors?: unknown[] }).errors ?? [];
  return errors.map((e) => (typeof e === 'string' ? e : JSON.stringify(e)));
}

/** The structured envelope with data_base64 decoded into data when it holds JSON, so both forms are checked alike. */
function decodeBase64Data(envelope: Record<string, unknown>): Record<string, unknown> {
  if (!('data_base64' in envelope)) return envelope;
  const { data_base64: encoded, ...rest } = envelope;
  if ('data' in envelope) throw badRequest('invalid CloudEvent: both data and data_base64 are set');
  const contentType = String(envelope.datacontenttype ?? 'application/json').split(';')[0]!.trim().toLowerCase();
  if (contentType !== 'application/json' && !contentType.endsWith('+json')) {
    throw new HttpError(415, `unsupported datacontenttype "${contentType}" for data_base64: use application/json`);
  }
  if (typeof encoded !== 'string' || !BASE64.test(encoded)) throw badRequest('invalid CloudEvent: data_base64 is not a base64 string');
  try {
    return { ...rest, data: JSON.parse(Buffer.from(encoded, 'base64').toString('utf8')) as unknown };
  } catch (error) {
    throw badRequest(`invalid CloudEvent: data_base64 is not valid JSON: ${(error as Error).message}`);
  }
}

/** Deep nesting is refused before the SDK, the schema or a problem's preview of a value walk it recursively. */
function checkDepth(data: unknown): void {
  const tooDeep = findTooDeep(data);
  if (tooDeep) throw badRequest(`invalid data: field ${tooDeep.path} is nested ${tooDeep.depth} deep, over the limit of ${MAX_DATA_DEPTH}`);
}

function parseJson(body: string, what: string): unknown {
  try {
    return JSON.parse(body) as unknown;
  } catch (error) {
    throw badRequest(`${what} is not valid JSON: ${(error as Error).message}`);
  }
}

export function parseEvent(headers: IncomingHttpHeaders, body: string): CloudEvent<unknown> {
  const type = mediaType(headers);
  // The content type decides the mode, as the HTTP binding says: a structured event with a stray ce-* header is still
  // structured.
  const binary = headers['ce-specversion'] !== undefined && type !== STRUCTURED;
  if (type === BATCH) throw new HttpError(415, `batched CloudEvents (${BATCH}) are not supported: send one event per request`);
  if (!binary && type !== STRUCTURED) {
    if (type === '' || type === 'application/json') {
      throw badRequest('not a CloudEvent: binary mode needs ce-specversion, ce-id, ce-type and ce-source headers, structured mode needs content-type application/cloudevents+json');
    }
    throw new HttpError(415, `unsupported content type "${type}": use application/cloudevents+json (structured) or ce-* headers with application/json (binary)`);
  }
  if (binary && type !== '' && type !== 'application/json' && !type.endsWith('+json')) {
    throw new HttpError(415, `unsupported content type "${type}" for event data: use application/json`);
  }
  if (!binary && body.trim() === '') throw badRequest('structured-mode event has an empty body');
  // Binary mode without a content type carries no JSON to check; the SDK takes its body as it is.
  const json = (binary && type === '') || body.trim() === '' ? undefined : parseJson(body, 'body');
  let structured: Record<string, unknown> | undefined;
  if (binary) {
    checkDepth(json);
  } else {
    const envelope = typeof json === 'object' && json !== null && !Array.isArray(json) ? (json as Record<string, unknown>) : {};
    structured = decodeBase64Data(envelope);
    checkDepth(structured.data);
  }
  // The SDK invents a missing id and time, so the required attributes are checked on the wire form.
  for (const attr of REQUIRED) {
    const value = binary ? headers[`ce-${attr}`] : structured?.[attr];
    if (typeof value !== 'string' || value === '') throw badRequest(`invalid CloudEvent: missing required attribute "${attr}"`);
  }
  const specversion = binary ? headers['ce-specversion'] : structured?.specversion;
  if (specversion !== '1.0') throw badRequest(`invalid CloudEvent: unsupported specversion ${JSON.stringify(specversion)} (expected "1.0")`);
  return toValidEvent(binary ? binaryAttributes(headers, type === '' ? (body === '' ? undefined : body) : json) : structured!);
}

/** Binary mode as the HTTP binding maps it: every ce-* header an attribute (an extension when it is no core one), the
 *  content type the datacontenttype, the body the data (JSON already parsed and checked above). */
function binaryAttributes(headers: IncomingHttpHeaders, data: unknown): Record<string, unknown> {
  const attributes: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (name.startsWith('ce-') && value !== undefined) attributes[name.slice(3)] = Array.isArray(value) ? value.join(',') : value;
  }
  if (headers['content-type'] !== undefined) attributes.datacontenttype = headers['content-type'];
  if (data !== undefined) attributes.data = data;
  return attributes;
}

/** One validation, against the specification's schema: the body was parsed once above, and the SDK's own HTTP
 *  parsing would parse it again and build its errors eagerly on every event. */
function toValidEvent(attributes: Record<string, unknown>): CloudEvent<unknown> {
  // JSON.parse makes "__proto__" an own key; handed to the SDK it would replace the event's prototype.
  if (Object.hasOwn(attributes, '__proto__')) throw badRequest('invalid CloudEvent: attribute "__proto__" is not allowed');
  // The SDK takes an empty time for "now": the sender's mistake would pass unnoticed.
  if (attributes.time === '') throw badRequest('invalid CloudEvent: attribute "time" is empty');
  try {
    const event = new CloudEvent<unknown>(attributes as ConstructorParameters<typeof CloudEvent<unknown>>[0], false);
    event.validate();
    return event;
  } catch (error) {
    if (error instanceof HttpError) throw error;
    if (error instanceof ValidationError) throw badRequest(`invalid CloudEvent: ${error.message}`, validationDetails(error));
    throw badRequest(`invalid CloudEvent: ${(error as Error).message}`);
  }
}
