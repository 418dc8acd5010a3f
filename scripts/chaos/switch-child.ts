import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

const repositoryRoot = join(__dirname, '..', '..');
/** The tail of each output kept, to show when something breaks. */
const outputKeptBytes = 16 * 1024;

/**
 * The switch as `npm run serve` runs it (`node --import tsx api/main.ts`), in a process group of its own so that a
 * SIGKILL reaches any worker it forked too, as a real crash would. Not through the tsx CLI: its signal relay kills
 * the switch with SIGKILL (exit 143) when the switch does not acknowledge a SIGTERM within 30 ms, which a loaded
 * machine misses, and a graceful stop then becomes a crash.
 */
export class SwitchChild {
  private stderrText = '';
  private stdoutText = '';

  private constructor(
    private readonly process: ChildProcess,
    readonly exited: Promise<number | null>,
  ) {
    process.stderr!.on('data', (chunk: Buffer) => {
      this.stderrText = (this.stderrText + chunk.toString('utf8')).slice(-outputKeptBytes);
    });
  }

  /** Starts the switch and resolves once it logs "listening"; rejects when it exits first or takes longer than timeoutMs. */
  static start(environment: Record<string, string>, timeoutMs: number): Promise<SwitchChild> {
    const child = spawn(process.execPath, ['--import', 'tsx', join(repositoryRoot, 'api', 'main.ts')], {
      cwd: repositoryRoot,
      env: { PATH: process.env.PATH ?? '', ...environment },
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    const switchChild = new SwitchChild(child, exited);
    return new Promise((resolve, reject) => {
      const lines = createInterface({ input: child.stdout });
      const timer = setTimeout(() => {
        switchChild.kill();
        reject(new Error(`the switch did not listen within ${timeoutMs} ms; stderr: ${switchChild.stderrText}`));
      }, timeoutMs);
      void exited.then((code) => {
        clearTimeout(timer);
        reject(new Error(`the switch exited with ${code} before it listened; stderr: ${switchChild.stderrText}`));
      });
      lines.on('line', (line) => {
        switchChild.stdoutText = `${switchChild.stdoutText}${line}\n`.slice(-outputKeptBytes);
        if (!line.includes('"msg":"listening"')) return;
        clearTimeout(timer);
        resolve(switchChild);
      });
    });
  }

  /** Whether the switch is still running, and the last of what it wrote: what a person needs when a check cannot reach it. */
  describe(): string {
    const state =
      this.process.exitCode === null && this.process.signalCode === null
        ? 'running'
        : `exited (${this.process.exitCode ?? this.process.signalCode})`;
    return `the switch is ${state}; the end of its stderr: ${this.stderrText.slice(-2_000)}; of its stdout: ${this.stdoutText.slice(-2_000)}`;
  }

  /** SIGKILL to the whole process group, at once: no handler runs, nothing is flushed. */
  kill(): void {
    const pid = this.process.pid;
    if (pid === undefined) return;
    try {
      globalThis.process.kill(-pid, 'SIGKILL');
    } catch (error) {
      // ESRCH: the group is already gone, which is what a kill wants.
      if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error;
    }
  }

  /** SIGTERM to the switch: it stops gracefully. Resolves with its exit code. */
  terminate(): Promise<number | null> {
    this.process.kill('SIGTERM');
    return this.exited;
  }
}
