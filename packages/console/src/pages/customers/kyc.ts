/** KYC levels read as progress: phone only, real name verified, a card bound. */
export const kycColours: Record<string, string> = {
  phone_verified: 'default',
  real_name: 'blue',
  card_bound: 'green',
};
