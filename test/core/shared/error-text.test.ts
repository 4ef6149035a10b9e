import { describe, expect, it } from 'vitest';
import { describeError, errorMessage, errorName } from '#core/shared/error-text.ts';
import { RoleNotAssumableError } from '#core/shared/errors.ts';

describe('error text', () => {
  it('reads an Error and its subclasses', () => {
    // Prepare
    const error = new RoleNotAssumableError('role not there yet');
    // Act
    const text = { name: errorName(error), message: errorMessage(error), line: describeError(error) };
    // Assess
    expect(text).toEqual({
      name: 'RoleNotAssumableError',
      message: 'role not there yet',
      line: 'RoleNotAssumableError: role not there yet',
    });
  });

  it('reads an SDK-like exception object that is no Error', () => {
    const thrown = { name: 'AccessDeniedException', message: 'not authorized', $metadata: {} };
    expect(describeError(thrown)).toBe('AccessDeniedException: not authorized');
  });

  it.each([
    ['a string', 'boom', 'Error', 'boom'],
    ['undefined', undefined, 'Error', 'undefined'],
    ['null', null, 'Error', 'null'],
    ['a number', 42, 'Error', '42'],
    ['a plain object', { code: 7 }, 'Error', '{"code":7}'],
    ['an empty object', {}, 'Error', '[object Object]'],
    [
      'an object with non-string fields',
      { name: 3, message: { at: 1 } },
      'Error',
      '{"name":3,"message":{"at":1}}',
    ],
  ])('names and describes %s', (_what, thrown, name, message) => {
    // Act
    const text = { name: errorName(thrown), message: errorMessage(thrown) };
    // Assess
    expect(text).toEqual({ name, message });
  });

  it('falls back to String() for an object JSON cannot write', () => {
    // Prepare
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    // Act, Assess
    expect(errorMessage(cyclic)).toBe('[object Object]');
    expect(errorMessage(10n)).toBe('10');
  });

  it('keeps an empty message of an Error rather than inventing one', () => {
    expect(describeError(new Error(''))).toBe('Error: ');
  });
});
