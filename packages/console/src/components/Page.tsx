import { Flex, Typography } from 'antd';
import type { ReactNode } from 'react';

/** A page: its title, actions on the right, and the content. */
export function Page({
  title,
  extra,
  children,
}: {
  title: ReactNode;
  extra?: ReactNode;
  children: ReactNode;
}) {
  return (
    <div className="page">
      <Flex justify="space-between" align="center" className="page-header" wrap gap="small">
        <Typography.Title level={3} style={{ margin: 0 }}>
          {title}
        </Typography.Title>
        {extra && <div className="page-extra">{extra}</div>}
      </Flex>
      {children}
    </div>
  );
}
