import type { ReactNode } from 'react';
import { readKeyFile } from './files';

/** Key material as the contract carries it: text, or a binary file as base64 (with the file's name, to say which). */
export interface KeyMaterial {
  text: string;
  encoding: 'text' | 'base64';
  fileName?: string;
}

export const NO_KEY_MATERIAL: KeyMaterial = { text: '', encoding: 'text' };

/**
 * A key or certificate: chosen as a file (binary files, such as gpg writes without --armor, are
 * carried as they are) or pasted as text. `binaryNote` says what such a binary file is and what
 * happens to it.
 */
export function KeyMaterialField({
  fileId,
  textId,
  fileLabel,
  value,
  onChange,
  binaryNote,
  placeholder,
}: {
  fileId: string;
  textId: string;
  fileLabel: string;
  value: KeyMaterial;
  onChange(value: KeyMaterial): void;
  binaryNote: ReactNode;
  placeholder: string;
}) {
  return (
    <>
      <div className="field">
        <label htmlFor={fileId}>{fileLabel}</label>
        <input
          id={fileId}
          type="file"
          onChange={(e) => {
            const f = e.target.files?.[0];
            if (f)
              void readKeyFile(f).then((read) =>
                onChange({ text: read.text, encoding: read.encoding, ...(read.encoding === 'base64' ? { fileName: f.name } : {}) }),
              );
          }}
        />
      </div>
      {value.encoding === 'base64' ? (
        <p className="hint" role="status">
          {value.fileName} is a binary file ({binaryNote}).{' '}
          <button type="button" className="link-button" onClick={() => onChange(NO_KEY_MATERIAL)}>
            Paste text instead
          </button>
        </p>
      ) : (
        <div className="field">
          <label htmlFor={textId}>…or paste it</label>
          <textarea
            id={textId}
            rows={6}
            value={value.text}
            onChange={(e) => onChange({ text: e.target.value, encoding: 'text' })}
            spellCheck={false}
            placeholder={placeholder}
          />
        </div>
      )}
    </>
  );
}
