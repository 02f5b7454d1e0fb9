import { describe, expect, it } from 'vitest';
import { migrationNoteText } from './commands/trust';

describe('signet trust list: the migration note', () => {
  it('the CLI prints the migration note with each entry and how to dismiss it', () => {
    const text = migrationNoteText({
      at: '2026-01-01T00:00:00Z',
      message:
        'These keys were trusted implicitly by earlier versions; they are now explicit trust entries. Remove any you do not want to trust.',
      entries: [{ keyId: 'k-1', keyName: 'release', entryId: 'key-abc', entryName: 'release' }],
      pending: [],
      skipped: [{ keyId: 'k-2', keyName: 'lost', reason: 'gone' }],
    });
    expect(text).toContain('trusted implicitly by earlier versions');
    expect(text).toContain('key-abc\t"release"');
    expect(text).toContain('not trusted: Signet key "lost": gone');
    expect(text).toContain('signet trust ack-migration');
  });
});
