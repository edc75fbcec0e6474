import { isDeliverable, maskEmail, maskPhone, matchesHint } from '../../../shared/domain/challenge';

describe('challenge', () => {
  describe('matchesHint', () => {
    it('matches a phone by the digits the network left visible', () => {
      expect(matchesHint('+5511912347728', '(###)###7728')).toBe(true);
      expect(matchesHint('+5511912340000', '(###)###7728')).toBe(false);
    });

    it('matches an email by its visible leading characters', () => {
      expect(matchesHint('ana.souza@example.com', 'a***@e***.com')).toBe(true);
      expect(matchesHint('bob@example.com', 'a***@e***.com')).toBe(false);
      expect(matchesHint('ana@other.com', 'a***@e***.com')).toBe(false);
    });

    it('accepts any destination when the network gave no hint', () => {
      expect(matchesHint('+5511912347728', undefined)).toBe(true);
    });
  });

  it('masks destinations to what a support agent may see', () => {
    expect(maskPhone('+5511912347728')).toBe('*********7728');
    expect(maskEmail('ana.souza@example.com')).toBe('a***@e***.com');
  });

  it('delivers SMS and email codes only', () => {
    expect(['SMS', 'EMAIL', 'APP_TO_APP', 'CALL_CENTER', undefined].map((m) => isDeliverable(m as never))).toEqual([
      true,
      true,
      false,
      false,
      false,
    ]);
  });
});
