/**
 * The switch as `npm run serve` runs it (api/main.ts), with one deterministic SIGKILL point for the crash tests of
 * the merged writes (issue 10, part 2): HISAAB_TEST_KILL_POINT is `<when>:<event type>` (see store-kill-point.ts).
 */
import { installStoreKillPoint } from './store-kill-point';

installStoreKillPoint(process.env['HISAAB_TEST_KILL_POINT'] ?? '');

void import('../../../api/main');
