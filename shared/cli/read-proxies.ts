// Reads every proxy group ({P}:proxy:<group> hashes): status, active role, failures and passes per role, switches.
import type { Redis } from 'ioredis';
import { EMPTY_PROXY_GROUP, fromHash } from '../healing/state.ts';
import type { Keys } from '../store/keys.ts';
import { globEscape, pipelined, scanKeys, timeOrNull } from './read-keys.ts';

export interface ProxyRow {
  group: string;
  status: string;
  active: string;
  primaryFailures: number;
  primaryPasses: number;
  secondaryFailures: number;
  secondaryPasses: number;
  primaryLastResultAt: number | null;
  secondaryLastResultAt: number | null;
  switches: number;
  lastSwitchAt: number | null;
}

export async function readProxies(redis: Redis, keys: Keys): Promise<ProxyRow[]> {
  const base = `${keys.prefix}:proxy:`;
  // Group names are rule names (no colons); a longer key is a companion such as <group>:failing.
  const groups = (await scanKeys(redis, `${globEscape(base)}*`)).map((key) => key.slice(base.length)).filter((g) => g !== '' && !g.includes(':'));
  const hashes = (await pipelined(redis, (pipe) => {
    for (const g of groups) pipe.hgetall(`${base}${g}`);
  })) as Array<Record<string, string>>;
  return groups.map((group, i): ProxyRow => {
    const p = fromHash(EMPTY_PROXY_GROUP, hashes[i]!);
    return {
      group,
      status: p.status,
      active: p.active,
      primaryFailures: p.primaryFailures,
      primaryPasses: p.primaryPasses,
      secondaryFailures: p.secondaryFailures,
      secondaryPasses: p.secondaryPasses,
      primaryLastResultAt: timeOrNull(p.primaryLastResultAt),
      secondaryLastResultAt: timeOrNull(p.secondaryLastResultAt),
      switches: p.switches,
      lastSwitchAt: timeOrNull(p.lastSwitchAt),
    };
  });
}
