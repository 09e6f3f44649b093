import { AccessDeniedException, ParameterNotFound } from '@aws-sdk/client-ssm';
import { describe, expect, it } from 'vitest';
import { ParameterStoreError } from '../../functions/ports/parameter-store.errors.ts';
import {
  describeAwsCause,
  describeFailedCalls,
  EndpointUnreachableError,
  type FailedCall,
  isAwsOrNetworkError,
} from '../../functions/cli/aws-calls.ts';
import { ConfigurationError } from '../../functions/core/errors.ts';

const accessDenied = () =>
  new AccessDeniedException({
    $metadata: { httpStatusCode: 400 },
    Message: 'not authorized',
    message: 'User: arn:aws:iam::123456789012:user/ci is not authorized to perform: ssm:GetParametersByPath',
  });

const refused = () =>
  Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:4566'), {
    code: 'ECONNREFUSED',
    address: '127.0.0.1',
    port: 4566,
  });

const call = (operation: string, resource: string, error: unknown, withholdMessage = false): FailedCall => ({
  operation,
  resource,
  error,
  withholdMessage,
});

describe('Function: describeAwsCause', () => {
  it('names an SDK service error by name, message and HTTP status, through an adapter error', () => {
    // Prepare
    const error = new ParameterStoreError('GetParametersByPath on /config failed', 'GetParametersByPath', {
      cause: accessDenied(),
    });

    // Act
    const cause = describeAwsCause(error);

    // Assess
    expect(cause).toBe(
      'AccessDeniedException: User: arn:aws:iam::123456789012:user/ci is not authorized to perform: ssm:GetParametersByPath (HTTP 400)',
    );
  });

  it('withholds the service message of a call that carried a value', () => {
    // Act
    const cause = describeAwsCause(accessDenied(), { withholdServiceMessage: true });

    // Assess
    expect(cause).toBe('AccessDeniedException: message withheld: the call carried a value (HTTP 400)');
  });

  it.each([
    [refused(), 'connection refused (ECONNREFUSED) at 127.0.0.1:4566'],
    [
      Object.assign(new Error('getaddrinfo ENOTFOUND ssm.nowhere'), {
        code: 'ENOTFOUND',
        hostname: 'ssm.nowhere',
      }),
      'host not found (ENOTFOUND) at ssm.nowhere',
    ],
    [
      new EndpointUnreachableError('http://127.0.0.1:4566', 'connection refused (ECONNREFUSED)', refused()),
      'connection refused (ECONNREFUSED) at http://127.0.0.1:4566',
    ],
    [new Error('Region is missing'), 'no region: set AWS_REGION (or a region in your AWS profile)'],
    [
      Object.assign(new Error('Could not load credentials from any providers'), {
        name: 'CredentialsProviderError',
      }),
      'no credentials: set AWS_PROFILE, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or sign in (aws sso login) (CredentialsProviderError: Could not load credentials from any providers)',
    ],
  ])('describes %s in the operator’s terms', (error, expected) => {
    // Act + Assess
    expect(describeAwsCause(new ParameterStoreError('x failed', 'x', { cause: error }))).toBe(expected);
  });
});

describe('Function: describeFailedCalls', () => {
  it('gives one line per cause, naming the first call and the others, and leaves out "not found"', () => {
    // Prepare
    const unreachable = new EndpointUnreachableError(
      'http://127.0.0.1:9',
      'connection refused (ECONNREFUSED)',
      refused(),
    );
    const failures = [
      call('DescribeParameters', '/config', unreachable),
      call('GetParametersByPath', '/config/staging', unreachable),
      call(
        'GetParameter',
        '/config/staging/orders/gone',
        new ParameterNotFound({ $metadata: {}, message: 'x' }),
      ),
      call('PutParameter', '/config/staging/orders/max-retries', accessDenied(), true),
    ];

    // Act
    const lines = describeFailedCalls(failures);

    // Assess
    expect(lines).toEqual([
      'DescribeParameters /config: connection refused (ECONNREFUSED) at http://127.0.0.1:9; also GetParametersByPath /config/staging',
      'PutParameter /config/staging/orders/max-retries: AccessDeniedException: message withheld: the call carried a value (HTTP 400)',
    ]);
  });
});

describe('Function: isAwsOrNetworkError', () => {
  it('tells AWS and network failures from configuration errors and bugs', () => {
    // Act + Assess
    expect(isAwsOrNetworkError(new ParameterStoreError('x', 'x', { cause: refused() }))).toBe(true);
    expect(isAwsOrNetworkError(accessDenied())).toBe(true);
    expect(isAwsOrNetworkError(new Error('Region is missing'))).toBe(true);
    expect(isAwsOrNetworkError(new ConfigurationError('settings.json: bad'))).toBe(false);
    expect(isAwsOrNetworkError(new TypeError("Cannot read properties of undefined (reading 'x')"))).toBe(
      false,
    );
  });
});
