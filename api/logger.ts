import pino, { type DestinationStream, type Logger } from 'pino';
import { maskSensitiveText } from './log-masking';

export type { Logger } from 'pino';

/** Fields whose whole value is secret wherever they appear in a log object. */
const redactedPaths = [
  'authorization',
  'headers.authorization',
  'req.headers.authorization',
  'key',
  '*.key',
  'signingSecret',
  '*.signingSecret',
  'operatorKey',
  '*.operatorKey',
];

/** Fields that may carry account numbers inside free text (paths, messages): masked, not removed. */
const maskedFields = ['url', 'path', 'message'] as const;

/**
 * JSON logs (pino), one object per line. Keys and secrets are redacted by field; account numbers are masked in
 * the fields that can carry them and in messages. Pass a destination to capture lines (tests).
 */
export function createLogger(level: string, destination?: DestinationStream): Logger {
  const options: pino.LoggerOptions = {
    level,
    base: { service: 'hisaab' },
    timestamp: pino.stdTimeFunctions.isoTime,
    redact: { paths: redactedPaths, censor: '[REDACTED]' },
    formatters: {
      level: (label) => ({ level: label }),
      log: (object) => {
        const masked: Record<string, unknown> = { ...object };
        for (const field of maskedFields) {
          const value = masked[field];
          if (typeof value === 'string') masked[field] = maskSensitiveText(value);
        }
        // Error text can quote what a client sent: mask it like any free text.
        const error = masked.err;
        if (error instanceof Error) {
          const copy = new Error(maskSensitiveText(error.message));
          copy.name = error.name;
          copy.stack = maskSensitiveText(error.stack ?? '');
          masked.err = copy;
        }
        return masked;
      },
    },
    hooks: {
      logMethod(args, method) {
        // The message string is the last string argument; mask it like any free text.
        const masked = args.map((argument) => (typeof argument === 'string' ? maskSensitiveText(argument) : argument));
        return method.apply(this, masked as Parameters<typeof method>);
      },
    },
  };
  return destination ? pino(options, destination) : pino(options);
}
