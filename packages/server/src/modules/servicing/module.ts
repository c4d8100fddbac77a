import type { ContextModule } from '../module.ts';
import { openAccountConsumer } from './accounts.ts';
import { servicingReadRoutes } from './routes-reads.ts';

export const servicingModule: ContextModule = {
  name: 'servicing',
  routes: [...servicingReadRoutes],
  consumers: [openAccountConsumer],
};
