import { useCallback, useState, type Dispatch, type SetStateAction } from 'react';

const kept = new Map<string, unknown>();

/**
 * State that outlives its view: leaving for Settings and coming back finds a form, a signed
 * `.asc` or a checked bundle as it was. Kept in this window's memory only, never written to disk.
 */
export function useKeptState<T>(key: string, initial: T | (() => T)): [T, Dispatch<SetStateAction<T>>] {
  const [value, setValue] = useState<T>(() => {
    if (kept.has(key)) return kept.get(key) as T;
    // The first value is kept too: one computed at mount (a timestamp) must be the same when the view comes back.
    const first = typeof initial === 'function' ? (initial as () => T)() : initial;
    kept.set(key, first);
    return first;
  });
  const set = useCallback<Dispatch<SetStateAction<T>>>(
    (next) =>
      setValue((previous) => {
        const value = typeof next === 'function' ? (next as (p: T) => T)(previous) : next;
        kept.set(key, value);
        return value;
      }),
    [key],
  );
  return [value, set];
}
