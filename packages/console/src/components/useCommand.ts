import { useMutation, useQueryClient } from '@tanstack/react-query';
import { App, type FormInstance } from 'antd';
import { useTranslation } from 'react-i18next';
import { ApiProblem } from '../api/client';

/**
 * A command (a POST/PUT/DELETE through the API): shows success, refreshes the lists named by
 * `invalidates`, and on a problem puts each field error on its form field (when a form is given)
 * or shows the problem. The client adds the Idempotency-Key and CSRF token.
 */
export function useCommand<Input, Output>(
  run: (input: Input) => Promise<Output>,
  options: {
    invalidates?: readonly (readonly unknown[])[];
    form?: FormInstance;
    success?: string | false;
    onSuccess?: (output: Output, input: Input) => void;
  } = {},
) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const queries = useQueryClient();
  return useMutation({
    mutationFn: run,
    onSuccess: async (output, input) => {
      if (options.success !== false) void message.success(options.success ?? t('done'));
      await Promise.all(
        (options.invalidates ?? []).map((key) => queries.invalidateQueries({ queryKey: key })),
      );
      options.onSuccess?.(output, input);
    },
    onError: (error) => {
      if (error instanceof ApiProblem && options.form && error.errors.length > 0) {
        options.form.setFields(
          error.errors.map((field) => ({ name: field.path.split('.'), errors: [field.message] })),
        );
      }
    },
  });
}
