import { ConfigError, loadConfig } from '../../../api/config';
import {
  connectionShares,
  connectionsAllowedBy,
  defaultMaxConnections,
  openFilesSoftLimit,
  openFilesSoftLimitOf,
} from '../../../api/connection-cap';

const required = { HISAAB_OPERATOR_KEY: 'operator-test-key-0123456789abcdef', HISAAB_DATA_DIR: '/tmp/hisaab-connection-cap-unused' };

const limitsText = `Limit                     Soft Limit           Hard Limit           Units
Max cpu time              unlimited            unlimited            seconds
Max open files            1024                 1048576              files
Max locked memory         8388608              8388608              bytes
`;

describe('the per-process connection cap', () => {
  it("reads the soft open-files limit from /proc/self/limits' text, and none when unlimited or absent", () => {
    expect(openFilesSoftLimitOf(limitsText)).toBe(1024);
    expect(openFilesSoftLimitOf(limitsText.replace('1024   ', 'unlimited'))).toBeNull();
    expect(openFilesSoftLimitOf('nothing here')).toBeNull();
  });

  it('sizes the default from the limit, leaving a quarter (at least 256) for the process’s own files', () => {
    expect(connectionsAllowedBy(1024)).toBe(768);
    expect(defaultMaxConnections(1024)).toBe(768);
    expect(defaultMaxConnections(4096)).toBe(3072);
    expect(defaultMaxConnections(1_048_576)).toBe(10_000);
    expect(defaultMaxConnections(null)).toBe(10_000);
    // A tiny limit still serves a few clients: the default never goes below 64.
    expect(defaultMaxConnections(200)).toBe(64);
  });

  it('splits the cap between the HTTP and ISO 8583 ports, the shares adding up to it', () => {
    expect(connectionShares(10_000)).toEqual({ http: 9_744, iso8583: 256 });
    expect(connectionShares(768)).toEqual({ http: 576, iso8583: 192 });
    expect(connectionShares(2)).toEqual({ http: 1, iso8583: 1 });
    expect(() => connectionShares(1)).toThrow(/at least 2/);
  });

  it('takes HISAAB_MAX_CONNECTIONS from the environment, and refuses a value the open-files limit cannot carry', () => {
    expect(loadConfig({ ...required, HISAAB_MAX_CONNECTIONS: '500' }).maxConnections).toBe(500);
    expect(loadConfig(required).maxConnections).toBe(defaultMaxConnections(openFilesSoftLimit()));
    expect(() => loadConfig({ ...required, HISAAB_MAX_CONNECTIONS: '1' })).toThrow(/HISAAB_MAX_CONNECTIONS must be a whole number from 2/);
    const limit = openFilesSoftLimit();
    if (limit !== null && limit < 1_000_000) {
      const tooMany = () => loadConfig({ ...required, HISAAB_MAX_CONNECTIONS: String(limit) });
      expect(tooMany).toThrow(ConfigError);
      expect(tooMany).toThrow(/open-files limit .* at most \d+; raise the limit \(ulimit -n\) or lower the cap/);
    }
  });
});
