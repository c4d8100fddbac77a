import pg from 'pg';

// Administration of databases on a server (create, drop, copy a template): the test harness and
// the benchmarks make throw-away databases next to the one DATABASE_URL names.

/** The URL of another database on the same server, with the same credentials. */
export function databaseUrlFor(serverUrl: string, database: string): string {
  const url = new URL(serverUrl);
  url.pathname = `/${database}`;
  return url.toString();
}

/** Runs `work` on one short-lived connection (CREATE/DROP DATABASE cannot run in a pool's transaction). */
export async function withClient<T>(url: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}
