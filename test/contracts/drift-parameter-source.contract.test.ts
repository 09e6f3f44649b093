import { SsmParameterStoreWithOverrides } from '../../functions/adapters/ssm-override-store.ts';
import { InMemoryParameterStore } from '../support/in-memory-parameter-store.ts';
import { driftSourceOf } from '../support/parameter-store-drift-source.ts';
import { SimulatedSsm } from '../support/simulated-ssm.ts';
import { describeDriftParameterSourceContract } from './drift-parameter-source.contract.ts';

describeDriftParameterSourceContract('driftSourceOf(InMemoryParameterStore)', () => {
  const store = new InMemoryParameterStore();
  return { source: driftSourceOf(store), writer: store };
});

describeDriftParameterSourceContract('SsmParameterStore', () => {
  const store = new SsmParameterStoreWithOverrides(new SimulatedSsm().client());
  return { source: store, writer: store };
});
