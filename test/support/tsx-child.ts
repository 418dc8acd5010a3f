import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

const repositoryRoot = join(__dirname, '..', '..');
const tsxBinary = join(repositoryRoot, 'node_modules', '.bin', 'tsx');

/**
 * A TypeScript child process run with tsx: a real separate process, with its stdout read line by line so a test
 * can act on what the child has acknowledged (and kill it at that moment).
 *
 * tsx runs the script in a node process of its own, under the tsx process: a SIGKILL to tsx's pid would leave
 * the script running, orphaned. So the child gets a process group of its own and `kill` signals the whole group.
 */
export class TsxChild {
  readonly process: ChildProcess;
  readonly lines: string[] = [];
  private stderrText = '';
  private readonly lineListeners = new Set<(line: string) => void>();
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;

  constructor(scriptPath: string, args: readonly string[]) {
    this.process = spawn(tsxBinary, [scriptPath, ...args], { cwd: repositoryRoot, stdio: ['pipe', 'pipe', 'pipe'], detached: true });
    const reader = createInterface({ input: this.process.stdout! });
    reader.on('line', (line) => {
      this.lines.push(line);
      for (const listener of this.lineListeners) listener(line);
    });
    this.process.stderr!.on('data', (chunk: Buffer) => {
      // Bounded: a child that floods stderr must not exhaust the test's memory.
      if (this.stderrText.length < 64 * 1024) this.stderrText += chunk.toString('utf8');
    });
    const closed = new Promise<void>((resolve) => reader.once('close', () => resolve()));
    this.exited = new Promise((resolve) => {
      this.process.once('exit', (code, signal) => {
        // Every line the child wrote before it died has been read once its stdout closes.
        void closed.then(() => resolve({ code, signal }));
      });
    });
  }

  get stderr(): string {
    return this.stderrText;
  }

  /** Resolves with the first line (already read or still to come) that matches; rejects after timeoutMs or on exit. */
  waitForLine(matches: (line: string) => boolean, timeoutMs: number): Promise<string> {
    const seen = this.lines.find(matches);
    if (seen !== undefined) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const finish = (): void => {
        clearTimeout(timer);
        this.lineListeners.delete(listener);
      };
      const listener = (line: string): void => {
        if (!matches(line)) return;
        finish();
        resolve(line);
      };
      const timer = setTimeout(() => {
        finish();
        reject(new Error(`no matching line from the child within ${timeoutMs} ms; stderr: ${this.stderrText}`));
      }, timeoutMs);
      this.lineListeners.add(listener);
      void this.exited.then(() => {
        if (!this.lineListeners.has(listener)) return;
        finish();
        const late = this.lines.find(matches);
        if (late !== undefined) resolve(late);
        else reject(new Error(`the child exited before printing a matching line; stderr: ${this.stderrText}`));
      });
    });
  }

  /** Calls `onLine` for every line from now on; returns the function that stops it. */
  onLine(onLine: (line: string) => void): () => void {
    this.lineListeners.add(onLine);
    return () => this.lineListeners.delete(onLine);
  }

  send(text: string): void {
    this.process.stdin!.write(text);
  }

  /** SIGKILL to the child's whole process group: tsx and the node process running the script die together. */
  kill(): void {
    const pid = this.process.pid;
    if (pid === undefined) return;
    try {
      process.kill(-pid, 'SIGKILL');
    } catch (error) {
      // ESRCH: the group is already gone, which is what a kill wants.
      if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error;
    }
  }
}

export function childScript(name: string): string {
  return join(repositoryRoot, 'test', 'reliability', 'children', name);
}
