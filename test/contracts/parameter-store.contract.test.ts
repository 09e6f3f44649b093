import { SsmParameterStore } from '../../functions/adapters/ssm-parameter-store.ts';
import { InMemoryParameterStore } from '../support/in-memory-parameter-store.ts';
import { SimulatedSsm } from '../support/simulated-ssm.ts';
import { describeParameterStoreContract } from './parameter-store.contract.ts';

describeParameterStoreContract('InMemoryParameterStore', () => new InMemoryParameterStore());
describeParameterStoreContract('SsmParameterStore', () => new SsmParameterStore(new SimulatedSsm().client()));
