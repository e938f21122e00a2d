import type { IncomingMessage } from 'node:http';
import { describe, expect, it } from '@jest/globals';
import { anyViewer, bearerViewer, csrfAccepted, type Viewer } from '../../src/bot/fleet/viewer.js';

const TOKEN = 'a'.repeat(40);
const request = (headers: Record<string, string | string[]>): IncomingMessage =>
  ({ headers }) as unknown as IncomingMessage;
const alice: Viewer = { kind: 'user', login: 'alice', csrf: 'c'.repeat(32) };

describe('bearerViewer', () => {
  it.each([
    ['the token', `Bearer ${TOKEN}`, 'operator'],
    ['the token, any case of the scheme', `bearer ${TOKEN}`, 'operator'],
    ['another token of the same length', `Bearer ${'b'.repeat(40)}`, undefined],
    ['a prefix of the token', `Bearer ${TOKEN.slice(0, 20)}`, undefined],
    ['no scheme', TOKEN, undefined],
    ['nothing', '', undefined],
  ])('%s → %s', async (_, authorization, kind) => {
    const viewer = await bearerViewer(TOKEN)(request({ authorization }));
    expect(viewer?.kind).toBe(kind);
  });

  it('knows nobody without a configured token, whatever the header', async () => {
    expect(await bearerViewer(undefined)(request({ authorization: 'Bearer ' }))).toBeUndefined();
    expect(await bearerViewer('')(request({ authorization: 'Bearer ' }))).toBeUndefined();
  });
});

describe('anyViewer', () => {
  it('asks each source in turn and takes the first that knows the request', async () => {
    const session = () => Promise.resolve(alice);
    const both = anyViewer(bearerViewer(TOKEN), session);
    expect(await both(request({ authorization: `Bearer ${TOKEN}` }))).toEqual({ kind: 'operator' });
    expect(await both(request({}))).toEqual(alice);
    expect(await anyViewer()(request({}))).toBeUndefined();
  });
});

describe('csrfAccepted', () => {
  it.each([
    ['the session token', { 'x-csrf-token': alice.kind === 'user' ? alice.csrf : '' }, true],
    ['another token', { 'x-csrf-token': 'd'.repeat(32) }, false],
    ['an empty header', { 'x-csrf-token': '' }, false],
    ['no header', {}, false],
  ])('a user with %s → %s', (_, headers, accepted) => {
    expect(csrfAccepted(alice, request(headers))).toBe(accepted);
  });

  it('asks nothing of the operator: the token in a header is not sent by a cross-site form', () => {
    expect(csrfAccepted({ kind: 'operator' }, request({}))).toBe(true);
  });
});
