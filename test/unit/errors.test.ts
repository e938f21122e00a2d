import { describe, expect, it } from '@jest/globals';
import { errorMessage, InputError, withContext } from '../../src/core/errors.js';

describe('errorMessage', () => {
  it.each([
    [new Error('plain'), 'plain'],
    [
      Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' }),
      'ThrottlingException: Rate exceeded',
    ],
    ['text', 'text'],
    [{ a: 1 }, '{"a":1}'],
  ])('renders %p as %p', (input, expected) => {
    expect(errorMessage(input)).toBe(expected);
  });

  it('adds context as the error rises and keeps the cause', () => {
    const cause = new Error('boom');
    const error = withContext('Could not register task definition', cause);
    expect(error.message).toBe('Could not register task definition: boom');
    expect(error.cause).toBe(cause);
  });

  it('names the input in an input error', () => {
    expect(new InputError('wait-timeout', "expected a duration such as '15m'").message).toBe(
      "Input 'wait-timeout': expected a duration such as '15m'",
    );
  });
});
