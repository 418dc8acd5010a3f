import { Writable } from 'node:stream';
import { assemble, type Assembled } from '../../../api/assembly';
import { createLogger } from '../../../api/logger';

function recordingLogger(lines: string[]) {
  return createLogger(
    'info',
    new Writable({
      write(chunk: Buffer, _encoding, callback) {
        lines.push(chunk.toString('utf8'));
        callback();
      },
    }),
  );
}

/** A module that records its start and stop, made of two parts started in place. */
function recordingModule(
  name: string,
  events: string[],
  logger: ReturnType<typeof createLogger>,
  failAfterFirstPart = false,
): Promise<Assembled<string>> {
  return assemble(logger, async (parts) => {
    events.push(`start ${name}.a`);
    parts.onStop(`${name}.a`, () => void events.push(`stop ${name}.a`));
    if (failAfterFirstPart) throw new Error(`${name} failed to start`);
    events.push(`start ${name}.b`);
    parts.onStop(`${name}.b`, async () => void events.push(`stop ${name}.b`));
    return name;
  });
}

describe('assembly of modules', () => {
  it('starts modules in order, hands on what each provides, and stops them in reverse', async () => {
    const events: string[] = [];
    const logger = recordingLogger([]);
    const { provides, stop } = await assemble(logger, async (modules) => {
      const first = await modules.start('first', () => recordingModule('first', events, logger));
      const second = await modules.start('second', () => recordingModule(`second-after-${first}`, events, logger));
      return [first, second];
    });
    expect(provides).toEqual(['first', 'second-after-first']);
    await stop();
    expect(events).toEqual([
      'start first.a',
      'start first.b',
      'start second-after-first.a',
      'start second-after-first.b',
      'stop second-after-first.b',
      'stop second-after-first.a',
      'stop first.b',
      'stop first.a',
    ]);
  });

  it('stops everything started so far when a start fails half-way, and passes the error on', async () => {
    const events: string[] = [];
    const logger = recordingLogger([]);
    const started = assemble(logger, async (modules) => {
      await modules.start('first', () => recordingModule('first', events, logger));
      await modules.start('second', () => recordingModule('second', events, logger, true));
      await modules.start('third', () => recordingModule('third', events, logger));
    });
    await expect(started).rejects.toThrow('second failed to start');
    expect(events).toEqual(['start first.a', 'start first.b', 'start second.a', 'stop second.a', 'stop first.b', 'stop first.a']);
  });

  it('logs a part that fails to stop and still stops the rest', async () => {
    const events: string[] = [];
    const lines: string[] = [];
    const logger = recordingLogger(lines);
    const { stop } = await assemble(logger, async (parts) => {
      parts.onStop('kept', () => void events.push('stop kept'));
      parts.onStop('broken', () => {
        throw new Error('cannot stop');
      });
    });
    await stop();
    expect(events).toEqual(['stop kept']);
    expect(lines.some((line) => line.includes('error while closing') && line.includes('"part":"broken"'))).toBe(true);
  });
});
