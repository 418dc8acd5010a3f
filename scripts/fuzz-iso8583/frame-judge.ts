import { isDeepStrictEqual } from 'node:util';
import { FRAME_BODY_BYTES_MAX, FRAME_HEADER_BYTES, FrameDecoder } from '../../adapters/iso8583/framing';
import { decideInbound, type InboundDecision } from '../../adapters/iso8583/inbound-decision';
import { isResponseMti, responseMtiFor, type Iso8583Message } from '../../adapters/iso8583/message';
import { identifyPayee } from '../../adapters/iso8583/payee-identification';
import { checkMessage, packMessage, unpackMessage, type UnpackFailure } from '../../adapters/iso8583/packager';
import { buildResponse, formatErrorResponse, UNREADABLE_MTI_RESPONSE } from '../../adapters/iso8583/response-builder';
import { enabledCurrenciesDefault } from '../../core/iso4217-currencies';
import { documentedResponseCodes, expectedOutcome, fieldsOutsideProfile, type ExpectedOutcome } from './documented-rules';
import type { GeneratedFrame } from './generated-frames';

/**
 * One generated frame through the switch's inbound path in-process: the frame decoder (fed in chunks, as TCP
 * delivers), the strict parser, the inbound decision (inbound-decision.ts, what server.ts acts on), and the answer
 * the server would write, packed. Every step is checked against the documented rules; what happened is named as
 * an outcome ("answered 30", "dropped: header over the limit", …) so a run can show where its frames went.
 */

export type FrameVerdict = { readonly outcomes: string[]; readonly violations: string[] };

/** The currencies a switch carries when HISAAB_CURRENCIES is unset: what the server decides with, as the TCP phase runs it. */
const enabledCurrencies: ReadonlySet<string> = new Set(enabledCurrenciesDefault);

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export function framed(frame: GeneratedFrame): Buffer {
  const header = Buffer.alloc(FRAME_HEADER_BYTES);
  header.writeUInt16BE(frame.declaredBytes);
  return Buffer.concat([header, frame.body]);
}

export function judgeFrame(frame: GeneratedFrame, signedOnInstitutionId: string | null, chunkBytes: number): FrameVerdict {
  const verdict: FrameVerdict = { outcomes: [], violations: [] };
  try {
    const decoder = new FrameDecoder();
    const bytes = framed(frame);
    for (let offset = 0; offset < bytes.length; offset += chunkBytes) {
      decoder.push(bytes.subarray(offset, offset + chunkBytes));
      if (!pullFrames(decoder, frame, signedOnInstitutionId, verdict)) return verdict;
    }
    if (decoder.bufferedBytes > 0) verdict.outcomes.push('waiting: partial frame (dropped after the partial-frame timeout)');
  } catch (error) {
    verdict.violations.push(`crash: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  }
  return verdict;
}

/** False once the stream was refused: the connection is dropped and nothing more is read. */
function pullFrames(decoder: FrameDecoder, frame: GeneratedFrame, signedOnInstitutionId: string | null, verdict: FrameVerdict): boolean {
  for (;;) {
    const read = decoder.next();
    if (read.kind === 'incomplete') return true;
    if (read.kind === 'oversize') {
      if (read.declaredBytes <= FRAME_BODY_BYTES_MAX)
        verdict.violations.push(`a header of ${read.declaredBytes} bytes was refused as oversize`);
      verdict.outcomes.push('dropped: header over the limit');
      return false;
    }
    if (read.body.length > FRAME_BODY_BYTES_MAX) verdict.violations.push(`a frame of ${read.body.length} bytes passed the limit`);
    if (frame.declaredBytes === frame.body.length && !read.body.equals(frame.body))
      verdict.violations.push('the decoder returned other bytes than the frame carried');
    judgeBody(read.body, signedOnInstitutionId, verdict);
  }
}

function judgeBody(body: Buffer, signedOnInstitutionId: string | null, verdict: FrameVerdict): void {
  const result = unpackMessage(body);
  if (!result.ok) {
    judgeMalformed(result.failure, verdict);
    return;
  }
  const message = result.message;
  const outside = fieldsOutsideProfile(message);
  if (outside.length > 0) verdict.violations.push(`the parser returned fields outside the profile: ${outside.join(', ')}`);
  // Anything the parser accepts, the packager can write back, unchanged.
  try {
    const repacked = unpackMessage(packMessage(message));
    if (!repacked.ok || !isDeepStrictEqual(repacked.message, message))
      verdict.violations.push('a parsed message does not survive a pack and unpack');
  } catch (error) {
    verdict.violations.push(`a parsed message cannot be packed again: ${(error as Error).message}`);
  }
  const decision = decideInbound(message, signedOnInstitutionId, enabledCurrencies);
  const expected = expectedOutcome(message, signedOnInstitutionId);
  if (!agrees(decision, expected))
    verdict.violations.push(
      `decided ${describeDecision(decision)}, the documented rules say ${JSON.stringify(expected)} (MTI ${message.mti})`,
    );
  judgeDecision(message, decision, verdict);
}

function judgeMalformed(failure: UnpackFailure, verdict: FrameVerdict): void {
  if (failure.message.length === 0) verdict.violations.push(`a ${failure.code} refusal without a sentence`);
  const answer = formatErrorResponse(failure);
  if (failure.mti !== null && isResponseMti(failure.mti)) {
    if (answer !== null) verdict.violations.push('a malformed response was answered');
    verdict.outcomes.push('malformed response: not answered');
    return;
  }
  const expectedMti = failure.mti === null ? UNREADABLE_MTI_RESPONSE : responseMtiFor(failure.mti);
  if (answer === null || answer.mti !== expectedMti || answer.fields[39] !== '30') {
    verdict.violations.push(`a malformed frame (${failure.code}) got ${JSON.stringify(answer)} instead of 30 in class ${expectedMti}`);
    return;
  }
  judgeAnswerPacks(answer, verdict);
  verdict.outcomes.push(`malformed (${failure.code}): answered 30`);
}

function judgeDecision(message: Iso8583Message, decision: InboundDecision, verdict: FrameVerdict): void {
  switch (decision.kind) {
    case 'ignore':
      verdict.outcomes.push('response: not answered');
      return;
    case 'answer': {
      if (!documentedResponseCodes.has(decision.responseCode))
        verdict.violations.push(`answer code ${decision.responseCode} is not documented`);
      const response = buildResponse(message, { responseCode: decision.responseCode });
      if (response.mti !== responseMtiFor(message.mti))
        verdict.violations.push(`answered in ${response.mti}, not ${message.mti}'s response class`);
      for (const field of [11, 41]) {
        if (message.fields[field] !== response.fields[field])
          verdict.violations.push(`the answer does not echo DE${field}, which the bank matches on`);
      }
      judgeAnswerPacks(response, verdict);
      verdict.outcomes.push(`answered ${decision.responseCode}`);
      return;
    }
    case 'sign_on':
    case 'sign_off':
      verdict.outcomes.push(`network management: ${decision.kind} (answered 00 or 05)`);
      return;
    case 'transfer_request':
    case 'financial_advice': {
      const request = decision.request;
      if (request.amountMinor <= 0n) verdict.violations.push('a request with no amount reached the handler');
      if (!uuidPattern.test(request.transferId)) verdict.violations.push(`transfer id ${request.transferId} is not a UUID`);
      // The handler's first step: a DE103 that names no payee is answered 14; it must decide, not throw.
      const payee = identifyPayee(request.payeeAccount);
      verdict.outcomes.push(`handler: ${decision.kind}${payee === null ? ' (payee unidentified: 14)' : ''}`);
      return;
    }
    case 'reversal_advice':
      if (decision.advice.amountMinor <= 0n) verdict.violations.push('a reversal with no amount reached the handler');
      if (!uuidPattern.test(decision.advice.originalTransferId)) verdict.violations.push('a reversal names no transfer id');
      verdict.outcomes.push('handler: reversal_advice');
      return;
    default: {
      const unknown: never = decision;
      throw new Error(`unknown decision ${JSON.stringify(unknown)}`);
    }
  }
}

function judgeAnswerPacks(answer: Iso8583Message, verdict: FrameVerdict): void {
  try {
    checkMessage(answer);
    const packed = packMessage(answer);
    const back = unpackMessage(packed);
    if (!back.ok || !isDeepStrictEqual(back.message, answer))
      verdict.violations.push(`the answer ${answer.mti} does not read back as written`);
    if (packed.length > FRAME_BODY_BYTES_MAX) verdict.violations.push('the answer exceeds the frame limit');
  } catch (error) {
    verdict.violations.push(`the answer ${JSON.stringify(answer)} cannot be written: ${(error as Error).message}`);
  }
}

function agrees(decision: InboundDecision, expected: ExpectedOutcome): boolean {
  if (decision.kind !== expected.kind) return false;
  return decision.kind !== 'answer' || (expected.kind === 'answer' && decision.responseCode === expected.responseCode);
}

function describeDecision(decision: InboundDecision): string {
  return decision.kind === 'answer' ? `answer ${decision.responseCode} (${decision.reason ?? ''})` : decision.kind;
}
