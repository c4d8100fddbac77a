import type { AprRequest, QuoteRequest } from '@fenqi/core';
import { annualizedRates, quote } from './service.ts';

// The quote calculations as compute tasks: run on the platform's worker threads (routes.ts), so a
// long schedule or a hard IRR never holds the event loop. Inputs and results are plain data.

export function quoteTask(input: { request: QuoteRequest; businessDate: string }) {
  return quote(input.request, input.businessDate);
}

export function aprTask(request: AprRequest) {
  return annualizedRates(request);
}

export const quoteTasks = new URL(import.meta.url);
