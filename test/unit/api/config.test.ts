import { ConfigError, loadConfig, operatorKeyLengthMin } from '../../../api/config';

describe('loadConfig: the operator key', () => {
  const base = { HISAAB_DATA_DIR: '/tmp/hisaab-config-test' };

  it('refuses a key shorter than the minimum, naming the rule, the reason and the length it got', () => {
    expect(() => loadConfig({ ...base, HISAAB_OPERATOR_KEY: 'short12' })).toThrow(ConfigError);
    expect(() => loadConfig({ ...base, HISAAB_OPERATOR_KEY: 'short12' })).toThrow(
      `HISAAB_OPERATOR_KEY must be at least ${operatorKeyLengthMin} characters (it guards every operator action); got 7`,
    );
  });

  it('accepts a key of exactly the minimum length', () => {
    const key = 'k'.repeat(operatorKeyLengthMin);
    expect(loadConfig({ ...base, HISAAB_OPERATOR_KEY: key }).operatorKey).toBe(key);
  });

  it('never quotes the key itself in the refusal', () => {
    try {
      loadConfig({ ...base, HISAAB_OPERATOR_KEY: 'secret-ish' });
      throw new Error('expected a refusal');
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as Error).message).not.toContain('secret-ish');
    }
  });
});
