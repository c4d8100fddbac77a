export { retrySchedule } from './callbacks.ts';
export { type ChannelSim, type ChannelSimOptions, startChannelSim } from './server.ts';
export { signSimRequest, stringToSign, verifySimSignature } from './signature.ts';
