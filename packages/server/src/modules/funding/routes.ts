import { z } from 'zod';
import { originOf } from '../../platform/http/origin.ts';
import { commandRoute, queryRoute } from '../../platform/http/route.ts';
import { approvalView, partnerScope, staffOf } from '../iam/service.ts';
import * as s from './schemas.ts';
import * as service from './service.ts';

// Staff manage funders (funding:manage), ask for rule changes that a checker approves at
// POST /api/v1/approvals/{id}/approve (funding:approve), read shares, custody and statements
// (funding:read) and record a custody bank's instruction by hand (funding:custody). A funder's
// API client reads its own statement and — an investor pool's custody bank — opens sub-accounts
// and sends instructions; its funder is the caller (partnerScope), never a path parameter.
// Allocation, release and repayment splits have no route: the loans module calls the service.

const csvContentType = 'text/csv; charset=utf-8' as const;

function csvBody(statement: service.FunderStatement) {
  return {
    fileName: `funder-statement-${statement.funder.code}-${statement.businessDate}.csv`,
    contentType: csvContentType,
    csv: service.funderStatementCsv(statement),
  };
}

type InstructionBody = z.output<typeof s.instructionBody>;

function toInstruction(body: InstructionBody): service.CustodyInstruction {
  const amountMinor = BigInt(body.amountMinor);
  const loan = body.loanId === undefined ? {} : { loanId: body.loanId };
  switch (body.kind) {
    case 'deposit':
      return { instructionId: body.instructionId, kind: 'deposit', amountMinor, to: body.to, ...loan };
    case 'withdrawal':
      return { instructionId: body.instructionId, kind: 'withdrawal', amountMinor, from: body.from, ...loan };
    case 'transfer':
      return {
        instructionId: body.instructionId,
        kind: 'transfer',
        amountMinor,
        from: body.from,
        to: body.to,
        ...loan,
      };
  }
}

const instructionDescription =
  'The custody bank’s instruction id is unique per pool and recorded with the effect: the same instruction again answers 200 with the first result and `replayed: true` (other content: 409 custody_instruction_conflict). A deposit or withdrawal posts its entry on 1002.02; a transfer between two sub-accounts posts none.';

export const fundingRoutes = [
  queryRoute({
    method: 'GET',
    url: '/api/v1/funders',
    permission: 'funding:read',
    summary: 'Every funder: own funds, bank co-lenders, investor pools',
    tags: ['funding'],
    schema: { response: { 200: z.array(s.funderView) } },
    handler: async ({ db }) => ({ status: 200, body: await service.listFunders(db) }),
  }),
  commandRoute({
    method: 'POST',
    url: '/api/v1/funders',
    permission: 'funding:manage',
    summary: 'Add a bank co-lender or an investor pool',
    description: 'Its API keys are IAM api clients with ownerKind `funder` and ownerId = the funder’s id.',
    tags: ['funding'],
    schema: { body: s.createFunderBody, response: { 201: s.funderView } },
    handler: async ({ trx, caller, body, request, services }) => ({
      status: 201,
      body: await service.createFunder(trx, services.config, {
        code: body.code,
        name: body.name,
        kind: body.kind,
        quotaMinor: BigInt(body.quotaMinor),
        custodyBankName: body.custodyBankName,
        actor: { kind: 'staff', id: staffOf(caller).userId },
        origin: originOf(request),
      }),
    }),
  }),
  queryRoute({
    method: 'GET',
    url: '/api/v1/funders/:funderId',
    permission: 'funding:read',
    summary: 'One funder with its quota',
    tags: ['funding'],
    schema: { params: s.funderParams, response: { 200: s.funderView } },
    handler: async ({ db, params }) => ({ status: 200, body: await service.funderById(db, params.funderId) }),
  }),
  commandRoute({
    method: 'PATCH',
    url: '/api/v1/funders/:funderId',
    permission: 'funding:manage',
    summary: 'Change a funder’s name, quota, status or custody bank (audited)',
    description:
      'A quota below what its loans use is refused (funding_quota_below_used); the own funds stay unlimited.',
    tags: ['funding'],
    schema: { params: s.funderParams, body: s.changeFunderBody, response: { 200: s.funderView } },
    handler: async ({ trx, caller, params, body, request, services }) => ({
      status: 200,
      body: await service.changeFunder(trx, services.config, params.funderId, {
        name: body.name,
        quotaMinor: body.quotaMinor === undefined ? undefined : BigInt(body.quotaMinor),
        status: body.status,
        custodyBankName: body.custodyBankName,
        actor: { kind: 'staff', id: staffOf(caller).userId },
        origin: originOf(request),
      }),
    }),
  }),
  queryRoute({
    method: 'GET',
    url: '/api/v1/funding-rules',
    permission: 'funding:read',
    summary: 'Every product’s funding rule in force',
    description: 'A product without a rule is funded 100 % by the own funds (OWN).',
    tags: ['funding'],
    schema: { response: { 200: z.array(s.ruleView) } },
    handler: async ({ db }) => ({ status: 200, body: await service.listRules(db) }),
  }),
  queryRoute({
    method: 'GET',
    url: '/api/v1/funding-rules/:productCode',
    permission: 'funding:read',
    summary: 'A product’s funding rule versions, the one in force first',
    tags: ['funding'],
    schema: { params: s.productParams, response: { 200: s.ruleHistoryView } },
    handler: async ({ db, params }) => ({
      status: 200,
      body: { productCode: params.productCode, versions: await service.ruleHistory(db, params.productCode) },
    }),
  }),
  commandRoute({
    method: 'POST',
    url: '/api/v1/funding-rules/:productCode/change-requests',
    permission: 'funding:manage',
    summary: 'Ask for a new funding rule for a product (maker-checker)',
    description:
      'Checked now as the approval will check it: funders exist, are active and listed once; fixed shares sum to 10,000 bp; a bank co-lender of a co-funded loan has at least `minBankShareBp` (≥ 3000, 2021 co-lending notice); a by-quota rule names only funders with a quota. Refused with 422 funding_rule_invalid and field errors, writing nothing. The rule changes when a different user with funding:approve approves at POST /api/v1/approvals/{id}/approve.',
    tags: ['funding'],
    schema: { params: s.productParams, body: s.ruleChangeBody, response: { 201: approvalView } },
    handler: async ({ trx, caller, params, body, request, services }) => ({
      status: 201,
      body: await service.requestRuleChange(trx, services.config, {
        productCode: params.productCode,
        rule: body,
        maker: staffOf(caller),
        origin: originOf(request),
      }),
    }),
  }),
  queryRoute({
    method: 'GET',
    url: '/api/v1/funding/loans/:loanId',
    permission: 'funding:read',
    summary: 'A loan’s funders and their shares',
    description: 'Empty when the loan was never allocated.',
    tags: ['funding'],
    schema: { params: s.loanParams, response: { 200: s.loanSharesView } },
    handler: async ({ db, params }) => ({
      status: 200,
      body: { loanId: params.loanId, shares: await service.loanShares(db, params.loanId) },
    }),
  }),
  queryRoute({
    method: 'GET',
    url: '/api/v1/funders/:funderId/statements/:date',
    permission: 'funding:read',
    summary: 'A funder’s statement of one business day, read from the ledger by funder',
    tags: ['funding'],
    schema: { params: s.statementParams, response: { 200: s.statementView } },
    handler: async ({ db, params }) => ({
      status: 200,
      body: await service.funderStatement(db, params.funderId, params.date),
    }),
  }),
  queryRoute({
    method: 'GET',
    url: '/api/v1/funders/:funderId/statements/:date.csv',
    permission: 'funding:read',
    summary: 'The same statement rendered as CSV',
    description: 'The API answers JSON only: the file travels as the `csv` string with its name.',
    tags: ['funding'],
    schema: { params: s.statementParams, response: { 200: s.statementCsvView } },
    handler: async ({ db, params }) => ({
      status: 200,
      body: csvBody(await service.funderStatement(db, params.funderId, params.date)),
    }),
  }),
  queryRoute({
    method: 'GET',
    url: '/api/v1/funder/statements/:date',
    permission: 'partner:self',
    summary: 'The calling funder’s own statement of one business day',
    tags: ['funding'],
    schema: { params: s.ownStatementParams, response: { 200: s.statementView } },
    handler: async ({ db, caller, params }) => {
      const funder = await service.ownFunder(db, partnerScope(caller));
      return { status: 200, body: await service.funderStatement(db, funder.id, params.date) };
    },
  }),
  queryRoute({
    method: 'GET',
    url: '/api/v1/funder/statements/:date.csv',
    permission: 'partner:self',
    summary: 'The calling funder’s own statement as CSV',
    tags: ['funding'],
    schema: { params: s.ownStatementParams, response: { 200: s.statementCsvView } },
    handler: async ({ db, caller, params }) => {
      const funder = await service.ownFunder(db, partnerScope(caller));
      return { status: 200, body: csvBody(await service.funderStatement(db, funder.id, params.date)) };
    },
  }),
  queryRoute({
    method: 'GET',
    url: '/api/v1/funders/:funderId/custody',
    permission: 'funding:read',
    summary: 'An investor pool’s custody sub-accounts beside the ledger’s 1002.02 balance for it',
    tags: ['funding'],
    schema: { params: s.funderParams, response: { 200: s.custodyPositionView } },
    handler: async ({ db, params }) => ({
      status: 200,
      body: await service.custodyPosition(db, params.funderId),
    }),
  }),
  commandRoute({
    method: 'POST',
    url: '/api/v1/funders/:funderId/custody/accounts',
    permission: 'funding:manage',
    summary: 'Register a sub-account the custody bank opened (staff)',
    description:
      'The same sub-account again answers 200 with the first; other details: 409 custody_account_conflict.',
    tags: ['funding'],
    schema: {
      params: s.funderParams,
      body: s.custodyAccountBody,
      response: { 200: s.custodyAccountView, 201: s.custodyAccountView },
    },
    handler: async ({ trx, params, body }) => {
      const opened = await service.openCustodyAccount(trx, { funderId: params.funderId, ...body });
      return opened.created ? { status: 201, body: opened.account } : { status: 200, body: opened.account };
    },
  }),
  commandRoute({
    method: 'POST',
    url: '/api/v1/funder/custody/accounts',
    permission: 'partner:self',
    summary: 'Register a sub-account the calling custody bank opened',
    tags: ['funding'],
    schema: {
      body: s.custodyAccountBody,
      response: { 200: s.custodyAccountView, 201: s.custodyAccountView },
    },
    handler: async ({ trx, caller, body }) => {
      const funder = await service.ownFunder(trx, partnerScope(caller));
      const opened = await service.openCustodyAccount(trx, { funderId: funder.id, ...body });
      return opened.created ? { status: 201, body: opened.account } : { status: 200, body: opened.account };
    },
  }),
  commandRoute({
    method: 'POST',
    url: '/api/v1/funders/:funderId/custody/instructions',
    permission: 'funding:custody',
    summary: 'Record a custody bank’s instruction by hand (audited)',
    description: instructionDescription,
    tags: ['funding'],
    schema: {
      params: s.funderParams,
      body: s.instructionBody,
      response: { 200: s.instructionView, 201: s.instructionView },
    },
    handler: async ({ trx, caller, params, body, request, services }) => {
      const result = await service.applyCustodyInstruction(trx, services.config, {
        funderId: params.funderId,
        instruction: toInstruction(body),
        recordedBy: { kind: 'staff', id: staffOf(caller).userId },
        origin: originOf(request),
      });
      return result.replayed ? { status: 200, body: result } : { status: 201, body: result };
    },
  }),
  commandRoute({
    method: 'POST',
    url: '/api/v1/funder/custody/instructions',
    permission: 'partner:self',
    summary: 'The calling custody bank’s instruction for its investor pool',
    description: instructionDescription,
    tags: ['funding'],
    schema: { body: s.instructionBody, response: { 200: s.instructionView, 201: s.instructionView } },
    handler: async ({ trx, caller, body, request, services }) => {
      const funder = await service.ownFunder(trx, partnerScope(caller));
      const result = await service.applyCustodyInstruction(trx, services.config, {
        funderId: funder.id,
        instruction: toInstruction(body),
        recordedBy: { kind: 'funder', id: funder.id },
        origin: originOf(request),
      });
      return result.replayed ? { status: 200, body: result } : { status: 201, body: result };
    },
  }),
];
