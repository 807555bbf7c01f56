// Turns an HTTP request into a validated CloudEvent (binary or structured mode), or an HttpError naming the problem.
import type { IncomingHttpHeaders } from 'node:http';
import { CloudEvent, HTTP, ValidationError } from 'cloudevents';
import { HttpError, badRequest } from './http-error.ts';

const STRUCTURED = 'application/cloudevents+json';
const BATCH = 'application/cloudevents-batch+json';
const REQUIRED = ['specversion', 'id', 'source', 'type'] as const;

function mediaType(headers: IncomingHttpHeaders): string {
  return (headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
}

function flatHeaders(headers: IncomingHttpHeaders): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers)) if (v !== undefined) out[k] = Array.isArray(v) ? v.join(',') : v;
  return out;
}

function validationDetails(error: ValidationError): string[] {
  const errors = (error as { errors?: unknown[] }).errors ?? [];
  return errors.map((e) => (typeof e === 'string' ? e : JSON.stringify(e)));
}

export function parseEvent(headers: IncomingHttpHeaders, body: string): CloudEvent<unknown> {
  const type = mediaType(headers);
  const binary = headers['ce-specversion'] !== undefined;
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
  if (type === STRUCTURED || type === 'application/json' || type.endsWith('+json')) {
    if (body.trim() !== '') {
      try {
        JSON.parse(body);
      } catch (error) {
        throw badRequest(`body is not valid JSON: ${(error as Error).message}`);
      }
    } else if (type === STRUCTURED) {
      throw badRequest('structured-mode event has an empty body');
    }
  }
  // The SDK's parser invents a missing id and time, so the required attributes are checked on the wire form.
  const structured = binary ? undefined : (JSON.parse(body) as Record<string, unknown>);
  for (const attr of REQUIRED) {
    const value = binary ? headers[`ce-${attr}`] : structured?.[attr];
    if (typeof value !== 'string' || value === '') throw badRequest(`invalid CloudEvent: missing required attribute "${attr}"`);
  }
  const specversion = binary ? headers['ce-specversion'] : structured?.specversion;
  if (specversion !== '1.0') throw badRequest(`invalid CloudEvent: unsupported specversion ${JSON.stringify(specversion)} (expected "1.0")`);
  let event: CloudEvent<unknown>;
  try {
    const parsed = HTTP.toEvent<unknown>({ headers: flatHeaders(headers), body });
    if (Array.isArray(parsed)) throw badRequest('batched CloudEvents are not supported');
    // toEvent is typed as the plain interface but builds CloudEvent instances.
    event = parsed instanceof CloudEvent ? parsed : new CloudEvent(parsed, false);
  } catch (error) {
    if (error instanceof HttpError) throw error;
    if (error instanceof ValidationError) throw badRequest(`invalid CloudEvent: ${error.message}`, validationDetails(error));
    throw badRequest(`invalid CloudEvent: ${(error as Error).message}`);
  }
  try {
    event.validate();
  } catch (error) {
    if (error instanceof ValidationError) throw badRequest(`invalid CloudEvent: ${error.message}`, validationDetails(error));
    throw badRequest(`invalid CloudEvent: ${(error as Error).message}`);
  }
  return event;
}
