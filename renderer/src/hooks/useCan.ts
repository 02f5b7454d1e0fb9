import { useCallback } from 'react';
import { contract, READ_ONLY_EFFECTS, type CallName } from '../../../shared/api';
import { useApp } from '../stores/app';

/**
 * Whether the host will run a call: every call in a normal window, only reads in the reviewer
 * window. Views offer an action only when this says so; it is derived from each call's effect
 * in the contract, the same table the host enforces, so no view hides buttons by hand.
 */
export function useCan(): (call: CallName) => boolean {
  const readOnly = useApp((s) => s.info?.readOnly ?? false);
  return useCallback((call: CallName) => !readOnly || READ_ONLY_EFFECTS.has(contract[call].effect), [readOnly]);
}
