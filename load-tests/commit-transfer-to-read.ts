import type { LoadSeed } from './load-seed';
import { transferRequest, transferSucceeded } from './transfer-request';

/** How long one transfer committed before a lookup run may take: a loaded machine is slow, a hung switch is not. */
const commitTimeoutMs = 35_000;

/**
 * Commits one transfer through the seed's `index`-th pair (round robin), so that a lookup run has a transfer to read;
 * answers its id and the payer's key, which may read it. Throws with the switch's answer if it is not committed.
 */
export async function commitTransferToRead(
  seed: Pick<LoadSeed, 'baseUrl' | 'pairs'>,
  index: number,
): Promise<{ id: string; participantKey: string }> {
  const pair = seed.pairs[index % seed.pairs.length];
  if (pair === undefined) throw new Error('the seed has pairs');
  const id = crypto.randomUUID();
  const request = transferRequest(seed.baseUrl, pair, id);
  const response = await fetch(request.url, {
    method: 'POST',
    headers: request.headers,
    body: request.body,
    signal: AbortSignal.timeout(commitTimeoutMs),
  });
  const text = await response.text();
  if (!transferSucceeded(response.status, text))
    throw new Error(`a transfer to read was not committed: ${response.status} ${text.slice(0, 300)}`);
  return { id, participantKey: pair.participantKey };
}
