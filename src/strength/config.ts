// Reads and writes a store's strength settings (half-life, floor, cap, boosts).
import type { StorageReader, StorageWriter } from '../storage/types.js';
import { DEFAULT_STRENGTH, type StrengthConfig, checkStrengthConfig } from './index.js';

const KEY = 'strength';

export async function loadStrengthConfig(r: StorageReader): Promise<StrengthConfig> {
  const raw = await r.getSetting(KEY);
  if (raw === undefined) return DEFAULT_STRENGTH;
  const stored = JSON.parse(raw) as Partial<StrengthConfig>;
  return {
    ...DEFAULT_STRENGTH,
    ...stored,
    kindWeight: { ...DEFAULT_STRENGTH.kindWeight, ...stored.kindWeight },
    trustWeight: { ...DEFAULT_STRENGTH.trustWeight, ...stored.trustWeight },
  };
}

/** Saves the settings; when the half-life changes, every trace's decay key is re-derived in the same transaction. */
export async function saveStrengthConfig(w: StorageWriter, config: StrengthConfig): Promise<void> {
  checkStrengthConfig(config);
  const before = await loadStrengthConfig(w);
  await w.setSetting(KEY, JSON.stringify(config));
  if (before.halfLifeMs !== config.halfLifeMs) await w.rekeyStrength(config.halfLifeMs);
}
