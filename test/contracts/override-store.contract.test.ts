import { SsmParameterStoreWithOverrides } from '../../functions/adapters/ssm-override-store.ts';
import { InMemoryOverrideStore } from '../support/in-memory-override-store.ts';
import { InMemoryParameterStore } from '../support/in-memory-parameter-store.ts';
import { SimulatedSsm } from '../support/simulated-ssm.ts';
import { describeOverrideStoreContract } from './override-store.contract.ts';

describeOverrideStoreContract('InMemoryOverrideStore', () => {
  const store = new InMemoryParameterStore();
  return { store, overrides: new InMemoryOverrideStore(store) };
});
describeOverrideStoreContract('SsmParameterStore', () => {
  const store = new SsmParameterStoreWithOverrides(new SimulatedSsm().client());
  return { store, overrides: store };
});
