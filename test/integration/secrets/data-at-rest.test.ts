import { randomUUID } from 'node:crypto';
import { chmodSync, existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { SqliteEventStore } from '../../../adapters/eventstore-sqlite/sqlite-event-store';
import { walletEndpointOf } from '../../../adapters/wallet-http/wallet-endpoint';
import { ConfigError } from '../../../api/config';
import { masterKeyFileName } from '../../../api/master-key';
import { issueApiKey } from '../../../core/auth/api-key';
import { participantStreamName } from '../../../core/participants/participant-profile';
import { newMasterKey, SecretBox } from '../../../core/secrets/secret-box';
import { onboardParticipant, startTestSwitch } from '../../support/switch-process';
import { tempDir } from '../../support/temp-dir';

/** Issue 9, defect 12 (and the old events of defect 4): what the switch leaves in its data dir. */
function modeOf(path: string): string {
  return (statSync(path).mode & 0o777).toString(8);
}

describe('the data dir at rest', () => {
  it('creates a missing data dir 0700 and its files 0600, and sets 0600 on files an older version left world-readable', async () => {
    const parent = tempDir('hisaab-private-');
    const dataDir = join(parent.path, 'nested', 'data');
    try {
      const first = await startTestSwitch({ dataDir });
      await onboardParticipant(first, 'MARGALLA', 'MRGL');
      await first.stop();
      expect(modeOf(dataDir)).toBe('700');
      for (const name of readdirSync(dataDir)) expect([name, modeOf(join(dataDir, name))]).toEqual([name, '600']);
      for (const name of readdirSync(dataDir)) chmodSync(join(dataDir, name), 0o644);
      const second = await startTestSwitch({ dataDir });
      await second.stop();
      // The master key file too: it opens every sealed secret, so it least of all may stay readable by others.
      expect(readdirSync(dataDir)).toContain(masterKeyFileName);
      for (const name of readdirSync(dataDir)) expect([name, modeOf(join(dataDir, name))]).toEqual([name, '600']);
    } finally {
      parent.remove();
    }
  });

  it('with HISAAB_MASTER_KEY writes no key file, and refuses to start under another master key, naming the variable', async () => {
    const directory = tempDir('hisaab-master-');
    const masterKey = newMasterKey().toString('base64');
    try {
      const first = await startTestSwitch({ dataDir: directory.path, environment: { HISAAB_MASTER_KEY: masterKey } });
      await onboardParticipant(first, 'MARGALLA', 'MRGL');
      await first.stop();
      expect(existsSync(join(directory.path, masterKeyFileName))).toBe(false);
      expect(first.logLines.some((line) => String(line.msg).includes('HISAAB_MASTER_KEY is not set'))).toBe(false);
      const refused = startTestSwitch({ dataDir: directory.path, environment: { HISAAB_MASTER_KEY: newMasterKey().toString('base64') } });
      await expect(refused).rejects.toThrow(ConfigError);
      await expect(refused).rejects.toThrow(/HISAAB_MASTER_KEY/);
      const again = await startTestSwitch({ dataDir: directory.path, environment: { HISAAB_MASTER_KEY: masterKey } });
      const endpoint = walletEndpointOf(
        again.running.dependencies.readModels.participants.findParticipant('MARGALLA'),
        new SecretBox([Buffer.from(masterKey, 'base64')]),
        new Date(),
      );
      expect(endpoint?.signingSecrets).toHaveLength(1);
      await again.stop();
    } finally {
      directory.remove();
    }
  });

  it('loads a participant whose key was issued before issue 9 (plain secret in the event): that secret signs until a rotation', async () => {
    const directory = tempDir('hisaab-legacy-');
    const legacySecret = `whsec_${'L'.repeat(43)}`;
    const key = issueApiKey();
    const at = '2025-06-01T10:00:00.000Z';
    const store = new SqliteEventStore(join(directory.path, 'hisaab.db'));
    await store.append(
      participantStreamName('OLDWALLET'),
      [
        {
          id: randomUUID(),
          type: 'ParticipantRegistered',
          data: {
            participantId: 'OLDWALLET',
            name: 'Old Wallet',
            participantType: 'WALLET',
            bankCode: 'OLDW',
            currency: 'PKR',
            netDebitCapMinor: '100000',
            creditMode: 'REQUEST',
            endpoints: { creditUrl: 'http://127.0.0.1:9/credit', reversalUrl: 'http://127.0.0.1:9/reversal', rtpUrl: null },
            requestReference: null,
            at,
          },
          metadata: { at },
        },
        // As the switch wrote it before issue 9: every key brought its own plain signing secret.
        {
          id: randomUUID(),
          type: 'ParticipantKeyIssued',
          data: {
            participantId: 'OLDWALLET',
            keyId: key.keyId,
            keyHash: key.keyHash,
            signingSecret: legacySecret,
            requestReference: null,
            at,
          },
          metadata: { at },
        },
      ],
      'no_stream',
    );
    await store.close();
    const sw = await startTestSwitch({ dataDir: directory.path });
    try {
      const box = new SecretBox([newMasterKey()]);
      const participants = sw.running.dependencies.readModels.participants;
      expect(walletEndpointOf(participants.findParticipant('OLDWALLET'), box, new Date())?.signingSecrets).toEqual([legacySecret]);
      expect((await sw.client.get('/v1/participants/OLDWALLET', { key: key.key })).status).toBe(200);
      // A new key leaves the old secret signing; a rotation keeps it beside the new one for the overlap.
      const issued = await sw.client.post('/v1/participants/OLDWALLET/keys', { key: sw.operatorKey });
      expect(issued.body).toMatchObject({ signingSecret: null });
      const rotated = await sw.client.post('/v1/participants/OLDWALLET/signing-secrets', { key: key.key, body: { overlapSeconds: 600 } });
      expect(rotated.status).toBe(201);
      const stored = participants.findParticipant('OLDWALLET')?.signingSecrets ?? [];
      expect(stored.map((secret) => secret.storedSecret.slice(0, 4))).toEqual(['hs1.', 'whse']);
      expect(stored[1]?.retiresAt).not.toBeNull();
    } finally {
      await sw.close();
      directory.remove();
    }
  });
});
