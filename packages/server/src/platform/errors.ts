// The one catalogue of error codes the API can return (STYLE.md: "one error catalogue, tested
// against the docs"). Every problem+json response carries one of these codes; docs/api/errors.md
// documents exactly this set, and a test keeps the two in step.

export const problemTypeBase = 'https://fenqi.dev/problems/';

export type ErrorSpec = { status: number; title: string };

export const errorCatalogue = {
  validation_failed: { status: 400, title: 'The request is not valid' },
  malformed_json: { status: 400, title: 'The request body is not valid JSON' },
  bad_request: { status: 400, title: 'The request could not be understood' },
  idempotency_key_missing: { status: 400, title: 'An Idempotency-Key header is required' },
  idempotency_key_invalid: { status: 400, title: 'The Idempotency-Key header is not valid' },
  not_found: { status: 404, title: 'Not found' },
  method_not_allowed: { status: 405, title: 'Method not allowed' },
  idempotency_key_reused: { status: 409, title: 'The Idempotency-Key was already used for a different request' },
  idempotency_key_in_progress: { status: 409, title: 'A request with this Idempotency-Key is still in progress' },
  payload_too_large: { status: 413, title: 'The request body is too large' },
  unsupported_media_type: { status: 415, title: 'The request body has an unsupported media type' },
  rate_limited: { status: 429, title: 'Too many requests' },
  internal_error: { status: 500, title: 'Internal server error' },
  service_unavailable: { status: 503, title: 'The service is not ready' },
} as const satisfies Record<string, ErrorSpec>;

export type ErrorCode = keyof typeof errorCatalogue;

export type FieldError = { path: string; message: string; in?: 'body' | 'query' | 'params' | 'headers' };

/**
 * An expected failure with a catalogue code. Throw it from anywhere; the HTTP layer turns it into
 * application/problem+json once. Bugs are not AppErrors: they surface as 500 with an incident id.
 */
export class AppError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly detail: string;
  readonly errors: FieldError[] | undefined;
  readonly extensions: Record<string, unknown> | undefined;

  constructor(
    code: ErrorCode,
    detail: string,
    options: { errors?: FieldError[]; extensions?: Record<string, unknown>; cause?: unknown } = {},
  ) {
    super(detail, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'AppError';
    this.code = code;
    this.status = errorCatalogue[code].status;
    this.detail = detail;
    this.errors = options.errors;
    this.extensions = options.extensions;
  }
}

export type Problem = {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: ErrorCode;
  instance?: string;
  requestId?: string;
  errors?: FieldError[];
  [extension: string]: unknown;
};

export function problemOf(error: AppError): Problem {
  const spec = errorCatalogue[error.code];
  return {
    ...error.extensions,
    type: `${problemTypeBase}${error.code}`,
    title: spec.title,
    status: spec.status,
    detail: error.detail,
    code: error.code,
    ...(error.errors === undefined ? {} : { errors: error.errors }),
  };
}
