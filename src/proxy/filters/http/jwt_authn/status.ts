// jwt_verify_lib's statuses as Envoy reports them: the local-reply body and, with spaces turned to
// underscores, the jwt_authn_access_denied{…} response code details.
export const JwtStatus = {
  ok: 'OK',
  missing: 'Jwt is missing',
  notYetValid: 'Jwt not yet valid',
  expired: 'Jwt is expired',
  badFormat: 'Jwt is not in the form of Header.Payload.Signature',
  headerParse: 'Jwt header is an invalid Base64url input or an invalid JSON',
  headerBadAlg: 'Jwt header [alg] field is not a string',
  headerAlgNotImplemented: 'Jwt header [alg] field value is invalid',
  headerBadKid: 'Jwt header [kid] field is not a string',
  payloadParse: 'Jwt payload is an invalid Base64 or an invalid JSON',
  signatureParse: 'Jwt signature is an invalid Base64',
  unknownIssuer: 'Jwt issuer is not configured',
  audienceNotAllowed: 'Audiences in Jwt are not allowed',
  verificationFail: 'Jwt verification fails',
  jwksParse: 'Jwks is an invalid JSON',
  jwksNoValidKeys: "Jwks doesn't have any valid public key",
  jwksKidAlgMismatch: "Jwks doesn't have key to match kid or alg from Jwt",
  jwksFetchFail: 'Jwks remote fetch is failed',
} as const;
export type JwtStatus = (typeof JwtStatus)[keyof typeof JwtStatus];
