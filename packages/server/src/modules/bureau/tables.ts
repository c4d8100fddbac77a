export interface BureauTables {}
