import { execFile } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** The superuser the local servers are made with, and its password (sent over TCP with scram-sha-256). */
export const localPostgresUser = 'hisaab';
export const localPostgresPassword = 'local-test-password';

/** Where PostgreSQL's server programs are: the newest /usr/lib/postgresql/N/bin, or PATH. */
function serverBinDirectory(): string {
  const root = '/usr/lib/postgresql';
  if (existsSync(root)) {
    const versions = readdirSync(root)
      .filter((name) => /^\d+$/.test(name) && existsSync(join(root, name, 'bin', 'initdb')))
      .sort((first, second) => Number(second) - Number(first));
    const newest = versions[0];
    if (newest !== undefined) return join(root, newest, 'bin');
  }
  return '';
}

const binDirectory = serverBinDirectory();
const program = (name: string): string => (binDirectory === '' ? name : join(binDirectory, name));

/**
 * PostgreSQL refuses to run as root. Tests and benches run as root on CI, so as root the server programs run as
 * the `postgres` user (runuser), in a directory that user owns; as anyone else they run directly.
 */
const asRoot = typeof process.getuid === 'function' && process.getuid() === 0;
const serverUser = 'postgres';

async function runServerProgram(name: string, args: readonly string[], timeoutMs = 60_000): Promise<string> {
  const [file, fileArgs] = asRoot ? ['runuser', ['-u', serverUser, '--', program(name), ...args]] : [program(name), [...args]];
  const { stdout } = await run(file, fileArgs, { timeout: timeoutMs });
  return stdout;
}

/** A loopback TCP port that was free a moment ago. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('expected a TCP address');
  return address.port;
}

function ownedDirectory(prefix: string): string {
  const path = mkdtempSync(join(tmpdir(), prefix));
  if (asRoot) {
    const { uid, gid } = postgresIds();
    chownSync(path, uid, gid);
  }
  return path;
}

let cachedIds: { uid: number; gid: number } | null = null;
function postgresIds(): { uid: number; gid: number } {
  if (cachedIds !== null) return cachedIds;
  // /etc/passwd names the user; no library needed for one line of it.
  const line = readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .find((entry) => entry.startsWith(`${serverUser}:`));
  if (line === undefined) throw new Error(`running as root needs a "${serverUser}" user to run PostgreSQL as; none exists`);
  const fields = line.split(':');
  cachedIds = { uid: Number(fields[2]), gid: Number(fields[3]) };
  return cachedIds;
}

export type LocalPostgresOptions = {
  /** fsync and synchronous_commit stay on unless a test that only checks logic turns them off for speed. */
  durable?: boolean;
  /** Extra `-c name=value` settings for the server. */
  settings?: Record<string, string>;
};

/** One PostgreSQL server on loopback, in a temporary directory of its own, removed by `remove`. */
export class LocalPostgres {
  private constructor(
    readonly directory: string,
    readonly dataDirectory: string,
    readonly port: number,
    private readonly settings: Record<string, string>,
  ) {}

  /** postgres://user:password@127.0.0.1:port/database */
  url(database = 'postgres'): string {
    return `postgres://${localPostgresUser}:${localPostgresPassword}@127.0.0.1:${this.port}/${database}`;
  }

  /** Makes a fresh cluster (initdb) and starts it. */
  static async create(options: LocalPostgresOptions = {}): Promise<LocalPostgres> {
    const directory = ownedDirectory('hisaab-pg-');
    const dataDirectory = join(directory, 'data');
    const passwordFile = join(directory, 'password');
    writeFileSync(passwordFile, `${localPostgresPassword}\n`, { mode: 0o600 });
    if (asRoot) chownSync(passwordFile, postgresIds().uid, postgresIds().gid);
    await runServerProgram('initdb', [
      '-D',
      dataDirectory,
      '-U',
      localPostgresUser,
      `--pwfile=${passwordFile}`,
      '--auth-local=trust',
      '--auth-host=scram-sha-256',
      '--no-sync',
      '-E',
      'UTF8',
      '--locale=C',
    ]);
    rmSync(passwordFile);
    const durable = options.durable ?? true;
    const settings: Record<string, string> = {
      listen_addresses: '127.0.0.1',
      unix_socket_directories: directory,
      fsync: durable ? 'on' : 'off',
      synchronous_commit: durable ? 'on' : 'off',
      full_page_writes: durable ? 'on' : 'off',
      max_connections: '50',
      shared_buffers: '32MB',
      ...options.settings,
    };
    const server = new LocalPostgres(directory, dataDirectory, await freePort(), settings);
    await server.start();
    return server;
  }

  /**
   * A streaming standby of this server (pg_basebackup -R), started on a port of its own. With `synchronous` the
   * primary waits for it to confirm every commit (synchronous_standby_names names it).
   */
  async createStandby(name: string): Promise<LocalPostgres> {
    const directory = ownedDirectory('hisaab-pg-standby-');
    const dataDirectory = join(directory, 'data');
    await runServerProgram('pg_basebackup', [
      '-D',
      dataDirectory,
      '-h',
      '127.0.0.1',
      '-p',
      String(this.port),
      '-U',
      localPostgresUser,
      '-R',
      '-X',
      'stream',
      '-c',
      'fast',
      '-d',
      `host=127.0.0.1 port=${this.port} user=${localPostgresUser} password=${localPostgresPassword} application_name=${name}`,
    ]);
    const standby = new LocalPostgres(directory, dataDirectory, await freePort(), { ...this.settings, unix_socket_directories: directory });
    await standby.start();
    return standby;
  }

  async start(): Promise<void> {
    const settingArgs = Object.entries(this.settings)
      .map(([name, value]) => `-c ${name}=${value}`)
      .join(' ');
    await runServerProgram('pg_ctl', [
      '-D',
      this.dataDirectory,
      '-l',
      join(this.directory, 'server.log'),
      '-o',
      `-p ${this.port} ${settingArgs}`,
      '-w',
      '-t',
      '60',
      'start',
    ]);
  }

  /** Runs SQL through psql on the server's socket (no password needed there). */
  async sql(statement: string, database = 'postgres'): Promise<string> {
    return runServerProgram('psql', [
      '-h',
      this.directory,
      '-p',
      String(this.port),
      '-U',
      localPostgresUser,
      '-d',
      database,
      '-X',
      '-A',
      '-t',
      '-v',
      'ON_ERROR_STOP=1',
      '-c',
      statement,
    ]);
  }

  async promote(): Promise<void> {
    await runServerProgram('pg_ctl', ['-D', this.dataDirectory, '-w', '-t', '60', 'promote']);
  }

  /** The postmaster's process id (first line of postmaster.pid). */
  async pid(): Promise<number> {
    return Number(readFileSync(join(this.dataDirectory, 'postmaster.pid'), 'utf8').split('\n')[0]);
  }

  /** SIGKILL to the postmaster and every backend: the machine died, nothing was flushed on the way out. */
  async kill(): Promise<void> {
    const postmaster = await this.pid();
    try {
      await run('pkill', ['-KILL', '-P', String(postmaster)]);
    } catch {
      // No children left is not an error here.
    }
    try {
      process.kill(postmaster, 'SIGKILL');
    } catch {
      // Already gone.
    }
  }

  async stop(): Promise<void> {
    try {
      await runServerProgram('pg_ctl', ['-D', this.dataDirectory, '-m', 'immediate', '-w', '-t', '30', 'stop']);
    } catch {
      // A server killed or never started has nothing to stop.
    }
  }

  /** Stops the server and removes its directory. */
  async remove(): Promise<void> {
    await this.stop();
    rmSync(this.directory, { recursive: true, force: true });
  }
}
