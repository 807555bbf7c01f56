// Errors that carry the HTTP status they mean: bad input is 4xx and final, a dependency down is 5xx and retried.
export class HttpError extends Error {
  readonly status: number;
  readonly details: readonly string[];
  constructor(status: number, message: string, details: string[] = []) {
    super(message);
    this.name = 'HttpError';
    this.status = status;
    this.details = details;
  }
}

export const badRequest = (message: string, details: string[] = []) => new HttpError(400, message, details);
/** Final like 400, but the request itself was fine: what it asks for cannot be done as configured. */
export const unprocessable = (message: string, details: string[] = []) => new HttpError(422, message, details);
export const unavailable = (message: string) => new HttpError(503, message);
