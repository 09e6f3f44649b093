import { SecretsManagerSecretStore } from '../../functions/adapters/secrets-manager-secret-store.ts';
import { InMemorySecretStore } from '../support/in-memory-secret-store.ts';
import { SimulatedSecretsManager } from '../support/simulated-secrets-manager.ts';
import { describeSecretStoreContract } from './secret-store.contract.ts';

describeSecretStoreContract('InMemorySecretStore', () => {
  const store = new InMemorySecretStore();
  return {
    store,
    create: (name, value, versionId) => store.create(name, value, { versionId }),
    beginRotation: (id, versionId) => void store.beginRotation(id, versionId),
  };
});

describeSecretStoreContract('SecretsManagerSecretStore', () => {
  const secretsManager = new SimulatedSecretsManager();
  return {
    store: new SecretsManagerSecretStore(secretsManager.client()),
    create: (name, value, versionId) => secretsManager.state.create(name, value, { versionId }),
    beginRotation: (id, versionId) => void secretsManager.state.beginRotation(id, versionId),
  };
});
