/** Where and how the switch reaches one wallet participant: its URLs and the secret it verifies signatures with. */
export type WalletEndpoint = {
  creditUrl: string;
  reversalUrl: string;
  signingSecret: string;
};

/**
 * Looks a participant's endpoint up at the moment of sending, so a changed URL or a rotated secret is used by
 * the next attempt. Null when the participant is unknown or has no wallet endpoint (a bank, say).
 */
export type WalletEndpointResolver = (participantId: string) => WalletEndpoint | null | Promise<WalletEndpoint | null>;
