import { useCallback, useEffect, useRef, useState } from 'react';
import type { Result } from '../../../shared/errors';

export interface CallState<T> {
  data?: T;
  error?: string;
  loading: boolean;
  reload(): void;
}

/** Runs a contract call when its inputs change; keeps the last answer, the error sentence and a reload. */
export function useCall<T>(run: (() => Promise<Result<T>>) | undefined, deps: readonly unknown[]): CallState<T> {
  const [state, setState] = useState<{ data?: T; error?: string; loading: boolean }>({ loading: Boolean(run) });
  const [tick, setTick] = useState(0);
  const latest = useRef(0);
  useEffect(() => {
    if (!run) return;
    const id = ++latest.current;
    setState((s) => ({ ...s, loading: true }));
    run().then(
      (result) => {
        if (id !== latest.current) return;
        setState(result.ok ? { data: result.value, loading: false } : { data: undefined, error: result.message, loading: false });
      },
      () => id === latest.current && setState({ error: 'Signet’s host did not answer.', loading: false }),
    );
  }, [...deps, tick]);
  const reload = useCallback(() => setTick((t) => t + 1), []);
  return { ...state, reload };
}
