/** Types of transfer-request.js (plain CommonJS so that k6 loads it too). */
export type LoadParty = { type: string; value: string; name?: string };
export type LoadPair = { participantKey: string; payer: LoadParty; payee: LoadParty };
export type LoadRequest = { url: string; body: string; headers: Record<string, string> };

export const loopbackBaseUrlPattern: RegExp;
export const loadTransferAmount: string;
export function assertLoopbackBaseUrl(baseUrl: string): string;
export function transferRequest(baseUrl: string, pair: LoadPair, id: string): LoadRequest;
export function batchRequest(baseUrl: string, pair: LoadPair, ids: readonly string[]): LoadRequest;
export function batchCommittedCount(status: number, bodyText: string): number;
export function transferLookup(baseUrl: string, participantKey: string, id: string): { url: string; headers: Record<string, string> };
export function lookupSucceeded(status: number, bodyText: string, id: string): boolean;
export function answeredState(bodyText: string): string | null;
export const transferChecks: Readonly<Record<string, (status: number, bodyText: string) => boolean>>;
export function transferSucceeded(status: number, bodyText: string): boolean;
