import { OPTION_TABLE } from '../../src/shared/options';

/** A copy of the option table with one more option, the way a later issue would add one. */
export const WITH_STRENGTH = {
  ...OPTION_TABLE,
  strength: {
    domain: { kind: 'int', min: 0, max: 10 },
    default: 3,
    setting: 'defaults.strength',
    wire: 'strength',
    control: { id: 'strength', label: 'result.feather', group: 'grid' },
    batch: false,
    agent: null,
    legacy: 5,
  },
} as const;
