import { describe, expect, it } from '@jest/globals';
import {
  decideLogDelivery,
  visibilityOf,
  type LogDelivery,
  type LogDeliveryDecision,
  type RepoVisibility,
} from '../../src/core/preview/log-delivery.js';

describe('decideLogDelivery', () => {
  it.each<[LogDelivery | undefined, RepoVisibility | undefined, LogDeliveryDecision]>([
    // Nothing configured: the repository's visibility decides.
    [undefined, 'private', { delivery: 'comment' }],
    [undefined, 'internal', { delivery: 'comment' }],
    [undefined, 'public', { delivery: 'link', reason: 'public' }],
    [undefined, undefined, { delivery: 'link', reason: 'public' }],
    // `comment` is a wish that a public repository refuses, and says so.
    ['comment', 'private', { delivery: 'comment' }],
    ['comment', 'internal', { delivery: 'comment' }],
    ['comment', 'public', { delivery: 'link', reason: 'public-refused-comment' }],
    ['comment', undefined, { delivery: 'link', reason: 'public-refused-comment' }],
    // `link` and `off` hold everywhere.
    ['link', 'private', { delivery: 'link', reason: 'configured' }],
    ['link', 'public', { delivery: 'link', reason: 'configured' }],
    ['off', 'private', { delivery: 'off' }],
    ['off', 'public', { delivery: 'off' }],
  ])('preview.logs %s on a %s repository', (configured, visibility, decision) => {
    expect(decideLogDelivery(configured, visibility)).toStrictEqual(decision);
  });
});

describe('visibilityOf', () => {
  it.each<[string, unknown, RepoVisibility]>([
    ['a public repository', { private: false, visibility: 'public' }, 'public'],
    ['a private repository', { private: true, visibility: 'private' }, 'private'],
    ['an internal repository', { private: true, visibility: 'internal' }, 'internal'],
    ['a server that only sends private: true', { private: true }, 'private'],
    ['a server that only sends private: false', { private: false }, 'public'],
    [
      'fields that disagree (private visibility, private: false)',
      { private: false, visibility: 'private' },
      'public',
    ],
    [
      'fields that disagree (public visibility, private: true)',
      { private: true, visibility: 'public' },
      'public',
    ],
    ['an unknown visibility', { visibility: 'secret' }, 'public'],
    ['private as a string', { private: 'true' }, 'public'],
    ['no fields at all', {}, 'public'],
    ['no object', null, 'public'],
  ])('%s is %s', (_what, answer, visibility) => {
    expect(visibilityOf(answer)).toBe(visibility);
  });
});
