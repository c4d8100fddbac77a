import { FileTextOutlined } from '@ant-design/icons';
import { Pending } from '../Pending';
import type { ConsoleArea } from '../types';

export const loansArea: ConsoleArea = {
  key: 'loans',
  icon: <FileTextOutlined />,
  menu: [{ path: '/loans', label: 'title', permissions: ['loans:read'] }],
  routes: [{ path: '/loans', element: <Pending area="loans" />, permissions: ['loans:read'] }],
};
