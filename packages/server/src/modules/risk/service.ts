import type { DB, Tx } from '../../platform/db.ts';
import { applicationView } from './applications.ts';

// The risk module's public service for other modules.

/** The risk grade an application was decided with (null when the decision gave none). */
export async function gradeOfApplication(db: DB | Tx, applicationId: string): Promise<string | null> {
  return (await applicationView(db, applicationId)).decision.grade;
}
