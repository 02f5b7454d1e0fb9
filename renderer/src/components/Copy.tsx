import { useState } from 'react';

export function CopyButton({ text, label = 'Copy' }: { text: string; label?: string }) {
  const [copied, setCopied] = useState(false);
  return (
    <button
      type="button"
      className="link-button"
      onClick={() => {
        void navigator.clipboard?.writeText(text).then(() => {
          setCopied(true);
          setTimeout(() => setCopied(false), 1500);
        });
      }}
    >
      {copied ? 'Copied' : label}
    </button>
  );
}

/** A fingerprint in groups of four, selectable and copyable as one string. */
export function Fingerprint({ value, label }: { value: string; label?: string }) {
  const groups = value.match(/.{1,4}/g) ?? [value];
  return (
    <span className="fingerprint">
      <code aria-label={label ?? 'fingerprint'} title={value}>
        {groups.join(' ')}
      </code>
      <CopyButton text={value} />
    </span>
  );
}
