import { maskPhone } from '../../../platform/crypto/masking.ts';
import { originOf } from '../../../platform/http/origin.ts';
import { computeRoute, queryRoute } from '../../../platform/http/route.ts';
import {
  borrowerPhone,
  refreshBorrowerTokens,
  requestOtp,
  revokeBorrowerSession,
  verifyOtpAndLogin,
} from '../borrowers.ts';
import * as s from '../schemas.ts';
import { borrowerScope } from '../scope.ts';
import { smsSenderFor } from '../sms.ts';
import { noStore } from './context.ts';
import { sessionIdOf } from './staff-auth.ts';

// Borrower sign-in with phone and one-time code. No Idempotency-Key on these POSTs: tokens are
// never stored in clear, so a response holding them must not be kept for replay.

function tokensBody(tokens: Awaited<ReturnType<typeof verifyOtpAndLogin>>) {
  return { ...tokens, tokenType: 'Bearer' as const };
}

export const borrowerAuthRoutes = [
  computeRoute({
    method: 'POST',
    url: '/api/v1/borrower/otp',
    permission: 'public',
    summary: 'Send a one-time sign-in code to a phone',
    description: `Codes live OTP_TTL_SECONDS and allow OTP_ATTEMPTS_MAX guesses; at most OTP_SENDS_PER_PHONE_MAX codes per phone and OTP_SENDS_PER_IP_MAX per client IP per hour (rate_limited). The answer is the same whether or not the phone has an account. In the demo only (DEMO_SHOW_CODES, refused in production) it also carries the code, demoCode.`,
    tags: ['borrower auth'],
    rateLimit: { max: 10, timeWindowMs: 60_000 },
    schema: { body: s.otpRequestBody, response: { 202: s.otpRequested } },
    handler: async ({ body, request, services }) => ({
      status: 202,
      body: await requestOtp(services.db, services.config, smsSenderFor(services.config, services.logger), {
        phone: body.phone,
        origin: { ...originOf(request), ip: request.ip },
      }),
    }),
  }),
  computeRoute({
    method: 'POST',
    url: '/api/v1/borrower/login',
    permission: 'public',
    summary: 'Sign in with phone and one-time code: access and refresh tokens',
    description:
      'Creates the borrower account on first sign-in. No Idempotency-Key: tokens are never stored in clear.',
    tags: ['borrower auth'],
    rateLimit: { max: 30, timeWindowMs: 60_000 },
    schema: { body: s.borrowerLoginBody, response: { 200: s.borrowerTokens } },
    handler: async ({ body, request, services }) => ({
      status: 200,
      headers: noStore,
      body: tokensBody(
        await verifyOtpAndLogin(services.db, services.config, { ...body, origin: originOf(request) }),
      ),
    }),
  }),
  computeRoute({
    method: 'POST',
    url: '/api/v1/borrower/token',
    permission: 'public',
    summary: 'Exchange a refresh token for new tokens (the refresh token rotates)',
    tags: ['borrower auth'],
    rateLimit: { max: 60, timeWindowMs: 60_000 },
    schema: { body: s.refreshBody, response: { 200: s.borrowerTokens } },
    handler: async ({ body, request, services }) => ({
      status: 200,
      headers: noStore,
      body: tokensBody(
        await refreshBorrowerTokens(services.db, services.config, body.refreshToken, originOf(request)),
      ),
    }),
  }),
  computeRoute({
    method: 'POST',
    url: '/api/v1/borrower/logout',
    permission: 'borrower:self',
    summary: 'End this login (its access and refresh tokens)',
    tags: ['borrower auth'],
    schema: { response: { 200: s.loggedOut } },
    handler: async ({ caller, services }) => {
      await revokeBorrowerSession(services.db, sessionIdOf(caller), 'logout');
      return { status: 200, body: { sessionsRevoked: 1 } };
    },
  }),
  queryRoute({
    method: 'GET',
    url: '/api/v1/borrower/me',
    permission: 'borrower:self',
    summary: 'The signed-in borrower account',
    tags: ['borrower auth'],
    schema: { response: { 200: s.borrowerMe } },
    handler: async ({ caller, db, services }) => {
      const scope = borrowerScope(caller);
      return {
        status: 200,
        body: {
          borrowerId: scope.borrowerId,
          phoneMasked: maskPhone(await borrowerPhone(db, services.config, scope.borrowerId)),
        },
      };
    },
  }),
];
