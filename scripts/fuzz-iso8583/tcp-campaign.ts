import fc from 'fast-check';
import { FRAME_BODY_BYTES_MAX } from '../../adapters/iso8583/framing';
import { matchKey, responseMtiFor, type Iso8583Message } from '../../adapters/iso8583/message';
import { unpackMessage } from '../../adapters/iso8583/packager';
import { defaultConnectionLimits } from '../../adapters/iso8583/connection';
import { documentedResponseCodes, expectedOutcome, type ExpectedOutcome } from './documented-rules';
import { framed } from './frame-judge';
import { applyCase, baseFrames, FUZZ_INSTITUTION_ID, fuzzCase, type GeneratedFrame } from './generated-frames';
import { FuzzPeer } from './fuzz-peer';
import { count, type Violation } from './in-process-campaign';

/**
 * The real-TCP phase: the same generated frames written to a running switch's ISO 8583 port by a bank that signed
 * on, one at a time, each followed by an echo (0800/301) as a probe. The server handles a connection's frames in
 * order, so once the probe is answered every synchronous answer to the frame has arrived; a frame answered after
 * an await (a sign-on, whose check reads the participants; a transfer or reversal the handler takes) gets a
 * bounded wait of its own for the answer that matches it. Every answer must be the documented one, in the
 * frame's response class, or the connection dropped for a documented reason (a header over the limit, 64
 * malformed frames in a row); the switch must never go silent on a probe, nor exit.
 */

export type TcpResult = {
  frames: number;
  skipped: number;
  connections: number;
  outcomes: Record<string, number>;
  violationCount: number;
  violations: Violation[];
  elapsedMs: number;
};

type Expectation =
  | { readonly kind: 'close'; readonly reason: string }
  | { readonly kind: 'malformed'; readonly answered: boolean }
  | { readonly kind: 'parsed'; readonly message: Iso8583Message; readonly outcome: ExpectedOutcome };

type Session = { peer: FuzzPeer; signedOn: string | null; malformedInARow: number };

const probeTimeoutMs = 10_000;
const handlerAnswerWaitMs = 3_000;
const violationsKeptMax = 20;
const probeTerminal = 'PROBE001';
const transmission = '1203101530';

export async function runOverTcp(input: {
  frames: number;
  seed: number;
  port: number;
  onProgress?: (done: number) => void;
}): Promise<TcpResult> {
  // Another seed than the in-process phase's, so the TCP frames are not its first frames again.
  const seed = input.seed + 1_000_003;
  const bases = baseFrames(seed, 256);
  const result: TcpResult = { frames: 0, skipped: 0, connections: 0, outcomes: {}, violationCount: 0, violations: [], elapsedMs: 0 };
  const startMs = Date.now();
  const cases = fc.sample(fuzzCase(bases.length), { seed, numRuns: input.frames });
  const outstanding = new Set<string>();
  let session: Session | null = null;
  let probeNumber = 0;
  try {
    for (const fuzz of cases) {
      const frame = applyCase(bases, fuzz);
      if (frame.mutation === 'frame_header' && frame.declaredBytes !== frame.body.length && frame.declaredBytes <= FRAME_BODY_BYTES_MAX) {
        // A header that lies within the limit shifts every later frame: its cases run in-process, one decoder each.
        result.skipped += 1;
        continue;
      }
      session ??= await openSession(input.port, result);
      probeNumber = (probeNumber % 99_999) + 1;
      const problems = await exchangeFrame(session, frame, `9${String(probeNumber).padStart(5, '0')}`, outstanding, result);
      result.frames += 1;
      if (problems.length > 0) {
        result.violationCount += 1;
        if (result.violations.length < violationsKeptMax)
          result.violations.push({ phase: 'tcp', mutation: frame.mutation, frameHex: frame.body.toString('hex'), problems });
      }
      if (session.peer.isClosed) session = null;
      if (result.frames % 1000 === 0) input.onProgress?.(result.frames);
    }
  } finally {
    session?.peer.destroy();
  }
  result.elapsedMs = Date.now() - startMs;
  return result;
}

/** A bank connection, signed on as the fuzzing bank: the switch authorises DE32 600001 from loopback. */
async function openSession(port: number, result: TcpResult): Promise<Session> {
  const peer = await FuzzPeer.connect(port);
  result.connections += 1;
  const signOn = { mti: '0800', fields: { 7: transmission, 11: '800001', 32: FUZZ_INSTITUTION_ID, 41: probeTerminal, 70: '001' } };
  peer.send(signOn);
  const answered = await peer.waitFor((inbox) => inbox.length > 0, probeTimeoutMs);
  const answer = answered ? (await drain(peer))[0] : undefined;
  if (answer?.fields[39] !== '00') throw new Error(`the fuzzing bank could not sign on: ${JSON.stringify(answer)}`);
  return { peer, signedOn: FUZZ_INSTITUTION_ID, malformedInARow: 0 };
}

function expectationFor(frame: GeneratedFrame, session: Session): Expectation {
  if (frame.declaredBytes > FRAME_BODY_BYTES_MAX) return { kind: 'close', reason: 'a header over the limit' };
  const parsed = unpackMessage(frame.body);
  if (!parsed.ok) {
    session.malformedInARow += 1;
    if (session.malformedInARow >= defaultConnectionLimits.malformedFramesInARowMax)
      return { kind: 'close', reason: '64 malformed frames in a row' };
    const mti = parsed.failure.mti;
    return { kind: 'malformed', answered: mti === null || responseMtiFor(mti) !== null };
  }
  session.malformedInARow = 0;
  return { kind: 'parsed', message: parsed.message, outcome: expectedOutcome(parsed.message, session.signedOn) };
}

async function exchangeFrame(
  session: Session,
  frame: GeneratedFrame,
  probeStan: string,
  outstanding: Set<string>,
  result: TcpResult,
): Promise<string[]> {
  const expectation = expectationFor(frame, session);
  const peer = session.peer;
  const probe = { mti: '0800', fields: { 7: transmission, 11: probeStan, 41: probeTerminal, 70: '301' } };
  const isProbeAnswer = (message: Iso8583Message): boolean =>
    message.mti === '0810' && message.fields[11] === probeStan && message.fields[41] === probeTerminal;
  peer.write(framed(frame));
  peer.send(probe);
  const probed = await peer.waitFor((inbox) => inbox.some(isProbeAnswer), probeTimeoutMs);
  if (expectation.kind === 'parsed' && isAnsweredLater(expectation.outcome)) {
    const key = matchKey(responseMtiFor(expectation.message.mti) ?? '', expectation.message.fields);
    await peer.waitFor((inbox) => inbox.some((message) => matchKey(message.mti, message.fields) === key), handlerAnswerWaitMs);
  }
  const answers = await drain(peer);
  const problems: string[] = [];
  const own = answers.filter((message) => !isProbeAnswer(message) && !lateAnswer(message, outstanding, result));
  for (const message of own) {
    const code = message.fields[39] ?? '';
    if (!documentedResponseCodes.has(code)) problems.push(`answered ${code}, which the profile does not document`);
  }
  for (const unparseable of peer.unparseableAnswers.splice(0)) problems.push(`an answer that does not parse: ${unparseable}`);
  if (expectation.kind === 'close') {
    if (!peer.isClosed) await peer.waitFor(() => false, probeTimeoutMs);
    if (!peer.isClosed) problems.push(`the connection stayed open after ${expectation.reason}`);
    count(result.outcomes, `dropped: ${expectation.reason}`);
    return problems;
  }
  if (!probed) {
    problems.push(
      peer.isClosed ? 'the connection was dropped without a documented reason' : `the probe echo went unanswered for ${probeTimeoutMs} ms`,
    );
    return problems;
  }
  if (expectation.kind === 'malformed') {
    judgeCount(own, expectation.answered ? 1 : 0, problems);
    if (expectation.answered && own[0]?.fields[39] !== '30')
      problems.push(`a malformed frame was answered ${JSON.stringify(own[0])}, not 30`);
    count(result.outcomes, expectation.answered ? 'malformed: answered 30' : 'malformed response: not answered');
    return problems;
  }
  judgeParsed(session, expectation.message, expectation.outcome, own, outstanding, result, problems);
  return problems;
}

/** Answered after the server awaited something (the sign-on check, the handler), so possibly after the probe's echo. */
function isAnsweredLater(outcome: ExpectedOutcome): boolean {
  return (
    outcome.kind === 'sign_on' ||
    outcome.kind === 'transfer_request' ||
    outcome.kind === 'financial_advice' ||
    outcome.kind === 'reversal_advice'
  );
}

/** An answer to an earlier frame the handler had not answered within its wait: allowed, counted apart. */
function lateAnswer(message: Iso8583Message, outstanding: Set<string>, result: TcpResult): boolean {
  const key = matchKey(message.mti, message.fields);
  if (!outstanding.has(key)) return false;
  outstanding.delete(key);
  count(result.outcomes, `late handler answer ${message.fields[39] ?? ''}`);
  return true;
}

async function drain(peer: FuzzPeer): Promise<Iso8583Message[]> {
  const drained: Iso8583Message[] = [];
  await peer.waitFor((inbox) => {
    drained.push(...inbox.splice(0));
    return true;
  }, 0);
  return drained;
}

function judgeCount(answers: readonly Iso8583Message[], expected: number, problems: string[]): void {
  if (answers.length !== expected) problems.push(`expected ${expected} answer(s), got ${answers.length}: ${JSON.stringify(answers)}`);
}

function judgeParsed(
  session: Session,
  message: Iso8583Message,
  outcome: ExpectedOutcome,
  answers: readonly Iso8583Message[],
  outstanding: Set<string>,
  result: TcpResult,
  problems: string[],
): void {
  const responseMti = responseMtiFor(message.mti);
  for (const answer of answers)
    if (answer.mti !== responseMti) problems.push(`answered in ${answer.mti}, not ${message.mti}'s response class`);
  const code = answers[0]?.fields[39];
  switch (outcome.kind) {
    case 'ignore':
      judgeCount(answers, 0, problems);
      count(result.outcomes, 'response: not answered');
      return;
    case 'answer':
      judgeCount(answers, 1, problems);
      if (code !== outcome.responseCode) problems.push(`answered ${code ?? 'nothing'}, the documented rules say ${outcome.responseCode}`);
      count(result.outcomes, `answered ${outcome.responseCode}`);
      return;
    case 'sign_on':
    case 'sign_off':
      judgeCount(answers, 1, problems);
      if (code === '00') session.signedOn = outcome.kind === 'sign_on' ? (message.fields[32] ?? null) : null;
      else if (outcome.kind === 'sign_off' || code !== '05') problems.push(`${outcome.kind} answered ${code ?? 'nothing'}`);
      count(result.outcomes, `${outcome.kind}: answered ${code ?? 'nothing'}`);
      return;
    case 'transfer_request':
    case 'financial_advice':
    case 'reversal_advice':
      if (answers.length > 1) judgeCount(answers, 1, problems);
      if (answers.length === 0) outstanding.add(matchKey(responseMti ?? '', message.fields));
      count(
        result.outcomes,
        `handler ${outcome.kind}: ${code === undefined ? 'no answer yet (the bank times out and reverses)' : `answered ${code}`}`,
      );
      return;
    default: {
      const unknown: never = outcome;
      throw new Error(`unknown outcome ${JSON.stringify(unknown)}`);
    }
  }
}
