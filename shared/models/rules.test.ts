import { describe, expect, it } from 'vitest';
import { RuleFields, ruleNameProblem } from './rules';

describe('rule names, as TCR requires them', () => {
  it('takes 2 to 50 lowercase letters and digits with single separators between them', () => {
    for (const good of ['ab', 'a1', 'release', 'team/apps', 'prod.v1_sign-all', `a${'b'.repeat(49)}`, 'a.b_c-d/e'])
      expect([good, ruleNameProblem(good)]).toEqual([good, undefined]);
  });

  it('says in words what is wrong', () => {
    expect(ruleNameProblem('a')).toMatch(/at least 2/);
    expect(ruleNameProblem('a'.repeat(51))).toMatch(/at most 50/);
    expect(ruleNameProblem('Release')).toMatch(/lower case/);
    expect(ruleNameProblem('re lease')).toMatch(/cannot be in a rule name/);
    expect(ruleNameProblem('-release')).toMatch(/starts with/);
    expect(ruleNameProblem('release/')).toMatch(/ends with/);
    expect(ruleNameProblem('re--lease')).toMatch(/between its separators/);
    expect(ruleNameProblem('re./lease')).toMatch(/between its separators/);
  });

  it('holds at every length and with every separator in every place', () => {
    const seps = ['.', '_', '-', '/'];
    for (let length = 0; length <= 60; length++) {
      const plain = 'a'.repeat(length);
      expect(ruleNameProblem(plain) === undefined).toBe(length >= 2 && length <= 50);
    }
    for (const sep of seps) {
      for (let at = 0; at <= 6; at++) {
        const name = `abcdef`.slice(0, at) + sep + `abcdef`.slice(at);
        expect(ruleNameProblem(name) === undefined).toBe(at > 0 && at < 6);
      }
      for (const other of seps) expect(ruleNameProblem(`ab${sep}${other}cd`)).toBeDefined();
    }
  });

  it('the contract refuses a bad field with the same words', () => {
    const fields = {
      name: 'Bad',
      description: '',
      registry: 'r',
      namespace: 'team',
      repositories: '**',
      tags: '{a',
      key: 'k',
      formats: ['cosign'],
      trigger: 'manual',
      enabled: true,
      exclusive: false,
    };
    const parsed = RuleFields.safeParse(fields);
    expect(parsed.success).toBe(false);
    const messages = parsed.error?.issues.map((i) => `${i.path.join('.')}: ${i.message}`) ?? [];
    expect(messages).toEqual([expect.stringMatching(/^name: .*lower case/), expect.stringMatching(/^tags: .*never closed/)]);
    expect(
      RuleFields.safeParse({ ...fields, name: 'good', tags: '**', key: 'pkcs11:token=t;object=k?pin-value=1234' }).error?.issues[0]
        ?.message,
    ).toMatch(/never keeps a PIN/);
  });
});
