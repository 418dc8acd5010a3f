import { assert } from '../../core/assert';
import { isApproved, responseCodes } from './response-codes';
import { isResponseMti, pickFields, responseMtiFor, type Iso8583Message } from './message';
import type { UnpackFailure } from './packager';

/**
 * Responses echo the request's identifying fields (DE11, DE32, DE37, DE41 and the rest of the list for the
 * class), so the requester can pair them with its request and check what was answered.
 */
const echoedFieldsByResponseMti: ReadonlyMap<string, readonly number[]> = new Map<string, readonly number[]>([
  ['0810', [7, 11, 32, 41, 70]],
  ['0210', [3, 4, 7, 11, 12, 13, 32, 37, 41, 42, 49, 102, 103]],
  ['0230', [3, 4, 7, 11, 12, 13, 32, 37, 41, 42, 49, 102, 103]],
  ['0430', [3, 4, 7, 11, 32, 37, 41, 42, 49, 90]],
]);
const defaultEchoedFields: readonly number[] = [3, 4, 7, 11, 32, 37, 41, 42, 49];
/** The identifiers a format-error answer echoes when they were readable before the failure. */
const formatErrorEchoedFields: readonly number[] = [7, 11, 32, 37, 41];
/** When not even the MTI is readable there is no class to answer in; financial is the likeliest. */
export const UNREADABLE_MTI_RESPONSE = '0210';

export type ResponseAnswer = {
  readonly responseCode: string;
  /** DE38, sent only with an approval. */
  readonly authorizationCode?: string | undefined;
};

export function buildResponse(request: Iso8583Message, answer: ResponseAnswer): Iso8583Message {
  const mti = responseMtiFor(request.mti);
  assert(mti !== null, `only requests and advices are answered, not ${request.mti}`);
  const fields = pickFields(request.fields, echoedFieldsByResponseMti.get(mti) ?? defaultEchoedFields);
  fields[39] = answer.responseCode;
  if (isApproved(answer.responseCode) && answer.authorizationCode !== undefined) fields[38] = answer.authorizationCode;
  return { mti, fields };
}

/** The 30 answer to a frame that framed but did not parse; null when the frame was itself a response. */
export function formatErrorResponse(failure: UnpackFailure): Iso8583Message | null {
  if (failure.mti !== null && isResponseMti(failure.mti)) return null;
  const mti = failure.mti === null ? UNREADABLE_MTI_RESPONSE : responseMtiFor(failure.mti);
  if (mti === null) return null;
  const fields = pickFields(failure.fields, formatErrorEchoedFields);
  fields[39] = responseCodes.formatError;
  return { mti, fields };
}
