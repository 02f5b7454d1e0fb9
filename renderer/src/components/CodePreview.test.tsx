import { describe, expect, it } from 'vitest';
import { render } from '../testing';
import { CodePreview } from './CodePreview';

describe('CodePreview', () => {
  it('colours keys, strings, literals and comments, and keeps the text exact', async () => {
    const text =
      '# policy\napiVersion: kyverno.io/v1\nspec:\n  - glob: "**"\n  count: 1\n  "type": "reject",\n<img src=x onerror=alert(1)>: "<b>"';
    const { container, unmount } = await render(<CodePreview text={text} label="Preview" />);
    expect(container.querySelector('pre')?.textContent).toBe(`${text}\n`);
    expect([...container.querySelectorAll('.tok-key')].map((e) => e.textContent)).toEqual([
      'apiVersion',
      'spec',
      'glob',
      'count',
      '"type"',
    ]);
    expect([...container.querySelectorAll('.tok-string')].map((e) => e.textContent)).toEqual(['"**"', '"reject"']);
    expect([...container.querySelectorAll('.tok-literal')].map((e) => e.textContent)).toEqual(['1']);
    expect(container.querySelector('.tok-comment')?.textContent).toBe('# policy');
    expect(container.querySelector('img, b')).toBeNull();
    unmount();
  });
});
