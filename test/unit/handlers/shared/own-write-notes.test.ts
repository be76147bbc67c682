import { flushingOwnWriteNotes, ownWriteNotes } from '../../../../lambdas/handlers/shared/own-write-notes';

const env = { require: () => 'sync-state', optional: () => undefined };

describe('own-write notes of a Lambda container', () => {
  it('should be one buffer, written when each invocation ends, also when it threw', async () => {
    const buffer = ownWriteNotes(env);
    expect(ownWriteNotes(env)).toBe(buffer);
    const flush = jest.spyOn(buffer, 'flush').mockResolvedValue();
    const handler = flushingOwnWriteNotes(async (fail: boolean) => {
      expect(flush).not.toHaveBeenCalled();
      if (fail) throw new Error('boom');
      return 'ok';
    });

    await expect(handler(false)).resolves.toBe('ok');
    expect(flush).toHaveBeenCalledTimes(1);
    flush.mockClear();
    await expect(handler(true)).rejects.toThrow('boom');
    expect(flush).toHaveBeenCalledTimes(1);
  });
});
