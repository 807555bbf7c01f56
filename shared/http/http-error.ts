// Errors that carry the HTTP status they mean: bad input is 4xx and final, a dependency down is 5xx and retried.
/** The dependency whose failure an answer reports, for the error counters (a verb, never the error's text). */
export type Dependency = { kind: 'redis' } | { kind: 'kubernetes'; verb: string };

export class HttpError extends Error {
  readonly status: number;
  readonly details: readonly string[];
  readonly dependency: Dependency | undefined;
  constructor(status: number, message: string, details: string[] = [], dependency?: Dependency) {
    super(message);
    this.name = 'HttpError';
    this.status = status;
    this.details = details;
    this.dependency = dependency;
  }
}

export const badRequest = (message: string, details: string[] = []) => new HttpError(400, message, details);
/** Final like 400, but the request itself was fine: what it asks for cannot be done as configured. */
export const unprocessable = (message: string, details: string[] = []) => new HttpError(422, message, details);
export const unavailable = (message: string, dependency?: Dependency) => new HttpError(503, message, [], dependency);
