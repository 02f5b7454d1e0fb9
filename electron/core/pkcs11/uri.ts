import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { SignetError } from '../../../shared/errors';

/**
 * RFC 7512 `pkcs11:` URIs, parsed strictly: every attribute known, none twice, every
 * percent-encoding valid, `pin-value` only in the query, `pin-source` only ever a file.
 * Errors never echo the URI (it may carry a PIN); they name the attribute at fault.
 */
export const OBJECT_TYPES = ['public', 'private', 'cert', 'secret-key', 'data'] as const;
export type Pkcs11ObjectType = (typeof OBJECT_TYPES)[number];

export interface Pkcs11Uri {
  token?: string;
  manufacturer?: string;
  serial?: string;
  model?: string;
  libraryManufacturer?: string;
  libraryDescription?: string;
  libraryVersion?: string;
  slotManufacturer?: string;
  slotDescription?: string;
  slotId?: number;
  object?: string;
  /** CKA_ID bytes. */
  id?: Uint8Array;
  type?: Pkcs11ObjectType;
  modulePath?: string;
  moduleName?: string;
  /** A file path holding the PIN (a `file:` URI is turned into its path). Never executed. */
  pinSource?: string;
  /** The PIN bytes; the caller zeroes them after use. */
  pinValue?: Buffer;
}

type TextKey = Exclude<keyof Pkcs11Uri, 'slotId' | 'id' | 'type' | 'pinValue' | 'pinSource' | 'modulePath'>;

const PATH_TEXT: Readonly<Record<string, TextKey>> = {
  token: 'token',
  manufacturer: 'manufacturer',
  serial: 'serial',
  model: 'model',
  'library-manufacturer': 'libraryManufacturer',
  'library-description': 'libraryDescription',
  'slot-manufacturer': 'slotManufacturer',
  'slot-description': 'slotDescription',
  object: 'object',
};
const PATH_OTHER = new Set(['library-version', 'slot-id', 'id', 'type']);
const QUERY_ATTRS = new Set(['module-path', 'module-name', 'pin-source', 'pin-value']);

// RFC 7512 §2.3: unreserved / pk11-res-avail / pct-encoded, plus "&" in the path and "/", "?", "|" in the query.
const PATH_CHARS = /^[A-Za-z0-9\-._~:[\]@!$'()*+,=&%]*$/;
const QUERY_CHARS = /^[A-Za-z0-9\-._~:[\]@!$'()*+,=/?|%]*$/;

const bad = (message: string) => new SignetError('INVALID_INPUT', `Not a usable pkcs11: URI: ${message}.`);

export function parsePkcs11Uri(text: string): Pkcs11Uri {
  if (typeof text !== 'string' || !/^pkcs11:/i.test(text)) throw bad('it must start with "pkcs11:"');
  if (text.length > 4096) throw bad('it is longer than 4096 characters');
  const body = text.slice('pkcs11:'.length);
  const q = body.indexOf('?');
  const pathPart = q === -1 ? body : body.slice(0, q);
  const queryPart = q === -1 ? undefined : body.slice(q + 1);

  const uri: Pkcs11Uri = {};
  const seen = new Set<string>();
  for (const [name, raw] of attributes(pathPart, ';', 'path')) {
    if (name === 'pin-value' || name === 'pin-source') {
      throw bad(
        `"${name}" is in the path; RFC 7512 puts it in the query (after "?"), and Signet refuses it in the path, where it is shown and logged with the key address. Put the PIN in a file named by ?pin-source= or enter it when asked`,
      );
    }
    if (QUERY_ATTRS.has(name)) throw bad(`"${name}" is a query attribute; put it after "?"`);
    if (!(name in PATH_TEXT) && !PATH_OTHER.has(name))
      throw bad(`the path attribute "${name}" is unknown (known: ${[...Object.keys(PATH_TEXT), ...PATH_OTHER].join(', ')})`);
    if (seen.has(name)) throw bad(`the attribute "${name}" appears twice`);
    seen.add(name);
    if (!PATH_CHARS.test(raw))
      throw bad(
        `the value of "${name}" holds a character that must be percent-encoded in the path (such as a space, "/", "?", "&" or "#")`,
      );
    const bytes = pctDecode(raw, name);
    const key = PATH_TEXT[name];
    if (key) {
      uri[key] = utf8(bytes, name);
    } else if (name === 'id') {
      uri.id = new Uint8Array(bytes);
    } else if (name === 'slot-id') {
      const value = utf8(bytes, name);
      if (!/^[0-9]{1,20}$/.test(value) || !Number.isSafeInteger(Number(value))) throw bad('"slot-id" must be a decimal number');
      uri.slotId = Number(value);
    } else if (name === 'library-version') {
      const value = utf8(bytes, name);
      if (!/^[0-9]{1,3}(\.[0-9]{1,3})?$/.test(value)) throw bad('"library-version" must be MAJOR or MAJOR.MINOR');
      uri.libraryVersion = value;
    } else {
      const value = utf8(bytes, name);
      if (!(OBJECT_TYPES as readonly string[]).includes(value)) throw bad(`"type" must be one of ${OBJECT_TYPES.join(', ')}`);
      uri.type = value as Pkcs11ObjectType;
    }
  }
  if (queryPart !== undefined) {
    for (const [name, raw] of attributes(queryPart, '&', 'query')) {
      if (!QUERY_ATTRS.has(name)) {
        if (name in PATH_TEXT || PATH_OTHER.has(name)) throw bad(`"${name}" is a path attribute; put it before "?"`);
        throw bad(`the query attribute "${name}" is unknown (known: ${[...QUERY_ATTRS].join(', ')})`);
      }
      if (seen.has(name)) throw bad(`the attribute "${name}" appears twice`);
      seen.add(name);
      if (!QUERY_CHARS.test(raw))
        throw bad(`the value of "${name}" holds a character that must be percent-encoded in the query (such as a space, "&" or "#")`);
      const bytes = pctDecode(raw, name);
      if (name === 'pin-value') {
        uri.pinValue = bytes;
        continue;
      }
      const value = utf8(bytes, name);
      if (!value) throw bad(`"${name}" is empty`);
      if (name === 'module-path') {
        if (!path.isAbsolute(value)) throw bad('"module-path" must be an absolute path to the module file');
        uri.modulePath = value;
      } else if (name === 'module-name') {
        if (/[/\\]/.test(value)) throw bad('"module-name" is a module name, not a path; use "module-path" for a path');
        uri.moduleName = value;
      } else {
        uri.pinSource = pinSourcePath(value);
      }
    }
  }
  if (uri.pinValue && uri.pinSource) {
    uri.pinValue.fill(0);
    throw bad('it has both "pin-value" and "pin-source"; give one');
  }
  return uri;
}

function* attributes(part: string, separator: string, where: string): Generator<[string, string]> {
  if (part === '') return;
  for (const item of part.split(separator)) {
    const eq = item.indexOf('=');
    if (eq <= 0)
      throw bad(
        item === ''
          ? `its ${where} has an empty attribute (a doubled or trailing "${separator}")`
          : `a ${where} attribute has no "name=value" form`,
      );
    const name = item.slice(0, eq);
    if (!/^[a-z][a-z0-9-]*$/.test(name)) throw bad(`a ${where} attribute name is not lower-case letters, digits and "-"`);
    yield [name, item.slice(eq + 1)];
  }
}

function pctDecode(raw: string, name: string): Buffer {
  const out: number[] = [];
  for (let i = 0; i < raw.length; i += 1) {
    const c = raw[i] as string;
    if (c !== '%') {
      out.push(c.charCodeAt(0));
      continue;
    }
    const hex = raw.slice(i + 1, i + 3);
    if (!/^[0-9A-Fa-f]{2}$/.test(hex)) throw bad(`the value of "${name}" has a "%" not followed by two hex digits`);
    out.push(parseInt(hex, 16));
    i += 2;
  }
  return Buffer.from(out);
}

function utf8(bytes: Buffer, name: string): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw bad(`the value of "${name}" is not UTF-8 text`);
  }
}

/** `pin-source` names a file (RFC 7512 §2.3); the `|command` form some tools run is refused. */
function pinSourcePath(value: string): string {
  if (value.startsWith('|'))
    throw bad('"pin-source" names a command ("|..."); Signet never runs anything to get a PIN: name a file instead');
  let file = value;
  if (/^file:/i.test(value)) {
    try {
      file = fileURLToPath(value.replace(/^file:(?!\/\/)/i, 'file://'));
    } catch {
      throw bad('"pin-source" is not a valid file: URI');
    }
  } else if (/^[a-z][a-z0-9+.-]*:/i.test(value) && !/^[a-z]:[\\/]/i.test(value)) {
    throw bad('"pin-source" must be a file path or a file: URI');
  }
  if (!path.isAbsolute(file)) throw bad('"pin-source" must be an absolute file path');
  return file;
}

/** Replaces every PIN in `text` (pin-value=…, also percent-encoded names) with REDACTED. */
export function redactPin(text: string): string {
  return text.replace(/((?:pin|PIN|Pin)(?:-|%2[dD])(?:value|VALUE|Value)=)[^&;#\s"'<>]*/g, '$1REDACTED');
}

const UNRESERVED = /[A-Za-z0-9\-._~]/;

function pctEncode(value: string | Uint8Array, allowed = ''): string {
  const bytes = typeof value === 'string' ? Buffer.from(value, 'utf8') : Buffer.from(value);
  let out = '';
  for (const b of bytes) {
    const c = String.fromCharCode(b);
    out += b < 0x80 && (UNRESERVED.test(c) || allowed.includes(c)) ? c : `%${b.toString(16).padStart(2, '0').toUpperCase()}`;
  }
  return out;
}

/** Formats a key address (never with a PIN): token serial and label, object label and id, module path. */
export function formatPkcs11Uri(parts: {
  token?: string;
  serial?: string;
  object?: string;
  id?: Uint8Array;
  type?: Pkcs11ObjectType;
  modulePath?: string;
}): string {
  const attrs: string[] = [];
  if (parts.token !== undefined) attrs.push(`token=${pctEncode(parts.token)}`);
  if (parts.serial !== undefined) attrs.push(`serial=${pctEncode(parts.serial)}`);
  if (parts.object !== undefined) attrs.push(`object=${pctEncode(parts.object)}`);
  if (parts.id !== undefined) attrs.push(`id=${[...parts.id].map((b) => `%${b.toString(16).padStart(2, '0')}`).join('')}`);
  if (parts.type !== undefined) attrs.push(`type=${parts.type}`);
  const query = parts.modulePath !== undefined ? `?module-path=${pctEncode(parts.modulePath, '/')}` : '';
  return `pkcs11:${attrs.join(';')}${query}`;
}
