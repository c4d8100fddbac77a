import type { DB, Tx } from '../../platform/db.ts';
import { applicationView } from './applications.ts';

// The risk module's public service for other modules.

/** The risk grade an application was decided with (null when the decision gave none). */
export async function gradeOfApplication(db: DB | Tx, applicationId: string): Promise<string | null> {
  return (await applicationView(db, applicationId)).decision.grade;
}
// Policies, applications and reviews as the routes use them (for the simulation, docs/simulation.md).
export { type ApplicationView, applicationView, submitApplication } from './applications.ts';
export type { ExternalData } from './external-data.ts';
export { createDraft as createPolicyDraft, publishPolicyApproval } from './policies.ts';
export { type ApplicationFunnel, applicationFunnel } from './reports.ts';
export { claimReview, decideReview, listReviews } from './reviews.ts';
