import { useVirtualizer } from '@tanstack/react-virtual';
import { useEffect, useRef, useState, type KeyboardEvent, type ReactNode } from 'react';

/**
 * A list that renders only what is on screen, so 100,000 rows scroll smoothly. Arrow keys,
 * Home/End and Page Up/Down move the selection; Enter opens it. A row is `rowHeight` high unless
 * its text needs more (a long repository or tag name wraps instead of being cut or overlapping).
 */
export function VirtualList<T>({
  items,
  rowHeight = 34,
  height = 520,
  label,
  selected,
  onSelect,
  onOpen,
  render,
  keyOf,
}: {
  items: readonly T[];
  rowHeight?: number;
  height?: number;
  label: string;
  selected?: number;
  /** `via` says whether a click or a key moved the selection (keys may pass over many rows quickly). */
  onSelect(index: number, via: 'pointer' | 'keyboard'): void;
  onOpen?(index: number): void;
  render(item: T, index: number): ReactNode;
  keyOf(item: T): string;
}) {
  const parent = useRef<HTMLDivElement>(null);
  const virtualizer = useVirtualizer({
    count: items.length,
    getScrollElement: () => parent.current,
    estimateSize: () => rowHeight,
    overscan: 6,
  });
  const move = (index: number) => {
    const next = Math.max(0, Math.min(items.length - 1, index));
    onSelect(next, 'keyboard');
    virtualizer.scrollToIndex(next, { align: 'auto' });
  };
  const onKeyDown = (event: KeyboardEvent) => {
    const page = Math.max(1, Math.floor(height / rowHeight) - 1);
    const current = selected ?? -1;
    const keys: Record<string, () => void> = {
      ArrowDown: () => move(current + 1),
      ArrowUp: () => move(current - 1),
      PageDown: () => move(current + page),
      PageUp: () => move(current - page),
      Home: () => move(0),
      End: () => move(items.length - 1),
      Enter: () => selected !== undefined && onOpen?.(selected),
    };
    const action = keys[event.key];
    if (action) {
      event.preventDefault();
      action();
    }
  };
  return (
    <div
      ref={parent}
      className="virtual-list"
      style={{ height }}
      role="listbox"
      aria-label={label}
      aria-activedescendant={selected !== undefined ? `${label}-row-${selected}` : undefined}
      tabIndex={0}
      onKeyDown={onKeyDown}
    >
      <div style={{ height: virtualizer.getTotalSize(), position: 'relative' }}>
        {virtualizer.getVirtualItems().map((row) => {
          const item = items[row.index] as T;
          return (
            <div
              key={keyOf(item)}
              ref={virtualizer.measureElement}
              data-index={row.index}
              id={`${label}-row-${row.index}`}
              role="option"
              aria-selected={row.index === selected}
              className="virtual-row"
              style={{ position: 'absolute', top: 0, left: 0, right: 0, minHeight: rowHeight, transform: `translateY(${row.start}px)` }}
              onClick={() => onSelect(row.index, 'pointer')}
              onDoubleClick={() => onOpen?.(row.index)}
            >
              {render(item, row.index)}
            </div>
          );
        })}
      </div>
    </div>
  );
}

/** How long the keys must rest on a row before it opens: passing over rows starts no work. */
export const KEY_SETTLE_MS = 250;

/**
 * The selection of a list whose selected row opens something (a repository, an image). A click
 * opens at once; arrow keys move a cursor and open the row only once the keys rest on it, in
 * place of the current history entry, so passing over 100 tags neither checks 100 images nor
 * leaves 100 entries to go back through.
 */
export function useOpeningSelection<T>(items: readonly T[], opened: T | undefined, open: (item: T, how: { replace: boolean }) => void) {
  const [cursor, setCursor] = useState<number>();
  const timer = useRef<ReturnType<typeof setTimeout>>(undefined);
  useEffect(() => () => clearTimeout(timer.current), []);
  const openedIndex = opened === undefined ? -1 : items.indexOf(opened);
  const selected = cursor ?? (openedIndex >= 0 ? openedIndex : undefined);
  const onSelect = (index: number, via: 'pointer' | 'keyboard') => {
    const item = items[index];
    if (item === undefined) return;
    clearTimeout(timer.current);
    if (via === 'pointer') {
      setCursor(undefined);
      open(item, { replace: false });
      return;
    }
    setCursor(index);
    timer.current = setTimeout(() => {
      setCursor(undefined);
      open(item, { replace: opened !== undefined });
    }, KEY_SETTLE_MS);
  };
  /** Forgets a cursor (when the list is filtered anew, its indexes mean other rows). */
  const reset = () => {
    clearTimeout(timer.current);
    setCursor(undefined);
  };
  return { selected, onSelect, reset };
}
