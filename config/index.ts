/** The example organisation's desired state: every service Config Steward manages. */
import type { Organisation } from '../functions/core/model.ts';
import { orders } from './services/orders.ts';
import { payments } from './services/payments.ts';
import { shared } from './services/shared.ts';

export const organisation: Organisation = { services: [shared, orders, payments] };
