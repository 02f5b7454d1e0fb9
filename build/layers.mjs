// @ts-check
import path from 'node:path';

/**
 * The house's parts and the arrows allowed between them (../shared/ARCHITECTURE.md), in one
 * table: the `signet/layers` lint rule is generated from it, as VS Code's code-layering rule is
 * from its layer list. An import from one part into another that its row does not name fails
 * `npm run lint`. Adding an arrow is an edit here, in review, not an accident.
 */
const CORE_AREAS = {
  'core/json': [],
  'core/net': [],
  'core/events': [],
  'core/paths': [],
  'core/assets': [],
  'core/signing': [],
  'core/dispatch': ['core/events'],
  'core/storage': ['core/dispatch', 'core/json', 'core/net', 'core/services', 'core/kms', 'core/keys'],
  'core/settings': ['core/storage'],
  'core/audit': ['core/dispatch', 'core/services', 'core/storage'],
  'core/keys': ['core/audit', 'core/dispatch', 'core/json', 'core/kms', 'core/pkcs11', 'core/services', 'core/storage', 'core/trust'],
  'core/kms': ['core/dispatch', 'core/json', 'core/keys', 'core/net', 'core/services', 'core/storage'],
  'core/pkcs11': ['core/dispatch', 'core/kms', 'core/services', 'core/storage'],
  'core/registry': ['core/dispatch', 'core/json', 'core/keys', 'core/net', 'core/services', 'core/storage'],
  'core/signatures': [
    'core/dispatch',
    'core/json',
    'core/keys',
    'core/kms',
    'core/net',
    'core/offline',
    'core/pkcs11',
    'core/registry',
    'core/services',
    'core/storage',
    'core/trust',
  ],
  'core/trust': [
    'core/audit',
    'core/dispatch',
    'core/json',
    'core/keys',
    'core/registry',
    'core/services',
    'core/signatures',
    'core/storage',
  ],
  'core/offline': [
    'core/dispatch',
    'core/json',
    'core/keys',
    'core/kms',
    'core/pkcs11',
    'core/registry',
    'core/services',
    'core/signatures',
    'core/storage',
  ],
  'core/rules': [
    'core/audit',
    'core/dispatch',
    'core/json',
    'core/keys',
    'core/kms',
    'core/net',
    'core/registry',
    'core/services',
    'core/signatures',
    'core/storage',
  ],
  'core/ocir': ['core/dispatch', 'core/json', 'core/kms', 'core/keys', 'core/net', 'core/registry', 'core/services', 'core/signatures'],
  'core/payload': ['core/dispatch', 'core/json', 'core/registry', 'core/services', 'core/signatures'],
  'core/doctor': ['core/keys', 'core/kms', 'core/settings'],
  'core/services': [
    'core/audit',
    'core/doctor',
    'core/events',
    'core/keys',
    'core/kms',
    'core/pkcs11',
    'core/registry',
    'core/settings',
    'core/storage',
    'core/trust',
  ],
};
const CORE = Object.keys(CORE_AREAS);
/** Base parts every core area may use: the signing interface and algorithm table, strict JSON, the network gate. */
const BASE = ['core/signing', 'core/json', 'core/net'];

/** @type {Record<string, string[]>} part → the parts it may import (shared/ is everyone's). */
export const ARROWS = {
  shared: [],
  ...Object.fromEntries(
    Object.entries(CORE_AREAS).map(([k, v]) => [k, ['shared', ...(v.length || k === 'core/dispatch' ? BASE : []), ...v]]),
  ),
  'core/core': ['shared', ...CORE],
  'electron/main': ['shared', 'core/core', 'core/assets'],
  'electron/preload': ['shared'],
  'electron/hosts/cli': [
    'shared',
    'electron/hosts/web',
    'core/core',
    'core/assets',
    'core/dispatch',
    'core/offline',
    'core/paths',
    'core/pkcs11',
    'core/registry',
    'core/rules',
    'core/storage',
  ],
  'electron/hosts/web': ['shared', 'core/core', 'core/assets'],
  renderer: ['shared'],
};

/** The part a repository-relative path belongs to, or undefined (tests, scripts, configs). */
export function partOf(relative) {
  const p = relative.split(path.sep).join('/');
  const core = /^electron\/core\/([^/.]+)/.exec(p);
  if (core) return `core/${core[1]}`;
  if (/^electron\/hosts\/(cli|web)\//.test(p)) return p.split('/').slice(0, 3).join('/');
  if (/^electron\/(main|preload)\//.test(p)) return p.split('/').slice(0, 2).join('/');
  if (p.startsWith('renderer/')) return 'renderer';
  if (p.startsWith('shared/')) return 'shared';
  // Any other file under electron/ is a part the table does not know: it may import shared/ only,
  // and nothing may import it, so it cannot relay a forbidden arrow.
  if (p.startsWith('electron/')) return `unknown:${p.split('/').slice(0, 3).join('/')}`;
  return undefined;
}

/** @type {import('eslint').Rule.RuleModule} */
const layers = {
  meta: { type: 'problem', docs: { description: 'Imports follow the arrows of build/layers.mjs' }, schema: [] },
  create(context) {
    const root = context.cwd;
    const file = path.relative(root, context.filename);
    const from = partOf(file);
    if (!from || /\.test\.tsx?$/.test(file)) return {};
    /** The module a node names: a string literal, or a template literal without expressions. */
    const named = (/** @type {any} */ source) => {
      if (source?.type === 'Literal' && typeof source.value === 'string') return source.value;
      if (source?.type === 'TemplateLiteral' && source.expressions.length === 0) return source.quasis[0]?.value.cooked ?? undefined;
      return undefined;
    };
    /** @param {any} node */
    const check = (node) => {
      const source = node.type === 'TSImportType' ? (node.argument?.literal ?? node.argument) : node.source;
      const spec = named(source);
      if (spec === undefined) {
        // import(expression) under electron/: the arrow cannot be checked, so it is not allowed.
        if (node.type === 'ImportExpression' && source)
          context.report({ node, message: `${from}: import() of a computed module name cannot be checked against build/layers.mjs.` });
        return;
      }
      if (!spec.startsWith('.')) return;
      const to = partOf(path.relative(root, path.resolve(path.dirname(context.filename), spec)));
      // A part the table does not know yet (a new area) may import shared/ only, until it gets its row.
      if (!to || to === from || (!to.startsWith('unknown:') && (ARROWS[from] ?? ['shared']).includes(to))) return;
      context.report({ node, message: `${from} may not import ${to} ("${spec}"): the arrows are in build/layers.mjs.` });
    };
    return {
      ImportDeclaration: check,
      ExportNamedDeclaration: check,
      ExportAllDeclaration: check,
      ImportExpression: check,
      TSImportType: check,
    };
  },
};

export const layersPlugin = { rules: { layers } };
