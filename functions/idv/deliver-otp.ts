import { loadOtpKeyArn } from '../../shared/config';
import { KmsOtpSealer } from '../../shared/adapters/aws/otp-sealer';
import { createObservability } from '../../shared/adapters/observability/powertools';
import { deliverOtp } from '../../shared/idv/idv-steps';
import { createIdvDeps } from '../../shared/idv/idv-deps';
import { stepHandler } from '../../shared/idv/step-handler';

// Only this step opens codes (OTP_KEY_ARN and a kms:Decrypt grant are its alone); the KMS client is
// bundled here only.
const deps = createIdvDeps({ otpSealer: new KmsOtpSealer(loadOtpKeyArn()) });
const obs = createObservability('deliver-otp');

/** ID&V workflow step: Delivers the ID&V code by SMS or email and removes it from the store. */
export const handler = stepHandler(obs, 'deliver-otp', (input: Parameters<typeof deliverOtp>[0]) =>
  deliverOtp(input, deps),
);
