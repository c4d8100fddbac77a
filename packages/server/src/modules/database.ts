import type { Kysely } from 'kysely';
import type { DB } from '../platform/db.ts';
import type { PlatformTables } from '../platform/tables.ts';
import type { BureauTables } from './bureau/tables.ts';
import type { CobTables } from './cob/tables.ts';
import type { CollectionsTables } from './collections/tables.ts';
import type { CreditTables } from './credit/tables.ts';
import type { CustomerTables } from './customers/tables.ts';
import type { FundingTables } from './funding/tables.ts';
import type { IamTables } from './iam/tables.ts';
import type { LedgerTables } from './ledger/tables.ts';
import type { LoanTables } from './loans/tables.ts';
import type { MerchantTables } from './merchants/tables.ts';
import type { NotificationsTables } from './notifications/tables.ts';
import type { PaymentTables } from './payments/tables.ts';
import type { ProductTables } from './products/tables.ts';
import type { BlacklistTables } from './risk/blacklist/tables.ts';
import type { RiskTables } from './risk/tables.ts';
import type { ServicingTables } from './servicing/tables.ts';
import type { SimulationTables } from './simulation/tables.ts';

// The whole schema, composed where the modules are. Module code never uses it: each store types
// its connection with its own tables. Tools and tests that read any table (assertions, the
// benchmark's set-up) take this view of a connection.

export interface Database
  extends PlatformTables,
    IamTables,
    CustomerTables,
    FundingTables,
    CreditTables,
    LedgerTables,
    LoanTables,
    PaymentTables,
    ProductTables,
    RiskTables,
    BlacklistTables,
    MerchantTables,
    ServicingTables,
    CobTables,
    NotificationsTables,
    CollectionsTables,
    BureauTables,
    SimulationTables {}

/** Any connection seen with every table (the same connection; only the compile-time view differs). */
export function wholeSchema(db: DB): Kysely<Database> {
  return db;
}
