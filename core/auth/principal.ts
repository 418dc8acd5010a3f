/** Who is calling. The operator runs the switch; participants are banks and wallets; regulators only read. */
export const roles = ['operator', 'participant', 'merchant', 'regulator'] as const;
export type Role = (typeof roles)[number];

export type Principal =
  | { role: 'operator' }
  | { role: 'participant'; participantId: string; keyId: string }
  | { role: 'merchant'; merchantId: string; keyId: string }
  | { role: 'regulator'; keyId: string };

/** How a principal appears in event metadata (`actor`) and logs. */
export function actorOf(principal: Principal): string {
  switch (principal.role) {
    case 'operator':
      return 'operator';
    case 'participant':
      return `participant:${principal.participantId}`;
    case 'merchant':
      return `merchant:${principal.merchantId}`;
    case 'regulator':
      return `regulator:${principal.keyId}`;
  }
}
