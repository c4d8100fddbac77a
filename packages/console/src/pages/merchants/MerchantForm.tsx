import { useQuery } from '@tanstack/react-query';
import { Checkbox, Col, Divider, Form, Input, Modal, Row, Select } from 'antd';
import { useEffect } from 'react';
import { useTranslation } from 'react-i18next';
import { api, type Schemas, unwrap } from '../../api/client';
import { useCan } from '../../auth/session';
import { ProblemAlert } from '../../components/ProblemAlert';
import { useCommand } from '../../components/useCommand';
import {
  commandKey,
  formProblem,
  isDiscountRate,
  type MerchantDetail,
  type Scenario,
  scenarios,
} from './shared';

// Registering a merchant (POST /api/v1/merchants) or changing one (PATCH, only what changed). The
// checks mirror the API's: the social credit code's form (the API checks its check character,
// authority and region and puts any failure back on the field), the discount rate 0 to 0.3, the
// account number 8 to 32 digits. The settlement account is replaced only when asked to.

type Values = {
  name: string;
  legalName: string;
  scenario: Scenario;
  socialCreditCode?: string;
  discountRate: string;
  productCodes: string[];
  replaceAccount?: boolean;
  settlementAccount?: { accountName: string; accountNo: string; bankName: string };
};

const codeForm = /^[0-9A-HJ-NP-RTUW-Y]{2}\d{6}[0-9A-HJ-NP-RTUW-Y]{10}$/;

export function MerchantForm({
  open,
  merchant,
  onClose,
  onSaved,
}: {
  open: boolean;
  /** The merchant to change; none: register a new one. */
  merchant?: MerchantDetail;
  onClose: () => void;
  onSaved: (merchant: MerchantDetail) => void;
}) {
  const { t } = useTranslation('merchants');
  const can = useCan();
  const [form] = Form.useForm<Values>();
  const editing = merchant !== undefined;
  const replaceAccount = Form.useWatch('replaceAccount', form);
  const products = useQuery({
    queryKey: ['products', 'published'],
    enabled: open && can('products:read'),
    staleTime: 60_000,
    queryFn: () =>
      unwrap(api.GET('/api/v1/products', { params: { query: { status: 'published', limit: 100 } } })),
  });
  const productOptions = [
    ...new Set([
      ...(products.data ?? []).map((p: Schemas['ProductVersion']) => p.code),
      ...(merchant?.productCodes ?? []),
    ]),
  ]
    .sort()
    .map((code) => ({ value: code, label: code }));

  useEffect(() => {
    if (!open) return;
    form.resetFields();
    form.setFieldsValue(
      merchant
        ? {
            name: merchant.name,
            legalName: merchant.legalName,
            scenario: merchant.scenario,
            discountRate: merchant.discountRate,
            productCodes: merchant.productCodes,
            replaceAccount: false,
          }
        : { discountRate: '0', productCodes: [], replaceAccount: true },
    );
  }, [open, merchant, form]);

  const save = useCommand(
    async (values: Values) => {
      // A new merchant's account fields are always shown; a change replaces the account only when asked.
      const account = merchant === undefined || values.replaceAccount ? values.settlementAccount : undefined;
      const common = {
        name: values.name,
        legalName: values.legalName,
        scenario: values.scenario,
        discountRate: values.discountRate,
        productCodes: values.productCodes,
        ...(account?.accountNo ? { settlementAccount: account } : {}),
      };
      if (merchant)
        return unwrap(
          api.PATCH('/api/v1/merchants/{merchantId}', {
            params: { path: { merchantId: merchant.id }, header: commandKey() },
            body: common,
          }),
        );
      return unwrap(
        api.POST('/api/v1/merchants', {
          params: { header: commandKey() },
          body: { ...common, socialCreditCode: values.socialCreditCode ?? '' },
        }),
      );
    },
    {
      form,
      invalidates: [['merchants'], ['merchant']],
      success: editing ? t('edit.saved') : t('create.saved'),
      onSuccess: (saved) => onSaved(saved),
    },
  );

  return (
    <Modal
      open={open}
      width={720}
      title={editing ? t('edit.title') : t('create.title')}
      okText={t('common:action.save')}
      cancelText={t('common:action.cancel')}
      confirmLoading={save.isPending}
      onOk={() => form.submit()}
      onCancel={() => {
        save.reset();
        onClose();
      }}
      forceRender
    >
      {save.isError && formProblem(save.error) !== undefined && <ProblemAlert error={save.error} />}
      <Form<Values>
        form={form}
        layout="vertical"
        onFinish={(values) => save.mutate(values)}
        requiredMark="optional"
        data-testid="merchant-form"
      >
        <Row gutter={16}>
          <Col span={12}>
            <Form.Item
              name="name"
              label={t('field.name')}
              rules={[{ required: true, whitespace: true, max: 100 }]}
            >
              <Input data-testid="form-name" />
            </Form.Item>
          </Col>
          <Col span={12}>
            <Form.Item
              name="legalName"
              label={t('field.legalName')}
              rules={[{ required: true, whitespace: true, max: 200 }]}
            >
              <Input data-testid="form-legal-name" />
            </Form.Item>
          </Col>
          <Col span={12}>
            <Form.Item name="scenario" label={t('field.scenario')} rules={[{ required: true }]}>
              <Select
                options={scenarios.map((value) => ({ value, label: t(`scenario.${value}`) }))}
                data-testid="form-scenario"
              />
            </Form.Item>
          </Col>
          <Col span={12}>
            {editing ? (
              <Form.Item label={t('field.socialCreditCode')}>
                <Input value={merchant.socialCreditCode} disabled />
              </Form.Item>
            ) : (
              <Form.Item
                name="socialCreditCode"
                label={t('field.socialCreditCode')}
                normalize={(value: string) => value.toUpperCase().trim()}
                rules={[
                  { required: true, message: t('form.codeRequired') },
                  { pattern: codeForm, message: t('form.codeForm') },
                ]}
              >
                <Input maxLength={18} data-testid="form-code" />
              </Form.Item>
            )}
          </Col>
          <Col span={12}>
            <Form.Item
              name="discountRate"
              label={t('field.discountRate')}
              extra={t('form.discountRateHelp')}
              rules={[
                { required: true },
                {
                  validator: async (_, value: string | undefined) => {
                    if (value !== undefined && value !== '' && !isDiscountRate(value))
                      throw new Error(t('form.discountRateInvalid'));
                  },
                },
              ]}
            >
              <Input data-testid="form-discount-rate" />
            </Form.Item>
          </Col>
          <Col span={12}>
            <Form.Item name="productCodes" label={t('field.products')} extra={t('form.productsHelp')}>
              <Select
                mode="tags"
                options={productOptions}
                tokenSeparators={[',', ' ']}
                data-testid="form-products"
              />
            </Form.Item>
          </Col>
        </Row>
        <Divider titlePlacement="start" plain>
          {t('field.settlementAccount')}
        </Divider>
        {editing && (
          <Form.Item name="replaceAccount" valuePropName="checked">
            <Checkbox>
              {merchant.settlementAccountMasked ? t('form.replaceAccount') : t('form.addAccount')}
            </Checkbox>
          </Form.Item>
        )}
        {(replaceAccount ?? !editing) && (
          <Row gutter={16}>
            <Col span={12}>
              <Form.Item
                name={['settlementAccount', 'accountName']}
                label={t('account.name')}
                rules={[{ required: editing, whitespace: true, max: 100 }]}
              >
                <Input data-testid="form-account-name" />
              </Form.Item>
            </Col>
            <Col span={12}>
              <Form.Item
                name={['settlementAccount', 'accountNo']}
                label={t('account.number')}
                rules={[
                  { required: editing },
                  {
                    validator: async (_, value: string | undefined) => {
                      const digits = (value ?? '').replace(/[\s-]/g, '');
                      if (digits !== '' && !/^\d{8,32}$/.test(digits))
                        throw new Error(t('form.accountNoInvalid'));
                    },
                  },
                ]}
              >
                <Input autoComplete="off" data-testid="form-account-no" />
              </Form.Item>
            </Col>
            <Col span={24}>
              <Form.Item
                name={['settlementAccount', 'bankName']}
                label={t('account.bank')}
                rules={[{ required: editing, whitespace: true, max: 60 }]}
              >
                <Input data-testid="form-account-bank" />
              </Form.Item>
            </Col>
          </Row>
        )}
      </Form>
    </Modal>
  );
}
