import { loadConfig } from '../../../api/config';
import { masterKeyIdOf, newMasterKey, openStoredSecret, SecretBox } from '../../../core/secrets/secret-box';

describe('secret box: signing secrets sealed at rest (issue 9, defect 12)', () => {
  const key = newMasterKey();
  const box = new SecretBox([key]);
  const secret = 'whsec_AbCdEfGhIjKlMnOpQrStUvWxYz0123456789_-abcdef';

  it('seals to a value that names its format and master key and does not contain the secret', () => {
    const sealed = box.seal(secret);
    expect(sealed.startsWith(`hs1.${masterKeyIdOf(key)}.`)).toBe(true);
    expect(sealed).not.toContain(secret);
    expect(sealed).not.toContain(secret.slice(6, 30));
    expect(box.open(sealed)).toBe(secret);
    // A fresh IV each time: the same secret never seals to the same text.
    expect(box.seal(secret)).not.toBe(sealed);
  });

  it('opens what an older master key sealed, once that key is in the box beside the new one (rotation later)', () => {
    const sealedUnderOld = box.seal(secret);
    const rotated = new SecretBox([newMasterKey(), key]);
    expect(rotated.open(sealedUnderOld)).toBe(secret);
    expect(rotated.seal(secret).split('.')[1]).not.toBe(masterKeyIdOf(key));
  });

  it('refuses a value sealed under another key, and a tampered one', () => {
    const sealed = box.seal(secret);
    expect(() => new SecretBox([newMasterKey()]).open(sealed)).toThrow(/HISAAB_MASTER_KEY/);
    const parts = sealed.split('.');
    const ciphertext = Buffer.from(parts[3] as string, 'base64url');
    ciphertext[0] = (ciphertext[0] as number) ^ 1;
    parts[3] = ciphertext.toString('base64url');
    expect(() => box.open(parts.join('.'))).toThrow();
  });

  it('reads a plain secret written before sealing (events from before issue 9) as it was written', () => {
    expect(openStoredSecret(box, secret)).toBe(secret);
    expect(openStoredSecret(box, box.seal(secret))).toBe(secret);
  });
});

describe('HISAAB_MASTER_KEY', () => {
  const base = { HISAAB_OPERATOR_KEY: 'operator-test-key-0123456789abcdef', HISAAB_DATA_DIR: '/tmp/unused-hisaab' };

  it('takes 32 bytes in base64, standard or URL-safe', () => {
    const key = newMasterKey();
    expect(loadConfig({ ...base, HISAAB_MASTER_KEY: key.toString('base64') }).masterKey).toEqual(key);
    expect(loadConfig({ ...base, HISAAB_MASTER_KEY: key.toString('base64url') }).masterKey).toEqual(key);
  });

  it('is optional: without it nothing else about the configuration changes', () => {
    const config = loadConfig(base);
    expect(config.masterKey).toBeUndefined();
    expect(config.port).toBe(8080);
  });

  it.each(['short', newMasterKey().subarray(0, 16).toString('base64'), Buffer.alloc(33).toString('base64'), '!!!not base64!!!'])(
    'refuses a bad value with an error naming the variable (%s)',
    (value) => {
      expect(() => loadConfig({ ...base, HISAAB_MASTER_KEY: value })).toThrow(/HISAAB_MASTER_KEY must be 32 bytes in base64/);
    },
  );
});
