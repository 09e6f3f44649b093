import { SsmParameterStore } from '../../functions/adapters/ssm-parameter-store.ts';
import { InMemoryParameterStore } from '../support/in-memory-parameter-store.ts';
import { driftSourceOf } from '../support/parameter-store-drift-source.ts';
import { SimulatedSsm } from '../support/simulated-ssm.ts';
import { describeDriftParameterSourceContract } from './drift-parameter-source.contract.ts';

describeDriftParameterSourceContract('driftSourceOf(InMemoryParameterStore)', () => {
  const store = new InMemoryParameterStore();
  return { source: driftSourceOf(store), writer: store };
});

describeDriftParameterSourceContract('SsmParameterStore', () => {
  const store = new SsmParameterStore(new SimulatedSsm().client());
  return { source: store, writer: store };
});
