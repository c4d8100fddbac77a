import { getBusinessDate } from '../../platform/business-date.ts';
import { AppError } from '../../platform/errors.ts';
import { queryRoute } from '../../platform/http/route.ts';
import { decodeStatementCursor, encodeStatementCursor } from './cursor.ts';
import {
  accountListQuerySchema,
  accountListSchema,
  accountParamsSchema,
  accountQuerySchema,
  accountSchema,
  entryListQuerySchema,
  entryListSchema,
  entryParamsSchema,
  entrySchema,
  loanBalanceQuerySchema,
  loanBalanceSchema,
  loanParamsSchema,
  statementQuerySchema,
  statementSchema,
  trialBalanceQuerySchema,
  trialBalanceSchema,
} from './schemas.ts';
import {
  getAccountBalance,
  getJournalEntry,
  getLoanBalance,
  getStatement,
  getTrialBalance,
  listAccountBalances,
  listJournalEntries,
} from './service.ts';

// The ledger's read API. Every route needs `ledger:read`. No route posts directly: modules post
// through the service in their own transactions, and manual entries are requested through
// maker-checker (manual-journals.ts).

const tags = ['ledger'];

export const ledgerRoutes = [
  queryRoute({
    method: 'GET',
    url: '/api/v1/ledger/accounts',
    permission: 'ledger:read',
    summary: 'The chart of accounts with balances',
    description:
      'Every ledger account with its debit and credit totals and its balance, now or at the end of a business date.',
    tags,
    schema: { querystring: accountListQuerySchema, response: { 200: accountListSchema } },
    handler: async ({ db, query }) => ({
      status: 200,
      body: {
        asOf: query.asOf ?? null,
        accounts: await listAccountBalances(db, query.asOf),
      },
    }),
  }),
  queryRoute({
    method: 'GET',
    url: '/api/v1/ledger/accounts/:code',
    permission: 'ledger:read',
    summary: 'One ledger account and its balance',
    tags,
    schema: {
      params: accountParamsSchema,
      querystring: accountQuerySchema,
      response: { 200: accountSchema },
    },
    handler: async ({ db, params, query }) => ({
      status: 200,
      body: await getAccountBalance(db, params.code, query.currency, query.asOf),
    }),
  }),
  queryRoute({
    method: 'GET',
    url: '/api/v1/ledger/accounts/:code/statement',
    permission: 'ledger:read',
    summary: 'Account statement with running balance',
    description:
      'The lines of one account between two business dates (inclusive) in posting order, each with the balance after it; ' +
      'pass `nextCursor` as `cursor` for the next page.',
    tags,
    schema: {
      params: accountParamsSchema,
      querystring: statementQuerySchema,
      response: { 200: statementSchema },
    },
    handler: async ({ db, params, query }) => {
      if (query.from > query.to) {
        throw new AppError('validation_failed', 'from must not be after to.', {
          errors: [{ in: 'query', path: 'from', message: 'must not be after to' }],
        });
      }
      const cursor = query.cursor === undefined ? undefined : decodeStatementCursor(query.cursor);
      if (query.cursor !== undefined && cursor === undefined) {
        throw new AppError('validation_failed', 'The cursor is not one this API returned.', {
          errors: [{ in: 'query', path: 'cursor', message: 'is not valid' }],
        });
      }
      const statement = await getStatement(db, { code: params.code, ...query, cursor });
      return {
        status: 200,
        body: {
          ...statement,
          nextCursor: statement.nextCursor === null ? null : encodeStatementCursor(statement.nextCursor),
        },
      };
    },
  }),
  queryRoute({
    method: 'GET',
    url: '/api/v1/ledger/entries',
    permission: 'ledger:read',
    summary: 'Journal entries, filtered',
    description:
      'Entries in posting order with their lines, filtered by business-date range, account, loan and event type.',
    tags,
    schema: { querystring: entryListQuerySchema, response: { 200: entryListSchema } },
    handler: async ({ db, query }) => {
      const page = await listJournalEntries(db, {
        from: query.from,
        to: query.to,
        account: query.account === undefined ? undefined : { code: query.account, currency: query.currency },
        loanId: query.loanId,
        eventType: query.eventType,
        afterId: query.after,
        limit: query.limit,
      });
      return {
        status: 200,
        body: {
          entries: page.entries,
          nextAfter: page.nextAfterId,
        },
      };
    },
  }),
  queryRoute({
    method: 'GET',
    url: '/api/v1/ledger/entries/:id',
    permission: 'ledger:read',
    summary: 'One journal entry with its lines',
    tags,
    schema: { params: entryParamsSchema, response: { 200: entrySchema } },
    handler: async ({ db, params }) => ({
      status: 200,
      body: await getJournalEntry(db, params.id),
    }),
  }),
  queryRoute({
    method: 'GET',
    url: '/api/v1/ledger/trial-balance',
    permission: 'ledger:read',
    summary: 'Trial balance per currency',
    description:
      'Every account with activity up to the end of a business date, with debit and credit balances; the totals agree.',
    tags,
    schema: { querystring: trialBalanceQuerySchema, response: { 200: trialBalanceSchema } },
    handler: async ({ db, query }) => ({
      status: 200,
      body: await getTrialBalance(db, query.date ?? (await getBusinessDate(db))),
    }),
  }),
  queryRoute({
    method: 'GET',
    url: '/api/v1/ledger/loans/:loanId/balance',
    permission: 'ledger:read',
    summary: "A loan's ledger balances",
    description:
      'The balance of every account a loan was booked against (principal, interest receivable, …).',
    tags,
    schema: {
      params: loanParamsSchema,
      querystring: loanBalanceQuerySchema,
      response: { 200: loanBalanceSchema },
    },
    handler: async ({ db, params, query }) => ({
      status: 200,
      body: {
        loanId: params.loanId,
        asOf: query.asOf ?? null,
        accounts: await getLoanBalance(db, params.loanId, query.asOf),
      },
    }),
  }),
];
