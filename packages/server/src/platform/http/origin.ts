import type { FastifyRequest } from 'fastify';

/** Where a request came from, as audit rows and sessions record it. Absent for CLI actions. */
export type Origin = { ip: string | null; requestId: string | null; userAgent?: string | null };

/** The origin of an HTTP request: client IP (behind TRUST_PROXY, the forwarded one), request id, user agent. */
export function originOf(request: FastifyRequest): Origin {
  const userAgent = request.headers['user-agent'];
  return {
    ip: request.ip,
    requestId: request.id,
    userAgent: typeof userAgent === 'string' ? userAgent.slice(0, 300) : null,
  };
}
