import {
  CopyOutlined,
  MinusCircleOutlined,
  PlusOutlined,
  RollbackOutlined,
  SaveOutlined,
  SendOutlined,
  StopOutlined,
} from '@ant-design/icons';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import {
  Alert,
  App,
  Button,
  Card,
  Col,
  Collapse,
  DatePicker,
  Descriptions,
  Empty,
  Form,
  Input,
  InputNumber,
  Modal,
  Row,
  Select,
  Space,
  Spin,
  Statistic,
  Switch,
  Table,
  type TableProps,
  Tag,
  Tooltip,
  Typography,
} from 'antd';
import type { Dayjs } from 'dayjs';
import { useEffect, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate, useParams, useSearchParams } from 'react-router';
import { ApiProblem, api, type Schemas, unwrap } from '../../api/client';
import { useCan } from '../../auth/session';
import { Instant } from '../../components/Instant';
import { Money, moneyColumn } from '../../components/Money';
import { Page } from '../../components/Page';
import { ProblemAlert } from '../../components/ProblemAlert';
import { QueryState } from '../../components/QueryState';
import { StatusTag } from '../../components/StatusTag';
import { useCommand } from '../../components/useCommand';
import { formatRatio, parseMoney } from '../../format';
import { VersionsTable } from './ProductsPage';
import {
  commandKey,
  definitionOf,
  fieldOf,
  formOf,
  methods,
  newProductForm,
  type ProductForm,
  priceKinds,
} from './shared';
import './products.css';

type Version = Schemas['ProductVersion'];
type Preview = Schemas['ProductDefinitionPreview'];
type Installment = Preview['quote']['installments'][number];
type Definition = Record<string, unknown>;

const money = /^\d{1,13}(\.\d{1,2})?$/;
const percent = /^\d{1,4}(\.\d{1,10})?$/;

/** A value that settles: the preview follows the form without a request per keystroke. */
function useSettled<T>(value: T, ms = 350): T {
  const [settled, setSettled] = useState(value);
  useEffect(() => {
    const timer = setTimeout(() => setSettled(value), ms);
    return () => clearTimeout(timer);
  }, [value, ms]);
  return settled;
}

type PreviewParams = { grade?: string; termCount?: number; amount?: string; startDate?: Dayjs | null };

function RatesBlock({ quote }: { quote: Preview['quote'] }) {
  const { t } = useTranslation('products');
  const cap = formatRatio(quote.aprCap, 2);
  return (
    <Row gutter={[16, 16]} data-testid="preview-rates">
      <Col span={8}>
        <Statistic
          title={quote.price.kind === 'annual_rate' ? t('preview.nominalRate') : t('preview.periodFeeRate')}
          valueRender={() => (
            <span data-testid="rate-nominal" title={quote.price.rate}>
              {quote.price.kind === 'annual_rate'
                ? formatRatio(quote.annualRate, 2)
                : `${formatRatio(quote.periodFeeRate, 3)} ${t('preview.perPeriod')}`}
            </span>
          )}
        />
      </Col>
      <Col span={8}>
        <Statistic
          title={
            <Tooltip title={t('preview.simpleHelp')}>
              <span>{t('preview.simpleRate')}</span>
            </Tooltip>
          }
          valueRender={() => (
            <span data-testid="rate-simple" title={quote.rates.simple}>
              {formatRatio(quote.rates.simple, 2)}
            </span>
          )}
        />
      </Col>
      <Col span={8}>
        <Statistic
          title={
            <Tooltip title={t('preview.irrHelp')}>
              <span>{t('preview.irr')}</span>
            </Tooltip>
          }
          valueRender={() => (
            <span
              data-testid="rate-irr"
              title={quote.rates.irr}
              className={quote.withinCap ? undefined : 'rate-above-cap'}
            >
              {formatRatio(quote.rates.irr, 2)}
            </span>
          )}
        />
      </Col>
      <Col span={24} style={{ marginTop: -8 }}>
        <Tag color={quote.withinCap ? 'green' : 'red'} data-testid="cap-status">
          {quote.withinCap ? t('preview.withinCap', { cap }) : t('preview.aboveCap', { cap })}
        </Tag>
        <Typography.Text type="secondary">{t('preview.capHelp')}</Typography.Text>
      </Col>
    </Row>
  );
}

function PreviewPanel({
  definition,
  prices,
  terms,
}: {
  definition: Definition;
  prices: string[];
  terms: number[];
}) {
  const { t } = useTranslation('products');
  const [params, setParams] = useState<PreviewParams>({ amount: '10000.00' });
  const grade = params.grade !== undefined && prices.includes(params.grade) ? params.grade : prices[0];
  const termCount =
    params.termCount !== undefined && terms.includes(params.termCount) ? params.termCount : terms[0];
  const principalMinor = parseMoney(params.amount ?? '');
  const request = useSettled(
    JSON.stringify({
      definition,
      grade,
      termCount,
      principalMinor,
      startDate: params.startDate ? params.startDate.format('YYYY-MM-DD') : undefined,
    }),
  );
  const ready = grade !== undefined && termCount !== undefined && principalMinor !== undefined;
  const preview = useQuery({
    queryKey: ['products', 'draft-preview', request],
    queryFn: () => {
      const body = JSON.parse(request) as {
        definition: Definition;
        grade: string;
        termCount: number;
        principalMinor: string;
        startDate?: string;
      };
      return unwrap(api.POST('/api/v1/products/preview', { body: body as never }));
    },
    enabled: ready,
    placeholderData: keepPreviousData,
    retry: false,
  });
  const scheduleColumns: TableProps<Installment>['columns'] = [
    { title: '#', dataIndex: 'number', width: 48 },
    {
      title: t('preview.dueDate'),
      dataIndex: 'dueDate',
      render: (date: string) => <span className="nowrap">{date}</span>,
    },
    moneyColumn(t('preview.principal'), 'principalMinor'),
    moneyColumn(t('preview.interest'), 'interestMinor'),
    moneyColumn(t('preview.fee'), 'feeMinor'),
    moneyColumn(t('preview.total'), 'totalMinor', { strong: true }),
    moneyColumn(t('preview.balance'), 'balanceMinor'),
  ];
  const problem = preview.error instanceof ApiProblem ? preview.error : undefined;
  const data = preview.isError ? undefined : preview.data;
  const grid = data?.grid;
  const gridRows = useMemo(() => {
    if (grid === undefined) return [];
    return [...new Set(grid.cells.map((cell) => cell.termCount))].map((term) => ({
      term,
      cells: grid.cells.filter((cell) => cell.termCount === term),
    }));
  }, [grid]);
  const gridGrades = grid === undefined ? [] : [...new Set(grid.cells.map((cell) => cell.grade))];

  return (
    <Card
      title={t('preview.title')}
      size="small"
      className="product-preview"
      extra={preview.isFetching ? <Spin size="small" /> : null}
      data-testid="product-preview"
    >
      <Form
        layout="inline"
        size="small"
        style={{ rowGap: 8, marginBottom: 12 }}
        initialValues={params}
        onValuesChange={(_, all: PreviewParams) => setParams((current) => ({ ...current, ...all }))}
      >
        <Form.Item label={t('preview.grade')}>
          <Select
            style={{ width: 90 }}
            value={grade}
            onChange={(value: string) => setParams((p) => ({ ...p, grade: value }))}
            options={prices.map((value) => ({ value, label: value }))}
            data-testid="preview-grade"
          />
        </Form.Item>
        <Form.Item label={t('preview.term')}>
          <Select
            style={{ width: 110 }}
            value={termCount}
            onChange={(value: number) => setParams((p) => ({ ...p, termCount: value }))}
            options={terms.map((value) => ({ value, label: t('preview.terms', { count: value }) }))}
            data-testid="preview-term"
          />
        </Form.Item>
        <Form.Item
          name="amount"
          label={t('preview.amount')}
          validateStatus={params.amount && principalMinor === undefined ? 'error' : undefined}
        >
          <Input prefix="¥" style={{ width: 140 }} data-testid="preview-amount" />
        </Form.Item>
        <Form.Item name="startDate" label={t('preview.startDate')}>
          <DatePicker allowClear placeholder={t('preview.businessDate')} />
        </Form.Item>
      </Form>
      {!ready ? (
        <Empty description={t('preview.incomplete')} />
      ) : problem !== undefined ? (
        <Alert
          type="warning"
          showIcon
          title={t('preview.unavailable')}
          description={
            <ul className="problem-fields" data-testid="preview-problems">
              {problem.errors.length === 0 ? (
                <li>{problem.message}</li>
              ) : (
                problem.errors.map((error) => (
                  <li key={`${error.path}:${error.message}`}>
                    <Typography.Text code>{error.path.replace(/^definition\//, '')}</Typography.Text>{' '}
                    {error.message}
                  </li>
                ))
              )}
            </ul>
          }
        />
      ) : preview.isError ? (
        <ProblemAlert error={preview.error} onRetry={() => void preview.refetch()} />
      ) : data === undefined ? (
        <Spin />
      ) : (
        <Space orientation="vertical" size="middle" style={{ width: '100%' }}>
          <RatesBlock quote={data.quote} />
          <Row gutter={[16, 8]}>
            <Col span={8}>
              <Statistic
                title={t('preview.payment')}
                valueRender={() =>
                  data.quote.paymentMinor === null ? (
                    t('preview.varies')
                  ) : (
                    <Money minor={data.quote.paymentMinor} strong />
                  )
                }
              />
            </Col>
            <Col span={8}>
              <Statistic
                title={t('preview.totalInterest')}
                valueRender={() => <Money minor={data.quote.totals.interestMinor} />}
              />
            </Col>
            <Col span={8}>
              <Statistic
                title={t('preview.cost')}
                valueRender={() => <Money minor={data.quote.costMinor} />}
              />
            </Col>
            <Col span={8}>
              <Statistic
                title={t('preview.disbursed')}
                valueRender={() => <Money minor={data.quote.disbursedMinor} />}
              />
            </Col>
            <Col span={8}>
              <Statistic
                title={t('preview.totalRepaid')}
                valueRender={() => <Money minor={data.quote.totals.totalMinor} />}
              />
            </Col>
            <Col span={8}>
              <Statistic title={t('preview.penaltyRate')} value={formatRatio(data.quote.penaltyRate, 2)} />
            </Col>
          </Row>
          <Typography.Text type="secondary">
            {t('preview.from', { date: data.quote.startDate })}
          </Typography.Text>
          <Table<Installment>
            size="small"
            rowKey="number"
            dataSource={data.quote.installments}
            columns={scheduleColumns}
            pagination={false}
            scroll={{ y: 300 }}
            data-testid="preview-schedule"
          />
          {!data.grid.publishable && (
            <Alert
              type="warning"
              showIcon
              data-testid="cap-warnings"
              title={t('preview.notPublishable', { count: data.grid.issues.length })}
              description={
                <ul className="problem-fields">
                  {data.grid.issues.map((issue) => (
                    <li key={`${issue.path}:${issue.message}`}>{issue.message}</li>
                  ))}
                </ul>
              }
            />
          )}
          <div>
            <Typography.Text strong>{t('preview.grid')}</Typography.Text>{' '}
            <Typography.Text type="secondary">
              {t('preview.gridAt')} <Money minor={data.grid.principalMinor} />
            </Typography.Text>
            <Table
              size="small"
              rowKey="term"
              pagination={false}
              dataSource={gridRows}
              data-testid="preview-grid"
              style={{ marginTop: 8 }}
              columns={[
                {
                  title: t('preview.term'),
                  dataIndex: 'term',
                  render: (term: number) => t('preview.terms', { count: term }),
                },
                ...gridGrades.map((gradeName) => ({
                  title: gradeName,
                  key: gradeName,
                  align: 'right' as const,
                  render: (_: unknown, row: (typeof gridRows)[number]) => {
                    const cell = row.cells.find((c) => c.grade === gradeName);
                    if (cell === undefined) return '—';
                    return (
                      <span className={cell.withinCap ? undefined : 'rate-above-cap'} title={cell.rates.irr}>
                        {formatRatio(cell.rates.irr, 2)}
                      </span>
                    );
                  },
                })),
              ]}
            />
          </div>
        </Space>
      )}
    </Card>
  );
}

function ReasonDialog({
  title,
  help,
  onSubmit,
  onClose,
  pending,
  error,
  testId,
}: {
  title: string;
  help: string;
  onSubmit: (reason: string) => void;
  onClose: () => void;
  pending: boolean;
  error: unknown;
  testId: string;
}) {
  const { t } = useTranslation('products');
  const [form] = Form.useForm<{ reason: string }>();
  return (
    <Modal
      open
      title={title}
      onCancel={onClose}
      onOk={() => form.submit()}
      confirmLoading={pending}
      okButtonProps={{ 'data-testid': `${testId}-submit` } as never}
      destroyOnHidden
    >
      <Typography.Paragraph type="secondary">{help}</Typography.Paragraph>
      <Form form={form} layout="vertical" onFinish={(values) => onSubmit(values.reason)}>
        <Form.Item
          name="reason"
          label={t('field.reason')}
          rules={[{ required: true, whitespace: true, max: 500, message: t('rule.reason') }]}
        >
          <Input.TextArea rows={3} data-testid={`${testId}-reason`} />
        </Form.Item>
      </Form>
      {error !== null && error !== undefined && <ProblemAlert error={error} />}
    </Modal>
  );
}

function Editor({
  version,
  initial,
}: {
  version: Version | undefined;
  initial: { form: ProductForm; kept: Definition };
}) {
  const { t, i18n } = useTranslation('products');
  const can = useCan();
  const navigate = useNavigate();
  const { message } = App.useApp();
  const [form] = Form.useForm<ProductForm>();
  const [values, setValues] = useState<ProductForm>(initial.form);
  const [dialog, setDialog] = useState<'publish' | 'retire' | undefined>();
  const editable = version === undefined || (version.status === 'draft' && can('products:author'));
  const definition = useMemo(() => definitionOf(values, initial.kept), [values, initial.kept]);
  const saved =
    version === undefined
      ? undefined
      : JSON.stringify(definitionOf(formOf(version.definition as Definition).form, initial.kept));
  const dirty = saved === undefined || saved !== JSON.stringify(definition);
  const prices = [
    ...new Set((values.prices ?? []).map((row) => row?.grade?.trim() ?? '').filter((g) => g !== '')),
  ];
  const terms = [...new Set(values.termsOffered ?? [])].sort((a, b) => a - b);

  const putErrors = (error: unknown) => {
    if (!(error instanceof ApiProblem)) return;
    const current = form.getFieldsValue(true) as ProductForm;
    const fields = error.errors.flatMap((found) => {
      const name = fieldOf(found.path, current);
      return name === undefined ? [] : [{ name, errors: [found.message] }];
    });
    form.setFields(fields as never);
  };

  const save = useCommand(
    (body: Definition) =>
      version === undefined
        ? unwrap(
            api.POST('/api/v1/products', {
              params: { header: commandKey() },
              body: { definition: body as never },
            }),
          )
        : unwrap(
            api.PUT('/api/v1/products/versions/{versionId}', {
              params: { path: { versionId: version.id }, header: commandKey() },
              body: { definition: body as never },
            }),
          ),
    {
      invalidates: [['products']],
      success: t('editor.saved'),
      onSuccess: (saved) => navigate(`/products/versions/${saved.id}`, { replace: true }),
    },
  );

  const publish = useCommand(
    (reason: string) =>
      unwrap(
        api.POST('/api/v1/products/versions/{versionId}/publish-requests', {
          params: { path: { versionId: version?.id ?? '' }, header: commandKey() },
          body: { reason },
        }),
      ),
    {
      invalidates: [['products'], ['approvals']],
      success: false,
      onSuccess: () => {
        void message.success(t('publish.requested'));
        setDialog(undefined);
      },
    },
  );
  const withdraw = useCommand(
    () =>
      unwrap(
        api.POST('/api/v1/products/versions/{versionId}/withdraw', {
          params: { path: { versionId: version?.id ?? '' }, header: commandKey() },
        }),
      ),
    { invalidates: [['products']], success: t('publish.withdrawn') },
  );
  const retire = useCommand(
    (reason: string) =>
      unwrap(
        api.POST('/api/v1/products/versions/{versionId}/retire', {
          params: { path: { versionId: version?.id ?? '' }, header: commandKey() },
          body: { reason },
        }),
      ),
    { invalidates: [['products']], success: t('retire.done'), onSuccess: () => setDialog(undefined) },
  );

  const methodOptions = methods.map((value) => ({ value, label: t(`method.${value}`) }));
  const optionsOf = (key: string, list: readonly string[]) =>
    list.map((value) => ({ value, label: t(`${key}.${value}`) }));
  const moneyRule = { pattern: money, message: t('rule.money') };
  const percentRule = { pattern: percent, message: t('rule.percent') };
  const name = version ? (version.definition as { name?: { zh?: string; en?: string } }).name : undefined;

  return (
    <Page
      title={
        version === undefined
          ? t('editor.newTitle')
          : `${(i18n.language === 'en' ? name?.en : name?.zh) ?? version.code} · ${version.code} v${version.version}`
      }
      extra={
        <Space wrap>
          {version && <StatusTag value={version.status} ns="products" />}
          {editable && (
            <Button
              type="primary"
              icon={<SaveOutlined />}
              onClick={() => form.submit()}
              loading={save.isPending}
              disabled={version !== undefined && !dirty}
              data-testid="product-save"
            >
              {t('editor.save')}
            </Button>
          )}
          {version?.status === 'draft' && can('products:author') && (
            <Tooltip title={dirty ? t('publish.saveFirst') : undefined}>
              <Button
                icon={<SendOutlined />}
                disabled={dirty}
                onClick={() => setDialog('publish')}
                data-testid="product-publish"
              >
                {t('action.requestPublish')}
              </Button>
            </Tooltip>
          )}
          {version?.status === 'pending' && can('products:author') && (
            <Button
              icon={<RollbackOutlined />}
              loading={withdraw.isPending}
              onClick={() => withdraw.mutate(undefined)}
            >
              {t('action.withdraw')}
            </Button>
          )}
          {version?.status === 'published' && can('products:publish') && (
            <Button danger icon={<StopOutlined />} onClick={() => setDialog('retire')}>
              {t('action.retire')}
            </Button>
          )}
          {version && can('products:author') && (
            <Button icon={<CopyOutlined />} onClick={() => navigate(`/products/new?from=${version.id}`)}>
              {t('action.newVersion')}
            </Button>
          )}
        </Space>
      }
    >
      {version?.status === 'pending' && (
        <Alert
          type="info"
          showIcon
          style={{ marginBottom: 16 }}
          title={t('publish.pendingInfo')}
          data-testid="pending-info"
        />
      )}
      {save.isError && (
        <div style={{ marginBottom: 16 }}>
          <ProblemAlert error={save.error} />
        </div>
      )}
      {withdraw.isError && <ProblemAlert error={withdraw.error} />}
      <Row gutter={16} align="top">
        <Col xs={24} xl={12}>
          <Form<ProductForm>
            form={form}
            layout="vertical"
            size="middle"
            disabled={!editable}
            initialValues={initial.form}
            onValuesChange={(_, all) => setValues(all)}
            onFinish={(all) => save.mutate(definitionOf(all, initial.kept), { onError: putErrors })}
            className="product-form"
            data-testid="product-form"
          >
            <Card size="small" title={t('section.basics')} style={{ marginBottom: 12 }}>
              <Row gutter={12}>
                <Col span={8}>
                  <Form.Item
                    name="code"
                    label={t('field.code')}
                    rules={[
                      { required: true, message: t('rule.code') },
                      { pattern: /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/, message: t('rule.code') },
                    ]}
                  >
                    <Input
                      disabled={!editable || version !== undefined}
                      placeholder="pos-installment"
                      data-testid="field-code"
                    />
                  </Form.Item>
                </Col>
                <Col span={8}>
                  <Form.Item
                    name="nameZh"
                    label={t('field.nameZh')}
                    rules={[{ required: true, max: 100, message: t('rule.name') }]}
                  >
                    <Input data-testid="field-name-zh" />
                  </Form.Item>
                </Col>
                <Col span={8}>
                  <Form.Item
                    name="nameEn"
                    label={t('field.nameEn')}
                    rules={[{ required: true, max: 100, message: t('rule.name') }]}
                  >
                    <Input data-testid="field-name-en" />
                  </Form.Item>
                </Col>
                <Col span={8}>
                  <Form.Item name="method" label={t('field.method')} rules={[{ required: true }]}>
                    <Select options={methodOptions} data-testid="field-method" />
                  </Form.Item>
                </Col>
                <Col span={8}>
                  <Form.Item name="frequency" label={t('field.frequency')} rules={[{ required: true }]}>
                    <Select options={optionsOf('frequency', ['monthly', 'biweekly', 'weekly'])} />
                  </Form.Item>
                </Col>
                <Col span={8}>
                  <Form.Item
                    name="termsOffered"
                    label={t('field.termsOffered')}
                    // The select holds text (tags mode); the form holds installment counts.
                    getValueProps={(list?: number[]) => ({ value: (list ?? []).map(String) })}
                    normalize={(list: string[]) =>
                      [...new Set((list ?? []).map(Number))].filter(
                        (n) => Number.isInteger(n) && n > 0 && n <= 600,
                      )
                    }
                    rules={[{ required: true, type: 'array', min: 1, max: 24, message: t('rule.terms') }]}
                  >
                    <Select
                      mode="tags"
                      tokenSeparators={[',', ' ']}
                      data-testid="field-terms"
                      options={[1, 3, 6, 9, 12, 18, 24, 36].map((term) => ({
                        value: String(term),
                        label: String(term),
                      }))}
                    />
                  </Form.Item>
                </Col>
              </Row>
            </Card>
            <Card size="small" title={t('section.prices')} style={{ marginBottom: 12 }}>
              <Typography.Paragraph type="secondary" style={{ marginTop: 0 }}>
                {t('help.prices')}
              </Typography.Paragraph>
              <Form.List name="prices">
                {(fields, { add, remove }) => (
                  <>
                    {fields.map((field, index) => (
                      <Row gutter={8} key={field.key} align="top">
                        <Col span={6}>
                          <Form.Item
                            name={[field.name, 'grade']}
                            label={index === 0 ? t('field.grade') : undefined}
                            rules={[
                              {
                                required: true,
                                pattern: /^[A-Z][A-Za-z0-9_+-]{0,15}$/,
                                message: t('rule.grade'),
                              },
                            ]}
                          >
                            <Input data-testid={`price-${index}-grade`} />
                          </Form.Item>
                        </Col>
                        <Col span={9}>
                          <Form.Item
                            name={[field.name, 'kind']}
                            label={index === 0 ? t('field.priceKind') : undefined}
                            rules={[{ required: true }]}
                          >
                            <Select
                              options={optionsOf('priceKind', priceKinds)}
                              data-testid={`price-${index}-kind`}
                            />
                          </Form.Item>
                        </Col>
                        <Col span={7}>
                          <Form.Item
                            name={[field.name, 'rate']}
                            label={index === 0 ? t('field.ratePercent') : undefined}
                            rules={[{ required: true, message: t('rule.percent') }, percentRule]}
                          >
                            <Input suffix="%" data-testid={`price-${index}-rate`} />
                          </Form.Item>
                        </Col>
                        <Col span={2} style={{ paddingTop: index === 0 ? 30 : 4 }}>
                          {editable && fields.length > 1 && (
                            <MinusCircleOutlined
                              onClick={() => remove(field.name)}
                              aria-label={t('action.removePrice')}
                            />
                          )}
                        </Col>
                      </Row>
                    ))}
                    {editable && fields.length < 26 && (
                      <Button
                        type="dashed"
                        icon={<PlusOutlined />}
                        data-testid="price-add"
                        onClick={() =>
                          add({
                            grade: String.fromCharCode(65 + fields.length),
                            kind: 'annual_rate',
                            rate: '',
                          })
                        }
                      >
                        {t('action.addPrice')}
                      </Button>
                    )}
                  </>
                )}
              </Form.List>
            </Card>
            <Card size="small" title={t('section.amounts')} style={{ marginBottom: 12 }}>
              <Row gutter={12}>
                <Col span={8}>
                  <Form.Item
                    name="amountMin"
                    label={t('field.amountMin')}
                    rules={[{ required: true, message: t('rule.money') }, moneyRule]}
                  >
                    <Input prefix="¥" data-testid="field-amount-min" />
                  </Form.Item>
                </Col>
                <Col span={8}>
                  <Form.Item
                    name="amountMax"
                    label={t('field.amountMax')}
                    dependencies={['amountMin']}
                    rules={[
                      { required: true, message: t('rule.money') },
                      moneyRule,
                      ({ getFieldValue }) => ({
                        validator: async (_, value?: string) => {
                          const low = parseMoney(getFieldValue('amountMin') ?? '');
                          const high = parseMoney(value ?? '');
                          if (low !== undefined && high !== undefined && BigInt(high) < BigInt(low))
                            throw new Error(t('rule.amountOrder'));
                          if (high !== undefined && BigInt(high) > 20_000_000n)
                            throw new Error(t('rule.amountCap'));
                        },
                      }),
                    ]}
                  >
                    <Input prefix="¥" data-testid="field-amount-max" />
                  </Form.Item>
                </Col>
                <Col span={8}>
                  <Form.Item name="periodFee" label={t('field.periodFee')} rules={[moneyRule]}>
                    <Input prefix="¥" placeholder="0.00" />
                  </Form.Item>
                </Col>
                <Col span={8}>
                  <Form.Item name="upfrontFeeKind" label={t('field.upfrontFee')}>
                    <Select options={optionsOf('upfrontFeeKind', ['none', 'rate', 'fixed'])} />
                  </Form.Item>
                </Col>
                {values.upfrontFeeKind === 'rate' && (
                  <Col span={8}>
                    <Form.Item
                      name="upfrontFeeRate"
                      label={t('field.upfrontFeeRate')}
                      rules={[{ required: true, message: t('rule.percent') }, percentRule]}
                    >
                      <Input suffix="%" />
                    </Form.Item>
                  </Col>
                )}
                {values.upfrontFeeKind === 'fixed' && (
                  <Col span={8}>
                    <Form.Item
                      name="upfrontFeeAmount"
                      label={t('field.upfrontFeeAmount')}
                      rules={[{ required: true, message: t('rule.money') }, moneyRule]}
                    >
                      <Input prefix="¥" />
                    </Form.Item>
                  </Col>
                )}
                {values.upfrontFeeKind !== 'none' && values.upfrontFeeKind !== undefined && (
                  <Col span={8}>
                    <Form.Item name="upfrontFeeMode" label={t('field.upfrontFeeMode')}>
                      <Select options={optionsOf('upfrontFeeMode', ['deducted', 'financed'])} />
                    </Form.Item>
                  </Col>
                )}
              </Row>
            </Card>
            <Collapse
              size="small"
              items={[
                {
                  key: 'terms',
                  label: t('section.servicing'),
                  forceRender: true,
                  children: (
                    <Row gutter={12}>
                      <Col span={8}>
                        <Form.Item
                          name="graceDays"
                          label={t('field.graceDays')}
                          rules={[{ type: 'integer', min: 0, max: 30, message: t('rule.days') }]}
                        >
                          <InputNumber min={0} max={30} style={{ width: '100%' }} />
                        </Form.Item>
                      </Col>
                      <Col span={8}>
                        <Form.Item
                          name="coolingOffDays"
                          label={t('field.coolingOffDays')}
                          rules={[{ type: 'integer', min: 0, max: 30, message: t('rule.days') }]}
                        >
                          <InputNumber min={0} max={30} style={{ width: '100%' }} />
                        </Form.Item>
                      </Col>
                      <Col span={8}>
                        <Form.Item
                          name="penaltyMarkup"
                          label={t('field.penaltyMarkup')}
                          rules={[percentRule]}
                          extra={t('help.penaltyMarkup')}
                        >
                          <Input suffix="%" />
                        </Form.Item>
                      </Col>
                      <Col span={8}>
                        <Form.Item
                          name="prepaymentAllowed"
                          label={t('field.prepaymentAllowed')}
                          valuePropName="checked"
                        >
                          <Switch />
                        </Form.Item>
                      </Col>
                      {values.prepaymentAllowed !== false && (
                        <>
                          <Col span={8}>
                            <Form.Item
                              name="prepaymentFeeRate"
                              label={t('field.prepaymentFeeRate')}
                              rules={[percentRule]}
                            >
                              <Input suffix="%" placeholder="0" />
                            </Form.Item>
                          </Col>
                          <Col span={8}>
                            <Form.Item
                              name="prepaymentMinTermsPaid"
                              label={t('field.prepaymentMinTermsPaid')}
                            >
                              <InputNumber min={0} max={600} style={{ width: '100%' }} />
                            </Form.Item>
                          </Col>
                        </>
                      )}
                      <Col span={8}>
                        <Form.Item name="dayCount" label={t('field.dayCount')}>
                          <Select
                            options={['ACT_360', 'ACT_365', '30_360'].map((value) => ({
                              value,
                              label: value,
                            }))}
                          />
                        </Form.Item>
                      </Col>
                      <Col span={8}>
                        <Form.Item name="interestPeriod" label={t('field.interestPeriod')}>
                          <Select
                            allowClear
                            placeholder={t('interestPeriod.default')}
                            options={optionsOf('interestPeriod', ['per_period', 'daily'])}
                          />
                        </Form.Item>
                      </Col>
                      <Col span={8}>
                        <Form.Item name="remainder" label={t('field.remainder')}>
                          <Select options={optionsOf('remainder', ['last_principal', 'last_interest'])} />
                        </Form.Item>
                      </Col>
                      <Col span={8}>
                        <Form.Item name="rounding" label={t('field.rounding')}>
                          <Select options={optionsOf('rounding', ['half_up', 'half_even', 'down', 'up'])} />
                        </Form.Item>
                      </Col>
                      <Col span={8}>
                        <Form.Item name="postingBasis" label={t('field.postingBasis')}>
                          <Select options={optionsOf('postingBasis', ['accrual', 'cash'])} />
                        </Form.Item>
                      </Col>
                      <Col span={8}>
                        <Form.Item name="revolving" label={t('field.revolving')} valuePropName="checked">
                          <Switch />
                        </Form.Item>
                      </Col>
                      <Col span={24}>
                        <Typography.Text strong>{t('field.merchantDiscount')}</Typography.Text>
                        <Typography.Paragraph type="secondary">
                          {t('help.merchantDiscount')}
                        </Typography.Paragraph>
                        <Form.List name="merchantDiscount">
                          {(fields, { add, remove }) => (
                            <>
                              {fields.map((field) => (
                                <Space key={field.key} align="start">
                                  <Form.Item
                                    name={[field.name, 'term']}
                                    rules={[{ required: true, message: t('rule.terms') }]}
                                  >
                                    <Select
                                      style={{ width: 120 }}
                                      options={terms.map((term) => ({
                                        value: term,
                                        label: t('preview.terms', { count: term }),
                                      }))}
                                    />
                                  </Form.Item>
                                  <Form.Item
                                    name={[field.name, 'rate']}
                                    rules={[{ required: true, message: t('rule.percent') }, percentRule]}
                                  >
                                    <Input suffix="%" style={{ width: 120 }} />
                                  </Form.Item>
                                  {editable && (
                                    <MinusCircleOutlined
                                      style={{ marginTop: 8 }}
                                      onClick={() => remove(field.name)}
                                    />
                                  )}
                                </Space>
                              ))}
                              {editable && (
                                <Button
                                  type="dashed"
                                  size="small"
                                  icon={<PlusOutlined />}
                                  onClick={() => add({ rate: '' })}
                                >
                                  {t('action.addDiscount')}
                                </Button>
                              )}
                            </>
                          )}
                        </Form.List>
                      </Col>
                    </Row>
                  ),
                },
              ]}
            />
          </Form>
          {version && (
            <Card size="small" title={t('section.life')} style={{ marginTop: 12 }}>
              <Descriptions size="small" column={2}>
                <Descriptions.Item label={t('field.versionId')}>
                  <Typography.Text copyable>{version.id}</Typography.Text>
                </Descriptions.Item>
                <Descriptions.Item label={t('field.createdAt')}>
                  <Instant value={version.createdAt} />
                </Descriptions.Item>
                <Descriptions.Item label={t('field.requestedAt')}>
                  <Instant value={version.requestedAt} />
                </Descriptions.Item>
                <Descriptions.Item label={t('field.approvalRequest')}>
                  {version.approvalRequestId ? (
                    <Link to={`/administration/approvals?status=pending`}>
                      {version.approvalRequestId.slice(0, 8)}
                    </Link>
                  ) : (
                    '—'
                  )}
                </Descriptions.Item>
                <Descriptions.Item label={t('field.publishedAt')}>
                  <Instant value={version.publishedAt} />
                </Descriptions.Item>
                <Descriptions.Item label={t('field.retiredAt')}>
                  <Instant value={version.retiredAt} />
                </Descriptions.Item>
                <Descriptions.Item label={t('field.supersededBy')}>
                  {version.supersededBy ? (
                    <Link to={`/products/versions/${version.supersededBy}`}>
                      {version.supersededBy.slice(0, 8)}
                    </Link>
                  ) : (
                    '—'
                  )}
                </Descriptions.Item>
              </Descriptions>
            </Card>
          )}
        </Col>
        <Col xs={24} xl={12}>
          <div className="product-preview-sticky">
            <PreviewPanel definition={definition} prices={prices} terms={terms} />
          </div>
        </Col>
      </Row>
      {version && (
        <Card size="small" title={t('section.versions', { code: version.code })} style={{ marginTop: 16 }}>
          <VersionsTable filter={{ code: version.code }} />
        </Card>
      )}
      {dialog === 'publish' && version && (
        <ReasonDialog
          testId="publish"
          title={t('publish.title', { version: `${version.code} v${version.version}` })}
          help={t('publish.help')}
          pending={publish.isPending}
          error={publish.error}
          onSubmit={(reason) => publish.mutate(reason)}
          onClose={() => {
            publish.reset();
            setDialog(undefined);
          }}
        />
      )}
      {dialog === 'retire' && version && (
        <ReasonDialog
          testId="retire"
          title={t('retire.title', { version: `${version.code} v${version.version}` })}
          help={t('retire.help')}
          pending={retire.isPending}
          error={retire.error}
          onSubmit={(reason) => retire.mutate(reason)}
          onClose={() => setDialog(undefined)}
        />
      )}
    </Page>
  );
}

/** A product version in the editor (a draft can change) with its live schedule and rates. */
export default function ProductEditorPage() {
  const { versionId } = useParams();
  const [params] = useSearchParams();
  const from = params.get('from');
  const source = useQuery({
    queryKey: ['products', 'version', versionId ?? null, from],
    queryFn: async () => {
      const id = versionId ?? from;
      if (id === null || id === undefined)
        return { version: undefined, initial: { form: newProductForm, kept: {} } };
      const found = await unwrap(
        api.GET('/api/v1/products/versions/{versionId}', { params: { path: { versionId: id } } }),
      );
      return {
        version: versionId === undefined ? undefined : found,
        initial: formOf(found.definition as Definition),
      };
    },
  });
  return (
    <QueryState query={source}>
      {({ version, initial }) => (
        <Editor
          key={`${version?.id ?? 'new'}:${version?.status ?? ''}:${version?.updatedAt ?? ''}`}
          version={version}
          initial={initial}
        />
      )}
    </QueryState>
  );
}
