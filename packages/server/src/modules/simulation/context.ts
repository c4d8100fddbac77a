import type { Config } from '../../platform/config.ts';
import type { DB, Tx } from '../../platform/db.ts';
import { isRetryableConflict } from '../../platform/db-errors.ts';
import type { Caller } from '../../platform/http/route.ts';
import type { EventConsumer } from '../../platform/outbox/event.ts';
import type { Services } from '../../platform/services.ts';
import type { ApprovalRegistry, PermissionRegistry } from '../iam/service.ts';
import { decideApproval, type NewStaffUser, permissionsOfUser } from '../iam/service.ts';

// What every step of the simulation shares: the services it acts through (their clock follows the
// simulated day), the registries the access layer would use, the staff it acts as, and the
// channel simulator's admin side (the SMS a borrower reads, the bank's balance rules).

/** The channel simulator's operator side: what the borrower's phone and bank account stand for. */
export interface ChannelWorld {
  /** The SMS code the channel sent for a card binding (the borrower reads it off the phone). */
  smsCode(orderNo: string): Promise<string>;
  /** Cards (by their last four digits) whose debits fail for want of money, from now on. */
  setEmptyCards(suffixes: readonly string[]): Promise<void>;
}

export type Staff = { username: string; userId: string; caller: Caller & { permissions: Set<string> } };

export type SimulationContext = {
  services: Services & { clock: () => Date };
  config: Config;
  db: DB;
  approvals: ApprovalRegistry;
  permissions: PermissionRegistry;
  consumers: ReadonlyMap<string, EventConsumer>;
  channel: ChannelWorld;
  seed: number;
  staff: Map<string, Staff>;
  /** Credentials of the staff users created by this run, to be shown once. */
  created: NewStaffUser[];
};

export const origin = { ip: '127.0.0.1', requestId: null, userAgent: 'fenqi-simulate' } as const;

/** One use case in one transaction, retried on a serialization failure or deadlock (as a command route is). */
export async function command<T>(db: DB, work: (trx: Tx) => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await db.transaction().execute(work);
    } catch (error) {
      if (attempt >= 5 || !isRetryableConflict(error)) throw error;
    }
  }
}

export function staffMember(context: SimulationContext, username: string): Staff {
  const member = context.staff.get(username);
  if (member === undefined) throw new Error(`the simulation has no staff user ${username}`);
  return member;
}

/** The staff member as a maker or checker (approvals' Staff). */
export function asStaff(member: Staff): { userId: string; permissions: ReadonlySet<string> } {
  return { userId: member.userId, permissions: member.caller.permissions };
}

/** A staff caller for a user, with the permissions their roles give now. */
export async function staffCaller(
  db: DB | Tx,
  permissions: PermissionRegistry,
  username: string,
  userId: string,
): Promise<Staff> {
  const granted = await permissionsOfUser(db, permissions, userId);
  return { username, userId, caller: { kind: 'staff', id: userId, permissions: granted } };
}

/** The checker approves a request the maker asked for, in the checker's own transaction. */
export async function approve(
  context: SimulationContext,
  checker: string,
  requestId: string,
): Promise<unknown> {
  const member = staffMember(context, checker);
  return command(context.db, async (trx) => {
    const decided = await decideApproval(trx, context.config, context.approvals, {
      id: requestId,
      decision: 'approve',
      note: 'approved (simulated business)',
      checker: asStaff(member),
      origin,
    });
    if (decided.status !== 'approved') throw new Error(`approval ${requestId} is ${decided.status}`);
    return decided.result;
  });
}
