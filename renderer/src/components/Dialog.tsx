import { useEffect, useRef, type ReactNode } from 'react';

/**
 * A modal on the native <dialog>: the browser traps focus, Escape closes it, and focus
 * returns to what opened it. A dialog opened from inside another closes alone: React passes a
 * child dialog's close and cancel events up its tree, so each dialog answers only its own.
 */
export function Dialog({
  title,
  open,
  onClose,
  children,
  footer,
  wide,
}: {
  title: string;
  open: boolean;
  onClose(): void;
  children: ReactNode;
  footer?: ReactNode;
  wide?: boolean;
}) {
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    if (open && !dialog.open) dialog.showModal();
    if (!open && dialog.open) dialog.close();
  }, [open]);
  return (
    <dialog
      ref={ref}
      className={`dialog${wide ? ' dialog-wide' : ''}`}
      aria-label={title}
      onClose={(e) => {
        if (e.target === e.currentTarget) onClose();
      }}
      onCancel={(e) => {
        if (e.target !== e.currentTarget) return;
        e.preventDefault();
        onClose();
      }}
    >
      <header className="dialog-header">
        <h2>{title}</h2>
        <button type="button" className="icon-button" aria-label="Close" onClick={onClose}>
          ×
        </button>
      </header>
      <div className="dialog-body">{children}</div>
      {footer && <footer className="dialog-footer">{footer}</footer>}
    </dialog>
  );
}

/** The usual footer of a dialog holding a form: Cancel, and the button that submits the form by its id. */
export function CancelAndSubmit({
  onCancel,
  form,
  disabled,
  children,
}: {
  onCancel(): void;
  form: string;
  disabled: boolean;
  children: ReactNode;
}) {
  return (
    <>
      <button type="button" className="button secondary" onClick={onCancel}>
        Cancel
      </button>
      <button type="submit" form={form} className="button" disabled={disabled}>
        {children}
      </button>
    </>
  );
}
