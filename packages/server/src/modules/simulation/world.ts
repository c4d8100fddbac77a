import { socialCreditCheckCharacter } from '@fenqi/core';
import {
  createQueue,
  createStrategyVersion,
  publishStrategy,
  setQueueMember,
} from '../collections/service.ts';
import { createFunder, requestRuleChange } from '../funding/service.ts';
import type { PartnerScope } from '../iam/service.ts';
import {
  bootstrapAdministrator,
  createStaffUser,
  type NewStaffUser,
  partnerScope,
  requestApproval,
  setUserRolesAction,
  usernameExists,
} from '../iam/service.ts';
import { activateMerchant, createMerchant } from '../merchants/service.ts';
import { createProductDraft, requestProductPublish } from '../products/service.ts';
import { createPolicyDraft, publishPolicyApproval } from '../risk/service.ts';
import {
  bankFunder,
  collectionsQueues,
  collectionsStrategy,
  creditPolicy,
  merchants as merchantSpecs,
  type ProductKey,
  products,
  queueMembers,
  staffUsers,
} from './catalogue.ts';
import {
  approve,
  asStaff,
  command,
  origin,
  type SimulationContext,
  staffCaller,
  staffMember,
} from './context.ts';

// Day zero of the simulated lender, set up as its people would: two administrators bootstrapped
// from the command line (the one privilege the CLI has), every other staff user created by the
// administrator and given a role by maker-checker, then products written by operations and
// published by an approver, the credit policy by the analyst, the bank co-lender and its funding
// rules by finance, the merchants onboarded by operations, and the collections book.

export type SeededMerchant = {
  key: string;
  merchantId: string;
  scope: PartnerScope;
  productCode: string;
  items: readonly string[];
  amountYuan: readonly [number, number];
};

export type World = { merchants: SeededMerchant[]; productCodes: Record<ProductKey, string> };

async function freeUsername(context: SimulationContext, wanted: string): Promise<string> {
  if (!(await usernameExists(context.db, wanted))) return wanted;
  for (let n = 2; ; n += 1) {
    const candidate = `${wanted}-${n}`;
    if (!(await usernameExists(context.db, candidate))) return candidate;
  }
}

async function seedStaff(context: SimulationContext): Promise<void> {
  const { db, config, permissions } = context;
  const admins = staffUsers.filter((user) => (user.roles as readonly string[]).includes('admin'));
  for (const user of admins) {
    const username = await freeUsername(context, user.username);
    const created = await bootstrapAdministrator(db, config, {
      username,
      displayName: user.displayName,
      osUser: 'fenqi-simulate',
    });
    context.created.push(created);
    context.staff.set(user.username, await staffCaller(db, permissions, username, created.user.id));
  }
  const admin = staffMember(context, 'admin');
  for (const user of staffUsers.filter((u) => !(u.roles as readonly string[]).includes('admin'))) {
    const username = await freeUsername(context, user.username);
    const created: NewStaffUser = await command(db, (trx) =>
      createStaffUser(trx, config, {
        username,
        displayName: user.displayName,
        actor: { kind: 'staff', id: admin.userId },
        origin,
      }),
    );
    context.created.push(created);
    const action = context.approvals.get(setUserRolesAction);
    if (action === undefined) throw new Error('IAM declares no role-change action');
    const request = await command(db, (trx) =>
      requestApproval(trx, config, {
        action,
        payload: { userId: created.user.id, roles: [...user.roles] },
        reason: `${user.displayName}: ${user.roles.join(', ')}`,
        maker: asStaff(admin),
        origin,
      }),
    );
    await approve(context, 'security', request.id);
    context.staff.set(user.username, await staffCaller(db, permissions, username, created.user.id));
  }
}

async function seedProducts(context: SimulationContext): Promise<Record<ProductKey, string>> {
  const operator = staffMember(context, 'operator');
  const codes = {} as Record<ProductKey, string>;
  for (const [key, definition] of Object.entries(products) as [ProductKey, (typeof products)[ProductKey]][]) {
    const draft = await command(context.db, (trx) =>
      createProductDraft(trx, { definition, actor: operator.userId }),
    );
    const asked = await command(context.db, (trx) =>
      requestProductPublish(trx, context.config, {
        versionId: draft.id,
        reason: `${definition.name.zh}: launch`,
        maker: asStaff(operator),
        origin,
      }),
    );
    await approve(context, 'approver', asked.approval.id);
    codes[key] = definition.code;
  }
  return codes;
}

async function seedPolicy(context: SimulationContext): Promise<void> {
  const analyst = staffMember(context, 'analyst');
  const draft = await command(context.db, (trx) =>
    createPolicyDraft(trx, { document: creditPolicy(), actor: analyst.userId }),
  );
  const request = await command(context.db, (trx) =>
    requestApproval(trx, context.config, {
      action: publishPolicyApproval,
      payload: { versionId: draft.id, role: 'champion' },
      reason: 'retail credit policy v1',
      maker: asStaff(analyst),
      origin,
    }),
  );
  await approve(context, 'approver', request.id);
}

async function seedFunding(context: SimulationContext): Promise<void> {
  const finance = staffMember(context, 'finance');
  const bank = await command(context.db, (trx) =>
    createFunder(trx, context.config, {
      code: bankFunder.code,
      name: bankFunder.name,
      kind: 'bank',
      quotaMinor: bankFunder.quotaMinor,
      actor: { kind: 'staff', id: finance.userId },
      origin,
    }),
  );
  for (const [productCode, shareBp] of Object.entries(bankFunder.shares)) {
    const request = await command(context.db, (trx) =>
      requestRuleChange(trx, context.config, {
        productCode,
        rule: {
          kind: 'fixed',
          minBankShareBp: 3000,
          funders: [
            { funderId: bank.id, shareBp },
            { funderId: '00000000-0000-4000-8000-000000000001', shareBp: 10_000 - shareBp },
          ],
          reason: `co-lending with ${bankFunder.code}`,
        },
        maker: asStaff(finance),
        origin,
      }),
    );
    // The checker is another person than the maker: the administrator signs the rule off.
    await approve(context, 'admin', request.id);
  }
}

function socialCreditCode(first17: string): string {
  const check = socialCreditCheckCharacter(first17);
  if (check === undefined) throw new Error(`${first17} is not the start of a social credit code`);
  return `${first17}${check}`;
}

async function seedMerchants(context: SimulationContext): Promise<SeededMerchant[]> {
  const operator = staffMember(context, 'operator');
  const actor = { kind: 'staff', id: operator.userId };
  const seeded: SeededMerchant[] = [];
  for (const [i, spec] of merchantSpecs.entries()) {
    const productCode = products[spec.product].code;
    const merchant = await command(context.db, async (trx) => {
      const created = await createMerchant(trx, context.config, {
        name: spec.name,
        legalName: spec.legalName,
        scenario: spec.scenario,
        socialCreditCode: socialCreditCode(spec.creditCode17),
        discountRate: spec.discountRate,
        productCodes: [productCode],
        settlementAccount: {
          accountName: spec.legalName,
          accountNo: `62226000${String(1_000_000_000 + i * 7_919).padStart(11, '0')}`,
          bankName: spec.bankName,
        },
        actor,
        origin,
      });
      return activateMerchant(trx, context.config, {
        merchantId: created.id,
        reason: '合同已签署 contract signed',
        actor,
        origin,
      });
    });
    seeded.push({
      key: spec.key,
      merchantId: merchant.id,
      scope: partnerScope({ kind: 'merchant', id: merchant.id }),
      productCode,
      items: spec.items,
      amountYuan: spec.amountYuan,
    });
  }
  return seeded;
}

async function seedCollections(context: SimulationContext): Promise<void> {
  const operator = staffMember(context, 'operator');
  await command(context.db, async (trx) => {
    for (const queue of collectionsQueues) await createQueue(trx, { code: queue.code, name: queue.name });
    for (const [queue, members] of Object.entries(queueMembers))
      for (const username of members)
        await setQueueMember(trx, {
          queue,
          agentId: staffMember(context, username).userId,
          capacity: 2000,
          active: true,
        });
    const version = await createStrategyVersion(trx, {
      code: 'retail',
      definition: collectionsStrategy,
      createdBy: operator.userId,
    });
    await publishStrategy(trx, { code: 'retail', version: version.version, publishedBy: operator.userId });
  });
}

/** The lender on day zero. */
export async function seedWorld(context: SimulationContext): Promise<World> {
  await seedStaff(context);
  const productCodes = await seedProducts(context);
  await seedPolicy(context);
  await seedFunding(context);
  const merchants = await seedMerchants(context);
  await seedCollections(context);
  return { merchants, productCodes };
}
