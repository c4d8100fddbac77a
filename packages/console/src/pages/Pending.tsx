import { Result } from 'antd';

/** Shown only while an area is being built; no released page may use it. */
export function Pending({ area }: { area: string }) {
  return <Result status="info" title={area} subTitle="This page is being built." />;
}
