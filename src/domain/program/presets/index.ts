// The shipped presets by name; each is built with its documented defaults for the unconfirmed values.
import type { ProgramDefinition } from '../schema.js';
import { euEtsProgram } from './eu-ets.js';
import { saitamaProgram } from './saitama.js';
import { tokyoProgram } from './tokyo.js';

export const PRESET_NAMES = ['tokyo', 'saitama', 'eu-ets'] as const;
export type PresetName = (typeof PRESET_NAMES)[number];

export function isPresetName(name: string): name is PresetName {
  return (PRESET_NAMES as readonly string[]).includes(name);
}

export function presetProgram(name: PresetName): ProgramDefinition {
  switch (name) {
    case 'tokyo':
      return tokyoProgram();
    case 'saitama':
      return saitamaProgram();
    case 'eu-ets':
      return euEtsProgram();
  }
}

export { euEtsProgram, saitamaProgram, tokyoProgram };
