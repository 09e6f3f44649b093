import { describe, expect, it } from 'vitest';
import { looksLikeCredential } from '../../functions/core/credentials.ts';
import { type DisclosureSubject, mayShowValues } from '../../functions/core/disclosure.ts';

// A password in a connection string: a credential by its value, whatever the key is called.
const CONNECTION_STRING = 'postgres://orders:Sup3rS3cret!@db.internal:5432/orders';

describe('Function: mayShowValues', () => {
  const cases: [string, DisclosureSubject, boolean][] = [
    [
      'a plain String of a declared, not sensitive key',
      { key: 'max-retries', sensitive: false, values: [{ type: 'String', value: '5' }] },
      true,
    ],
    [
      'two plain values shown together (actual beside desired)',
      {
        key: 'max-retries',
        sensitive: false,
        values: [
          { type: 'String', value: '5' },
          { type: 'String', value: '3' },
        ],
      },
      true,
    ],
    [
      'a key declared sensitive',
      { key: 'partner-id', sensitive: true, values: [{ type: 'String', value: 'acme' }] },
      false,
    ],
    [
      'a key no service declares',
      { key: 'partner-id', sensitive: undefined, values: [{ type: 'String', value: 'acme' }] },
      false,
    ],
    [
      'a SecureString value, even of a key not declared sensitive',
      { key: 'max-retries', sensitive: false, values: [{ type: 'SecureString', value: '5' }] },
      false,
    ],
    [
      'a StringList value',
      { key: 'regions', sensitive: false, values: [{ type: 'StringList', value: 'eu-west-1,eu-central-1' }] },
      false,
    ],
    [
      'a credential-looking value under a non-sensitive key',
      { key: 'database-url', sensitive: false, values: [{ type: 'String', value: CONNECTION_STRING }] },
      false,
    ],
    [
      'a key whose name says credential, whatever the value',
      { key: 'db-password', sensitive: false, values: [{ type: 'String', value: 'correct horse battery' }] },
      false,
    ],
    [
      'a plain value shown beside a credential-looking one',
      {
        key: 'database-url',
        sensitive: false,
        values: [
          { type: 'String', value: 'postgres://db.internal:5432/orders' },
          { type: 'String', value: CONNECTION_STRING },
        ],
      },
      false,
    ],
    [
      'a plain value shown beside a SecureString one',
      {
        key: 'max-retries',
        sensitive: false,
        values: [
          { type: 'String', value: '5' },
          { type: 'SecureString', value: '3' },
        ],
      },
      false,
    ],
  ];

  it('treats the connection string as a credential by its value alone', () => {
    // Assess: the precondition of the credential-looking cases below.
    expect(looksLikeCredential('database-url', CONNECTION_STRING).matched).toBe(true);
    expect(looksLikeCredential('database-url', 'postgres://db.internal:5432/orders').matched).toBe(false);
  });

  it.each(cases)('%s', (_label, subject, expected) => {
    // Act
    const shown = mayShowValues(subject);

    // Assess
    expect(shown).toBe(expected);
  });
});
