import { rebuiltOnChange } from '../../../../lambdas/handlers/shared/settings';

describe('rebuiltOnChange', () => {
  it('should keep the built value while the settings stay the same and rebuild when they change', () => {
    let builds = 0;
    const clientFor = rebuiltOnChange((s: { secret: string }) => ({ build: ++builds, secret: s.secret }));

    const first = clientFor({ secret: 'a' });
    const again = clientFor({ secret: 'a' });
    const rotated = clientFor({ secret: 'b' });

    expect(again).toBe(first);
    expect(rotated).toEqual({ build: 2, secret: 'b' });
  });
});
