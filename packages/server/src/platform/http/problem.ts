import { randomUUID } from 'node:crypto';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import type { z } from 'zod';
import { concurrentConflict, isConflict } from '../db-errors.ts';
import {
  AppError,
  errorCatalogue,
  type FieldError,
  type Problem,
  problemOf,
  problemTypeBase,
} from '../errors.ts';

// Every error leaves the server as application/problem+json (RFC 9457), mapped here once.

export const problemContentType = 'application/problem+json; charset=utf-8';

type ValidationLocation = NonNullable<FieldError['in']>;

/** Thrown by our validator compiler; carries Zod's issues for the field-error list. */
export class RequestValidationError extends Error {
  readonly issues: z.core.$ZodIssue[];
  readonly statusCode = 400;
  validationContext?: string;

  constructor(issues: z.core.$ZodIssue[]) {
    super('request validation failed');
    this.issues = issues;
  }
}

const locationOf: Record<string, ValidationLocation> = {
  body: 'body',
  querystring: 'query',
  params: 'params',
  headers: 'headers',
};

export function fieldErrors(issues: z.core.$ZodIssue[], location?: ValidationLocation): FieldError[] {
  const at = location === undefined ? {} : { in: location };
  const joined = (path: readonly PropertyKey[]) => path.map(String).join('.');
  return issues.flatMap((issue): FieldError[] =>
    // Unknown fields are refused on every route (docs/api/README.md): one error per field, at its path.
    issue.code === 'unrecognized_keys'
      ? issue.keys.map((key) => ({
          ...at,
          path: joined([...issue.path, key]),
          message: 'is not a field of this request (unknown fields are refused)',
          code: 'unknown_field',
        }))
      : [{ ...at, path: joined(issue.path), message: issue.message }],
  );
}

function fromFastify(error: FastifyError): AppError | undefined {
  switch (error.code) {
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return new AppError('malformed_json', 'The request body could not be parsed as JSON.');
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return new AppError(
        'malformed_json',
        'The request says it has a JSON body (Content-Type: application/json) but the body is empty.',
      );
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new AppError(
        'unsupported_media_type',
        'Send the request body as JSON with Content-Type: application/json.',
      );
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new AppError('payload_too_large', 'The request body is larger than this server accepts.');
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return new AppError('bad_request', 'The Content-Length header does not match the body.');
    case 'FST_ERR_BAD_URL':
      return new AppError(
        'bad_request',
        'The path is not a valid URL: a percent-escape in it does not decode to UTF-8 text.',
      );
    case 'FST_ERR_MAX_PARAM_LENGTH':
      return new AppError('uri_too_long', 'A path segment is longer than this API accepts (200 characters).');
  }
  if (error instanceof SyntaxError && error.statusCode === 400) {
    return new AppError('malformed_json', 'The request body could not be parsed as JSON.');
  }
  if (typeof error.statusCode === 'number' && error.statusCode >= 400 && error.statusCode < 500) {
    if (error.statusCode === 404) return new AppError('not_found', 'Nothing is here.');
    if (error.statusCode === 413)
      return new AppError('payload_too_large', 'The request body is larger than this server accepts.');
    if (error.statusCode === 415)
      return new AppError(
        'unsupported_media_type',
        'Send the request body as JSON with Content-Type: application/json.',
      );
    return new AppError('bad_request', error.message);
  }
  return undefined;
}

export function sendProblem(reply: FastifyReply, request: FastifyRequest, problem: Problem): FastifyReply {
  const body: Problem = {
    ...problem,
    instance: request.url.split('?')[0] ?? request.url,
    requestId: request.id,
  };
  return reply.status(problem.status).type(problemContentType).send(JSON.stringify(body));
}

/** Fastify's own routing errors (a bad percent-escape, an overlong path parameter), as problems. */
export function frameworkErrorHandler(error: FastifyError, request: FastifyRequest, reply: FastifyReply) {
  reply.header('x-request-id', request.id);
  return errorHandler(error, request, reply);
}

export function errorHandler(
  error: FastifyError | AppError | Error,
  request: FastifyRequest,
  reply: FastifyReply,
) {
  if (error instanceof AppError) {
    if (error.status >= 500) request.log.error({ err: error }, error.detail);
    // A problem that says when to come back says it in Retry-After too (lockouts, busy workers).
    const retry = error.extensions?.retryAfterSeconds;
    if (typeof retry === 'number' && !reply.hasHeader('retry-after'))
      reply.header('retry-after', String(retry));
    return sendProblem(reply, request, problemOf(error));
  }
  if (error instanceof RequestValidationError) {
    const location = locationOf[error.validationContext ?? 'body'];
    const errors = fieldErrors(error.issues, location);
    const summary = errors
      .slice(0, 3)
      .map((e) => `${e.path === '' ? '(root)' : e.path}: ${e.message}`)
      .join('; ');
    return sendProblem(
      reply,
      request,
      problemOf(
        new AppError(
          'validation_failed',
          `The ${location ?? 'request'} is not valid: ${summary}${errors.length > 3 ? '; …' : ''}`,
          { errors },
        ),
      ),
    );
  }
  const mapped = fromFastify(error as FastifyError);
  if (mapped) return sendProblem(reply, request, problemOf(mapped));
  if (isConflict(error)) {
    // A race no store anticipated (a unique key, a deadlock): the request changed nothing and a
    // retry may succeed, so it is a conflict to report, not a crash to hide behind an incident id.
    request.log.warn({ err: error }, 'request lost a race with a concurrent one');
    return sendProblem(reply, request, problemOf(concurrentConflict()));
  }

  // A bug or an outage: log everything under an incident id, tell the client only the id.
  const incidentId = randomUUID();
  request.log.error({ err: error, incidentId }, 'unhandled error');
  const spec = errorCatalogue.internal_error;
  return sendProblem(reply, request, {
    type: `${problemTypeBase}internal_error`,
    title: spec.title,
    status: spec.status,
    code: 'internal_error',
    detail: `Something went wrong on our side. Quote incident ${incidentId} when you contact support.`,
    incidentId,
  });
}
