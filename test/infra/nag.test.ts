import { App, Duration, Stack } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { describe, expect, it } from 'vitest';
import { nagFindings } from '../../lib/nag.ts';

describe('Function: nagFindings', () => {
  it('reports a deliberately non-compliant construct, naming rule and resource', () => {
    // Prepare: a function without DLQ, tracing or explicit log retention, and an unencrypted queue.
    const stack = new Stack(new App(), 'NonCompliant');
    new lambda.Function(stack, 'Careless', {
      runtime: lambda.Runtime.NODEJS_18_X,
      handler: 'index.handler',
      code: lambda.Code.fromInline('exports.handler = async () => {}'),
      timeout: Duration.seconds(3),
    });
    new sqs.Queue(stack, 'Plain');

    // Act
    const findings = nagFindings(stack);

    // Assess
    const rules = new Set(findings.map((f) => f.rule));
    expect(rules).toContain('AwsSolutions-L1'); // not the latest runtime
    expect(rules).toContain('AwsSolutions-SQS4'); // no SSL enforcement
    expect(rules).toContain('Serverless-LambdaDLQ');
    expect(rules).toContain('Serverless-LambdaTracing');
    expect(findings.find((f) => f.rule === 'Serverless-LambdaDLQ')?.resource).toBe(
      'NonCompliant/Careless/Resource',
    );
  });
});
