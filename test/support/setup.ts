import 'aws-sdk-client-mock-vitest/extend';
import { allCustomMatcher } from 'aws-sdk-client-mock-vitest';
import { expect } from 'vitest';

// toReceiveCommandWith and friends, as in Powertools' own adapter tests.
expect.extend(allCustomMatcher);
