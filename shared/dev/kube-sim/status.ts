// Builds the metav1.Status bodies kube-apiserver answers with, and the error type routes throw to send them.

export interface StatusCause {
  reason?: string;
  message?: string;
  field?: string;
}

export interface StatusDetails {
  name?: string;
  group?: string;
  kind?: string;
  uid?: string;
  causes?: StatusCause[];
  retryAfterSeconds?: number;
}

export interface StatusBody {
  kind: 'Status';
  apiVersion: 'v1';
  metadata: Record<string, never>;
  status: 'Success' | 'Failure';
  message?: string;
  reason?: string;
  details?: StatusDetails;
  code: number;
}

export interface GroupResource {
  group: string;
  resource: string;
}

export class ApiError extends Error {
  readonly status: StatusBody;
  constructor(status: StatusBody) {
    super(status.message ?? status.reason ?? `HTTP ${status.code}`);
    this.status = status;
  }
}

function failure(code: number, reason: string, message: string, details?: StatusDetails): ApiError {
  // Key order follows the real server's JSON so raw bodies compare easily.
  const body: StatusBody = {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message,
    reason,
    ...(details ? { details } : {}),
    code,
  };
  return new ApiError(body);
}

export function qualified(gr: GroupResource): string {
  return gr.group === '' ? gr.resource : `${gr.resource}.${gr.group}`;
}

function resourceDetails(gr: GroupResource, name: string): StatusDetails {
  const details: StatusDetails = { name };
  if (gr.group !== '') details.group = gr.group;
  details.kind = gr.resource;
  return details;
}

export function notFound(gr: GroupResource, name: string): ApiError {
  return failure(404, 'NotFound', `${qualified(gr)} "${name}" not found`, resourceDetails(gr, name));
}

export function routeNotFound(): ApiError {
  return failure(404, 'NotFound', 'the server could not find the requested resource', {});
}

export function methodNotAllowed(): ApiError {
  return failure(405, 'MethodNotAllowed', 'the server does not allow this method on the requested resource', {});
}

export function badRequest(message: string): ApiError {
  return failure(400, 'BadRequest', message);
}

export function conflict(gr: GroupResource, name: string, why: string): ApiError {
  return failure(409, 'Conflict', `Operation cannot be fulfilled on ${qualified(gr)} "${name}": ${why}`, resourceDetails(gr, name));
}

export const STALE_OBJECT = 'the object has been modified; please apply your changes to the latest version and try again';

export interface FieldProblem {
  field: string;
  // "FieldValueInvalid", "FieldValueRequired", ...
  reason: string;
  // the text after "<field>: ", e.g. `Invalid value: -1: must be greater than or equal to 0`
  detail: string;
}

// Mirrors errors.NewInvalid: "<Kind.group> "<name>" is invalid: <field errors>".
export function invalid(kind: string, group: string, name: string, problems: FieldProblem[]): ApiError {
  const qualifiedKind = group === '' ? kind : `${kind}.${group}`;
  const texts = problems.map((p) => `${p.field}: ${p.detail}`);
  const aggregate = texts.length === 1 ? texts[0] : `[${texts.join(', ')}]`;
  const details: StatusDetails = {};
  if (name !== '') details.name = name;
  if (group !== '') details.group = group;
  if (kind !== '') details.kind = kind;
  details.causes = problems.map((p) => ({ reason: p.reason, message: p.detail, field: p.field }));
  return failure(422, 'Invalid', `${qualifiedKind} "${name}" is invalid: ${aggregate}`, details);
}

// errors.NewGenericServerResponse(422, ...) drops the server message; kubectl users see exactly this text.
export function genericUnprocessable(): ApiError {
  return failure(422, 'Invalid', 'the server rejected our request due to an error in our request', {});
}

export function tooManyRequests(message: string, causes: StatusCause[]): ApiError {
  return failure(429, 'TooManyRequests', message, { causes });
}

export function unsupportedMediaType(accepted: string[]): ApiError {
  return failure(
    415,
    'UnsupportedMediaType',
    `the body of the request was in an unknown format - accepted media types include: ${accepted.join(', ')}`,
  );
}

export function internalError(message: string): ApiError {
  return failure(500, 'InternalError', `Internal error occurred: ${message}`, { causes: [{ message }] });
}

export function success(code: number): StatusBody {
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', code };
}

/** What an apiserver answers when it cannot serve the request right now (apierrors.NewServiceUnavailable). */
export function serviceUnavailable(): ApiError {
  return failure(503, 'ServiceUnavailable', 'the server is currently unable to handle the request');
}

/** What an apiserver answers when it gave up on a request it did not finish (apierrors.NewTimeoutError). */
export function timeoutStatus(): ApiError {
  return failure(504, 'Timeout', 'Timeout: request did not complete within the allowed duration', { retryAfterSeconds: 1 });
}
