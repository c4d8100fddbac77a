// PBOC second-generation personal credit reporting (二代征信): records, codes, validation, the file.
export * from './report-date.ts';
export * from './segments.ts';
export * from './status.ts';
export * from './validate.ts';
export * from './xml.ts';
